#include "vigil/core/parse.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace vigil {

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

std::optional<double> parse_decimal(std::string_view s) {
    if (s.empty() || s.size() > 32) return std::nullopt;
    bool digit = false, point = false;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c == '.' && !point) {
            point = true;
        } else {
            return std::nullopt;
        }
    }
    if (!digit) return std::nullopt;
    // from_chars, not strtod: the C locale's decimal point whatever LC_NUMERIC says.
    double v = 0;
    const auto [end, ec] =
        std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::vector<std::string_view> split_list(std::string_view s, std::string_view separators) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto sep = s.find_first_of(separators);
        std::string_view item = s.substr(0, sep);
        if (!item.empty()) out.push_back(item);
        if (sep == std::string_view::npos) break;
        s.remove_prefix(sep + 1);
    }
    return out;
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::string normalize_name(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == ' ' || c == '-')
            out += '_';
        else
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace vigil
