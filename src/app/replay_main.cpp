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
    std::unique_ptr<RecordReader> reader = open_replay(o, opened);
    if (!reader) return opened;
    RecordReader& r = *reader;
    const auto& samples = r.samples();

    const ReplaySpan span = replay_span(o, r);
    if (auto bad = check_replay_span(o, span)) return *bad;
    const std::int64_t from = span.from_ns, to = span.to_ns;

    std::signal(SIGPIPE, SIG_IGN);
    ReplaySource source(r, from, to);
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
    // A sample prints with the one before it, as live: the first of a session (and the
    // first after damage) is only the baseline of the next.
    if (!source.go(0)) return say_nothing_to_replay(o, r, span);
    for (bool more = true; more; more = source.step(1)) {
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
    }

    // Damage past the samples this run reached is not reported.
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
