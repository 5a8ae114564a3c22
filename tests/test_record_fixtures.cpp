// Committed recordings under tests/fixtures/record: files written by an earlier build must
// keep reading back exactly (the format cannot change silently), and they are the seed
// corpus of the record fuzz target, so they stay small (under the fuzzer's 8 KiB inputs).
// VIGIL_UPDATE_GOLDEN=1 rewrites them; that is only right after a deliberate format change,
// which must also bump kRecordFormatVersion.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>

#include "record_util.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/sample_codec.hpp"

using namespace vigil;

namespace {

std::string fixture(const std::string& name) {
    return std::string(VIGIL_FIXTURES) + "/record/" + name;
}

struct Case {
    const char* name;
    std::vector<std::vector<test::Sample>> sessions;
    // The record format the file was written in: a build rewrites (VIGIL_UPDATE_GOLDEN) only
    // the files of its own format; older ones stay as an older vigil wrote them.
    std::uint32_t format;
};

std::vector<Case> cases() {
    return {
        {"one-session.vgl", {test::synthetic_run(12, 5, 3, 3)}, 1},
        {"two-sessions.vgl",
         {test::synthetic_run(10, 3, 4, 2), test::synthetic_run(6, 3, 5, 1)},
         1},
        {"format2.vgl", {test::synthetic_run(12, 5, 3, 3)}, 2},
        {"format3.vgl", {test::synthetic_run(12, 5, 3, 3)}, 3},
        {"format4.vgl", {test::synthetic_run(12, 5, 3, 3)}, 4},
        {"format5.vgl", {test::synthetic_run(12, 5, 3, 3)}, 5},
    };
}

// What a recording of the given format holds of a sample: format 1 had no task activity,
// formats 1 and 2 no priority, memory or MemTotal, formats before 4 no cgroups.
test::SnapshotTokens as_recorded(test::Sample s, std::uint32_t format) {
    if (format < 4) {
        s.snap.machine.cgroups.clear();
        s.snap.machine.cgroup_root.clear();
    }
    if (format < 5)
        for (CgroupSample& g : s.snap.machine.cgroups) g.runtime_name.clear();
    if (format < 2)
        for (TaskSample& t : s.snap.tasks) t.activity.reset();
    if (format < 3) {
        for (TaskSample& t : s.snap.tasks) t.priority.reset();
        s.snap.mem_total_kib.reset();
        for (std::size_t i = 0; i < s.snap.tasks.size(); ++i) {
            if (!s.details.find(i)) continue;
            TaskDetail& d = s.details.set(i);
            d.memory.reset();
            d.swap_bytes.reset();
        }
    }
    return test::tokens_of(s);
}

}  // namespace

TEST_CASE("committed recordings read back exactly", "[record][golden]") {
    for (const Case& c : cases()) {
        INFO(c.name);
        const std::string path = fixture(c.name);
        if (std::getenv("VIGIL_UPDATE_GOLDEN") && c.format == kRecordFormatVersion) {
            ::unlink(path.c_str());
            for (const auto& snaps : c.sessions) test::record_all(path, snaps, 2.5);
        }
        auto r = RecordReader::open(path);
        REQUIRE(r);
        RecordReader& rr = **r;
        CHECK(rr.file_size() < 8192);
        CHECK(rr.damage().empty());
        REQUIRE(rr.sessions().size() == c.sessions.size());
        std::vector<test::SnapshotTokens> want;
        for (const auto& samples : c.sessions)
            for (const test::Sample& s : samples) want.push_back(as_recorded(s, c.format));
        REQUIRE(rr.samples().size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            Snapshot s;
            TaskDetails d;
            REQUIRE(rr.read(i, s, d));
            CHECK(test::tokens_of(s, &d) == want[i]);
        }
        // Random access: the last sample first, then the first.
        Snapshot s;
        TaskDetails d;
        REQUIRE(rr.read(want.size() - 1, s, d));
        CHECK(test::tokens_of(s, &d) == want.back());
        REQUIRE(rr.read(0, s, d));
        CHECK(test::tokens_of(s, &d) == want.front());
        CHECK(rr.sessions()[0].info.host == "testhost");
        CHECK(rr.users().at(0) == "root");
        CHECK(rr.sessions()[0].info.format_version == c.format);
    }
}

