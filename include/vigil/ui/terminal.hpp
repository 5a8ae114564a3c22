// Terminal: what the controller needs of a screen. The curses implementation
// (open_curses_terminal, src/ui/curses) is the only code that includes curses; tests drive
// the controller with a terminal of their own that records what is painted.
#pragma once

#include <memory>

#include "vigil/core/result.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

namespace vigil {

class Terminal {
  public:
    virtual ~Terminal() = default;

    virtual int width() const = 0;
    virtual int height() const = 0;
    // Re-reads the window size (after SIGWINCH or SIGCONT); the next paint draws every line.
    virtual void resize_from_tty() = 0;
    virtual void paint(const ScreenLayout& layout) = 0;
    // The next pending key or click; false when none is pending.
    virtual bool read_event(Event& ev) = 0;
    // Ctrl-Z: give the terminal back, stop, and take it again when continued.
    virtual void suspend() = 0;
};

// Takes over the terminal on stdin/stdout with curses; destroying the result (also during
// stack unwinding) gives the terminal back as it was. An error names the unusable TERM.
Result<std::unique_ptr<Terminal>> open_curses_terminal(bool color);

}  // namespace vigil
