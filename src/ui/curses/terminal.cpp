#include "vigil/ui/terminal.hpp"

#include <curses.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <term.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
// term.h defines lines and columns as macros; vigil uses those words as names.
#undef lines
#undef columns

namespace vigil {

namespace {

// The curses screen as an RAII object: creating it takes over the terminal, destroying it
// gives the terminal back as it was.
class CursesTerminal final : public Terminal {
  public:
    CursesTerminal(SCREEN* screen, bool color) : screen_(screen), color_(color) {}
    ~CursesTerminal() override;
    CursesTerminal(const CursesTerminal&) = delete;
    CursesTerminal& operator=(const CursesTerminal&) = delete;

    int width() const override { return COLS; }
    int height() const override { return LINES; }
    void resize_from_tty() override;
    void paint(const ScreenLayout& layout) override;
    bool read_event(Event& ev) override;
    void suspend() override;

  private:
    SCREEN* screen_ = nullptr;
    bool color_ = false;
    // The lines as last drawn into stdscr; stale: stdscr no longer holds them (resized).
    std::vector<ScreenLine> shown_;
    bool stale_ = true;
};

enum Pair : short {
    kSummary = 1,
    kNotice,
    kHeader,
    kSorted,
    kSelected,
    kHot,
    kHint,
    kPrompt,
    kWarn,
    kAlert,
    kBar
};

attr_t style_attr(Style s, bool color) {
    auto pair = [&](short p, attr_t plain) -> attr_t {
        return color ? static_cast<attr_t>(COLOR_PAIR(p)) : plain;
    };
    switch (s) {
        case Style::normal:
        case Style::row:
            return A_NORMAL;
        case Style::summary:
            return pair(kSummary, A_BOLD);
        case Style::status:
            return A_NORMAL;
        case Style::notice:
            return pair(kNotice, A_BOLD) | A_BOLD;
        case Style::column_header:
            return pair(kHeader, A_REVERSE);
        case Style::sorted_header:
            return pair(kSorted, A_REVERSE) | A_BOLD;
        case Style::selected_row:
            return pair(kSelected, A_REVERSE);
        case Style::hot:
            return pair(kHot, A_BOLD) | A_BOLD;
        case Style::hint:
            return pair(kHint, A_REVERSE);
        case Style::prompt:
            return pair(kPrompt, A_BOLD) | A_BOLD;
        case Style::warn:
            return pair(kWarn, A_BOLD) | A_BOLD;
        case Style::alert:
            return pair(kAlert, A_REVERSE) | A_BOLD;
        case Style::bar:
            return pair(kBar, A_BOLD);
    }
    return A_NORMAL;
}

bool same_line(const ScreenLine& a, const ScreenLine& b) {
    if (a.segments.size() != b.segments.size()) return false;
    for (std::size_t i = 0; i < a.segments.size(); ++i)
        if (a.segments[i].style != b.segments[i].style || a.segments[i].text != b.segments[i].text)
            return false;
    return true;
}

}  // namespace

Result<std::unique_ptr<Terminal>> open_curses_terminal(bool color) {
    // newterm, unlike initscr, returns an error instead of exiting on an unknown TERM.
    SCREEN* screen = newterm(nullptr, stdout, stdin);
    if (!screen) {
        const char* term = std::getenv("TERM");
        return make_error(std::string("cannot use terminal type '") + (term ? term : "") +
                          "' (set TERM, or use -b for batch mode)");
    }
    set_term(screen);
    // A terminal that cannot move the cursor (TERM=dumb, emacs' shell) cannot show a
    // full-screen view; say so rather than draw nothing.
    const char* cup = tigetstr(const_cast<char*>("cup"));
    if (cup == nullptr || cup == reinterpret_cast<const char*>(-1)) {
        endwin();
        delscreen(screen);
        const char* term = std::getenv("TERM");
        return make_error(std::string("terminal type '") + (term ? term : "") +
                          "' cannot move the cursor; use -b for batch mode");
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);  // Esc quits; do not make it wait a second for a sequence
    curs_set(0);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, nullptr);
    mouseinterval(0);
    const bool use_color = color && has_colors();
    if (use_color) {
        start_color();
        use_default_colors();
        init_pair(kSummary, COLOR_CYAN, -1);
        init_pair(kNotice, COLOR_YELLOW, -1);
        init_pair(kHeader, COLOR_BLACK, COLOR_GREEN);
        init_pair(kSorted, COLOR_BLACK, COLOR_CYAN);
        init_pair(kSelected, COLOR_BLACK, COLOR_CYAN);
        init_pair(kHot, COLOR_GREEN, -1);
        init_pair(kHint, COLOR_BLACK, COLOR_WHITE);
        init_pair(kPrompt, COLOR_YELLOW, -1);
        init_pair(kWarn, COLOR_YELLOW, -1);
        init_pair(kAlert, COLOR_RED, -1);
        init_pair(kBar, COLOR_GREEN, -1);
    }
    return std::unique_ptr<Terminal>(std::make_unique<CursesTerminal>(screen, use_color));
}

