// The full-screen view's process: the event loop (poll on the terminal and a signalfd),
// the curses terminal, and the live system's task actions and process reads handed to the
// Controller (controller.cpp), for the live view and a recording's.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "vigil/app/app.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/collect/process_inspector.hpp"
#include "vigil/collect/task_actions.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/model/columns.hpp"

namespace vigil {

namespace {

// Blocks the signals the loop handles and delivers them through a file descriptor, so no
// handler ever runs in the middle of curses. Restores the old mask when destroyed.
class SignalFd {
  public:
    SignalFd() {
        sigemptyset(&set_);
        for (int s : {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT}) sigaddset(&set_, s);
        sigprocmask(SIG_BLOCK, &set_, &old_);
        fd_ = UniqueFd(signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC));
    }
    ~SignalFd() {
        fd_.reset();
        sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;
    int fd() const { return fd_.get(); }
    // The next pending signal, or 0.
    int next() {
        signalfd_siginfo si{};
        if (read(fd_.get(), &si, sizeof si) != static_cast<ssize_t>(sizeof si)) return 0;
        return static_cast<int>(si.ssi_signo);
    }

  private:
    sigset_t set_{}, old_{};
    UniqueFd fd_;
};

// The top set by width, unless --columns chose the columns or --sort a column the top set
// lacks (then iotop's eight, sorted as asked).
bool top_when_wide(const Options& o) {
    if (!o.view.columns.empty()) return false;
    const std::span<const ColumnId> top = column_set(ColumnSet::top);
    return !o.sort_given || std::find(top.begin(), top.end(), o.view.sort) != top.end();
}

// ionice, renice and kill on the live system.
class LiveTaskActions final : public TaskActions {
  public:
    explicit LiveTaskActions(const FsRoot& proc) : proc_(proc) {}
    std::string ionice(pid_t id, bool whole_process, IoPrio prio) override {
        return set_task_ioprio(proc_, id, whole_process, prio);
    }
    std::string renice(pid_t id, bool whole_process, int nice) override {
        return set_task_nice(proc_, id, whole_process, nice);
    }
    std::string signal(pid_t id, int sig) override { return send_task_signal(id, sig); }
    std::string delay_accounting(bool on) override { return set_delay_accounting(proc_, on); }

  private:
    const FsRoot& proc_;
};

// The inspector pane's reads: inspect_process() on the live /proc (or --proc-root's tree).
class LiveProcessReader final : public ProcessReader {
  public:
    LiveProcessReader(const FsRoot& proc, bool live) : proc_(proc), live_(live) {}
    Result<ProcessInfo> read(pid_t pid) override {
        // Not the threads' /proc files: the pane shows the task table's rows of them.
        const InspectContext ctx{proc_, live_, system_clock(), users_, false};
        return inspect_process(ctx, pid);
    }

  private:
    const FsRoot& proc_;
    bool live_;
    UserNames users_;
};

int run_view(ControllerSetup setup, bool color) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        say("the full-screen view needs a terminal on stdin and stdout; use -b for batch mode");
        return kExitUsage;
    }
    SignalFd sigs;
    if (sigs.fd() < 0) {
        say("cannot create a signalfd");
        return kExitRuntime;
    }
    auto term = open_curses_terminal(color);
    if (!term) {
        const std::string& ignored = ignored_terminal_environment();
        say(term.error().message +
            (ignored.empty() ? std::string()
                             : "; " + ignored +
                                   " ignored: vigil runs with privileges, so it reads only the "
                                   "system's terminal descriptions"));
        return kExitUsage;
    }
    std::unique_ptr<Terminal> owned = std::move(*term);  // restored on every way out
    setup.terminal = owned.get();
    Controller c(setup);
    c.start();
    for (;;) {
        pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sigs.fd(), POLLIN, 0}};
        const int n = poll(fds, 2, c.timeout_ms());
        if (n < 0 && errno != EINTR) return kExitRuntime;
        if (fds[1].revents & POLLIN) {
            // SIGINT, SIGTERM, SIGHUP: 128 + N once the terminal is restored (vigil(8)).
            while (int sig = sigs.next())
                if (!c.signal(sig)) return kExitSignal + sig;
        }
        if (fds[0].revents & (POLLHUP | POLLERR)) return kExitOk;  // the terminal went away
        if ((fds[0].revents & POLLIN) && !c.input()) return kExitOk;
        if (!c.tick()) return kExitOk;
    }
}

