#include <csignal>

#include "vigil/app/app.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/inspect.hpp"
#include "vigil/collect/process_inspector.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/text.hpp"
#include "vigil/ui/batch/inspect_writer.hpp"

namespace vigil {

int run_inspect(const Options& o) {
    auto roots = open_roots(o.proc_root, o.sys_root);
    if (!roots) {
        say(roots.error().message);
        return kExitUsage;
    }
    UserNames users;
    const InspectContext ctx{(*roots)->proc, (*roots)->live(), system_clock(), users};
    auto info = inspect_process(ctx, *o.inspect_pid);
    if (!info) {
        say(info.error().message);
        return kExitRuntime;
    }
    const std::string out = o.format == OutputFormat::json
                                ? format_inspect_json(*info)
                                : format_inspect_text(*info, locale_is_utf8(), o.view.units);
    std::signal(SIGPIPE, SIG_IGN);
    int err = 0;
    return stop_after_write(write_stdout(out, err), err).value_or(kExitOk);
}

}  // namespace vigil
