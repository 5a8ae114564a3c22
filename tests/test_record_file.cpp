// Record files: sessions, appending, refusing what is not ours, rotation, and damage: a
// truncated or corrupted file gives back every intact sample and says where it is damaged.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <limits>
#include <optional>
#include <random>
#include <set>

#include "record_util.hpp"
#include "src/record/zstd_stream.hpp"
#include "vigil/core/fd_io.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/record/byte_io.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/record_writer.hpp"

using namespace vigil;
using vigil::test::files_in;
using vigil::test::TempDir;
using vigil::test::tokens_of;

namespace {

std::vector<test::SnapshotTokens> tokens(const std::vector<test::Sample>& samples) {
    std::vector<test::SnapshotTokens> out;
    for (const test::Sample& s : samples) out.push_back(tokens_of(s));
    return out;
}

std::unique_ptr<RecordReader> open_reader(const std::string& path) {
    auto r = RecordReader::open(path);
    if (!r) FAIL(r.error().message);
    return std::move(*r);
}

// Reads every sample; returns how many could be decoded, checking each against want.
std::size_t read_all(RecordReader& r, const std::vector<test::SnapshotTokens>& want,
                     const std::vector<std::size_t>& index_in_want) {
    std::size_t ok = 0;
    for (std::size_t i = 0; i < r.samples().size(); ++i) {
        Snapshot s;
        TaskDetails sd;
        if (!r.read(i, s, sd)) continue;
        ++ok;
        INFO("sample " << i);
        CHECK(tokens_of(s, &sd) == want[index_in_want[i]]);
    }
    return ok;
}

struct Frame {
    std::uint64_t begin, end;
    int sample;  // index among samples, -1 for a session frame
};

// The frames of an intact file, from its index.
std::vector<Frame> frames_of(const std::string& path) {
    auto r = open_reader(path);
    std::vector<Frame> out;
    for (const RecordSession& s : r->sessions()) {
        FrameHeader h;
        std::string bytes = test::read_file(path).substr(s.offset, kFrameHeaderSize);
        REQUIRE(parse_frame_header(bytes, h));
        out.push_back({s.offset, s.offset + kFrameHeaderSize + h.payload_len, -1});
    }
    for (std::size_t i = 0; i < r->samples().size(); ++i) {
        const SampleEntry& e = r->samples()[i];
        out.push_back({e.offset, e.offset + kFrameHeaderSize + e.payload_len, static_cast<int>(i)});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.begin < b.begin; });
    return out;
}

// A recording of the given payloads, each a key sample a second apart: what a writer would
// make of them, but payloads no writer makes.
std::string recording_of(const std::vector<std::string>& payloads) {
    std::string file = file_header();
    SessionInfo si;
    si.vigil_version = "test";
    si.interval_s = 1;
    append_frame(file, FrameType::session, 0, encode_session(si));
    ZstdCompressor z(3);
    std::int64_t wall_ns = 1'714'532'400'000'000'000;
    for (const std::string& p : payloads) {
        z.restart();
        std::string compressed;
        REQUIRE(z.flush(p, compressed));
        append_frame(file, FrameType::key, wall_ns, compressed);
        wall_ns += 1'000'000'000;
    }
    return file;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::uint64_t file_size(const std::string& path) {
    struct stat sb {};
    REQUIRE(::stat(path.c_str(), &sb) == 0);
    return static_cast<std::uint64_t>(sb.st_size);
}

// An empty file of this mode (whatever the umask).
void make_file(const std::string& path, mode_t mode) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    REQUIRE(fd);
    REQUIRE(::fchmod(fd.get(), mode) == 0);
}

}  // namespace

