// Small text helpers shared by the /proc and /sys parsers (private to src/collect).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "vigil/collect/proc_parsers.hpp"

namespace vigil::parse {

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Calls fn(line) for each line of text, without the '\n'; a last line without one counts.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        fn(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

// Whitespace-separated tokens of one line.
class Tokens {
  public:
    explicit Tokens(std::string_view line) : s_(line) {}
    // The next token, or empty at the end.
    std::string_view next() {
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
        std::size_t start = pos_;
        while (pos_ < s_.size() && !is_space(s_[pos_])) ++pos_;
        return s_.substr(start, pos_ - start);
    }
    bool next_u64(std::uint64_t& out) { return parse_u64(next(), out); }
    std::string_view rest() {
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
        return s_.substr(pos_);
    }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_space(s.front()) || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (is_space(s.back()) || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// The head of a /proc stat line, "PID (COMM) STATE ...": the pid (1 to 2^30), the comm
// (between the first '(' and the last ')': a comm may hold either), and where field 3 (the
// state) starts. Absent when the line has no such head.
struct StatHead {
    pid_t pid = 0;
    std::string_view comm;
    std::size_t rest = 0;
};
inline std::optional<StatHead> parse_stat_head(std::string_view text) {
    const std::size_t open = text.find('('), close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    std::uint64_t pid = 0;
    if (!parse_u64(trim(text.substr(0, open)), pid) || pid == 0 || pid > 0x3FFFFFFF)
        return std::nullopt;
    return StatHead{static_cast<pid_t>(pid), text.substr(open + 1, close - open - 1), close + 1};
}

// A finite decimal number such as "0.47" or "-12"; false on anything else.
inline bool parse_double(std::string_view s, double& out) {
    if (s.empty() || s.size() > 64) return false;
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return false;
    out = v;
    return true;
}

inline bool parse_i64(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 21) return false;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return false;
    out = v;
    return true;
}

// Shortens a line for an error message so hostile input cannot flood the terminal.
inline std::string_view excerpt(std::string_view line) {
    return line.substr(0, 80);
}

}  // namespace vigil::parse
