#include "vigil/collect/notes.hpp"

#include <fmt/format.h>

#include "parse_util.hpp"
#include "vigil/core/text.hpp"

namespace vigil {

void ParseNotes::bad_line(std::string_view file, std::string_view line) {
    if (bad_lines_++ == 0)
        note_ = fmt::format("{}: ignored malformed line '{}'", file,
                            escape_for_terminal(parse::excerpt(line)));
}

}  // namespace vigil