TEST_CASE("pread_exact reads all n bytes at an offset, or says it could not", "[record]") {
    TempDir dir;
    const std::string path = dir.file("bytes");
    test::write_file(path, "0123456789");
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    std::string out = "left over";
    REQUIRE(pread_exact(fd.get(), 3, 4, out));
    CHECK(out == "3456");
    REQUIRE(pread_exact(fd.get(), 0, 0, out));
    CHECK(out.empty());
    CHECK_FALSE(pread_exact(fd.get(), 8, 4, out));  // the file ends first
    CHECK_FALSE(pread_exact(-1, 0, 1, out));
    CHECK(errno == EBADF);
}

TEST_CASE("a recording reads back exactly, with its session and user names", "[record]") {
    TempDir dir;
    auto snaps = test::synthetic_run(300, 20);
    const std::string path = dir.file("a.rec");
    test::record_all(path, snaps);
    struct stat sb {};
    REQUIRE(::stat(path.c_str(), &sb) == 0);
    CHECK((sb.st_mode & 0777) == 0600);  // command lines can hold secrets

    auto r = open_reader(path);
    REQUIRE(r->samples().size() == snaps.size());
    REQUIRE(r->sessions().size() == 1);
    CHECK(r->sessions()[0].info.host == "testhost");
    CHECK(r->sessions()[0].info.kernel == "6.1.0-test");
    CHECK(r->damage().empty());
    CHECK(r->samples()[0].key);
    CHECK(r->samples()[4].key);  // key_interval 3.5 s at 1 s per sample
    CHECK_FALSE(r->samples()[5].key);
    std::vector<std::size_t> idx(snaps.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    CHECK(read_all(*r, tokens(snaps), idx) == snaps.size());
    CHECK(r->users().at(1000) == "alice");
    // Random access: backwards, then a jump into the middle of a delta chain.
    Snapshot s;
    TaskDetails sd;
    REQUIRE(r->read(13, s, sd));
    CHECK(tokens_of(s, &sd) == tokens_of(snaps[13]));
    REQUIRE(r->read(2, s, sd));
    CHECK(tokens_of(s, &sd) == tokens_of(snaps[2]));
    REQUIRE(r->read(19, s, sd));
    CHECK(tokens_of(s, &sd) == tokens_of(snaps[19]));
}

TEST_CASE("opening an existing recording appends a session, never overwrites", "[record]") {
    TempDir dir;
    const std::string path = dir.file("a.rec");
    auto first = test::synthetic_run(50, 6, 1);
    auto second = test::synthetic_run(60, 5, 2);
    test::record_all(path, first);
    const std::string before = test::read_file(path);
    test::record_all(path, second);
    CHECK(test::read_file(path).substr(0, before.size()) == before);

    auto r = open_reader(path);
    REQUIRE(r->sessions().size() == 2);
    REQUIRE(r->samples().size() == 11);
    CHECK(r->samples()[6].key);
    CHECK(r->samples()[6].session == 1);
    auto want = tokens(first);
    for (auto& t : tokens(second)) want.push_back(t);
    std::vector<std::size_t> idx(11);
    for (std::size_t i = 0; i < 11; ++i) idx[i] = i;
    CHECK(read_all(*r, want, idx) == 11);
}

TEST_CASE("a second writer cannot interleave with the first", "[record]") {
    TempDir dir;
    RecordOptions ro;
    ro.path = dir.file("a.rec");
    std::vector<std::string> notices;
    auto a = RecordWriter::open(ro, notices);
    REQUIRE(a);
    auto b = RecordWriter::open(ro, notices);
    REQUIRE_FALSE(b);
    CHECK(b.error().message.find("another vigil") != std::string::npos);
}

TEST_CASE("files that are not ours are refused, untouched", "[record]") {
    TempDir dir;
    const std::string other = dir.file("notes.txt");
    test::write_file(other, "my precious notes\n");
    RecordOptions ro;
    ro.path = other;
    std::vector<std::string> notices;
    bool format_error = false;
    auto w = RecordWriter::open(ro, notices, &format_error);
    REQUIRE_FALSE(w);
    CHECK(format_error);
    CHECK(w.error().message.find("not a vigil recording") != std::string::npos);
    CHECK(test::read_file(other) == "my precious notes\n");
    auto r = RecordReader::open(other, &format_error);
    REQUIRE_FALSE(r);
    CHECK(format_error);

    // A newer format: named as such, by both.
    std::string header(kRecordMagic);
    ByteWriter hw(header);
    hw.u32(kRecordFormatVersion + 1);
    hw.u32(0);
    const std::string newer = dir.file("newer.rec");
    test::write_file(newer, header);
    ro.path = newer;
    w = RecordWriter::open(ro, notices, &format_error);
    REQUIRE_FALSE(w);
    CHECK(format_error);
    CHECK(w.error().message.find("newer vigil") != std::string::npos);
    r = RecordReader::open(newer, &format_error);
    REQUIRE_FALSE(r);
    CHECK(format_error);
    CHECK(r.error().message.find("newer vigil") != std::string::npos);
    CHECK(test::read_file(newer) == header);

    r = RecordReader::open(dir.file("missing.rec"), &format_error);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("cannot open") != std::string::npos);
}

