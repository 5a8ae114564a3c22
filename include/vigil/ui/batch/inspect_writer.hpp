// The process inspector's batch output (vigil --inspect PID): text with a titled block per
// section, or one JSON object with named fields (vigil(8), INSPECTOR). Both read the
// ProcessInfo that inspect_process() filled, and say for every section what could not be
// read and why.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/sample/process_info.hpp"

namespace vigil {

// The section titles of the text output, in order.
inline constexpr std::string_view kInspectSections[] = {
    "Identity", "CPU", "Memory", "I/O", "Limits", "Open files", "Environment", "Threads"};
inline constexpr std::size_t kInspectSectionCount = std::size(kInspectSections);
// The same sections by name (the index of each in kInspectSections).
enum class InspectSection : std::uint8_t {
    identity,
    cpu,
    memory,
    io,
    limits,
    files,
    environment,
    threads
};

// Text: "== TITLE ==" lines, then "  label  value" lines; text from the process escaped for
// the terminal (utf8: the terminal's locale is UTF-8).
std::string format_inspect_text(const ProcessInfo& info, bool utf8, ByteUnits units);
// The same text as lines, without their newlines (the view's inspector pane draws them). A
// section's title line starts with "== ", a line saying what could not be read with "  ! "
// (or is "  (nothing could be read)"); the process's text is escaped, so it holds no newline.
std::vector<std::string> inspect_text_lines(const ProcessInfo& info, bool utf8, ByteUnits units);
// One section's lines, its title first: inspect_text_lines is every section's in order.
std::vector<std::string> inspect_section_lines(const ProcessInfo& info, InspectSection section,
                                               bool utf8, ByteUnits units);

// One JSON object and a newline; text in the data escape (escape_for_data).
std::string format_inspect_json(const ProcessInfo& info);

}  // namespace vigil
