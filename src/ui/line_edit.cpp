#include "vigil/ui/line_edit.hpp"

#include <algorithm>

#include "vigil/core/text.hpp"

namespace vigil {
namespace {

bool continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
std::size_t previous_char(const std::string& s, std::size_t at) {
    if (at == 0) return 0;
    --at;
    while (at > 0 && continuation(s[at])) --at;
    return at;
}
std::size_t next_char(const std::string& s, std::size_t at) {
    if (at >= s.size()) return s.size();
    ++at;
    while (at < s.size() && continuation(s[at])) ++at;
    return at;
}
bool blank(char c) {
    return c == ' ' || c == '\t';
}
std::size_t slot(Mode mode) {
    return std::min<std::size_t>(static_cast<std::size_t>(mode), 15);
}

}  // namespace

bool edit_line(std::string& text, std::size_t& cursor, const Event& ev) {
    cursor = std::min(cursor, text.size());
    while (cursor > 0 && cursor < text.size() && continuation(text[cursor])) --cursor;
    auto erase = [&](std::size_t from, std::size_t to) {
        text.erase(from, to - from);
        cursor = from;
    };
    switch (ev.key) {
        case Key::left:
            cursor = previous_char(text, cursor);
            return true;
        case Key::right:
            cursor = next_char(text, cursor);
            return true;
        case Key::home:
            cursor = 0;
            return true;
        case Key::end:
            cursor = text.size();
            return true;
        case Key::backspace:
            erase(previous_char(text, cursor), cursor);
            return true;
        case Key::delete_char:
            erase(cursor, next_char(text, cursor));
            return true;
        case Key::character:
            break;
        default:
            return false;
    }
    switch (ev.ch) {
        case 0x01:  // Ctrl-A
            cursor = 0;
            return true;
        case 0x05:  // Ctrl-E
            cursor = text.size();
            return true;
        case 0x02:  // Ctrl-B
            cursor = previous_char(text, cursor);
            return true;
        case 0x06:  // Ctrl-F
            cursor = next_char(text, cursor);
            return true;
        case 0x08:  // Ctrl-H
        case 0x7F:  // DEL, which some terminals send for Backspace
            erase(previous_char(text, cursor), cursor);
            return true;
        case 0x04:  // Ctrl-D
            erase(cursor, next_char(text, cursor));
            return true;
        case 0x15:  // Ctrl-U
            erase(0, cursor);
            return true;
        case 0x0B:  // Ctrl-K
            text.erase(cursor);
            return true;
        case 0x17: {  // Ctrl-W: the blanks before the cursor, then the word before them
            std::size_t from = cursor;
            while (from > 0 && blank(text[from - 1])) --from;
            while (from > 0 && !blank(text[from - 1])) --from;
            erase(from, cursor);
            return true;
        }
        default:
            break;
    }
    // Controls (C0, DEL, C1) and what UTF-8 cannot hold (surrogates, past U+10FFFF) are
    // not text.
    if (ev.ch < 0x20 || (ev.ch >= 0x7F && ev.ch < 0xA0) || (ev.ch >= 0xD800 && ev.ch < 0xE000) ||
        ev.ch > 0x10FFFF)
        return false;
    std::string c;
    append_utf8(c, ev.ch);
    if (text.size() + c.size() > kMaxInputBytes) return true;  // full: the key is taken
    text.insert(cursor, c);
    cursor += c.size();
    return true;
}

void history_open(PromptHistory& h, Mode mode) {
    h.at = h.lists[slot(mode)].size();
    h.draft.clear();
}

bool history_move(PromptHistory& h, Mode mode, bool back, std::string& text, std::size_t& cursor) {
    const std::vector<std::string>& list = h.lists[slot(mode)];
    h.at = std::min(h.at, list.size());
    if (back) {
        if (h.at == 0) return false;
        if (h.at == list.size()) h.draft = text;
        --h.at;
    } else {
        if (h.at >= list.size()) return false;
        ++h.at;
    }
    text = h.at == list.size() ? h.draft : list[h.at];
    cursor = text.size();
    return true;
}

void history_add(PromptHistory& h, Mode mode, const std::string& text) {
    std::vector<std::string>& list = h.lists[slot(mode)];
    if (text.empty() || (!list.empty() && list.back() == text)) return;
    list.push_back(text);
    if (list.size() > kMaxHistory) list.erase(list.begin());
}

}  // namespace vigil