TEST_CASE("a session from a newer vigil is skipped and named", "[record]") {
    TempDir dir;
    const std::string path = dir.file("a.rec");
    auto snaps = test::synthetic_run(30, 4);
    test::record_all(path, snaps);
    // A newer vigil appended a session whose samples this one cannot read.
    std::string more;
    SessionInfo future;
    future.format_version = kRecordFormatVersion + 1;
    append_frame(more, FrameType::session, 0, encode_session(future));
    append_frame(more, FrameType::key, 0, "whatever the future holds");
    append_frame(more, static_cast<FrameType>(9), 0, "a frame type from the future");
    test::write_file(path, test::read_file(path) + more);
    test::record_all(path, snaps);  // and this vigil appended again

    auto r = open_reader(path);
    REQUIRE(r->samples().size() == 9);
    REQUIRE(r->damage().size() == 1);
    CHECK(r->damage()[0].newer_version);
    CHECK(r->describe(r->damage()[0]).find("newer vigil") != std::string::npos);
    CHECK_FALSE(r->samples()[4].decodable);
    std::vector<std::size_t> idx{0, 1, 2, 3, 0, 0, 1, 2, 3};
    CHECK(read_all(*r, tokens(snaps), idx) == 8);
}

TEST_CASE("truncated at every byte: every whole sample is read back", "[record][damage]") {
    TempDir dir;
    // Seven samples, key samples at 0, 3 and 6: a session frame, keys, deltas after them.
    // Every cut decodes every whole sample, so the cost grows with bytes x samples (about
    // 20 s in an ASan debug build at this size).
    auto snaps = test::synthetic_run(12, 7, 3, 2);
    const std::string path = dir.file("a.rec");
    test::record_all(path, snaps, 2.5);
    const std::string whole = test::read_file(path);
    const auto frames = frames_of(path);
    const auto want = tokens(snaps);
    std::vector<std::size_t> idx(snaps.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    INFO("recording of " << whole.size() << " bytes");

    const std::string cut = dir.file("cut.rec");
    for (std::size_t len = 0; len <= whole.size(); ++len) {
        test::write_file(cut, whole.substr(0, len));
        bool format_error = false;
        auto r = RecordReader::open(cut, &format_error);
        if (len < kFileHeaderSize) {
            CHECK_FALSE(r);
            CHECK(format_error);
            continue;
        }
        REQUIRE(r);
        std::size_t whole_samples = 0;
        bool boundary = len == kFileHeaderSize;
        for (const Frame& f : frames) {
            if (f.end <= len && f.sample >= 0) ++whole_samples;
            if (f.end == len) boundary = true;
        }
        INFO("cut at " << len);
        CHECK((*r)->samples().size() == whole_samples);
        CHECK(read_all(**r, want, idx) == whole_samples);
        if (boundary) {
            CHECK((*r)->damage().empty());
        } else {
            REQUIRE((*r)->damage().size() == 1);
            const std::string line = (*r)->describe((*r)->damage()[0]);
            CHECK(line.find("ends inside a frame") != std::string::npos);
            CHECK(line.find("byte ") != std::string::npos);
        }
    }
}

TEST_CASE("random corruption: no crash, every intact sample recovered", "[record][damage]") {
    TempDir dir;
    auto snaps = test::synthetic_run(40, 24, 5, 4);
    const std::string path = dir.file("a.rec");
    test::record_all(path, snaps, 4.5);
    test::record_all(path, snaps, 4.5);  // two sessions
    const std::string whole = test::read_file(path);
    const auto frames = frames_of(path);
    auto intact = open_reader(path);
    const std::size_t nsamples = intact->samples().size();
    std::vector<std::size_t> key_of(nsamples), idx(nsamples);
    for (std::size_t i = 0; i < nsamples; ++i) {
        key_of[i] = intact->samples()[i].key_sample;
        idx[i] = i % snaps.size();
    }
    const auto want = tokens(snaps);

    std::mt19937_64 rng(42);
    const std::string bad = dir.file("bad.rec");
    for (int trial = 0; trial < 300; ++trial) {
        std::string bytes = whole;
        std::set<std::uint64_t> hit;
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) {
            const std::uint64_t at = kFileHeaderSize + rng() % (bytes.size() - kFileHeaderSize);
            bytes[at] = static_cast<char>(bytes[at] ^ (1 + rng() % 255));
            hit.insert(at);
        }
        test::write_file(bad, bytes);
        auto r = open_reader(bad);
        // A sample survives when its frame and every frame of its chain since the key are
        // untouched (sessions frames do not matter: the file header vouches for them).
        std::vector<bool> lost(nsamples, false);
        std::size_t lost_frames = 0;
        for (const Frame& f : frames) {
            auto it = hit.lower_bound(f.begin);
            const bool damaged = it != hit.end() && *it < f.end;
            if (damaged && f.sample >= 0) {
                lost[static_cast<std::size_t>(f.sample)] = true;
                ++lost_frames;
            }
        }
        std::size_t expect = 0;
        for (std::size_t i = 0; i < nsamples; ++i) {
            bool ok = !lost[i];
            for (std::size_t j = key_of[i]; ok && j <= i; ++j) ok = !lost[j];
            expect += ok;
        }
        INFO("trial " << trial);
        CHECK(r->samples().size() == nsamples - lost_frames);
        // Map the damaged file's samples back to the intact file's by offset.
        std::vector<std::size_t> map;
        for (const SampleEntry& e : r->samples()) {
            std::size_t k = 0;
            while (k < nsamples && intact->samples()[k].offset != e.offset) ++k;
            REQUIRE(k < nsamples);
            map.push_back(idx[k]);
        }
        CHECK(read_all(*r, want, map) == expect);
        CHECK_FALSE(r->damage().empty());
    }
}

