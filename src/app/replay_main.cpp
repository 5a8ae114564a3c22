// -b --replay FILE: the batch output of a recording, through the pipeline and output that
// live batch mode uses, so each sample prints as it did live (with the same options).
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <limits>

#include "vigil/app/app.hpp"
#include "vigil/app/batch_output.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/replay_source.hpp"

namespace vigil {

int run_replay_batch(const Options& o) {
    int opened = kExitOk;
    std::unique_ptr<RecordReader> reader = open_replay(o, opened, o.follow);
    if (!reader) return opened;

    const ReplaySpan span = replay_span(o, *reader);
    if (auto bad = check_replay_span(o, span)) return *bad;
    const std::int64_t from = span.from_ns, to = span.to_ns;
    // --follow polls at the pace the recording was made at (-d when given).
    const double poll_s = replay_delay_s(o, *reader);

    std::signal(SIGPIPE, SIG_IGN);
    // The source owns the reader: following, a rotation replaces it with the new file's.
    ReplaySource source(std::move(reader), from, to);
    Pipeline pipeline(source);
    // The locale's escaping, as a live run prints it.
    BatchOutput output(o, view_from_options(o));
    if (int st = output.open_files()) return st;
    pipeline.keep_totals(output.wants_totals());
    bool warned_sections = false;
    long printed = 0;
    bool cut_short = false;  // -n ended the replay before the range did
    std::string out;
    // Long text output goes out while the sample is written, as live: a sample's rows never
    // sit in memory whole (a recording can hold tens of thousands of 4 KiB command lines).
    WriteStatus wrote = WriteStatus::ok;
    int write_err = 0;
    auto put = [&](std::string_view buf) {
        if (wrote == WriteStatus::ok) wrote = write_stdout(buf, write_err);
    };
    output.set_flush([&](std::string& buf) {
        put(buf);
        buf.clear();
    });
    // --follow: waits (polling) until new samples can be shown; the exit status when the
    // recording ended instead (its writer closed it, or it went): 0, or 1 when it could not
    // be read, or 3 after damage.
    bool damaged = false, newer = false;
    auto wait_for_more = [&]() -> std::optional<int> {
        for (;;) {
            FollowStep f = source.follow();
            for (const std::string& line : f.lines) say(line);
            damaged = damaged || f.damaged;
            newer = newer || f.newer_version;
            if (f.state == FollowStep::State::more) return std::nullopt;
            if (f.state == FollowStep::State::ended)
                return f.failed  ? kExitRuntime
                       : newer   ? kExitUsage
                       : damaged ? kExitDamaged
                                 : kExitOk;
            follow_pause(poll_s);
        }
    };
    // A sample prints with the one before it, as live: the first of a session (and the
    // first after damage) is only the baseline of the next. Following without --from, the
    // replay starts at the last sample written, as tail -f starts near the end.
    if (o.follow) {
        while (!source.go(o.from ? 0 : source.count() - 1))
            if (auto end = wait_for_more()) return *end;
    } else if (!source.go(0)) {
        return say_nothing_to_replay(o, source.reader(), span);
    }
    for (;;) {
        if (!warned_sections) {
            warned_sections = true;
            for (Section s : o.sections)
                if (s != Section::tasks && !has_section(source.cur().machine.collected, s))
                    say(fmt::format("{}: the recording has no {} section", o.replay_path,
                                    section_name(s)));
        }
        // The -a sums of a live run start with its session.
        pipeline.advance(source.same_session());
        output.prepare(pipeline);
        out.clear();
        output.write(pipeline, out);
        put(out);
        if (auto status = stop_after_write(wrote, write_err)) return *status;
        if (!output.finish()) return kExitRuntime;
        if (o.iterations && ++printed >= *o.iterations) {
            cut_short = true;
            break;
        }
        bool more = source.step(1);
        while (!more && o.follow) {
            if (auto end = wait_for_more()) return *end;
            more = source.step(1);
        }
        if (!more) break;
    }
    // Following, damage was said as it was found; -n ends it like any end.
    if (o.follow) return newer ? kExitUsage : damaged ? kExitDamaged : kExitOk;

    // Damage past the samples this run reached is not reported.
    RecordReader& r = source.reader();
    const auto& samples = r.samples();
    std::size_t reach = samples.size();
    if (cut_short) {
        reach = source.sample_index() + 1;
    } else if (o.to) {
        reach = 0;
        for (std::size_t i = 1; i < samples.size(); ++i)
            if (samples[i].wall_ns >= from && samples[i].wall_ns <= to) reach = i + 1;
    }
    int status = kExitOk;
    for (const RecordDamage& d : r.damage()) {
        if (d.after_sample > reach) continue;
        say(r.describe(d));
        status = std::max(status, d.newer_version ? kExitUsage : kExitDamaged);
    }
    return status;
}

}  // namespace vigil
