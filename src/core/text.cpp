#include "vigil/core/text.hpp"

#include <langinfo.h>

#include <algorithm>
#include <cstring>
#include <cwchar>

namespace vigil {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length (0 if invalid) and the code point.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t len;
    char32_t min;
    if (c < 0x80) {
        cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void append_hex(std::string& out, unsigned char c) {
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 15];
}

// The bidirectional formatting characters (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM,
// RLM; ALM): invisible, yet they reorder what follows them on the line, so "\u202eexe.txt"
// reads as "txt.exe".
bool is_bidi_control(char32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

void append_code_point(std::string& out, char32_t cp) {
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\u{";
    for (int shift = 12; shift >= 0; shift -= 4) out += digits[(cp >> shift) & 15];
    out += '}';
}

int char_width(char32_t cp) {
    // wcwidth depends on the locale; vigil only calls this on valid code points and treats
    // unknown (-1) as one column so that a cell never under-counts. Printable ASCII, most
    // of what is shown, is one column in every locale: no call for it.
    if (cp >= 0x20 && cp < 0x7F) return 1;
    int w = ::wcwidth(static_cast<wchar_t>(cp));
    if (w < 0) return 1;
    return w;
}

}  // namespace

namespace {

// Appends the escape of the unit of raw at i to out and returns the raw bytes it covers: a
// character, a byte that is not part of one, or the first three dots of a "...[+" (the
// start of the cut marker, which no text may spell: its third dot becomes \x2e). data:
// the reversible escape of CSV and JSON, else the terminal's.
std::size_t escape_unit(std::string_view raw, std::size_t i, bool data, bool utf8,
                        std::string& out) {
    // Printable ASCII other than the two characters with a meaning here stands for itself.
    if (const auto c = static_cast<unsigned char>(raw[i]);
        c >= 0x20 && c < 0x7F && c != '\\' && c != '.') {
        out += static_cast<char>(c);
        return 1;
    }
    if (raw[i] == '.' && raw.substr(i).starts_with(kCutMarkerStart)) {
        out += "..\\x2e";
        return 3;
    }
    char32_t cp = 0;
    const std::size_t len = decode_utf8(raw, i, cp);
    if (len == 0 || (!data && !utf8 && cp >= 0x80)) {
        append_hex(out, static_cast<unsigned char>(raw[i]));
        return 1;
    }
    const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
    if (cp == '\n') {
        out += "\\n";
    } else if (cp == '\t') {
        out += "\\t";
    } else if (cp == 0x1B) {
        out += "\\e";
    } else if (cp == '\\') {
        out += "\\\\";  // so that a typed "\\e[2J" cannot pass for an escaped ESC
    } else if ((control || is_bidi_control(cp)) && data) {
        for (std::size_t k = 0; k < len; ++k)
            append_hex(out, static_cast<unsigned char>(raw[i + k]));
    } else if (is_bidi_control(cp)) {
        append_code_point(out, cp);
    } else if (control) {
        // C1 controls arrive as two bytes; the terminal escape shows the code point.
        append_hex(out, static_cast<unsigned char>(cp));
    } else {
        out.append(raw.substr(i, len));
    }
    return len;
}

// How many bytes from i on stand for themselves (escape_unit's first case): appended at
// once, a command line costs a scan and a copy instead of a call and a push per byte.
std::size_t plain_run(std::string_view raw, std::size_t i) {
    std::size_t j = i;
    for (; j < raw.size(); ++j) {
        const auto c = static_cast<unsigned char>(raw[j]);
        if (c < 0x20 || c >= 0x7F || c == '\\' || c == '.') break;
    }
    return j - i;
}

std::string escape_all(std::string_view raw, bool data, bool utf8) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        if (const std::size_t run = plain_run(raw, i)) {
            out.append(raw.substr(i, run));
            i += run;
            continue;
        }
        i += escape_unit(raw, i, data, utf8, out);
    }
    return out;
}

}  // namespace

std::string escape_for_terminal(std::string_view raw, bool utf8) {
    return escape_all(raw, false, utf8);
}

std::string escape_for_data(std::string_view raw) {
    return escape_all(raw, true, true);
}

std::string cut_marker(std::uint64_t bytes) {
    return std::string(kCutMarkerStart) + std::to_string(bytes) + " bytes]";
}

std::string escape_text_capped(std::string_view raw, std::uint64_t unread, TextEscape how,
                               bool utf8, std::size_t max_bytes) {
    const bool data = how == TextEscape::data;
    std::string out;
    out.reserve(std::min(raw.size(), max_bytes) + 24);
    std::size_t i = 0;
    while (i < raw.size()) {
        if (const std::size_t run = plain_run(raw, i)) {
            // A byte each: as many as fit.
            const std::size_t room = max_bytes > out.size() ? max_bytes - out.size() : 0;
            out.append(raw.substr(i, std::min(run, room)));
            i += std::min(run, room);
            if (run > room) break;
            continue;
        }
        const std::size_t before = out.size();
        const std::size_t n = escape_unit(raw, i, data, utf8, out);
        if (out.size() > max_bytes) {
            out.resize(before);  // an escape is never cut
            break;
        }
        i += n;
    }
    const std::uint64_t hidden = (raw.size() - i) + unread;
    if (hidden > 0) out += cut_marker(hidden);
    return out;
}

bool locale_is_utf8() {
    const char* cs = ::nl_langinfo(CODESET);
    return cs && (std::strcmp(cs, "UTF-8") == 0 || std::strcmp(cs, "utf8") == 0);
}

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
        if (const auto c = static_cast<unsigned char>(s[i]); c >= 0x20 && c < 0x7F) {
            ++w;  // printable ASCII: one column, no decoding
            ++i;
            continue;
        }
        char32_t cp = 0;
        std::size_t len = decode_utf8(s, i, cp);
        if (len == 0) {
            ++w;
            ++i;
            continue;
        }
        w += static_cast<std::size_t>(char_width(cp));
        i += len;
    }
    return w;
}

std::string_view truncate_to_width(std::string_view s, std::size_t columns) {
    std::size_t w = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        char32_t cp = 0;
        std::size_t len = decode_utf8(s, i, cp);
        std::size_t cw = 1;
        if (len == 0)
            len = 1;
        else
            cw = static_cast<std::size_t>(char_width(cp));
        if (w + cw > columns) break;
        w += cw;
        i += len;
    }
    return s.substr(0, i);
}

std::string escape_text(std::string_view raw, TextEscape how, bool utf8) {
    return how == TextEscape::data ? escape_for_data(raw) : escape_for_terminal(raw, utf8);
}

void append_utf8(std::string& s, char32_t c) {
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
}

}  // namespace vigil
