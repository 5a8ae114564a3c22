#include "vigil/app/diagnostics.hpp"

#include <unistd.h>

#include <cerrno>

#include "vigil/core/text.hpp"

namespace vigil {

std::string diagnostic_line(std::string_view message, bool utf8) {
    return "vigil: " + escape_for_terminal(message, utf8) + "\n";
}

void write_stderr(std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // nowhere to say it: the run goes on
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

void say(std::string_view message) {
    write_stderr(diagnostic_line(message, locale_is_utf8()));
}

}  // namespace vigil
