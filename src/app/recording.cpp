#include "vigil/app/recording.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <ctime>
#include <limits>

#include "vigil/app/app.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/collect/privileges.hpp"
#include "vigil/core/time_spec.hpp"

namespace vigil {

bool open_recording(const Options& o, std::vector<std::string>& notices,
                    std::unique_ptr<RecordWriter>& writer, int& status) {
    status = kExitOk;
    writer.reset();
    if (o.record_path.empty()) return true;
    RecordOptions ro;
    ro.path = o.record_path;
    ro.max_bytes = o.record_max_bytes;
    ro.rotate_s = o.record_rotate_s;
    ro.retention = o.record_keep;
    ro.interval_s = o.delay_s;
    bool format_error = false;
    auto w = RecordWriter::open(ro, notices, &format_error);
    if (!w) {
        // What it found before it failed (a damaged tail, say) first, then why it failed.
        for (const std::string& n : notices) say(n);
        notices.clear();
        say(w.error().message);
        // A directory is not a file vigil may record to, as a device is not (vigil(8),
        // EXIT STATUS): a usage error, not a failure of the run.
        struct stat st {};
        const bool dir = ::stat(o.record_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        status = format_error || dir ? kExitUsage : kExitRuntime;
        return false;
    }
    writer = std::move(*w);
    return true;
}

ReplaySpan replay_span(const Options& o, const RecordReader& r) {
    const std::int64_t start = r.samples().empty() ? 0 : r.samples().front().wall_ns;
    ReplaySpan span;
    span.from_ns = o.from ? resolve_time(*o.from, start) : std::numeric_limits<std::int64_t>::min();
    span.to_ns = o.to ? resolve_time(*o.to, start) : std::numeric_limits<std::int64_t>::max();
    return span;
}

std::optional<int> check_replay_span(const Options& o, const ReplaySpan& span) {
    if (!o.from || !o.to || span.from_ns <= span.to_ns) return std::nullopt;
    say(fmt::format("--from {} ({}) is after --to {} ({})", o.from_text,
                    format_date_time(span.from_ns), o.to_text, format_date_time(span.to_ns)));
    return kExitUsage;
}

int say_nothing_to_replay(const Options& o, const RecordReader& r, const ReplaySpan& span) {
    const auto& samples = r.samples();
    if (samples.empty()) {
        say(o.replay_path + (r.damage().empty() ? ": the recording holds no sample (the "
                                                  "recorder stopped before its first one)"
                                                : ": the recording holds no intact sample"));
    } else if (o.from || o.to) {
        std::size_t in_span = 0;
        for (const SampleEntry& e : samples)
            if (e.wall_ns >= span.from_ns && e.wall_ns <= span.to_ns) ++in_span;
        const std::string spans =
            fmt::format("the recording spans {} to {}", format_date_time(samples.front().wall_ns),
                        format_date_time(samples.back().wall_ns));
        const std::string from =
            fmt::format("--from {} ({})", o.from_text, format_date_time(span.from_ns));
        const std::string to = fmt::format("--to {} ({})", o.to_text, format_date_time(span.to_ns));
        const std::string asked = o.from && o.to ? "between " + from + " and " + to
                                  : o.from       ? "at or after " + from
                                                 : "at or before " + to;
        if (in_span == 0)
            say(fmt::format("{}: no sample {}; {}", o.replay_path, asked, spans));
        else
            say(
                fmt::format("{}: no sample to show {}: a sample needs the one before it in its "
                            "session, and none of the {} in the span has it; {}",
                            o.replay_path, asked, in_span, spans));
    } else {
        say(o.replay_path +
            ": no sample to show: a sample needs the one before it in its "
            "session, and no session has two intact samples");
    }
    for (const RecordDamage& d : r.damage()) say(r.describe(d));
    return r.damage().empty() ? kExitRuntime : kExitDamaged;
}

double replay_delay_s(const Options& o, const RecordReader& r) {
    if (o.delay_given || r.samples().empty()) return o.delay_s;
    const std::uint32_t session = r.samples().front().session;
    if (session >= r.sessions().size()) return o.delay_s;
    const double recorded = r.sessions()[session].info.interval_s;
    return valid_interval(recorded) ? recorded : o.delay_s;
}

void follow_pause(double s) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(s);
    ts.tv_nsec = static_cast<long>((s - static_cast<double>(ts.tv_sec)) * 1e9);
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

std::unique_ptr<RecordReader> open_replay(const Options& o, int& status, bool follow) {
    bool format_error = false;
    auto r = RecordReader::open(o.replay_path, &format_error, kMaxDecodedSampleBytes, follow);
    if (!r) {
        say(r.error().message);
        status = format_error ? kExitUsage : kExitRuntime;
        return nullptr;
    }
    status = kExitOk;
    // The file is open (with root's right to read it, if it is root who replays): nothing a
    // replay does from here on needs a privilege, and its samples are decoded without any.
    (void)drop_capabilities();
    return std::move(*r);
}

}  // namespace vigil
