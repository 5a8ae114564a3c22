// Retention of rotated recordings (--record-keep, --record-keep-for): only the recording's
// rotated siblings are removed, the oldest first, and never the live file or anything else.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "record_util.hpp"
#include "vigil/record/record_file.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/record_writer.hpp"
#include "vigil/record/retention.hpp"

using namespace vigil;
using vigil::test::files_in;
using vigil::test::TempDir;

namespace {

constexpr std::int64_t kNow = 1'714'532'400'000'000'000;  // 2024-05-01 03:00:00 UTC
constexpr std::int64_t kHour = 3'600'000'000'000;

// A file that starts with a recording's header, last modified at mtime_ns.
void make_recording(const std::string& path, std::int64_t mtime_ns,
                    const std::string& bytes = file_header() + "rest") {
    test::write_file(path, bytes);
    ::chmod(path.c_str(), 0600);
    timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = static_cast<time_t>(mtime_ns / 1'000'000'000);
    ts[0].tv_nsec = ts[1].tv_nsec = static_cast<long>(mtime_ns % 1'000'000'000);
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0);
}

}  // namespace

TEST_CASE("a rotated name is exactly FILE.YYYYMMDD-HHMMSS with an optional -N",
          "[record][retention]") {
    CHECK(is_rotated_name("vigil.rec", "vigil.rec.20240501-030000"));
    CHECK(is_rotated_name("vigil.rec", "vigil.rec.20240501-030000-1"));
    CHECK(is_rotated_name("vigil.rec", "vigil.rec.20240501-030000-12"));
    CHECK(is_rotated_name("a", "a.19991231-235959"));
    for (const char* n :
         {"vigil.rec", "vigil.rec.", "vigil.rec.old", "vigil.rec.20240501",
          "vigil.rec.20240501-03000", "vigil.rec.20240501-0300001", "vigil.rec.20240501-030000-",
          "vigil.rec.20240501-030000-x", "vigil.rec.20240501-030000.gz",
          "vigil.rec.20240501-030000-1.gz", "vigil.rec.2024050a-030000",
          "vigil.rec.20240501_030000", "vigil.rec-20240501-030000", "other.rec.20240501-030000",
          "xvigil.rec.20240501-030000", "vigil.rec.x.20240501-030000"}) {
        INFO(n);
        CHECK_FALSE(is_rotated_name("vigil.rec", n));
    }
    CHECK_FALSE(is_rotated_name("", ".20240501-030000"));
}

TEST_CASE("--record-keep keeps the newest N rotated recordings and nothing else goes",
          "[record][retention]") {
    TempDir dir;
    const std::string live = dir.file("vigil.rec");
    // The live file is older than everything: it is never a candidate.
    make_recording(live, kNow - 100 * kHour);
    // Five rotated files an hour apart, the newest last.
    for (int i = 0; i < 5; ++i)
        make_recording(dir.file("vigil.rec.20240430-2" + std::to_string(i) + "0000"),
                       kNow - (5 - i) * kHour);
    // Two in the same second, told apart by -N (and one with -10: not sorted as text).
    make_recording(dir.file("vigil.rec.20240501-010000-2"), kNow - kHour / 2);
    make_recording(dir.file("vigil.rec.20240501-010000-10"), kNow - kHour / 2);
    // Not ours to remove, all older than any rotated file:
    make_recording(dir.file("vigil.rec.old"), kNow - 200 * kHour);  // not the pattern
    make_recording(dir.file("vigil.rec.20240101-000000.gz"), kNow - 200 * kHour);  // compressed
    make_recording(dir.file("other.rec.20240101-000000"), kNow - 200 * kHour);     // another file's
    make_recording(dir.file("vigil.rec.20240101-000001"), kNow - 200 * kHour,
                   "not a recording");  // the name, not the content
    REQUIRE(::mkdir(dir.file("vigil.rec.20240101-000002").c_str(), 0700) == 0);  // a directory
    // A link with the name, to a recording outside: neither is removed.
    TempDir outside;
    make_recording(outside.file("target"), kNow - 200 * kHour);
    REQUIRE(::symlink(outside.file("target").c_str(),
                      dir.file("vigil.rec.20240101-000003").c_str()) == 0);

    Retention r;
    r.keep_files = 3;
    PruneResult res = prune_rotated(live, r, kNow);
    CHECK(res.failures.empty());
    std::vector<std::string> removed;
    for (const std::string& p : res.removed) removed.push_back(p.substr(dir.path().size() + 1));
    std::sort(removed.begin(), removed.end());
    CHECK(removed ==
          std::vector<std::string>{"vigil.rec.20240430-200000", "vigil.rec.20240430-210000",
                                   "vigil.rec.20240430-220000", "vigil.rec.20240430-230000"});
    CHECK(files_in(dir.path()) ==
          std::vector<std::string>{"other.rec.20240101-000000", "vigil.rec",
                                   "vigil.rec.20240101-000000.gz", "vigil.rec.20240101-000001",
                                   "vigil.rec.20240101-000002", "vigil.rec.20240101-000003",
                                   "vigil.rec.20240430-240000", "vigil.rec.20240501-010000-10",
                                   "vigil.rec.20240501-010000-2", "vigil.rec.old"});
    CHECK(::access(outside.file("target").c_str(), F_OK) == 0);

    // Same modification time: the name decides, -10 after -2.
    r.keep_files = 1;
    res = prune_rotated(live, r, kNow);
    REQUIRE(res.removed.size() == 2);
    CHECK(::access(dir.file("vigil.rec.20240501-010000-10").c_str(), F_OK) == 0);
    CHECK(::access(live.c_str(), F_OK) == 0);
    // Nothing more to do: applying the limits again removes nothing.
    CHECK(prune_rotated(live, r, kNow).removed.empty());
}

TEST_CASE("--record-keep-for removes rotated recordings last written too long ago",
          "[record][retention]") {
    TempDir dir;
    const std::string live = dir.file("r.vgl");
    make_recording(live, kNow - 50 * kHour);
    make_recording(dir.file("r.vgl.20240428-030000"), kNow - 48 * kHour - 1);  // just over 2 d
    make_recording(dir.file("r.vgl.20240429-030000"), kNow - 48 * kHour);      // exactly 2 d
    make_recording(dir.file("r.vgl.20240430-030000"), kNow - 24 * kHour);
    make_recording(dir.file("r.vgl.20240430-030000-1"), kNow + kHour);  // in the future: kept
    Retention r;
    r.keep_for_s = 2 * 86400;
    PruneResult res = prune_rotated(live, r, kNow);
    CHECK(res.failures.empty());
    REQUIRE(res.removed.size() == 1);
    CHECK(res.removed[0] == dir.file("r.vgl.20240428-030000"));
    // With both limits a file goes when it is past either.
    r.keep_files = 1;
    res = prune_rotated(live, r, kNow);
    CHECK(res.removed.size() == 2);
    CHECK(files_in(dir.path()) == std::vector<std::string>{"r.vgl", "r.vgl.20240430-030000-1"});
    // No limit: nothing is even listed.
    CHECK(prune_rotated(live, Retention{}, kNow).removed.empty());
}

TEST_CASE("a recording in a relative path prunes its own directory", "[record][retention]") {
    TempDir dir;
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof cwd));
    REQUIRE(::chdir(dir.path().c_str()) == 0);
    make_recording("x.rec.20240101-000000", kNow - kHour);
    make_recording("x.rec.20240102-000000", kNow);
    Retention r;
    r.keep_files = 1;
    PruneResult res = prune_rotated("x.rec", r, kNow);
    REQUIRE(::chdir(cwd) == 0);
    CHECK(res.removed == std::vector<std::string>{"x.rec.20240101-000000"});
    CHECK(files_in(dir.path()) == std::vector<std::string>{"x.rec.20240102-000000"});
}

