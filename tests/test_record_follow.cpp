// Following a recording while it is written (--follow): a RecordReader opened to follow
// sees the samples a RecordWriter appends after it opened, waits for a frame that is half
// written, reports a damaged whole frame, and tells a closed file from a rotated one; a
// ReplaySource follows a rotation into the new file and shows each sample once; the view
// (F, --follow) shows FOLLOW and leaves it visibly.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "fake_clock.hpp"
#include "fake_terminal.hpp"
#include "record_util.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/app/replay_source.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/record_writer.hpp"

using namespace vigil;
using vigil::test::FakeClock;
using vigil::test::FakeTerminal;
using vigil::test::TempDir;
using vigil::test::tokens_of;

namespace {

std::unique_ptr<RecordReader> follow_reader(const std::string& path) {
    auto r = RecordReader::open(path, nullptr, kMaxDecodedSampleBytes, true);
    if (!r) FAIL(r.error().message);
    return std::move(*r);
}

std::unique_ptr<RecordWriter> open_writer(const RecordOptions& ro) {
    std::vector<std::string> notices;
    auto w = RecordWriter::open(ro, notices);
    if (!w) FAIL(w.error().message);
    return std::move(*w);
}

RecordOptions options_for(const std::string& path) {
    RecordOptions ro;
    ro.path = path;
    ro.key_interval_s = 3.5;
    ro.host = "testhost";
    ro.kernel = "6.1.0-test";
    return ro;
}

void write(RecordWriter& w, const test::Sample& s) {
    REQUIRE(w.write(s.snap, s.details, test::test_user_name));
}

void append(const std::string& path, std::string_view bytes) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    REQUIRE(fd);
    REQUIRE(::write(fd.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
}

void check_sample(RecordReader& r, std::size_t i, const test::Sample& want) {
    Snapshot s;
    TaskDetails d;
    INFO("sample " << i);
    REQUIRE(r.read(i, s, d));
    CHECK(tokens_of(s, &d) == tokens_of(want));
}

// The bytes of a recording of snaps, and where each of its sample frames starts and ends.
struct Recorded {
    std::string bytes;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> frames;
};

Recorded recorded(const TempDir& dir, const std::vector<test::Sample>& snaps) {
    const std::string path = dir.file("whole.rec");
    test::record_all(path, snaps);
    Recorded out;
    out.bytes = test::read_file(path);
    auto r = RecordReader::open(path);
    REQUIRE(r);
    for (const SampleEntry& e : (*r)->samples())
        out.frames.emplace_back(e.offset, e.offset + kFrameHeaderSize + e.payload_len);
    return out;
}

// A writer's lock on path, as a RecordWriter holds it while it writes.
UniqueFd hold_writer_lock(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    REQUIRE(::flock(fd.get(), LOCK_EX | LOCK_NB) == 0);
    return fd;
}

}  // namespace

TEST_CASE("following: samples written after the reader opened are seen", "[record][follow]") {
    TempDir dir;
    auto snaps = test::synthetic_run(50, 8);
    const std::string path = dir.file("live.rec");
    auto w = open_writer(options_for(path));
    for (std::size_t i = 0; i < 3; ++i) write(*w, snaps[i]);

    auto r = follow_reader(path);
    REQUIRE(r->samples().size() == 3);
    auto st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::waiting);  // the writer is there, nothing new

    for (std::size_t i = 3; i < 8; ++i) write(*w, snaps[i]);
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::grown);
    REQUIRE(r->samples().size() == 8);
    CHECK(r->damage().empty());
    for (std::size_t i = 0; i < 8; ++i) check_sample(*r, i, snaps[i]);

    // The writer ends: the reader says the recording was closed, and nothing is damaged.
    w.reset();
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::closed);
    CHECK_THAT(r->follow_note(), Catch::Contains("closed"));
    CHECK(r->damage().empty());
}

TEST_CASE("following: a half-written last frame is waited for, not reported as damage",
          "[record][follow][damage]") {
    TempDir dir;
    auto snaps = test::synthetic_run(50, 6);
    const Recorded rec = recorded(dir, snaps);
    const std::string path = dir.file("live.rec");
    // The file as a writer leaves it between samples 4 and 5, and the lock it holds.
    const auto [fifth, end] = rec.frames[4];
    test::write_file(path, rec.bytes.substr(0, fifth));
    UniqueFd lock = hold_writer_lock(path);
    auto r = follow_reader(path);
    REQUIRE(r->samples().size() == 4);

    // Every cut inside the fifth frame (inside its header too) is a frame being written.
    std::uint64_t at = fifth;
    for (std::uint64_t cut :
         {fifth + 1, fifth + 10, fifth + kFrameHeaderSize, fifth + kFrameHeaderSize + 3, end - 1}) {
        append(path, std::string_view(rec.bytes).substr(at, cut - at));
        at = cut;
        INFO("file ends at byte " << cut << " of the frame " << fifth << ".." << end);
        auto st = r->follow();
        REQUIRE(st);
        CHECK(*st == FollowState::waiting);
        CHECK(r->samples().size() == 4);
        CHECK(r->damage().empty());
    }
    append(path, std::string_view(rec.bytes).substr(at, end - at));
    auto st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::grown);
    REQUIRE(r->samples().size() == 5);
    CHECK(r->damage().empty());
    for (std::size_t i = 0; i < 5; ++i) check_sample(*r, i, snaps[i]);

    // A writer that ends with its frame unfinished leaves damage, as a whole replay finds it.
    const auto [sixth, end6] = rec.frames[5];
    append(path, std::string_view(rec.bytes).substr(sixth, (end6 - sixth) / 2));
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::waiting);
    lock.reset();
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::grown);
    REQUIRE(r->damage().size() == 1);
    CHECK_THAT(r->damage()[0].what, Catch::Contains("the file ends inside a frame"));
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::closed);
}

