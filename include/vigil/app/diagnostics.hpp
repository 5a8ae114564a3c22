// Notices and errors on stderr. A diagnostic never ends a run: a failed write to stderr
// (closed, /dev/full, a full disk) is ignored, where fmt::print would throw. Every line
// vigil writes to stderr goes through here.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Writes "vigil: MESSAGE\n" to stderr, the message in the terminal escape of the locale
// (escape_for_terminal): a value from the command line, a file name or a recording cannot
// move the cursor, reorder the line (bidi controls) or pass for an escape. Failure ignored.
void say(std::string_view message);

// The line say() writes.
std::string diagnostic_line(std::string_view message, bool utf8);

// 'VALUE': how an error message names the value it refuses.
std::string quoted(std::string_view s);

// Writes raw text to stderr as it is, retrying short writes and EINTR; failure ignored.
void write_stderr(std::string_view text);

}  // namespace vigil
