#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "vigil/app/app.hpp"
#include "vigil/app/batch_output.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/exporter.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/app/source.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/unique_fd.hpp"

namespace vigil {

// A closed pipe (EPIPE) is a normal end for a batch run piped into head; anything else (a
// full disk) is an error the caller reports. With stop_fd, each write waits for room in
// poll() beside it, and a piece at most PIPE_BUF long then cannot block.
WriteStatus write_stdout(std::string_view buf, int& err, int stop_fd) {
    while (!buf.empty()) {
        std::size_t piece = buf.size();
        if (stop_fd >= 0) {
            pollfd fds[2] = {{STDOUT_FILENO, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                err = errno;
                return WriteStatus::failed;
            }
            if (fds[1].revents & POLLIN) return WriteStatus::interrupted;
            // POLLERR and POLLHUP: the write below says what happened.
            if (!(fds[0].revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))) continue;
            piece = std::min<std::size_t>(piece, PIPE_BUF);
        }
        ssize_t n = ::write(STDOUT_FILENO, buf.data(), piece);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) return WriteStatus::closed;
            err = errno;
            return WriteStatus::failed;
        }
        buf.remove_prefix(static_cast<std::size_t>(n));
    }
    return WriteStatus::ok;
}

void die_by_signal(int sig) {
    std::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    std::_Exit(kExitSignal + sig);
}

namespace {

// While recording, SIGINT, SIGTERM and SIGHUP are blocked and taken here instead of
// killing vigil between two writes: the sample being written is finished and the file
// synced before vigil ends (by the same signal, so the shell sees the usual status). They
// also end a write to a slow reader of stdout (fd(): a signalfd for write_stdout).
class StopSignals {
  public:
    explicit StopSignals(bool active) : active_(active) {
        if (!active_) return;
        sigemptyset(&set_);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, s);
        sigprocmask(SIG_BLOCK, &set_, &old_);
        fd_ = UniqueFd(signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC));
    }
    ~StopSignals() {
        fd_.reset();
        if (active_) sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Readable when one of the signals is pending; -1 when not active.
    int fd() const { return fd_.get(); }
    // Sleeps until the deadline (steady clock); the signal that came first, or 0.
    int wait_until(double steady_deadline_s) {
        for (;;) {
            const double left = steady_deadline_s - steady_now_s();
            if (left <= 0) return taken();
            timespec ts{};
            ts.tv_sec = static_cast<time_t>(left);
            ts.tv_nsec = static_cast<long>((left - static_cast<double>(ts.tv_sec)) * 1e9);
            const int s = sigtimedwait(&set_, nullptr, &ts);
            if (s > 0) return s;
            if (errno != EINTR && errno != EAGAIN) return 0;
        }
    }
    // A signal that arrived while sampling, or 0.
    int taken() {
        const timespec zero{};
        const int s = sigtimedwait(&set_, nullptr, &zero);
        return s > 0 ? s : 0;
    }

  private:
    bool active_;
    sigset_t set_{}, old_{};
    UniqueFd fd_;
};

void print_notices(const std::vector<std::string>& notices) {
    for (const auto& n : notices) say(n);
}

void sleep_until(double steady_deadline_s) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(steady_deadline_s);
    ts.tv_nsec = static_cast<long>((steady_deadline_s - static_cast<double>(ts.tv_sec)) * 1e9);
    if (ts.tv_nsec >= 1'000'000'000) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1'000'000'000;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

}  // namespace

std::optional<int> stop_after_write(WriteStatus status, int err) {
    switch (status) {
        case WriteStatus::ok:
        case WriteStatus::interrupted:  // the caller takes the signal
            return std::nullopt;
        case WriteStatus::closed:
            return kExitOk;
        case WriteStatus::failed:
            say(std::string("cannot write output: ") + std::strerror(err));
            return kExitRuntime;
    }
    return kExitRuntime;
}