TEST_CASE("a rotating writer with --record-keep keeps N rotated files as it goes",
          "[record][retention]") {
    TempDir dir;
    auto snaps = test::synthetic_run(50, 60);
    // Four rotated files of an earlier run, older than this one's: one is removed at the start.
    for (int i = 0; i < 4; ++i)
        make_recording(dir.file("t.rec.20240101-00000" + std::to_string(i)),
                       kNow - (10 - i) * kHour);
    RecordOptions ro;
    ro.path = dir.file("t.rec");
    ro.rotate_s = 5;
    ro.retention.keep_files = 3;
    std::vector<std::string> notices;
    auto w = RecordWriter::open(ro, notices);
    REQUIRE(w);
    CHECK(notices.empty());
    CHECK((*w)->stats().pruned == 1);
    std::size_t most = 0;
    for (const test::Sample& s : snaps) {
        REQUIRE((*w)->write(s.snap, s.details, test::test_user_name));
        most = std::max(most, files_in(dir.path()).size());
        CHECK((*w)->take_notices().empty());
    }
    // 60 samples about a second apart, 5 s a file: 10 or 11 rotations. Of the 4 earlier
    // files and those, 3 are kept.
    const auto rotations = (*w)->stats().rotations;
    CHECK(rotations >= 10);
    CHECK((*w)->stats().pruned == 4 + rotations - 3);
    CHECK(most == 4);  // never more than the live file and three rotated ones
    w->reset();
    auto names = files_in(dir.path());
    REQUIRE(names.size() == 4);
    CHECK(names.front() == "t.rec");
    for (std::size_t i = 1; i < names.size(); ++i)
        CHECK_THAT(names[i], Catch::Matches(R"(t\.rec\.20240501-0300[0-5][0-9](-[0-9]+)?)"));
    // The ones kept are the newest: each replays, the last rotated one up to the live file's start.
    for (const std::string& n : names) {
        auto r = RecordReader::open(dir.file(n));
        REQUIRE(r);
        CHECK((*r)->damage().empty());
        CHECK((*r)->samples().size() >= 5);
    }
}

TEST_CASE("a rotated name goes past every -N of its second, so names keep their time order",
          "[record][retention]") {
    TempDir dir;
    const std::string live = dir.file("v.rec");
    const std::string stamp = "20240501-030000";
    CHECK(next_rotated_name(live, stamp) == live + "." + stamp);
    make_recording(live + "." + stamp, kNow);
    CHECK(next_rotated_name(live, stamp) == live + "." + stamp + "-1");
    make_recording(live + "." + stamp + "-1", kNow);
    make_recording(live + "." + stamp + "-2", kNow);
    // Retention removed the first two: the next is -3, not the free FILE.stamp.
    ::unlink((live + "." + stamp).c_str());
    ::unlink((live + "." + stamp + "-1").c_str());
    CHECK(next_rotated_name(live, stamp) == live + "." + stamp + "-3");
    // -10 after -9 (numbers, not text); another second and other names do not count.
    make_recording(live + "." + stamp + "-9", kNow);
    make_recording(live + "." + stamp + "-10", kNow);
    make_recording(live + ".20240501-030001-40", kNow);
    make_recording(live + "." + stamp + "-77.gz", kNow);
    make_recording(dir.file("w.rec." + stamp + "-50"), kNow);
    CHECK(next_rotated_name(live, stamp) == live + "." + stamp + "-11");
    CHECK(next_rotated_name(live, "20240501-030002") == live + ".20240501-030002");
}
