#include "vigil/model/text_filter.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace vigil {

struct TextFilter::Compiled {
    explicit Compiled(std::string_view pattern, const RE2::Options& o) : re(pattern, o) {}
    RE2 re;
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

// The memory one compiled filter may use: its program and the DFA cache that matching
// fills. A pattern whose program does not fit is matched as text; a match whose DFA runs
// out of cache goes on in RE2's NFA, still in time linear in the text.
constexpr std::int64_t kMaxMemory = 8 << 20;
}  // namespace

void TextFilter::set(std::string pattern) {
    pattern_ = std::move(pattern);
    lowered_ = lower(pattern_);
    regex_.reset();
    if (!has_regex_syntax(pattern_)) return;
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_max_mem(kMaxMemory);
    o.set_log_errors(false);  // an invalid pattern is no error: it is matched as text
    o.set_never_capture(true);
    auto c = std::make_shared<Compiled>(pattern_, o);
    // Not a valid expression (or too big): it is matched as a substring.
    if (c->re.ok()) regex_ = std::move(c);
}

bool TextFilter::matches(std::string_view text) const {
    if (pattern_.empty()) return true;
    if (regex_) return RE2::PartialMatch(text, regex_->re);
    return lower(text).find(lowered_) != std::string::npos;
}

}  // namespace vigil
