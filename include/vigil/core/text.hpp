// Text that came from the kernel or from users is untrusted bytes: command lines hold
// newlines, escape sequences and invalid UTF-8. These helpers make it safe to print.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// The start of the marker that ends a text cut short, "...[+N bytes]". Both escapes below
// write the third dot of a "...[+" in the text itself as \x2e, so the marker can only be
// vigil's.
inline constexpr std::string_view kCutMarkerStart = "...[+";

// Valid UTF-8 passes through; control characters (C0, DEL, C1) become \n, \t, \e or \xHH;
// bytes that are not valid UTF-8 become \xHH; the bidirectional formatting characters
// (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) become \u{202e} and the like; a
// backslash becomes \\, so that every backslash shown starts an escape vigil made. The
// result cannot move a terminal's cursor or reorder the line, and a command line holding
// the text "\e[2J" reads "\\e[2J", never like an escaped ESC.
// utf8 = false (a terminal in a non-UTF-8 locale, LANG=C): every non-ASCII byte becomes
// \xHH too, since such a terminal would draw UTF-8 as several wrong characters.
std::string escape_for_terminal(std::string_view raw, bool utf8 = true);

// The escape of text values in CSV and JSON output (vigil(8), FORMATS): like
// escape_for_terminal, safe to print and valid UTF-8, but reversible. A backslash becomes
// \\; newline, tab and ESC become \n, \t, \e; every other byte of a control character
// (C0, DEL, C1), of a bidirectional formatting character (as above) or of invalid UTF-8
// becomes \xHH, one escape per byte. Undoing the five escapes gives back the raw bytes.
std::string escape_for_data(std::string_view raw);

// How text cells are escaped: for a terminal (text output, the view) or as data (CSV, JSON).
enum class TextEscape : std::uint8_t { terminal, data };

// escape_for_terminal or escape_for_data, as `how` says.
std::string escape_text(std::string_view raw, TextEscape how, bool utf8 = true);

// "...[+N bytes]": N bytes of a text are not shown.
std::string cut_marker(std::uint64_t bytes);

// escape_text of raw cut to at most max_bytes (an escape is never cut in two), followed by
// cut_marker() when anything is left out: the raw bytes past the cut plus `unread`, bytes
// of the text that were never read (raw is only its start).
std::string escape_text_capped(std::string_view raw, std::uint64_t unread, TextEscape how,
                               bool utf8, std::size_t max_bytes);

// Whether the current LC_CTYPE locale encodes text as UTF-8 (after setlocale).
bool locale_is_utf8();

// Display width in terminal columns of valid UTF-8 (wide CJK characters count 2,
// combining marks 0).
std::size_t display_width(std::string_view utf8);

// The longest prefix of utf8 whose display width is <= columns; never cuts a character.
std::string_view truncate_to_width(std::string_view utf8, std::size_t columns);

// Appends code point c (at most U+10FFFF, not a surrogate: the caller checks) as UTF-8.
void append_utf8(std::string& s, char32_t c);

}  // namespace vigil
