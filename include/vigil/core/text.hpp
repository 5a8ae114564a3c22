// Text that came from the kernel or from users is untrusted bytes: command lines hold
// newlines, escape sequences and invalid UTF-8. These helpers make it safe to print.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

// Valid UTF-8 passes through; control characters (C0, DEL, C1) become \n, \t, \e or \xHH;
// bytes that are not valid UTF-8 become \xHH. The result cannot move a terminal's cursor.
// utf8 = false (a terminal in a non-UTF-8 locale, LANG=C): every non-ASCII byte becomes
// \xHH too, since such a terminal would draw UTF-8 as several wrong characters.
std::string escape_for_terminal(std::string_view raw, bool utf8 = true);

// Whether the current LC_CTYPE locale encodes text as UTF-8 (after setlocale).
bool locale_is_utf8();

// Display width in terminal columns of valid UTF-8 (wide CJK characters count 2,
// combining marks 0).
std::size_t display_width(std::string_view utf8);

// The longest prefix of utf8 whose display width is <= columns; never cuts a character.
std::string_view truncate_to_width(std::string_view utf8, std::size_t columns);

}  // namespace vigil
