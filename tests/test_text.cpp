#include <catch2/catch.hpp>

#include <clocale>

#include "vigil/core/text.hpp"

using namespace vigil;

namespace {
struct Utf8Locale {
    Utf8Locale() { std::setlocale(LC_CTYPE, "C.UTF-8"); }
};
}  // namespace

TEST_CASE("escape_for_terminal keeps valid UTF-8 and neutralises controls", "[text]") {
    CHECK(escape_for_terminal("plain ascii") == "plain ascii");
    CHECK(escape_for_terminal("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(escape_for_terminal("a\nb\tc") == "a\\nb\\tc");
    CHECK(escape_for_terminal("\x1b[31mred") == "\\e[31mred");
    CHECK(escape_for_terminal(std::string("nul\0x", 5)) == "nul\\x00x");
    CHECK(escape_for_terminal("del\x7f") == "del\\x7f");
    // C1 control U+009B (CSI) encoded in UTF-8: would start an escape on some terminals.
    CHECK(escape_for_terminal("\xc2\x9b"
                              "2J") == "\\x9b2J");
}

TEST_CASE("escape_for_terminal turns invalid UTF-8 into hex", "[text]") {
    CHECK(escape_for_terminal("\xff\xfe") == "\\xff\\xfe");
    CHECK(escape_for_terminal("\xc3") == "\\xc3");                    // truncated sequence
    CHECK(escape_for_terminal("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
    CHECK(escape_for_terminal("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // surrogate
    CHECK(escape_for_terminal("ok\xe4\xb8") == "ok\\xe4\\xb8");
}

TEST_CASE("display width and truncation never split a character", "[text]") {
    Utf8Locale loc;
    CHECK(display_width("abc") == 3);
    CHECK(display_width("\xe4\xb8\xad\xe6\x96\x87") == 4);  // two CJK characters
    CHECK(truncate_to_width("\xe4\xb8\xad\xe6\x96\x87", 3) == "\xe4\xb8\xad");
    CHECK(truncate_to_width("\xe4\xb8\xad\xe6\x96\x87", 1) == "");
    CHECK(truncate_to_width("abcdef", 4) == "abcd");
    CHECK(truncate_to_width("ab", 10) == "ab");
}

TEST_CASE("the data escape of CSV and JSON is reversible and terminal-safe", "[text]") {
    CHECK(escape_for_data("plain caf\xc3\xa9") == "plain caf\xc3\xa9");
    CHECK(escape_for_data("a\\b") == "a\\\\b");
    CHECK(escape_for_data("\\n") == "\\\\n");  // a backslash and an n: not a newline
    CHECK(escape_for_data("x\ny\tz\x1b[1m") == "x\\ny\\tz\\e[1m");
    CHECK(escape_for_data(std::string("\r\0\x7f", 3)) == "\\x0d\\x00\\x7f");
    // C1 controls: each byte, so \xHH always stands for one raw byte.
    CHECK(escape_for_data("\xc2\x9b"
                          "2J") == "\\xc2\\x9b2J");
    CHECK(escape_for_data("\xff\xed\xa0\x80") == "\\xff\\xed\\xa0\\x80");
    for (unsigned c = 0; c < 256; ++c) {
        const std::string e = escape_for_data(std::string(1, static_cast<char>(c)));
        for (char ch : e) CHECK((static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f));
    }
}

TEST_CASE("escape_for_terminal escapes backslashes and bidirectional controls", "[text]") {
    // A command line holding the six characters \e[2J must not read like an escaped ESC.
    CHECK(escape_for_terminal("\\e[2J") == "\\\\e[2J");
    CHECK(escape_for_terminal("\x1b[2J") == "\\e[2J");
    CHECK(escape_for_terminal("C:\\x41") == "C:\\\\x41");
    // RIGHT-TO-LEFT OVERRIDE would make "evil\u202Etxt.exe" read "evilexe.txt".
    CHECK(escape_for_terminal("evil\xe2\x80\xaetxt.exe") == "evil\\u{202e}txt.exe");
    for (char32_t cp : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
                        0x200E, 0x200F, 0x061C}) {
        std::string utf8;
        if (cp < 0x800) {
            utf8 += static_cast<char>(0xC0 | (cp >> 6));
            utf8 += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            utf8 += static_cast<char>(0xE0 | (cp >> 12));
            utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            utf8 += static_cast<char>(0x80 | (cp & 0x3F));
        }
        const std::string e = escape_for_terminal("a" + utf8 + "b");
        INFO(e);
        CHECK(e.starts_with("a\\u{"));
        CHECK(e.ends_with("}b"));
        CHECK(e.find(utf8) == std::string::npos);
        // The data escape: one \xHH per byte, so it stays reversible.
        CHECK(escape_for_data(utf8).find(utf8) == std::string::npos);
        CHECK(escape_for_data(utf8).starts_with("\\x"));
    }
    CHECK(escape_for_data("\xe2\x80\xae") == "\\xe2\\x80\\xae");
    // Neighbours of the bidi controls are ordinary text.
    CHECK(escape_for_terminal("\xe2\x80\x94") == "\xe2\x80\x94");  // EM DASH U+2014
    CHECK(escape_for_terminal("\xe2\x80\xaf") == "\xe2\x80\xaf");  // U+202F
}

TEST_CASE("a capped text ends with a marker that no text can spell", "[text]") {
    // Short text: whole, no marker.
    CHECK(escape_text_capped("ls -l", 0, TextEscape::terminal, true, 16) == "ls -l");
    // Cut: the escaped text up to the limit, then the bytes not shown.
    CHECK(escape_text_capped("abcdefghij", 0, TextEscape::terminal, true, 4) ==
          "abcd...[+6 bytes]");
    // Bytes never read count too.
    CHECK(escape_text_capped("abcd", 1000, TextEscape::terminal, true, 16) ==
          "abcd...[+1000 bytes]");
    // An escape is never cut in two: "\n" does not fit after "ab", so the cut is before it.
    CHECK(escape_text_capped("ab\ncd", 0, TextEscape::terminal, true, 3) == "ab...[+3 bytes]");
    CHECK(escape_text_capped("ab\xe4\xb8\xad", 0, TextEscape::data, true, 4) == "ab...[+3 bytes]");
    CHECK(escape_text_capped("a\\b", 0, TextEscape::data, true, 2) == "a...[+2 bytes]");
    // The text's own "...[+" is escaped in every mode, so a marker in the output is vigil's.
    for (TextEscape how : {TextEscape::terminal, TextEscape::data})
        for (bool utf8 : {true, false}) {
            const std::string e = escape_text("x...[+9 bytes]", how, utf8);
            CHECK(e == "x..\\x2e[+9 bytes]");
            CHECK(e.find(kCutMarkerStart) == std::string::npos);
            const std::string c = escape_text_capped("....[+", 5, how, utf8, 100);
            CHECK(c == "...\\x2e[+...[+5 bytes]");
            CHECK(c.find(kCutMarkerStart) == c.rfind(kCutMarkerStart));
        }
    // Reversible as data.
    CHECK(escape_for_data("....[+") == "...\\x2e[+");
    CHECK(escape_for_terminal(".. .[+ ...[ ..[+") == ".. .[+ ...[ ..[+");
}

TEST_CASE("escape_text_capped cuts runs of plain text where a byte at a time would", "[text]") {
    // Plain bytes are copied in runs: the cut must fall where escaping one unit at a time
    // puts it, never inside an escape.
    const std::string raw = "abc\\def\nghi.jk\tlm..[+no";
    for (std::size_t max = 0; max <= 40; ++max) {
        std::string expect;
        std::size_t i = 0;
        for (; i < raw.size(); ++i) {
            const std::string unit = escape_for_terminal(std::string_view(raw).substr(i, 1), true);
            if (expect.size() + unit.size() > max) break;
            expect += unit;
        }
        expect += cut_marker(raw.size() - i + 3);
        INFO("max " << max);
        CHECK(escape_text_capped(raw, 3, TextEscape::terminal, true, max) == expect);
    }
}
