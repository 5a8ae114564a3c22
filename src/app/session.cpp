#include <sys/resource.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include <algorithm>

#include "vigil/app/app.hpp"
#include "vigil/collect/bpf_task_source.hpp"
#include "vigil/collect/netlink/netlink_taskstats.hpp"
#include "vigil/collect/privileges.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/columns.hpp"

namespace vigil {

void raise_open_file_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);  // no worse off if it fails
}

Result<std::vector<pid_t>> existing_pids(const FsRoot& proc, const std::vector<pid_t>& pids,
                                         std::vector<std::string>& warnings) {
    std::vector<pid_t> out;
    for (pid_t p : pids) {
        // -p also accepts a thread id; /proc/TID/stat exists for threads too.
        if (process_exists(proc, p)) {
            out.push_back(p);
        } else {
            warnings.push_back(fmt::format("no process or thread with PID {}; ignoring it", p));
        }
    }
    if (!pids.empty() && out.empty()) return make_error("none of the PIDs given (-p) exists");
    return out;
}

std::unique_ptr<TaskIoSource> open_io_source(const Roots& roots, bool live,
                                             std::vector<std::string>& notices, const Clock& clock,
                                             TaskSource source) {
    if (live && source != TaskSource::taskstats) {
        auto bpf = open_bpf_taskstats(clock);
        if (bpf) {
            // Neither taskstats nor its capability is needed; CAP_BPF and CAP_PERFMON stay
            // permitted, out of the effective set but while a pass starts.
            (void)drop_net_admin();
            (void)lower_caps(kCapBpf | kCapPerfmon);
            return std::move(*bpf);
        }
        if (source == TaskSource::bpf)
            notices.push_back(bpf.error().message + "; using taskstats instead");
        // Asked for and not used: CAP_BPF and CAP_PERFMON are needed no more.
        (void)drop_caps(kCapBpf | kCapPerfmon);
    }
    if (live) {
        auto nl = NetlinkTaskstats::open(clock);
        if (nl) return std::move(*nl);
        notices.push_back(nl.error().message +
                          "; reading /proc/PID/task/TID/io instead (only your own tasks, "
                          "no SWAPIN or IO)");
    }
    // No taskstats: nothing else needs CAP_NET_ADMIN.
    (void)drop_net_admin();
    return std::make_unique<ProcPidIo>(roots.proc);
}

std::string delayacct_notice(const Roots& roots) {
    auto on = read_delayacct(roots.proc);
    if (on.value_or(true)) return {};
    return "delay accounting is off, so SWAPIN and IO show '?'; turn it on with: "
           "sysctl kernel.task_delayacct=1 (tasks started before that stay '?')";
}

bool view_needs_row_state(const ViewState& vs) {
    const auto shown = shown_columns(vs);
    return vs.sort == ColumnId::state ||
           std::find(shown.begin(), shown.end(), ColumnId::state) != shown.end();
}

bool view_needs_thread_activity(const ViewState& vs) {
    if (vs.tree || vs.filter.active() || !vs.uids.empty()) return true;
    auto reads_activity = [](ColumnId c) {
        switch (c) {
            case ColumnId::cpu:
            case ColumnId::user_cpu:
            case ColumnId::system_cpu:
            case ColumnId::cpu_delay:
            case ColumnId::cpu_time:
            case ColumnId::read_chars:
            case ColumnId::write_chars:
            case ColumnId::read_syscalls:
            case ColumnId::write_syscalls:
            case ColumnId::ctx_switches:
            case ColumnId::major_faults:
            case ColumnId::ppid:
                return true;
            default:
                return false;
        }
    };
    if (reads_activity(vs.sort)) return true;
    const auto shown = shown_columns(vs);
    return std::any_of(shown.begin(), shown.end(), reads_activity);
}

bool view_needs_cgroups(const ViewState& vs) {
    const auto shown = shown_columns(vs);
    return vs.cgroup_filter.active() || !vs.cgroup_subtree.empty() || vs.sort == ColumnId::cgroup ||
           std::find(shown.begin(), shown.end(), ColumnId::cgroup) != shown.end();
}

ViewState view_from_options(const Options& o) {
    ViewState vs = o.view;
    vs.utf8 = locale_is_utf8();
    return vs;
}

Result<Session> open_session(const Options& o, const Clock& clock) {
    Session s;
    auto roots = open_roots(o.proc_root, o.sys_root);
    if (!roots) return roots.error();
    s.roots = std::move(*roots);
    s.view = view_from_options(o);
    auto pids = existing_pids(s.roots->proc, s.view.pids, s.notices);
    if (!pids) {
        std::string msg;
        for (const auto& n : s.notices) msg += n + "; ";
        return make_error(msg + pids.error().message);
    }
    s.view.pids = *pids;
    s.live = s.roots->live();
    s.sampler = std::make_unique<Sampler>(
        *s.roots, open_io_source(*s.roots, s.live, s.notices, clock, o.source), s.live, clock);
    // taskstats has no state: read it for the rows shown when a column shows or sorts it.
    s.sampler->set_row_state(view_needs_row_state(s.view));
    // The Tasks header (processes by state) needs every process's state: shown by the
    // view's overview and with the cpu section, and kept by a recording for its replay;
    // never read for the plain task table of -b.
    s.sampler->set_process_states(!o.batch || !o.record_path.empty() ||
                                  std::find(o.sections.begin(), o.sections.end(), Section::cpu) !=
                                      o.sections.end());
    // Per-thread CPU and activity: for the columns that show them, and for what keeps or
    // serves every field (a recording, the exporter). The view starts with them and its
    // controller says what its columns need at every rebuild.
    s.sampler->set_thread_activity(!o.batch || !o.record_path.empty() || o.listen.has_value() ||
                                   view_needs_thread_activity(s.view));
    if (std::string n = delayacct_notice(*s.roots);
        !n.empty() && s.sampler->io_source().reports_delays())
        s.notices.push_back(n);
    return s;
}

}  // namespace vigil
