// record_size: what a recording costs. Records synthetic samples of a machine with many
// threads (tests/synthetic_machine.hpp: most idle, a few dozen doing I/O, threads and
// processes starting and ending every second, details for the rows a view shows) through
// the real RecordWriter, then reads them back. Prints bytes per sample (key and delta
// samples apart), the projected size of a day at that interval, the CPU time to encode and
// to decode a sample, and what fdatasync costs per frame in the recording's directory.
//
//   record_size [--tasks N] [--busy N] [--samples N] [--interval S] [--key S] [--level L]
//               [--dir DIR]
//
// --busy: threads doing I/O in an average second (default 30).
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/synthetic_machine.hpp"
#include "bench_clock.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/record_writer.hpp"

using namespace vigil;
using bench::thread_cpu_ms;
using bench::wall_ms;

namespace {

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: record_size [--tasks N] [--busy N] [--samples N] [--interval S] "
                 "[--key S] [--level L] [--dir DIR]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t tasks = 10'000, samples = 1800, busy = 30;
    double interval = 1.0;
    RecordOptions ro;
    std::string dir = "/var/tmp";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) usage();
            return std::string(argv[++i]);
        };
        if (a == "--tasks")
            tasks = std::strtoul(value().c_str(), nullptr, 10);
        else if (a == "--busy")
            busy = std::strtoul(value().c_str(), nullptr, 10);
        else if (a == "--samples")
            samples = std::strtoul(value().c_str(), nullptr, 10);
        else if (a == "--interval")
            interval = std::atof(value().c_str());
        else if (a == "--key")
            ro.key_interval_s = std::atof(value().c_str());
        else if (a == "--level")
            ro.zstd_level = std::atoi(value().c_str());
        else if (a == "--dir")
            dir = value();
        else
            usage();
    }
    if (tasks == 0 || samples < 2 || interval <= 0) usage();

    ro.path = dir + "/vigil-record-size." + std::to_string(::getpid()) + ".rec";
    ro.interval_s = interval;
    ro.sync_interval_s = 1e9;  // fdatasync is timed on its own below
    std::vector<std::string> notices;
    auto opened = RecordWriter::open(ro, notices);
    if (!opened) {
        std::fprintf(stderr, "record_size: %s\n", opened.error().message.c_str());
        return 1;
    }
    RecordWriter& w = **opened;
    test::SyntheticMachine machine(tasks, 1, busy);
    const std::string user = "user";
    UserNameFn names = [&](uid_t) -> const std::string& { return user; };

    double encode_ms = 0;
    std::uint64_t before = w.stats().bytes, key_bytes = 0, delta_bytes = 0, keys = 0;
    for (std::size_t s = 0; s < samples; ++s) {
        if (s) machine.advance(interval);
        const std::uint64_t k0 = w.stats().key_samples;
        const double t0 = thread_cpu_ms();
        auto ok = w.write(machine.snapshot(), machine.details(), names);
        encode_ms += thread_cpu_ms() - t0;
        if (!ok) {
            std::fprintf(stderr, "record_size: %s\n", ok.error().message.c_str());
            return 1;
        }
        const std::uint64_t frame = w.stats().bytes - before;
        before = w.stats().bytes;
        if (w.stats().key_samples != k0) {
            key_bytes += frame;
            ++keys;
        } else {
            delta_bytes += frame;
        }
    }
    w.sync();
    const double bytes_per_sample =
        static_cast<double>(key_bytes + delta_bytes) / static_cast<double>(samples);
    const double raw_per_sample =
        static_cast<double>(w.stats().raw_bytes) / static_cast<double>(samples);

    // Read it all back, as -b --replay does.
    auto reader = RecordReader::open(ro.path);
    if (!reader) {
        std::fprintf(stderr, "record_size: %s\n", reader.error().message.c_str());
        return 1;
    }
    Snapshot snap;
    TaskDetails details;
    const double t0 = thread_cpu_ms();
    std::size_t decoded = 0;
    for (std::size_t i = 0; i < (*reader)->samples().size(); ++i)
        decoded += (*reader)->read(i, snap, details);
    const double decode_ms = thread_cpu_ms() - t0;
    const bool same = snap.tasks.size() == machine.snapshot().tasks.size() &&
                      snap.wall_ns == machine.snapshot().wall_ns;

    // fdatasync after one frame-sized append, as the writer does at most once a second.
    std::vector<double> sync_ms;
    {
        const std::string frame(static_cast<std::size_t>(bytes_per_sample), 'x');
        const std::string p = ro.path + ".sync";
        FILE* f = std::fopen(p.c_str(), "w");
        for (int k = 0; f && k < 50; ++k) {
            std::fwrite(frame.data(), 1, frame.size(), f);
            std::fflush(f);
            const double s0 = wall_ms();
            ::fdatasync(::fileno(f));
            sync_ms.push_back(wall_ms() - s0);
        }
        if (f) std::fclose(f);
        ::unlink(p.c_str());
    }
    std::sort(sync_ms.begin(), sync_ms.end());
    ::unlink(ro.path.c_str());

    const double per_day = 86400.0 / interval;
    std::printf(
        "record_size: %zu tasks (%zu doing I/O a second), %zu samples every %g s, key "
        "every %g s, zstd level %d\n",
        tasks, busy, samples, interval, ro.key_interval_s, ro.zstd_level);
    std::printf(
        "  bytes per sample   %.0f  (key samples %llu x %.0f, delta samples %.0f; "
        "uncompressed %.0f)\n",
        bytes_per_sample, static_cast<unsigned long long>(keys),
        keys ? static_cast<double>(key_bytes) / static_cast<double>(keys) : 0.0,
        static_cast<double>(delta_bytes) / static_cast<double>(samples - keys), raw_per_sample);
    std::printf("  projected day      %.1f MiB  (%.0f samples)\n",
                bytes_per_sample * per_day / (1024.0 * 1024.0), per_day);
    std::printf("  encode+compress    %.2f ms CPU per sample\n",
                encode_ms / static_cast<double>(samples));
    std::printf("  read+decode        %.2f ms CPU per sample (%zu of %zu decoded%s)\n",
                decode_ms / static_cast<double>(samples), decoded, samples,
                same ? "" : ", LAST DIFFERS");
    if (!sync_ms.empty())
        std::printf("  fdatasync in %s  median %.2f ms, max %.2f ms\n", dir.c_str(),
                    sync_ms[sync_ms.size() / 2], sync_ms.back());
    return decoded == samples && same ? 0 : 1;
}
