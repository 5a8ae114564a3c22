#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "vigil/app/app.hpp"
#include "vigil/app/batch_output.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/app/source.hpp"
#include "vigil/core/clock.hpp"

namespace vigil {

// A closed pipe (EPIPE) is a normal end for a batch run piped into head; anything else (a
// full disk) is an error the caller reports.
WriteStatus write_stdout(std::string_view buf, int& err) {
    while (!buf.empty()) {
        ssize_t n = ::write(STDOUT_FILENO, buf.data(), buf.size());
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

namespace {

// While recording, SIGINT, SIGTERM and SIGHUP are blocked and taken here instead of
// killing vigil between two writes: the sample being written is finished and the file
// synced before vigil ends (by the same signal, so the shell sees the usual status).
class StopSignals {
  public:
    explicit StopSignals(bool active) : active_(active) {
        if (!active_) return;
        sigemptyset(&set_);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, s);
        sigprocmask(SIG_BLOCK, &set_, &old_);
    }
    ~StopSignals() {
        if (active_) sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

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
    // Ends vigil by sig, as if it had not been blocked.
    [[noreturn]] void die_by(int sig) {
        std::signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old_, nullptr);
        ::raise(sig);
        std::_Exit(128 + sig);
    }

  private:
    bool active_;
    sigset_t set_{}, old_{};
};

void print_notices(const std::vector<std::string>& notices) {
    if (notices.empty()) return;
    for (const auto& n : notices) fmt::print(stderr, "vigil: {}\n", n);
    std::fflush(stderr);
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
            return std::nullopt;
        case WriteStatus::closed:
            return kExitOk;
        case WriteStatus::failed:
            fmt::print(stderr, "vigil: cannot write output: {}\n", std::strerror(err));
            return kExitRuntime;
    }
    return kExitRuntime;
}

int run_batch(const Options& o) {
    if (!o.replay_path.empty()) return run_replay_batch(o);
    auto session = open_session(o);
    if (!session) {
        fmt::print(stderr, "vigil: {}\n", session.error().message);
        return kExitUsage;
    }
    const bool show_tasks =
        std::find(o.sections.begin(), o.sections.end(), Section::tasks) != o.sections.end();
    // The notices are about per-task I/O; an overview-only run has no use for them.
    if (show_tasks)
        for (const auto& n : session->notices) fmt::print(stderr, "vigil: {}\n", n);
    std::fflush(stderr);
    Sampler& sampler = *session->sampler;
    std::unique_ptr<RecordWriter> recorder;
    std::vector<std::string> record_notices;
    int status = kExitOk;
    if (!open_recording(o, record_notices, recorder, status)) return status;
    for (const auto& n : record_notices) fmt::print(stderr, "vigil: {}\n", n);
    // A recording keeps every overview section, whatever this run prints.
    const SectionMask overview = recorder
                                     ? overview_mask({kAllSections.begin(), kAllSections.end()})
                                     : overview_mask(o.sections);
    if (overview)
        sampler.set_machine_collector(
            std::make_unique<MachineCollector>(*session->roots, overview, session->live));

    // A closed pipe must surface as EPIPE from write(), not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    LiveSource source(sampler);
    Pipeline pipeline(source);
    BatchOutput output(o, session->view);
    pipeline.keep_totals(output.wants_totals());
    std::string out;
    // Long text output goes out while the sample is written; the first failure sticks.
    WriteStatus wrote = WriteStatus::ok;
    int write_err = 0;
    output.set_flush([&](std::string& buf) {
        if (wrote == WriteStatus::ok) wrote = write_stdout(buf, write_err);
        buf.clear();
    });
    auto record = [&] {
        if (!recorder) return true;
        auto ok = pipeline.record(*recorder);
        if (!ok) fmt::print(stderr, "vigil: {}\n", ok.error().message);
        return ok.ok();
    };

    source.sample();
    pipeline.advance();
    if (!record()) return kExitRuntime;
    StopSignals stop(recorder != nullptr);
    auto stop_by = [&](int sig) {
        recorder.reset();  // syncs and closes the file
        stop.die_by(sig);
    };
    const double start = source.cur().steady_s;
    for (long i = 1; !o.iterations || i <= *o.iterations; ++i) {
        const double deadline = start + static_cast<double>(i) * o.delay_s;
        if (recorder) {
            if (int sig = stop.wait_until(deadline)) stop_by(sig);
        } else {
            sleep_until(deadline);
        }
        source.sample();
        pipeline.advance();
        output.prepare(pipeline);
        // The details of the rows to print are fetched: the recording holds what is printed.
        if (!record()) return kExitRuntime;
        out.clear();
        output.write(pipeline, out);
        if (wrote == WriteStatus::ok) wrote = write_stdout(out, write_err);
        if (auto status = stop_after_write(wrote, write_err)) return *status;
        // What this sample could not read as it should, once each, after its output.
        print_notices(source.take_notices());
    }
    return kExitOk;
}

}  // namespace vigil