TEST_CASE("following: a damaged whole frame is an error, and intact frames after it are read",
          "[record][follow][damage]") {
    TempDir dir;
    auto snaps = test::synthetic_run(50, 8);
    const Recorded rec = recorded(dir, snaps);
    const std::string path = dir.file("live.rec");
    test::write_file(path, rec.bytes.substr(0, rec.frames[2].first));
    UniqueFd lock = hold_writer_lock(path);
    auto r = follow_reader(path);
    REQUIRE(r->samples().size() == 2);

    // The third frame arrives whole with a byte of its payload changed: a checksum mismatch.
    std::string bad =
        rec.bytes.substr(rec.frames[2].first, rec.frames[2].second - rec.frames[2].first);
    bad[kFrameHeaderSize + 2] = static_cast<char>(bad[kFrameHeaderSize + 2] ^ 0x40);
    append(path, bad);
    auto st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::grown);
    REQUIRE(r->damage().size() == 1);
    CHECK_THAT(r->damage()[0].what, Catch::Contains("checksum mismatch"));
    // Where intact frames resume is not known yet: not said until it is.
    CHECK(r->settled_damage() == 0);

    // The writer goes on: the next frames are found after the damage.
    append(path, std::string_view(rec.bytes).substr(rec.frames[3].first));
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::grown);
    CHECK(r->settled_damage() == 1);
    CHECK(r->damage()[0].resume == rec.frames[3].first);
    const std::string line = r->describe(r->damage()[0]);
    CHECK(line.find('\n') == std::string::npos);  // one line
    CHECK_THAT(line, Catch::Contains("checksum mismatch") && Catch::Contains("resume at byte"));
    REQUIRE(r->samples().size() == 7);
    // The fourth was a delta on the lost third: lost with it; the fifth is a key again.
    CHECK_FALSE(r->samples()[2].decodable);
    check_sample(*r, 1, snaps[1]);
    for (std::size_t i = 3; i < 7; ++i)
        if (r->samples()[i].decodable) check_sample(*r, i, snaps[i + 1]);
    CHECK(r->samples()[6].decodable);
}

TEST_CASE("following: a file cut behind the reader, or removed, ends the follow",
          "[record][follow]") {
    TempDir dir;
    auto snaps = test::synthetic_run(50, 4);
    const Recorded rec = recorded(dir, snaps);
    const std::string path = dir.file("live.rec");
    test::write_file(path, rec.bytes);
    UniqueFd lock = hold_writer_lock(path);
    auto r = follow_reader(path);
    REQUIRE(r->samples().size() == 4);
    REQUIRE(::truncate(path.c_str(), static_cast<off_t>(rec.frames[1].first)) == 0);
    auto st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::gone);
    CHECK_THAT(r->follow_note(), Catch::Contains("cut or rewritten"));

    lock.reset();
    test::write_file(path, rec.bytes);
    lock = hold_writer_lock(path);
    r = follow_reader(path);
    lock.reset();
    REQUIRE(::unlink(path.c_str()) == 0);
    // The path names nothing: a rotation between its rename and its new file is waited for.
    for (int i = 0; i < 2; ++i) {
        st = r->follow();
        REQUIRE(st);
        CHECK(*st == FollowState::waiting);
    }
    st = r->follow();
    REQUIRE(st);
    CHECK(*st == FollowState::gone);
    CHECK_THAT(r->follow_note(), Catch::Contains("removed or renamed"));
}

