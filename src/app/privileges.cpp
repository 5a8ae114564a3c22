// The privilege model of vigil(8), SECURITY: what main() settles before anything else runs.
#include <cstdlib>
#include <string>

#include "vigil/app/app.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/privileges.hpp"

namespace vigil {
namespace {
std::string ignored_terminal_env;  // what settle_privileges unset, for an error's hint
}  // namespace

const std::string& ignored_terminal_environment() {
    return ignored_terminal_env;
}

void settle_privileges(const Options& o) {
    // From here on CAP_NET_ADMIN is effective only around taskstats requests (the client
    // raises it); the permitted set keeps it for that.
    (void)lower_net_admin();
    // A replay, or a tree given with --proc-root, never asks taskstats: the capability goes
    // for good, before a recording (a file anyone may have written) is read.
    const bool live_proc = o.proc_root.empty() || o.proc_root == kLiveProc;
    if (!o.replay_path.empty() || !live_proc) (void)drop_net_admin();
    // ncurses reads a terminal description from files the environment names (TERMINFO,
    // TERMINFO_DIRS, TERMCAP, and ~/.terminfo through HOME). In a process that can do more
    // than its user they would be parsed with its privileges, and ncurses does not refuse
    // them for a start with file capabilities: the system's descriptions only, then.
    if (!privileged()) return;
    for (const char* name : {"TERMINFO", "TERMINFO_DIRS", "TERMCAP"}) {
        if (!std::getenv(name)) continue;
        ignored_terminal_env += (ignored_terminal_env.empty() ? "" : ", ") + std::string(name);
        ::unsetenv(name);
    }
    ::unsetenv("HOME");  // vigil itself never reads it
}

}  // namespace vigil