namespace {

CursesTerminal::~CursesTerminal() {
    if (screen_) {
        endwin();
        delscreen(screen_);
    }
}

void CursesTerminal::resize_from_tty() {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        resize_term(ws.ws_row, ws.ws_col);
    }
    // What the terminal shows after a resize is not what curses last drew (the terminal
    // may have re-wrapped it): repaint everything instead of sending a diff.
    clearok(curscr, TRUE);
    stale_ = true;
}

void CursesTerminal::paint(const ScreenLayout& layout) {
    // Only the lines that differ from the last frame are drawn again. curses would send
    // only the changes anyway, but erasing and redrawing every line makes it compare them
    // all, a good part of an idle refresh.
    if (stale_) {
        erase();
        shown_.clear();
        stale_ = false;
    }
    const std::size_t rows =
        std::min(layout.lines.size(), static_cast<std::size_t>(std::max(LINES, 0)));
    for (std::size_t y = rows; y < shown_.size(); ++y) {
        move(static_cast<int>(y), 0);
        clrtoeol();
    }
    // Lines past the last frame's are blank in stdscr, as an empty line is.
    shown_.resize(rows);
    for (std::size_t y = 0; y < rows; ++y) {
        const ScreenLine& line = layout.lines[y];
        if (same_line(shown_[y], line)) continue;
        move(static_cast<int>(y), 0);
        clrtoeol();
        for (const Segment& seg : line.segments) {
            attrset(style_attr(seg.style, color_));
            addnstr(seg.text.c_str(), static_cast<int>(seg.text.size()));
        }
        attrset(A_NORMAL);
        shown_[y] = line;
    }
    refresh();
}

bool CursesTerminal::read_event(Event& ev) {
    wint_t ch = 0;
    int rc = get_wch(&ch);
    if (rc == ERR) return false;
    ev = Event{};
    if (rc == KEY_CODE_YES) {
        switch (ch) {
            case KEY_LEFT:
                ev.key = Key::left;
                break;
            case KEY_RIGHT:
                ev.key = Key::right;
                break;
            case KEY_UP:
                ev.key = Key::up;
                break;
            case KEY_DOWN:
                ev.key = Key::down;
                break;
            case KEY_PPAGE:
                ev.key = Key::page_up;
                break;
            case KEY_NPAGE:
                ev.key = Key::page_down;
                break;
            case KEY_HOME:
                ev.key = Key::home;
                break;
            case KEY_END:
                ev.key = Key::end;
                break;
            case KEY_ENTER:
                ev.key = Key::enter;
                break;
            case KEY_BACKSPACE:
                ev.key = Key::backspace;
                break;
            case KEY_DC:
                ev.key = Key::delete_char;
                break;
            case KEY_RESIZE:
                ev.key = Key::resize;
                break;
            case KEY_MOUSE: {
                MEVENT m{};
                if (getmouse(&m) != OK) return true;  // consumed, nothing to do
                ev.key = Key::mouse;
                ev.x = m.x;
                ev.y = m.y;
                break;
            }
            default:
                if (ch >= KEY_F(1) && ch <= KEY_F(12)) {
                    ev.key = Key::function;
                    ev.ch = static_cast<char32_t>(ch - KEY_F0);
                    break;
                }
                ev.key = Key::character;
                ev.ch = 0;  // an unmapped key: ignored by the key map
                break;
        }
        return true;
    }
    switch (ch) {
        case '\r':
        case '\n':
            ev.key = Key::enter;
            break;
        case 27:
            ev.key = Key::escape;
            break;
        case 127:
        case 8:
            ev.key = Key::backspace;
            break;
        default:
            ev.key = Key::character;
            ev.ch = static_cast<char32_t>(ch);
            break;
    }
    return true;
}

void CursesTerminal::suspend() {
    def_prog_mode();
    endwin();
    std::fflush(stdout);
    // SIGTSTP is blocked (it arrives through the signalfd), so stop with SIGSTOP instead.
    kill(getpid(), SIGSTOP);
    reset_prog_mode();
    resize_from_tty();
    refresh();
}

}  // namespace

}  // namespace vigil
