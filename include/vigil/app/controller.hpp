// The full-screen view. This header does not include curses: only src/ui/curses/ does.
#pragma once

#include "vigil/app/options.hpp"

namespace vigil {

// Runs the interactive view until q, Esc, -n refreshes, or SIGINT/SIGTERM/SIGHUP; the
// terminal is restored on every way out. Returns the exit status.
int run_interactive(const Options& o);

}  // namespace vigil
