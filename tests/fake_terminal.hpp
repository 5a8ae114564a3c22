// A Terminal for tests of the controller: keys are queued by the test, painted screens are
// kept as text.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "vigil/ui/terminal.hpp"

namespace vigil::test {

class FakeTerminal final : public Terminal {
  public:
    FakeTerminal(int width = 120, int height = 40) : width_(width), height_(height) {}

    int width() const override { return width_; }
    int height() const override { return height_; }
    void resize_from_tty() override {
        ++resizes;
        width_ = next_width;
        height_ = next_height;
    }
    void paint(const ScreenLayout& layout) override {
        ++paints;
        last = layout;
    }
    bool read_event(Event& ev) override {
        if (events.empty()) return false;
        ev = events.front();
        events.pop_front();
        return true;
    }
    void suspend() override { ++suspends; }

    void key(Key k) { events.push_back(Event{k, 0, 0, 0}); }
    void type(std::u32string_view chars) {
        for (char32_t c : chars) events.push_back(Event{Key::character, c, 0, 0});
    }
    // The last painted screen, a line per screen line.
    std::string screen() const {
        std::string out;
        for (const ScreenLine& l : last.lines) {
            for (const Segment& s : l.segments) out += s.text;
            out += '\n';
        }
        return out;
    }

    std::deque<Event> events;
    ScreenLayout last;
    int paints = 0, resizes = 0, suspends = 0;
    int next_width = 120, next_height = 40;  // what resize_from_tty() finds

  private:
    int width_, height_;
};

}  // namespace vigil::test