TEST_CASE("rotation by size and by time names files by their first sample", "[record]") {
    TempDir dir;
    auto snaps = test::synthetic_run(200, 60);
    // The limit comes from the size of the same samples unrotated, so the test does not
    // depend on how well they compress: a third of it must give at least three files.
    test::record_all(dir.file("whole"), snaps, 1e9);
    const std::uint64_t whole = test::read_file(dir.file("whole")).size();
    ::unlink(dir.file("whole").c_str());
    RecordOptions ro;
    ro.path = dir.file("vigil.rec");
    ro.max_bytes = whole / 3;
    ro.key_interval_s = 1e9;
    std::vector<std::string> notices;
    {
        auto w = RecordWriter::open(ro, notices);
        REQUIRE(w);
        for (const test::Sample& s : snaps)
            REQUIRE((*w)->write(s.snap, s.details, test::test_user_name));
        CHECK((*w)->stats().rotations >= 2);
    }
    auto names = files_in(dir.path());
    REQUIRE(names.size() >= 3);
    // In time order: the rotated files by name (their first sample's time), then the live one.
    std::rotate(names.begin(), names.begin() + 1, names.end());
    const auto want = tokens(snaps);
    std::vector<test::SnapshotTokens> shown;
    std::optional<test::SnapshotTokens> last;
    for (const std::string& n : names) {
        INFO(n);
        CHECK(n.rfind("vigil.rec", 0) == 0);
        // FILE.YYYYMMDD-HHMMSS, with -N when two files start in the same second (a file's
        // baseline and the next file's can: samples are 1 s apart, give or take 2 ms).
        if (n != "vigil.rec")
            CHECK_THAT(n, Catch::Matches(R"(vigil\.rec\.20240501-0300[0-5][0-9](-[0-9]+)?)"));
        struct stat sb {};
        REQUIRE(::stat(dir.file(n).c_str(), &sb) == 0);
        CHECK(static_cast<std::uint64_t>(sb.st_size) <= ro.max_bytes);
        auto r = open_reader(dir.file(n));
        REQUIRE(r->samples().size() >= 2);  // every file shows a sample on its own
        CHECK(r->samples()[0].key);         // and stands alone
        CHECK(r->damage().empty());
        for (std::size_t i = 0; i < r->samples().size(); ++i) {
            Snapshot s;
            TaskDetails sd;
            REQUIRE(r->read(i, s, sd));
            auto t = tokens_of(s, &sd);
            // A later file starts with the last sample of the one before: its baseline.
            if (i == 0 && last)
                CHECK(t == *last);
            else
                shown.push_back(t);
            last = t;
        }
    }
    CHECK(shown == want);  // in turn, the files hold every sample once

    TempDir dir2;
    ro.path = dir2.file("t.rec");
    ro.max_bytes = 0;
    ro.rotate_s = 5;
    {
        auto w = RecordWriter::open(ro, notices);
        REQUIRE(w);
        for (const test::Sample& s : snaps)
            REQUIRE((*w)->write(s.snap, s.details, test::test_user_name));
    }
    names = files_in(dir2.path());
    CHECK(names.size() == 12);  // 60 samples, 5 s each file
}