int run_batch(const Options& o) {
    if (!o.replay_path.empty()) return run_replay_batch(o);
    auto session = open_session(o);
    if (!session) {
        say(session.error().message);
        return kExitUsage;
    }
    const bool show_tasks =
        std::find(o.sections.begin(), o.sections.end(), Section::tasks) != o.sections.end();
    // The notices are about per-task I/O; an overview-only run has no use for them.
    if (show_tasks)
        for (const auto& n : session->notices) say(n);
    Sampler& sampler = *session->sampler;
    // The output's files before the recording: a run that cannot print records nothing.
    BatchOutput output(o, session->view);
    if (int st = output.open_files()) return st;
    std::unique_ptr<RecordWriter> recorder;
    std::vector<std::string> record_notices;
    int status = kExitOk;
    if (!open_recording(o, record_notices, recorder, status)) return status;
    for (const auto& n : record_notices) say(n);
    // A recording keeps every overview section, whatever this run prints.
    SectionMask overview = recorder ? overview_mask({kAllSections.begin(), kAllSections.end()})
                                    : overview_mask(o.sections);
    // The CGROUP column and --cgroup read the cgroup walk, shown or not.
    if (show_tasks && view_needs_cgroups(session->view)) overview |= section_bit(Section::cgroups);
    if (overview)
        sampler.set_machine_collector(
            std::make_unique<MachineCollector>(*session->roots, overview, session->live));

    // A closed pipe must surface as EPIPE from write(), not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    // --listen: the endpoint serves every overview section, whatever this run prints.
    std::unique_ptr<MetricsServer> server;
    if (o.listen) {
        server = start_metrics_server(o);
        if (!server) return kExitRuntime;
        say("serving metrics at " + server->url());
        if (!recorder)
            sampler.set_machine_collector(std::make_unique<MachineCollector>(
                *session->roots, overview_mask({kAllSections.begin(), kAllSections.end()}),
                session->live));
    }
    LiveSource source(sampler);
    Pipeline pipeline(source);
    std::optional<Exporter> exporter;
    if (server) exporter.emplace(*server, session->roots->proc, o.export_top);
    pipeline.keep_totals(output.wants_totals());
    std::string out;
    StopSignals stop(recorder != nullptr);
    // A write to a pipe, a socket or a terminal can wait for its reader: it gives way to
    // the stop signals. One to a file or a block device does not wait, and goes whole.
    struct stat out_st {};
    const bool may_wait = ::fstat(STDOUT_FILENO, &out_st) != 0 ||
                          !(S_ISREG(out_st.st_mode) || S_ISBLK(out_st.st_mode));
    const int stdout_stop_fd = may_wait ? stop.fd() : -1;
    // Long text output goes out while the sample is written; the first failure sticks.
    WriteStatus wrote = WriteStatus::ok;
    int write_err = 0;
    auto put = [&](std::string_view buf) {
        if (wrote == WriteStatus::ok) wrote = write_stdout(buf, write_err, stdout_stop_fd);
    };
    output.set_flush([&](std::string& buf) {
        put(buf);
        buf.clear();
    });
    auto record = [&] {
        if (!recorder) return true;
        auto ok = pipeline.record(*recorder);
        for (const std::string& n : recorder->take_notices()) say(n);
        if (!ok) say(ok.error().message);
        return ok.ok();
    };
    // The recording is synced and closed before vigil ends by the signal (in main()).
    auto stop_by = [&](int sig) {
        recorder.reset();
        return kExitSignal + sig;
    };

    const Clock& clock = system_clock();
    auto take_sample = [&] {
        const double began = clock.steady_s();
        source.sample();
        pipeline.advance();
        if (exporter) exporter->publish(pipeline, clock.steady_s() - began);
    };
    take_sample();
    if (!record()) return kExitRuntime;
    if (int sig = stop.taken()) return stop_by(sig);
    const double start = source.cur().steady_s;
    for (long i = 1; !o.iterations || i <= *o.iterations; ++i) {
        const double deadline = start + static_cast<double>(i) * o.delay_s;
        if (recorder) {
            if (int sig = stop.wait_until(deadline)) return stop_by(sig);
        } else {
            sleep_until(deadline);
        }
        take_sample();
        output.prepare(pipeline);
        // The details of the rows to print are fetched: the recording holds what is printed.
        if (!record()) return kExitRuntime;
        out.clear();
        output.write(pipeline, out);
        put(out);
        // A signal while the reader was slow: the sample is recorded, the output cut short.
        if (wrote == WriteStatus::interrupted)
            if (int sig = stop.taken()) return stop_by(sig);
        if (auto st = stop_after_write(wrote, write_err)) return *st;
        if (!output.finish()) return kExitRuntime;
        // What this sample could not read as it should, once each, after its output.
        print_notices(source.take_notices());
    }
    return kExitOk;
}

}  // namespace vigil
