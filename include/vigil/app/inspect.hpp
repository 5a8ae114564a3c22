// vigil --inspect PID: the process inspector's batch front end. It reads the one process
// once (inspect_process) and prints it as text or JSON.
#pragma once

#include "vigil/app/options.hpp"

namespace vigil {

// Prints o.inspect_pid's ProcessInfo in o.format (text or json). Returns the exit status:
// kExitRuntime, with one line on stderr naming the PID, when there is no such process.
int run_inspect(const Options& o);

}  // namespace vigil