TEST_CASE("appending after an interrupted write says so, and both runs read back",
          "[record][damage]") {
    TempDir dir;
    const std::string path = dir.file("a.rec");
    auto snaps = test::synthetic_run(30, 6);
    test::record_all(path, snaps);
    std::string bytes = test::read_file(path);
    bytes.resize(bytes.size() - 7);  // the last frame was being written
    test::write_file(path, bytes);

    RecordOptions ro;
    ro.path = path;
    std::vector<std::string> notices;
    {
        auto w = RecordWriter::open(ro, notices);
        REQUIRE(w);
        for (const test::Sample& s : snaps)
            REQUIRE((*w)->write(s.snap, s.details, test::test_user_name));
    }
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].find("interrupted") != std::string::npos);
    auto r = open_reader(path);
    CHECK(r->samples().size() == 11);
    REQUIRE(r->damage().size() == 1);
    CHECK(r->describe(r->damage()[0]).find("after sample 5") != std::string::npos);
    std::vector<std::size_t> idx{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5};
    CHECK(read_all(*r, tokens(snaps), idx) == 11);
}

TEST_CASE("a sample that would decode past the memory bound is damage, not an allocation",
          "[record][damage]") {
    TempDir dir;
    auto snaps = test::synthetic_run(20, 2);
    std::string normal;
    SampleEncoder().encode(snaps[0].snap, &snaps[0].details, test::test_user_name, true, normal);
    // The first sample is 8192 copies of a 1 MiB command line (64 MiB cut to 4 KiB each) in
    // a frame of a few hundred bytes.
    const std::string amplifying = test::amplifying_payload(8192, 1 << 20);
    CHECK(recording_of({amplifying}).size() < 512);
    const std::string file = recording_of({amplifying, normal, normal});
    const std::string path = dir.file("amplifying.rec");
    test::write_file(path, file);
    auto r = RecordReader::open(path, nullptr, std::size_t{16} << 20);
    REQUIRE(r);
    REQUIRE((*r)->samples().size() == 3);
    Snapshot s;
    TaskDetails d;
    CHECK_FALSE((*r)->read(0, s, d));
    REQUIRE((*r)->read(2, s, d));
    CHECK(test::tokens_of(s, &d) == tokens_of(snaps[0]));
    REQUIRE((*r)->damage().size() == 1);
    const std::string line = (*r)->describe((*r)->damage()[0]);
    CHECK_THAT(line, Catch::Contains("sample 1 cannot be decoded") &&
                         Catch::Contains("more than 16 MiB of memory"));
}