TEST_CASE("a format 2 session appended to a format 1 file: both read back", "[record][golden]") {
    test::TempDir dir;
    const std::string path = dir.file("mixed.vgl");
    test::write_file(path, test::read_file(fixture("one-session.vgl")));
    REQUIRE(::chmod(path.c_str(), 0600) == 0);  // --record appends only to a private file
    const auto added = test::synthetic_run(5, 3, 7, 1);
    test::record_all(path, added, 2.5);
    auto r = RecordReader::open(path);
    REQUIRE(r);
    RecordReader& rr = **r;
    CHECK(rr.damage().empty());
    REQUIRE(rr.sessions().size() == 2);
    CHECK(rr.sessions()[0].info.format_version == 1);
    CHECK(rr.sessions()[1].info.format_version == kRecordFormatVersion);
    const auto old = test::synthetic_run(12, 5, 3, 3);
    REQUIRE(rr.samples().size() == old.size() + added.size());
    Snapshot s;
    TaskDetails d;
    // The new session's samples carry their activity; the old one's have none.
    REQUIRE(rr.read(old.size() + 2, s, d));
    CHECK(test::tokens_of(s, &d) == test::tokens_of(added[2]));
    REQUIRE(s.tasks.size() > 0);
    CHECK(s.tasks[0].activity.has_value());
    REQUIRE(rr.read(3, s, d));
    CHECK(test::tokens_of(s, &d) == as_recorded(old[3], 1));
    CHECK_FALSE(s.tasks[0].activity.has_value());
}

// The seeds of the sample_codec fuzz target: payloads as the encoder writes them, each
// [u8 flags (bit 0: key)][u16 length, little-endian][bytes].
TEST_CASE("committed sample payloads decode to their snapshots", "[record][golden]") {
    struct Payloads {
        const char* name;
        std::vector<test::Sample> snaps;
        std::vector<bool> key;
        std::uint32_t format;  // as for the recordings above
    };
    const Payloads cases[] = {
        {"key-then-deltas.bin", test::synthetic_run(6, 3, 8, 2), {true, false, false}, 1},
        {"two-keys.bin", test::synthetic_run(4, 2, 9, 1), {true, true}, 1},
        {"format2-key-then-deltas.bin", test::synthetic_run(6, 3, 8, 2), {true, false, false}, 2},
        {"format3-key-then-deltas.bin", test::synthetic_run(6, 3, 8, 2), {true, false, false}, 3},
    };
    for (const Payloads& c : cases) {
        INFO(c.name);
        const std::string path = std::string(VIGIL_FIXTURES) + "/record-payloads/" + c.name;
        if (std::getenv("VIGIL_UPDATE_GOLDEN") && c.format == kRecordFormatVersion) {
            SampleEncoder enc;
            std::string out, payload;
            for (std::size_t i = 0; i < c.snaps.size(); ++i) {
                payload.clear();
                enc.encode(c.snaps[i].snap, &c.snaps[i].details, test::test_user_name, c.key[i],
                           payload);
                REQUIRE(payload.size() < 65536);
                out += static_cast<char>(c.key[i] ? 1 : 0);
                out += static_cast<char>(payload.size() & 0xFF);
                out += static_cast<char>(payload.size() >> 8);
                out += payload;
            }
            test::write_file(path, out);
        }
        const std::string bytes = test::read_file(path);
        CHECK(bytes.size() < 8192);
        SampleDecoder dec;
        dec.set_layout(c.format);
        std::size_t off = 0, i = 0;
        while (off + 3 <= bytes.size()) {
            const bool key = bytes[off] & 1;
            const std::size_t len =
                static_cast<std::uint8_t>(bytes[off + 1]) |
                static_cast<std::size_t>(static_cast<std::uint8_t>(bytes[off + 2])) << 8;
            REQUIRE(off + 3 + len <= bytes.size());
            REQUIRE(i < c.snaps.size());
            CHECK(key == c.key[i]);
            Snapshot s;
            TaskDetails d;
            std::string error;
            REQUIRE(dec.decode(std::string_view(bytes).substr(off + 3, len), key, s, d, error));
            CHECK(test::tokens_of(s, &d) == as_recorded(c.snaps[i], c.format));
            off += 3 + len;
            ++i;
        }
        CHECK(i == c.snaps.size());
    }
}
