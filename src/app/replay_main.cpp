// -b --replay FILE: the batch output of a recording, through the renderer live batch mode
// uses, so each sample prints as it did live (with the same options).
#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <limits>

#include "vigil/app/app.hpp"
#include "vigil/app/batch_render.hpp"
#include "vigil/app/recording.hpp"

namespace vigil {

int run_replay_batch(const Options& o) {
    bool format_error = false;
    auto opened = RecordReader::open(o.replay_path, &format_error);
    if (!opened) {
        fmt::print(stderr, "vigil: {}\n", opened.error().message);
        return format_error ? kExitUsage : kExitRuntime;
    }
    RecordReader& r = **opened;
    const auto& samples = r.samples();

    // --from and --to count from the recording's first sample.
    const std::int64_t start = samples.empty() ? 0 : samples.front().wall_ns;
    const std::int64_t from = o.from ? resolve_time(*o.from, start) : std::numeric_limits<std::int64_t>::min();
    const std::int64_t to = o.to ? resolve_time(*o.to, start) : std::numeric_limits<std::int64_t>::max();

    std::signal(SIGPIPE, SIG_IGN);
    BatchRenderer renderer(o, o.view);
    ReplayDetails details(r);
    Snapshot prev, cur;
    std::size_t prev_i = std::numeric_limits<std::size_t>::max();
    std::uint32_t rendered_session = std::numeric_limits<std::uint32_t>::max();
    bool warned_sections = false;
    long printed = 0;
    std::size_t reach = 0;  // samples considered: damage past them is not reported
    std::string out;
    for (std::size_t i = 1; i < samples.size(); ++i) {
        const SampleEntry& e = samples[i];
        if (e.wall_ns < from || e.wall_ns > to) continue;
        reach = i + 1;
        // A sample prints with the one before it, as live: the first of a session (and the
        // first after damage) is only the baseline of the next.
        if (samples[i - 1].session != e.session || !samples[i - 1].decodable || !e.decodable)
            continue;
        if (prev_i != i - 1 && !r.read(i - 1, prev)) continue;
        prev_i = std::numeric_limits<std::size_t>::max();
        if (!r.read(i, cur)) continue;
        if (!warned_sections) {
            warned_sections = true;
            for (Section s : o.sections)
                if (s != Section::tasks && !has_section(cur.machine.collected, s))
                    fmt::print(stderr, "vigil: {}: the recording has no {} section\n", o.replay_path,
                               section_name(s));
        }
        if (e.session != rendered_session) {
            renderer.restart();
            rendered_session = e.session;
        }
        out.clear();
        renderer.render(prev, cur, details, out);
        int err = 0;
        switch (write_stdout(out, err)) {
            case WriteStatus::ok:
                break;
            case WriteStatus::closed:
                return kExitOk;
            case WriteStatus::failed:
                fmt::print(stderr, "vigil: cannot write output: {}\n", std::strerror(err));
                return kExitRuntime;
        }
        std::swap(prev, cur);
        prev_i = i;
        if (o.iterations && ++printed >= *o.iterations) break;
    }

    int status = kExitOk;
    if (!o.iterations && !o.to) reach = samples.size();
    for (const RecordDamage& d : r.damage()) {
        if (d.after_sample > reach) continue;
        fmt::print(stderr, "vigil: {}\n", r.describe(d));
        status = std::max(status, d.newer_version ? kExitUsage : kExitDamaged);
    }
    return status;
}

}  // namespace vigil
