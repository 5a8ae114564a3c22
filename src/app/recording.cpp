#include "vigil/app/recording.hpp"

#include <fmt/format.h>

#include <limits>

#include "vigil/app/app.hpp"
#include "vigil/collect/privileges.hpp"

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
    ro.interval_s = o.delay_s;
    bool format_error = false;
    auto w = RecordWriter::open(ro, notices, &format_error);
    if (!w) {
        // What it found before it failed (a damaged tail, say) first, then why it failed.
        for (const std::string& n : notices) fmt::print(stderr, "vigil: {}\n", n);
        notices.clear();
        fmt::print(stderr, "vigil: {}\n", w.error().message);
        status = format_error ? kExitUsage : kExitRuntime;
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

std::unique_ptr<RecordReader> open_replay(const Options& o, int& status) {
    bool format_error = false;
    auto r = RecordReader::open(o.replay_path, &format_error);
    if (!r) {
        fmt::print(stderr, "vigil: {}\n", r.error().message);
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
