// Key events for the view's key handlers, as the terminal delivers them.
#pragma once

#include "vigil/ui/keymap.hpp"

namespace vigil::test {

// A special key (arrows, Enter, Esc, Backspace, ...).
inline Event key(Key k) {
    return Event{k, 0, 0, 0};
}
// A character, or a control character (Ctrl-U is 0x15).
inline Event ch(char32_t c) {
    return Event{Key::character, c, 0, 0};
}

}  // namespace vigil::test
