#include "vigil/model/text_filter.hpp"

#include <regex.h>

#include <algorithm>
#include <cctype>

namespace vigil {

struct TextFilter::Compiled {
    regex_t re{};
    bool compiled = false;
    ~Compiled() {
        if (compiled) regfree(&re);
    }
};

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
bool has_regex_syntax(std::string_view s) {
    return s.find_first_of(".[]()*+?{}|^$\\") != std::string_view::npos;
}

// Whether glibc can compile and run the pattern in bounded time and memory. regcomp copies
// a repeated sub-expression once per repetition, so stacked quantifiers ("a+++", "a{9}{9}")
// and large counts grow it exponentially (the fuzzer found 2.5 GB for "r" and sixty '+');
// back-references make regexec backtrack. Anything outside these limits is matched as text.
bool bounded_pattern(std::string_view s) {
    constexpr std::size_t kMaxLength = 256;
    constexpr unsigned kMaxCount = 32;  // {n,m}: n and m at most this
    constexpr int kMaxBraces = 2;
    if (s.size() > kMaxLength) return false;
    int braces = 0;
    bool after_quantifier = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 < s.size() && s[i + 1] >= '1' && s[i + 1] <= '9') return false;
            ++i;
            after_quantifier = false;
            continue;
        }
        bool quantifier = c == '*' || c == '+' || c == '?' || c == '{';
        if (quantifier && after_quantifier) return false;
        if (c == '{') {
            if (++braces > kMaxBraces) return false;
            unsigned n = 0;
            for (++i; i < s.size() && s[i] != '}'; ++i) {
                if (s[i] == ',') {
                    n = 0;
                    continue;
                }
                if (s[i] < '0' || s[i] > '9') return false;
                n = n * 10 + static_cast<unsigned>(s[i] - '0');
                if (n > kMaxCount) return false;
            }
        }
        after_quantifier = quantifier;
    }
    return true;
}
}  // namespace

void TextFilter::set(std::string pattern) {
    pattern_ = std::move(pattern);
    lowered_ = lower(pattern_);
    regex_.reset();
    // A NUL would end the pattern early; such a pattern is only ever matched as text.
    if (!has_regex_syntax(pattern_) || !bounded_pattern(pattern_) ||
        pattern_.find('\0') != std::string::npos)
        return;
    auto c = std::make_shared<Compiled>();
    c->compiled = regcomp(&c->re, pattern_.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
    // Not a valid expression: it is matched as a substring.
    if (c->compiled) regex_ = std::move(c);
}

bool TextFilter::matches(std::string_view text) const {
    if (pattern_.empty()) return true;
    if (regex_) {
        // regexec needs a NUL-terminated string; a NUL inside the text ends the match
        // there, which is fine for the escaped text the view filters.
        std::string s(text);
        return regexec(&regex_->re, s.c_str(), 0, nullptr, 0) == 0;
    }
    return lower(text).find(lowered_) != std::string::npos;
}

}  // namespace vigil