TEST_CASE("following a rotating recording goes on in the new file, each sample shown once",
          "[record][follow]") {
    TempDir dir;
    auto snaps = test::synthetic_run(100, 40);
    // A limit that rotates every few samples (measured on the same samples unrotated).
    test::record_all(dir.file("whole"), snaps, 1e9);
    const std::uint64_t whole = test::read_file(dir.file("whole")).size();
    ::unlink(dir.file("whole").c_str());
    RecordOptions ro = options_for(dir.file("vigil.rec"));
    ro.key_interval_s = 1e9;
    ro.max_bytes = whole / 5;
    auto w = open_writer(ro);
    write(*w, snaps[0]);
    write(*w, snaps[1]);

    ReplaySource source(follow_reader(ro.path));
    REQUIRE(source.go(0));
    const std::uint64_t rotations_before = w->stats().rotations;  // of samples not followed
    std::vector<test::SnapshotTokens> shown{tokens_of(source.cur(), &source.details())};
    std::size_t rotated = 0;
    for (std::size_t i = 2; i < snaps.size(); ++i) {
        write(*w, snaps[i]);
        // Each poll shows what is new; a rotation may take a poll of its own.
        for (int poll = 0; poll < 3; ++poll) {
            FollowStep f = source.follow();
            CHECK_FALSE(f.failed);
            CHECK(f.state != FollowStep::State::ended);
            for (const std::string& line : f.lines)
                if (line.find("following the new file") != std::string::npos) ++rotated;
            while (source.step(1)) shown.push_back(tokens_of(source.cur(), &source.details()));
            if (shown.size() == i) break;
        }
        REQUIRE(shown.size() == i);
    }
    CHECK(w->stats().rotations - rotations_before >= 3);
    CHECK(rotated == w->stats().rotations - rotations_before);
    std::vector<test::SnapshotTokens> want;
    for (std::size_t i = 1; i < snaps.size(); ++i) want.push_back(tokens_of(snaps[i]));
    CHECK(shown == want);
    w.reset();
    FollowStep f = source.follow();
    CHECK(f.state == FollowStep::State::ended);
    CHECK_FALSE(f.failed);
}

TEST_CASE("F follows a replay; live, it is f's PID prompt as before", "[follow][keymap]") {
    ViewState vs;
    InteractiveState st;
    RowIds rows;
    Effect e = handle_event(Event{Key::character, U'F'}, vs, st, rows);
    CHECK_FALSE(e.replay);
    CHECK(st.mode == Mode::pid_input);
    st = InteractiveState{};
    st.replay = true;
    e = handle_event(Event{Key::character, U'F'}, vs, st, rows);
    REQUIRE(e.replay);
    CHECK(e.replay->kind == ReplayMove::Kind::follow);
    CHECK(st.mode == Mode::normal);
}

TEST_CASE("controller: following shows FOLLOW and each new sample; moving or Space leaves it",
          "[follow][controller]") {
    TempDir dir;
    auto snaps = test::synthetic_run(50, 8);
    const std::string path = dir.file("live.rec");
    auto w = open_writer(options_for(path));
    for (std::size_t i = 0; i < 3; ++i) write(*w, snaps[i]);

    ReplaySource source(follow_reader(path));
    REQUIRE(source.go(source.count() - 1));
    FakeClock clock;
    FakeTerminal term(160, 60);
    ControllerSetup setup;
    setup.terminal = &term;
    setup.clock = &clock;
    setup.replay = &source;
    setup.delay_s = 1.0;
    setup.follow = true;
    Controller c(setup);
    c.start();
    CHECK_FALSE(c.state().paused);
    CHECK(c.timeout_ms() >= 0);  // polls the file at the interval
    CHECK_THAT(term.screen(), Catch::Contains("(2/2) FOLLOW"));
    auto press = [&](std::u32string_view keys) {
        term.type(keys);
        REQUIRE(c.input());
        c.tick();
    };
    auto poll = [&] {
        clock.advance(1.0);
        c.tick();
    };
    poll();  // nothing new: stays
    CHECK_THAT(term.screen(), Catch::Contains("(2/2) FOLLOW"));
    write(*w, snaps[3]);
    write(*w, snaps[4]);
    poll();
    CHECK_THAT(term.screen(), Catch::Contains("(4/4) FOLLOW"));
    CHECK(source.cur().wall_ns == snaps[4].snap.wall_ns);

    press(U" ");  // Space: paused, not following
    CHECK(c.state().paused);
    CHECK_THAT(c.state().notice, Catch::Contains("not following"));
    CHECK_THAT(term.screen(), !Catch::Contains("FOLLOW") && Catch::Contains("PAUSED"));
    write(*w, snaps[5]);
    poll();
    CHECK_THAT(term.screen(), Catch::Contains("(4/4)"));  // not read while not following

    press(U"F");  // to the newest sample at once, following again
    CHECK_THAT(term.screen(), Catch::Contains("(5/5) FOLLOW"));
    CHECK_FALSE(c.state().paused);
    write(*w, snaps[6]);
    poll();
    CHECK_THAT(term.screen(), Catch::Contains("(6/6) FOLLOW"));

    press(U",");  // a step back leaves it
    CHECK_THAT(term.screen(), Catch::Contains("(5/6)") && !Catch::Contains("FOLLOW"));
    CHECK(c.state().paused);

    press(U"F");
    CHECK_THAT(term.screen(), Catch::Contains("(6/6) FOLLOW"));
    w.reset();  // the writer ends: following stops, and says why
    poll();
    CHECK(c.state().paused);
    CHECK_THAT(c.state().notice, Catch::Contains("closed the recording"));
    CHECK_THAT(term.screen(), !Catch::Contains("FOLLOW"));
}
