// Terminal: the curses screen as an RAII object. Creating it takes over the terminal;
// destroying it (also during stack unwinding) gives the terminal back as it was.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vigil/core/result.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

namespace vigil {

class Terminal {
public:
    static Result<std::unique_ptr<Terminal>> open(bool color);
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    int width() const;
    int height() const;
    // Re-reads the window size from the tty (after SIGWINCH) and resizes the screen.
    void resize_from_tty();
    void paint(const ScreenLayout& layout);
    // Reads every pending key; false when none was pending.
    bool read_event(Event& ev);
    // Ctrl-Z: give the terminal back, stop, and take it again when continued.
    void suspend();

    struct Screen;

private:
    explicit Terminal(std::unique_ptr<Screen> s);
    std::unique_ptr<Screen> screen_;
};

}  // namespace vigil
