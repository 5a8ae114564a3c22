// Small parsing helpers for text from users (options, prompts) and from the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// A whole unsigned decimal number ("0" to "18446744073709551615"); false on anything else,
// on an empty string and on overflow.
bool parse_u64(std::string_view s, std::uint64_t& out);

// A decimal number as users type one ("2", "0.5", ".5", "1."): digits with at most one '.',
// at least one digit; no sign, exponent, hexadecimal or white space (strtod takes " 1" and
// "0x10"), read with '.' whatever the locale. nullopt on anything else, or past 32 bytes.
std::optional<double> parse_decimal(std::string_view s);

// The non-empty items of s between any of the separators: split_list("a,b,,c", ",") is
// {"a", "b", "c"}. The views point into s.
std::vector<std::string_view> split_list(std::string_view s, std::string_view separators);

// s without leading and trailing white space (space, tab, CR, LF, VT, FF).
std::string_view trim(std::string_view s);

// A name as users may type it: lower case, with spaces and dashes as underscores
// ("Disk-Write" and "disk write" are both "disk_write"). For column and key lookups.
std::string normalize_name(std::string_view s);

}  // namespace vigil