TEST_CASE("finding intact frames after damage is linear in the file's size", "[record][damage]") {
    TempDir dir;
    auto snaps = test::synthetic_run(30, 4);
    const std::string path = dir.file("a.rec");
    test::record_all(path, snaps);
    const std::string intact = test::read_file(path);
    const std::string frames = intact.substr(kFileHeaderSize);

    // 1 MiB of fake frame headers every 24 bytes, each claiming a payload that runs to the
    // end of the file and none with a right checksum; then 256 KiB of the same after every
    // intact (empty) frame; then the recording, every frame of which must be found again.
    // Reading and summing what each marker claimed took 72 s for the first part alone.
    const std::size_t fakes = 1 << 20, alternating = 1 << 18;
    const std::uint64_t total = kFileHeaderSize + fakes + alternating + frames.size();
    std::string bad = intact.substr(0, kFileHeaderSize);
    auto fake_header = [&] { test::append_fake_frame_header(bad, total); };
    while (bad.size() + kFrameHeaderSize <= kFileHeaderSize + fakes) fake_header();
    bad.resize(kFileHeaderSize + fakes, '\0');
    std::size_t empty_frames = 0;
    while (bad.size() + 2 * kFrameHeaderSize <= kFileHeaderSize + fakes + alternating) {
        append_frame(bad, FrameType::delta, 0, "");
        ++empty_frames;
        fake_header();
    }
    bad.resize(kFileHeaderSize + fakes + alternating, '\0');
    bad += frames;
    REQUIRE(bad.size() == total);
    const std::string bad_path = dir.file("bad.rec");
    test::write_file(bad_path, bad);

    const auto t0 = std::chrono::steady_clock::now();
    auto r = open_reader(bad_path);
    const double took = seconds_since(t0);
    INFO("opened in " << took << " s");
    CHECK(took < 1.0);
    REQUIRE(r->samples().size() == empty_frames + snaps.size());
    REQUIRE(r->damage().size() == empty_frames + 1);
    CHECK(r->damage()[0].offset == kFileHeaderSize);
    CHECK(r->damage()[0].resume == kFileHeaderSize + fakes);
    CHECK(r->damage().back().resume == kFileHeaderSize + fakes + alternating);
    std::vector<std::size_t> idx(r->samples().size(), 0);
    for (std::size_t i = 0; i < snaps.size(); ++i) idx[empty_frames + i] = i;
    CHECK(read_all(*r, tokens(snaps), idx) == snaps.size());
}

TEST_CASE("a session naming an impossible interval is damage; its samples are kept",
          "[record][damage]") {
    const double impossible[] = {std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 -1.0,
                                 0.0,
                                 0.001,
                                 1e7};
    auto snaps = test::synthetic_run(20, 3);
    for (double interval : impossible) {
        INFO("interval " << interval);
        TempDir dir;
        RecordOptions ro;
        ro.path = dir.file("a.rec");
        ro.interval_s = interval;
        std::vector<std::string> notices;
        {
            auto w = RecordWriter::open(ro, notices);
            REQUIRE(w);
            for (const test::Sample& s : snaps)
                REQUIRE((*w)->write(s.snap, s.details, test::test_user_name));
        }
        auto r = open_reader(ro.path);
        REQUIRE(r->sessions().size() == 1);
        CHECK(r->sessions()[0].info.interval_s == 0);  // unknown
        REQUIRE(r->damage().size() == 1);
        CHECK_THAT(r->describe(r->damage()[0]), Catch::Contains("impossible interval"));
        std::vector<std::size_t> idx{0, 1, 2};
        CHECK(read_all(*r, tokens(snaps), idx) == 3);
    }
    CHECK_FALSE(valid_interval(0.0099));
    CHECK(valid_interval(0.01));
    CHECK(valid_interval(86400));
    CHECK_FALSE(valid_interval(86400.5));
}

