// LineBuilder: collects screen lines of styled segments, each cut to the screen width
// without splitting a character. Shared by the task screen and the overview panes.
#pragma once

#include <string>
#include <vector>

#include "vigil/core/text.hpp"
#include "vigil/ui/screen_layout.hpp"

namespace vigil {

class LineBuilder {
  public:
    explicit LineBuilder(int width) : width_(static_cast<std::size_t>(width > 0 ? width : 0)) {}

    void line(std::vector<Segment> segs) {
        ScreenLine l;
        std::size_t used = 0;
        for (Segment& s : segs) {
            if (used >= width_) break;
            std::string_view cut = truncate_to_width(s.text, width_ - used);
            used += display_width(cut);
            l.segments.push_back(Segment{std::string(cut), s.style});
        }
        lines_.push_back(std::move(l));
    }
    void line(std::string text, Style style) { line({Segment{std::move(text), style}}); }
    // A full-width line: padded so that a background colour spans the screen.
    void bar(std::string text, Style style) {
        std::size_t w = display_width(text);
        if (w < width_) text.append(width_ - w, ' ');
        line(std::move(text), style);
    }
    std::size_t count() const { return lines_.size(); }
    int width() const { return static_cast<int>(width_); }
    std::vector<ScreenLine> take() { return std::move(lines_); }

  private:
    std::size_t width_;
    std::vector<ScreenLine> lines_;
};

}  // namespace vigil