// --replay FILE without -b: the view over the recording. The reader is opened to follow
// (F), so a frame being written at its end is not taken for damage while a writer is there.
int run_replay_view(const Options& o) {
    int opened = kExitOk;
    std::unique_ptr<RecordReader> reader = open_replay(o, opened, true);
    if (!reader) return opened;
    const ReplaySpan span = replay_span(o, *reader);
    if (auto bad = check_replay_span(o, span)) return *bad;
    // Played at the pace it was recorded at, unless -d says otherwise; followed at it too.
    const double delay_s = replay_delay_s(o, *reader);
    ReplaySource source(std::move(reader), span.from_ns, span.to_ns);
    if (o.follow) {
        // At the last sample written; before there is one to show, wait for it.
        bool told = false;
        while (!source.go(o.from ? 0 : source.count() - 1)) {
            FollowStep f = source.follow();
            for (const std::string& line : f.lines) say(line);
            if (f.state == FollowStep::State::ended)
                return f.failed ? kExitRuntime : say_nothing_to_replay(o, source.reader(), span);
            if (f.state == FollowStep::State::more) continue;
            if (!told) say(o.replay_path + ": waiting for its first samples");
            told = true;
            follow_pause(delay_s);
        }
    } else {
        // Whether a writer still has the file: if not, a frame it never finished is damage.
        (void)source.follow();
        if (!source.go(0)) return say_nothing_to_replay(o, source.reader(), span);
    }
    ControllerSetup setup;
    setup.replay = &source;
    setup.follow = o.follow;
    setup.view = view_from_options(o);
    setup.machine = o.machine;
    setup.iterations = o.iterations;
    for (const RecordDamage& d : source.reader().damage())
        setup.notices.push_back(source.reader().describe(d));
    setup.delay_s = delay_s;
    setup.top_when_wide = top_when_wide(o);
    int status = run_view(setup, !o.no_color);
    // The damage again where it stays readable, after the screen is restored.
    const RecordReader& r = source.reader();
    for (const RecordDamage& d : r.damage()) say(r.describe(d));
    if (status == kExitOk && !r.damage().empty()) status = kExitDamaged;
    return status;
}

}  // namespace

int run_interactive(const Options& o) {
    if (!o.replay_path.empty()) return run_replay_view(o);
    auto session = open_session(o);
    if (!session) {
        say(session.error().message);
        return kExitUsage;
    }
    std::unique_ptr<RecordWriter> recorder;
    std::vector<std::string> record_notices;
    int status = kExitOk;
    if (!open_recording(o, record_notices, recorder, status)) return status;
    for (const auto& n : record_notices) session->notices.push_back(n);
    Sampler& sampler = *session->sampler;
    // The sections are narrowed to what the screen shows once the view starts.
    sampler.set_machine_collector(std::make_unique<MachineCollector>(
        *session->roots, overview_mask({kAllSections.begin(), kAllSections.end()}), session->live));
    std::unique_ptr<MetricsServer> server;
    if (o.listen) {
        server = start_metrics_server(o);
        if (!server) return kExitRuntime;
        session->notices.push_back("serving metrics at " + server->url());
    }
    LiveSource source(sampler);
    std::optional<Exporter> exporter;
    if (server) exporter.emplace(*server, session->roots->proc, o.export_top);
    LiveTaskActions actions(session->roots->proc);
    LiveProcessReader inspector(session->roots->proc, session->roots->live());
    ControllerSetup setup;
    setup.live = &source;
    setup.view = session->view;
    setup.machine = o.machine;
    // Delay accounting off: the view hides SWAPIN and IO and says so once (the Controller),
    // instead of a standing line.
    const std::string delay_notice = delayacct_notice(*session->roots);
    for (const std::string& n : session->notices)
        if (n != delay_notice) setup.notices.push_back(n);
    setup.delays_reported = sampler.io_source().reports_delays();
    setup.delay_s = o.delay_s;
    setup.iterations = o.iterations;
    setup.recorder = recorder.get();
    setup.actions = &actions;
    setup.inspector = &inspector;
    setup.exporter = exporter ? &*exporter : nullptr;
    setup.top_when_wide = top_when_wide(o);
    return run_view(setup, !o.no_color);
}

}  // namespace vigil