TEST_CASE("a recording truncated while it is written starts again, and says so", "[record]") {
    TempDir dir;
    auto snaps = test::synthetic_run(30, 8);
    RecordOptions ro;
    ro.path = dir.file("a.rec");
    ro.key_interval_s = 1e9;  // deltas after the first sample, unless the writer restarts
    std::vector<std::string> notices;
    auto opened = RecordWriter::open(ro, notices);
    REQUIRE(opened);
    RecordWriter& w = **opened;
    auto write = [&](std::size_t i) {
        REQUIRE(w.write(snaps[i].snap, snaps[i].details, test::test_user_name));
    };
    for (std::size_t i = 0; i < 3; ++i) write(i);
    CHECK(w.take_notices().empty());

    // `: > FILE`: the next samples start a new file (header, session, key).
    REQUIRE(::truncate(ro.path.c_str(), 0) == 0);
    for (std::size_t i = 3; i < 6; ++i) write(i);
    std::vector<std::string> told = w.take_notices();
    REQUIRE(told.size() == 1);
    CHECK_THAT(told[0], Catch::Contains(ro.path) && Catch::Contains("truncated"));
    CHECK(told[0].find('\n') == std::string::npos);
    CHECK(w.take_notices().empty());
    w.sync();
    {
        auto r = open_reader(ro.path);
        CHECK(r->damage().empty());
        REQUIRE(r->samples().size() == 3);
        CHECK(r->samples()[0].key);
        std::vector<std::size_t> idx{3, 4, 5};
        CHECK(read_all(*r, tokens(snaps), idx) == 3);
    }

    // Cut inside a frame (truncate -s): what is left stays, a new session follows it.
    REQUIRE(::truncate(ro.path.c_str(), static_cast<off_t>(file_size(ro.path) - 5)) == 0);
    for (std::size_t i = 6; i < 8; ++i) write(i);
    told = w.take_notices();
    REQUIRE(told.size() == 1);
    CHECK_THAT(told[0], Catch::Contains("cut to"));
    w.sync();
    auto r = open_reader(ro.path);
    REQUIRE(r->samples().size() == 4);  // 3 and 4; 5 was cut; 6 (a key) and 7
    CHECK(r->samples()[2].key);
    CHECK(r->damage().size() == 1);
    std::vector<std::size_t> idx{3, 4, 6, 7};
    CHECK(read_all(*r, tokens(snaps), idx) == 4);
}

