// The prompts' line editing and history (src/ui/line_edit.cpp), and / filtering as you type.
#include <catch2/catch.hpp>

#include <string>

#include "key_events.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/line_edit.hpp"

using namespace vigil;
using vigil::test::ch;
using vigil::test::key;

namespace {
struct Line {
    std::string text;
    std::size_t cursor = 0;
    bool press(const Event& e) { return edit_line(text, cursor, e); }
    void type(std::u32string_view s) {
        for (char32_t c : s) press(ch(c));
    }
};
}  // namespace

TEST_CASE("edit_line: insert at the cursor, move by characters, not bytes", "[line_edit]") {
    Line l;
    l.type(U"fio");
    CHECK(l.text == "fio");
    CHECK(l.cursor == 3);
    l.press(key(Key::home));
    l.type(U"^");
    CHECK(l.text == "^fio");
    l.press(key(Key::end));
    l.type(U"\u00e9\u4e2d");  // é (2 bytes), 中 (3 bytes)
    CHECK(l.text == "^fio\u00e9\u4e2d");
    l.press(key(Key::left));  // over 中, a whole character
    CHECK(l.cursor == 6);
    l.press(key(Key::left));
    CHECK(l.cursor == 4);
    l.press(key(Key::backspace));  // the o
    CHECK(l.text == "^fi\u00e9\u4e2d");
    l.press(ch(0x04));  // Ctrl-D: the é under the cursor
    CHECK(l.text == "^fi\u4e2d");
    l.type(U"xy");
    l.press(key(Key::left));
    l.press(key(Key::delete_char));  // Delete: the y under the cursor
    CHECK(l.text == "^fix\u4e2d");
    l.press(key(Key::backspace));
    CHECK(l.text == "^fi\u4e2d");
    l.press(key(Key::right));
    l.press(key(Key::right));  // past the end: stays at the end
    CHECK(l.cursor == l.text.size());
    l.press(ch(0x01));  // Ctrl-A
    CHECK(l.cursor == 0);
    l.press(key(Key::backspace));  // at the start: nothing
    CHECK(l.text == "^fi\u4e2d");
    l.press(ch(0x05));  // Ctrl-E
    CHECK(l.cursor == l.text.size());
    l.press(ch(0x7F));  // DEL as Backspace
    CHECK(l.text == "^fi");
}

TEST_CASE("edit_line: Ctrl-U, Ctrl-K, Ctrl-W; controls are not text; a limit", "[line_edit]") {
    Line l;
    l.type(U"dd of=/tmp/x  bs=4k");
    l.press(ch(0x17));  // Ctrl-W: the word before the cursor
    CHECK(l.text == "dd of=/tmp/x  ");
    l.press(ch(0x17));  // the blanks, then the word before them
    CHECK(l.text == "dd ");
    l.type(U"if=/dev/zero");
    for (int i = 0; i < 5; ++i) l.press(key(Key::left));
    l.press(ch(0x0B));              // Ctrl-K: from the cursor to the end
    CHECK(l.text == "dd if=/dev");  // "/zero" went
    l.press(key(Key::left));
    l.press(ch(0x15));  // Ctrl-U: from the start to the cursor
    CHECK(l.text == "v");
    CHECK(l.cursor == 0);
    CHECK_FALSE(l.press(ch(0x1B)));    // ESC is not text
    CHECK_FALSE(l.press(ch(0x9B)));    // nor a C1 control
    CHECK_FALSE(l.press(ch(0xD800)));  // nor a surrogate (no UTF-8 for it)
    CHECK_FALSE(l.press(key(Key::page_up)));
    CHECK(l.text == "v");
    l.text.clear();
    l.cursor = 0;
    for (std::size_t i = 0; i < kMaxInputBytes + 10; ++i) l.press(ch('x'));
    CHECK(l.text.size() == kMaxInputBytes);
}

TEST_CASE("history: Up recalls, Down returns to what was typed; no repeats, a limit",
          "[line_edit]") {
    PromptHistory h;
    history_add(h, Mode::filter_input, "fio");
    history_add(h, Mode::filter_input, "dd");
    history_add(h, Mode::filter_input, "dd");  // the newest again: once
    history_add(h, Mode::filter_input, "");    // nothing: not kept
    history_add(h, Mode::user_input, "root");  // another prompt's list
    std::string text = "draft";
    std::size_t cursor = 2;
    history_open(h, Mode::filter_input);
    CHECK(history_move(h, Mode::filter_input, true, text, cursor));
    CHECK(text == "dd");
    CHECK(cursor == 2);
    CHECK(history_move(h, Mode::filter_input, true, text, cursor));
    CHECK(text == "fio");
    CHECK_FALSE(history_move(h, Mode::filter_input, true, text, cursor));  // the oldest
    CHECK(history_move(h, Mode::filter_input, false, text, cursor));
    CHECK(history_move(h, Mode::filter_input, false, text, cursor));
    CHECK(text == "draft");  // past the newest: what was typed
    CHECK_FALSE(history_move(h, Mode::filter_input, false, text, cursor));
    for (int i = 0; i < 60; ++i) history_add(h, Mode::pid_input, std::to_string(i));
    history_open(h, Mode::pid_input);
    int n = 0;
    while (history_move(h, Mode::pid_input, true, text, cursor)) ++n;
    CHECK(n == static_cast<int>(kMaxHistory));
    CHECK(text == "10");  // the oldest kept
}

TEST_CASE("/ filters as you type; Esc puts the old filter back, Enter keeps the new",
          "[line_edit][keys]") {
    ViewState vs;
    InteractiveState st;
    std::vector<pid_t> ids{1, 2, 3};
    const RowIds rows{ids, ids.size()};
    auto press = [&](const Event& e) { return handle_event(e, vs, st, rows); };
    vs.filter.set("fio");
    press(ch('/'));
    REQUIRE(st.mode == Mode::filter_input);
    CHECK(st.input == "fio");  // opens with the filter, the cursor at its end
    CHECK(st.input_cursor == 3);
    CHECK(press(ch(0x15)).rebuild);  // Ctrl-U: a new pattern, not appended to the old
    CHECK(vs.filter.pattern() == "");
    press(ch('d'));
    CHECK(press(ch('d')).rebuild);
    CHECK(vs.filter.pattern() == "dd");  // applied with each key
    press(key(Key::escape));
    CHECK(st.mode == Mode::normal);
    CHECK(vs.filter.pattern() == "fio");  // Esc: as before the prompt
    press(ch('/'));
    press(ch(0x15));
    press(ch('d'));
    press(ch('d'));
    press(key(Key::enter));
    CHECK(vs.filter.pattern() == "dd");
    press(ch('/'));
    press(ch(0x15));
    CHECK(press(key(Key::up)).rebuild);  // the history, applied too
    CHECK(st.input == "dd");
    CHECK(vs.filter.pattern() == "dd");
    press(key(Key::escape));
    CHECK(vs.filter.pattern() == "dd");
}
