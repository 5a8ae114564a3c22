// Writes recordings made to hurt a reader, for tests/e2e_recordings.sh (issue 11): each is
// small on disk and would cost a naive reader memory or time out of all proportion.
//
//   hostile_recording amplify PATH TASKS CMDLINE_BYTES
//       three key samples of TASKS tasks, each stored as four bytes that repeat the task
//       before it, the first with a command line of CMDLINE_BYTES bytes, then two normal
//       samples;
//   hostile_recording markers PATH BYTES
//       a real recording, then BYTES of fake frame markers, each claiming a payload that
//       runs to the end of the file (resynchronising candidate by candidate is quadratic);
//   hostile_recording interval PATH SECONDS
//       a session whose interval is SECONDS (inf, 1e7, -1, nan), then samples.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "../record_util.hpp"
#include "src/record/zstd_stream.hpp"
#include "vigil/record/byte_io.hpp"
#include "vigil/record/record_file.hpp"

namespace {

using namespace vigil;

constexpr std::int64_t kStartNs = 1'714'532'400'000'000'000;

std::string sessioned(double interval_s) {
    std::string file = file_header();
    SessionInfo si;
    si.vigil_version = "hostile";
    si.interval_s = interval_s;
    append_frame(file, FrameType::session, 0, encode_session(si));
    return file;
}

void add_key(std::string& file, const std::string& payload, std::int64_t wall_ns) {
    ZstdCompressor z(3);
    z.restart();
    std::string compressed;
    if (!z.flush(payload, compressed)) throw std::runtime_error("zstd failed");
    append_frame(file, FrameType::key, wall_ns, compressed);
}

// n normal key samples of a few tasks, 1 s apart from start_ns.
void add_normal(std::string& file, int n, std::int64_t start_ns) {
    static const std::string kName = "root";
    auto name = [](uid_t) -> const std::string& { return kName; };
    for (int i = 0; i < n; ++i) {
        Snapshot s;
        for (int t = 1; t <= 5; ++t) {
            TaskSample ts;
            ts.tid = ts.tgid = t;
            ts.comm = "task" + std::to_string(t);
            s.tasks.push_back(ts);
        }
        s.steady_s = i;
        std::string payload;
        SampleEncoder().encode(s, nullptr, name, true, payload);
        add_key(file, payload, start_ns + i * 1'000'000'000LL);
    }
}

void write(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + path);
}

int usage() {
    std::fputs(
        "usage: hostile_recording amplify PATH TASKS CMDLINE_BYTES | markers PATH BYTES | "
        "interval PATH SECONDS\n",
        stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) return usage();
    const std::string kind = argv[1], path = argv[2];
    if (kind == "amplify" && argc == 5) {
        // Three samples of it: a replay holds two at once (a rate needs the one before).
        std::string file = sessioned(1);
        const std::string payload = test::amplifying_payload(std::strtoull(argv[3], nullptr, 10),
                                                             std::strtoull(argv[4], nullptr, 10));
        for (int i = 0; i < 3; ++i) add_key(file, payload, kStartNs + i * 1'000'000'000LL);
        add_normal(file, 2, kStartNs + 3'000'000'000LL);
        write(path, file);
    } else if (kind == "markers" && argc == 4) {
        // BYTES of fake frame headers, each claiming a payload that runs exactly to the end
        // of the file (so every claim fits) with a wrong checksum, then real samples.
        std::string frames;
        add_normal(frames, 3, kStartNs);
        const std::string head = sessioned(1);
        const std::size_t fakes = std::strtoull(argv[3], nullptr, 10);
        const std::uint64_t total = head.size() + fakes + frames.size();
        std::string file = head;
        while (file.size() + kFrameHeaderSize <= head.size() + fakes)
            test::append_fake_frame_header(file, total);
        file.resize(head.size() + fakes, '\0');
        file += frames;
        write(path, file);
    } else if (kind == "interval" && argc == 4) {
        std::string file = sessioned(std::strtod(argv[3], nullptr));
        add_normal(file, 4, kStartNs);
        write(path, file);
    } else {
        return usage();
    }
    return 0;
}