TEST_CASE("--record writes only a regular file of its own that others cannot read", "[record]") {
    TempDir dir;
    RecordOptions ro;
    std::vector<std::string> notices;
    auto refused = [&](const std::string& path, const std::string& why) {
        ro.path = path;
        bool format_error = false;
        auto w = RecordWriter::open(ro, notices, &format_error);
        INFO(path);
        REQUIRE_FALSE(w);
        CHECK(format_error);  // exit status 2: not a file vigil may record to
        CHECK_THAT(w.error().message, Catch::Contains("'" + path + "'") && Catch::Contains(why));
        CHECK(w.error().message.find('\n') == std::string::npos);
    };

    SECTION("a symbolic link, to nothing yet or to a recording: nothing created or touched") {
        REQUIRE(::mkdir(dir.file("private").c_str(), 0700) == 0);
        const std::string target = dir.file("private/planted.rec");
        REQUIRE(::symlink(target.c_str(), dir.file("link.rec").c_str()) == 0);
        refused(dir.file("link.rec"), "symbolic link");
        struct stat sb {};
        CHECK(::lstat(target.c_str(), &sb) != 0);
        test::record_all(dir.file("mine.rec"), test::synthetic_run(10, 2));
        const std::string before = test::read_file(dir.file("mine.rec"));
        REQUIRE(::symlink(dir.file("mine.rec").c_str(), dir.file("mine-link.rec").c_str()) == 0);
        refused(dir.file("mine-link.rec"), "symbolic link");
        CHECK(test::read_file(dir.file("mine.rec")) == before);
    }
    SECTION("a FIFO or a device: refused at once") {
        REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
        const auto t0 = std::chrono::steady_clock::now();
        refused(dir.file("fifo"), "is a FIFO");
        CHECK(seconds_since(t0) < 1.0);
        refused("/dev/null", "is a character device");
        refused(dir.path(), "is a directory");
    }
    SECTION("a file other users may read or write: refused, left empty") {
        for (mode_t mode : {0666, 0640, 0604, 0620}) {
            const std::string path = dir.file("shared-" + std::to_string(mode));
            make_file(path, mode);
            char octal[8];
            std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
            refused(path, std::string("mode ") + octal);
            CHECK(file_size(path) == 0);
        }
        // An empty file of this user's, 0600: becomes the recording.
        make_file(dir.file("own"), 0600);
        ro.path = dir.file("own");
        auto w = RecordWriter::open(ro, notices);
        REQUIRE(w);
        w->reset();
        CHECK(open_reader(dir.file("own"))->sessions().size() == 1);
    }
    SECTION("a file of another user: refused, left empty") {
        if (::geteuid() != 0) {
            WARN("not root: cannot give a file to another user; the case is not tested");
            return;
        }
        const std::string path = dir.file("theirs");
        make_file(path, 0600);
        REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);  // nobody
        refused(path, "another user (uid 65534)");
        CHECK(file_size(path) == 0);
    }
}

TEST_CASE("--replay reads regular files only: links to one are followed, FIFOs never waited on",
          "[record]") {
    TempDir dir;
    auto snaps = test::synthetic_run(10, 3);
    const std::string rec = dir.file("a.rec");
    test::record_all(rec, snaps);
    REQUIRE(::symlink(rec.c_str(), dir.file("link.rec").c_str()) == 0);
    CHECK(open_reader(dir.file("link.rec"))->samples().size() == 3);

    auto refused = [&](const std::string& path, const std::string& why) {
        bool format_error = false;
        auto r = RecordReader::open(path, &format_error);
        INFO(path);
        REQUIRE_FALSE(r);
        CHECK(format_error);
        CHECK_THAT(r.error().message, Catch::Contains("'" + path + "'") && Catch::Contains(why));
    };
    // A FIFO with no writer: opening it to read would wait for ever. Run aside; if it waits,
    // open the other end so the test fails instead of hanging.
    const std::string fifo = dir.file("fifo");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto opened = std::async(std::launch::async, [&] {
        bool format_error = false;
        auto r = RecordReader::open(fifo, &format_error);
        return std::make_pair(r.ok() ? std::string() : r.error().message, format_error);
    });
    if (opened.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
        UniqueFd writer(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
        opened.wait();
        FAIL("opening a FIFO to replay it waited for a writer");
    }
    const auto [error, format_error] = opened.get();
    CHECK(format_error);
    CHECK_THAT(error, Catch::Contains("is a FIFO"));

    REQUIRE(::symlink(fifo.c_str(), dir.file("fifo-link").c_str()) == 0);
    refused(dir.file("fifo-link"), "it links to '" + fifo + "', which is a FIFO");
    REQUIRE(::symlink("/dev/null", dir.file("null-link").c_str()) == 0);
    refused(dir.file("null-link"), "a character device");
    refused(dir.path(), "is a directory");
    refused(dir.file("missing.rec"), "No such file");
}
