#include "vigil/core/parse.hpp"

#include <cctype>
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
