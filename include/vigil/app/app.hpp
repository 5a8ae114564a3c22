// The pieces main() puts together: roots, the I/O source, notices, and the batch loop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/app/options.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/task_io_source.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/model/view_state.hpp"

namespace vigil {

// Exit statuses, as documented in vigil(8).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDamaged = 3;  // a replayed recording is damaged
// 128 + N: ended by signal N (SIGINT, SIGTERM, SIGHUP), as a shell reports a process
// killed by it. A front end returns kExitSignal + N once it has closed the recording and
// restored the terminal; main() then ends by the signal itself (die_by_signal).
inline constexpr int kExitSignal = 128;

// Ends vigil by sig as if it had never been caught or blocked (default action, unblocked,
// raised), so the parent sees the signal; exits with 128 + sig if that does not end it.
[[noreturn]] void die_by_signal(int sig);

// The privilege model (vigil(8), SECURITY), settled first thing in main(), before any other
// thread is started: CAP_NET_ADMIN leaves the effective set (the taskstats client raises it
// around each request); with --replay or a --proc-root tree it leaves every set; and a
// privileged process (privileged()) ignores the terminal descriptions the environment
// names. Later steps drop what turns out not to be needed: open_io_source drops
// CAP_NET_ADMIN when taskstats cannot be used, open_replay every capability once the
// recording is open.
void settle_privileges(const Options& o);
// The terminal variables settle_privileges ignored ("TERMINFO, TERMCAP"), empty if none:
// the hint when the terminal type cannot be used.
const std::string& ignored_terminal_environment();

// Raises the soft open file limit to the hard one: vigil keeps a descriptor per process
// while the limit allows (see kept_fd_budget), and the soft limit is often 1024 where the
// hard one is far higher.
void raise_open_file_limit();

// Drops PIDs that do not exist, with one warning line each in warnings. An error when none
// of the PIDs given exists.
Result<std::vector<pid_t>> existing_pids(const FsRoot& proc, const std::vector<pid_t>& pids,
                                         std::vector<std::string>& warnings);

// The options' ViewState for the output's locale: text is escaped for a UTF-8 terminal
// only when the locale is UTF-8.
ViewState view_from_options(const Options& o);
// Whether the rows a view shows need their state letter fetched (Sampler::set_row_state):
// a column shows or sorts it.
bool view_needs_row_state(const ViewState& vs);
// Whether a view needs every thread's CPU and activity counters kept current
// (Sampler::set_thread_activity): a column shown or sorted reads them (CPU%, TIME+, faults,
// chars, syscalls, switches), or a filter, the tree or PPID, which want every thread's
// answer current. iotop's eight columns do not.
bool view_needs_thread_activity(const ViewState& vs);
// Whether a view needs the cgroup walk for its task rows (the CGROUP column, --cgroup, the
// view's cgroup filters).
bool view_needs_cgroups(const ViewState& vs);

// taskstats when permitted on the live /proc, else /proc/PID/task/TID/io; with
// TaskSource::bpf or automatic, the BPF task iterator first. Notices (one line each) say
// what is missing and how to get it. Asked for, CAP_BPF and CAP_PERFMON are dropped unless
// the BPF source is used (then they stay permitted, raised only to start each pass), and
// CAP_NET_ADMIN unless taskstats is.
std::unique_ptr<TaskIoSource> open_io_source(const Roots& roots, bool live,
                                             std::vector<std::string>& notices,
                                             const Clock& clock = system_clock(),
                                             TaskSource source = TaskSource::taskstats);

// The one-line notice about delay accounting, or empty when it is on.
std::string delayacct_notice(const Roots& roots);

// What both front ends start from: the roots, the sampler, the notices to show, and the
// ViewState from the options (with -p PIDs that exist).
struct Session {
    std::unique_ptr<Roots> roots;  // heap: the sampler keeps a reference
    std::unique_ptr<Sampler> sampler;
    std::vector<std::string> notices;
    ViewState view;
    bool live = true;  // roots.proc is the running kernel's /proc
};
// clock stamps the samples (it must outlive the session).
Result<Session> open_session(const Options& o, const Clock& clock = system_clock());

// Runs batch mode until -n samples are printed or the output closes (with --replay, the
// recording's samples: run_replay_batch). Returns the exit status: kExitSignal + N when
// signal N stopped a recording run (the recording is closed; main() ends by the signal).
int run_batch(const Options& o);

enum class WriteStatus { ok, closed, failed, interrupted };
// Writes all of buf to stdout: closed when the reader went away (EPIPE, with SIGPIPE
// ignored), failed with errno in err on any other error. stop_fd (a signalfd, or -1): when
// it becomes readable while the write waits for a slow reader, the write stops there,
// interrupted, so that a signal need not wait for the reader.
WriteStatus write_stdout(std::string_view buf, int& err, int stop_fd = -1);
// What a batch loop does after writing a sample: nullopt to go on (also when interrupted:
// the caller takes the signal), else the exit status: 0 when the reader went away, 1 (said
// on stderr) on any other error.
std::optional<int> stop_after_write(WriteStatus status, int err);

}  // namespace vigil
