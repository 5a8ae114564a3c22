// Replay prints what live batch mode printed, byte for byte, in every format; the replay
// view's keys; the options and time arguments of recording and replay.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>

#include "fixture_util.hpp"
#include "machine_fixture.hpp"
#include "record_util.hpp"
#include "scripted_source.hpp"
#include "vigil/app/app.hpp"
#include "vigil/app/batch_output.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/replay_source.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

using namespace vigil;
using vigil::test::TempDir;

namespace {

Result<Options> parse(std::vector<std::string> args) {
    std::vector<char*> argv{const_cast<char*>("vigil")};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return parse_options(static_cast<int>(argv.size() - 1), argv.data());
}

Options options(std::vector<std::string> args) {
    auto o = parse(std::move(args));
    if (!o) FAIL(o.error().message);
    return *o;
}

// Redirects stdout into a file for as long as it lives.
class CaptureStdout {
  public:
    explicit CaptureStdout(const std::string& path) : path_(path) {
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDOUT_FILENO);
        ::close(fd);
    }
    ~CaptureStdout() { restore(); }
    std::string take() {
        restore();
        return test::read_file(path_);
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        saved_ = -1;
    }
    std::string path_;
    int saved_ = -1;
};

// Live batch mode over samples, recording as it goes (through the pipeline, as run_batch
// does): the output, and the recording in path.
// (BatchOutput::write takes the pipeline const: writing cannot fetch details, so what is
// recorded cannot depend on the output written.)
std::string live_run(const Options& o, std::vector<test::Sample> samples, const std::string& path) {
    RecordOptions ro;
    ro.path = path;
    ro.key_interval_s = 4.5;
    std::vector<std::string> notices;
    auto w = RecordWriter::open(ro, notices);
    REQUIRE(w);
    test::ScriptedSource source(std::move(samples));
    Pipeline pipeline(source);
    BatchOutput output(o, o.view);
    REQUIRE(output.open_files() == kExitOk);
    pipeline.keep_totals(output.wants_totals());
    std::string out;
    REQUIRE(source.next());
    pipeline.advance();
    REQUIRE(pipeline.record(**w));
    while (source.next()) {
        pipeline.advance();
        output.prepare(pipeline);
        REQUIRE(pipeline.record(**w));
        output.write(pipeline, out);
        REQUIRE(output.finish());
    }
    return out;
}

// The files of a --csv-dir, by name.
std::map<std::string, std::string> csv_files(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out[e.path().filename()] = test::read_file(e.path());
    return out;
}

// run_batch with --replay drops every capability of this process once the file is open,
// as vigil does (open_replay); the unit tests need none.
std::string replay_run(Options o, const std::string& path, const std::string& capture,
                       int& status) {
    o.replay_path = path;
    CaptureStdout cap(capture);
    status = run_batch(o);
    return cap.take();
}

std::vector<test::Sample> fixture_run() {
    Snapshot t0 = test::load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = test::load_snapshot("t1", 2.0, 1002.0);
    t0.machine = test::collect_machine("t0", 10.0);
    t1.machine = test::collect_machine("t1", 12.0);
    t0.wall_ns = 1714532400'000000000;
    t1.wall_ns = t0.wall_ns + 2'000'000'000;
    return {test::Sample{t0, {}}, test::Sample{t1, {}}};
}

}  // namespace

TEST_CASE("replay prints what live batch mode printed, byte for byte", "[replay]") {
    TempDir dir;
    const auto synthetic = test::synthetic_run(300, 15, 11, 8);
    const auto fixture = fixture_run();
    const std::vector<std::vector<std::string>> variants = {
        {},
        {"--show", "all"},
        {"-P", "-a", "-o"},
        {"-t", "-q", "--show", "tasks,cpu,disks", "--sort", "user"},
        {"-k", "-qq", "--show", "sensors,fs,net,psi,mem", "--partitions", "--all-devices"},
        {"-u", "1000", "--reverse", "--sort", "disk_write"},
    };
    int run = 0;
    for (const char* fmt : {"text", "csv", "json"}) {
        for (const auto& v : variants) {
            for (const auto* snaps : {&synthetic, &fixture}) {
                std::vector<std::string> args = v;
                args.push_back("--format");
                args.push_back(fmt);
                // CSV on stdout holds one table: the others, a file per table.
                const bool csv_dir = std::string(fmt) == "csv" && !parse(args);
                const std::string live_dir = dir.file("live" + std::to_string(run + 1));
                const std::string replay_dir = dir.file("replay" + std::to_string(run + 1));
                if (csv_dir) {
                    std::filesystem::create_directory(live_dir);
                    std::filesystem::create_directory(replay_dir);
                    args.insert(args.end(), {"--csv-dir", live_dir});
                }
                Options o = options(args);
                const std::string path = dir.file("r" + std::to_string(++run) + ".rec");
                const std::string live = live_run(o, *snaps, path);
                int status = -1;
                if (csv_dir) o.csv_dir = replay_dir;
                const std::string replayed = replay_run(o, path, dir.file("out"), status);
                INFO("format " << fmt << ", run " << run << ", " << snaps->size() << " samples");
                CHECK(status == kExitOk);
                CHECK(replayed == live);
                if (!csv_dir) {
                    CHECK_FALSE(live.empty());
                    continue;
                }
                CHECK(live.empty());
                const auto live_files = csv_files(live_dir);
                CHECK(live_files.count("tasks.csv") + live_files.count("cpu.csv") +
                          live_files.count("fs.csv") >
                      0);
                CHECK(csv_files(replay_dir) == live_files);
            }
        }
    }
}

TEST_CASE("replay of several sessions, and --from, --to and -n", "[replay]") {
    TempDir dir;
    const std::string path = dir.file("a.rec");
    auto snaps = test::synthetic_run(100, 10, 3, 4);
    const Options o = options({"--format", "json"});
    const std::string first = live_run(o, snaps, path);
    const std::string second = live_run(o, snaps, path);  // appended: a second session
    int status = -1;
    CHECK(replay_run(o, path, dir.file("out"), status) == first + second);
    CHECK(status == kExitOk);

    // Sample times: 03:00:00 + ~1 s each; the first of each session prints nothing.
    auto count = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
    Options span =
        options({"--format", "json", "--replay", path, "--from", "+3s", "--to", "+6.5s"});
    std::string part = replay_run(span, path, dir.file("out"), status);
    CHECK(count(part) == 8);  // samples 3..6 of both sessions (same times)
    Options limited = options({"--format", "json", "-n", "4"});
    CHECK(count(replay_run(limited, path, dir.file("out"), status)) == 4);
}

TEST_CASE("replay of a damaged recording prints every intact sample and exits 3",
          "[replay][damage]") {
    TempDir dir;
    const std::string path = dir.file("a.rec");
    auto snaps = test::synthetic_run(100, 12, 3, 4);
    const Options o = options({"--format", "csv"});
    const std::string live = live_run(o, snaps, path);
    std::string bytes = test::read_file(path);
    bytes.resize(bytes.size() - 10);
    test::write_file(path, bytes);
    int status = -1;
    const std::string out = replay_run(o, path, dir.file("out"), status);
    CHECK(status == kExitDamaged);
    CHECK(live.substr(0, out.size()) == out);
    CHECK(out.size() < live.size());

    test::write_file(path, "not a recording at all");
    replay_run(o, path, dir.file("out"), status);
    CHECK(status == kExitUsage);
}

TEST_CASE("the replay source steps, jumps and plays", "[replay]") {
    TempDir dir;
    const std::string path = dir.file("a.rec");
    auto snaps = test::synthetic_run(50, 12, 3, 4);
    test::record_all(path, snaps, 4.5);
    auto r = RecordReader::open(path);
    REQUIRE(r);
    ReplaySource c(**r);
    REQUIRE(c.count() == 11);  // the first sample is only a baseline
    REQUIRE(c.go(0));
    CHECK(c.cur().wall_ns == snaps[1].snap.wall_ns);
    CHECK(c.prev().wall_ns == snaps[0].snap.wall_ns);
    CHECK(test::tokens_of(c.cur(), &c.details()) == test::tokens_of(snaps[1]));
    CHECK(c.step(1));
    CHECK(test::tokens_of(c.cur(), &c.details()) == test::tokens_of(snaps[2]));
    CHECK_FALSE(c.step(-5));  // past the start: stays
    CHECK(c.position() == 1);
    CHECK(c.step(7));
    CHECK(test::tokens_of(c.cur(), &c.details()) == test::tokens_of(snaps[9]));
    CHECK(c.step(-3));
    CHECK(test::tokens_of(c.cur(), &c.details()) == test::tokens_of(snaps[6]));
    CHECK(test::tokens_of(c.prev()) == test::tokens_of(snaps[5].snap));
    CHECK(c.go_to_time(snaps[4].snap.wall_ns - 1));
    CHECK(c.cur().wall_ns == snaps[4].snap.wall_ns);
    CHECK(c.go_to_time(snaps.back().snap.wall_ns + 1'000'000'000'000));
    CHECK(c.position() == c.count() - 1);
}

TEST_CASE("replay keys: step, minute, go to time; a notice when live", "[replay][keymap]") {
    ViewState vs;
    InteractiveState st;
    RowIds rows;
    auto key = [&](char32_t ch) { return handle_event(Event{Key::character, ch}, vs, st, rows); };
    Effect e = key('.');
    CHECK_FALSE(e.replay);
    CHECK(st.notice.find("--replay") != std::string::npos);

    st.replay = true;
    e = key('.');
    REQUIRE(e.replay);
    CHECK(e.replay->kind == ReplayMove::Kind::samples);
    CHECK(e.replay->samples == 1);
    CHECK(key(',').replay->samples == -1);
    e = key('[');
    REQUIRE(e.replay);
    CHECK(e.replay->seconds == -60);
    CHECK(key(']').replay->seconds == 60);
    key('g');
    CHECK(st.mode == Mode::time_input);
    for (char32_t c : std::u32string(U"-5m")) key(c);
    e = handle_event(Event{Key::enter}, vs, st, rows);
    REQUIRE(e.replay);
    CHECK(e.replay->kind == ReplayMove::Kind::time);
    CHECK(e.replay->at.kind == TimeSpec::Kind::offset);
    CHECK(e.replay->at.offset_s == -300);
    key('g');
    for (char32_t c : std::u32string(U"25:99")) key(c);
    e = handle_event(Event{Key::enter}, vs, st, rows);
    CHECK_FALSE(e.replay);
    CHECK(st.notice.find("invalid time") != std::string::npos);

    // ionice and kill never prompt in a replay: a recorded PID may be another process now.
    st.selected = 42;
    for (char32_t c : {U'k', U'i'}) {
        st.notice.clear();
        key(c);
        CHECK(st.mode == Mode::normal);
        CHECK(st.notice.find("live tasks only") != std::string::npos);
    }

    // The new keys are in the help, and clash with none of the others.
    bool found = false;
    for (const KeyHelp& k : key_help()) found = found || k.keys == "g";
    CHECK(found);
    for (const KeyHelp& k : key_help()) CHECK_FALSE(k.keys.empty());
}

TEST_CASE("time arguments", "[replay][time]") {
    auto at = [](const char* s) {
        auto t = parse_time_spec(s);
        REQUIRE(t);
        return *t;
    };
    CHECK(at("+90s").offset_s == 90);
    CHECK(at("-1.5h").offset_s == -5400);
    CHECK(at("03:00").kind == TimeSpec::Kind::time_of_day);
    CHECK(at("03:00:07").second_of_day == 3 * 3600 + 7);
    CHECK(at("2024-05-01 03:00").kind == TimeSpec::Kind::absolute);
    CHECK(at("2024-05-01T03:00:05").wall_ns == at("2024-05-01 03:00").wall_ns + 5'000'000'000);
    CHECK(at("2024-05-02").wall_ns == at("2024-05-01 00:00").wall_ns + 86400'000'000'000);
    for (const char* bad : {"", "3:00", "24:00", "2024-13-01", "2024-05-01x03:00", "+", "+5x",
                            "yesterday", "12:34:56:78"})
        CHECK_FALSE(parse_time_spec(bad));
    // A time of day is the first one at or after the reference.
    const std::int64_t ref = at("2024-05-01 05:00").wall_ns;
    CHECK(resolve_time(at("06:00"), ref) == at("2024-05-01 06:00").wall_ns);
    CHECK(resolve_time(at("03:00"), ref) == at("2024-05-02 03:00").wall_ns);
    CHECK(resolve_time(at("+10m"), ref) == ref + 600'000'000'000);

    // In the replay view, a time of day is placed by the recording's span: in it, or the
    // nearer of the days around it; offsets count from the sample shown.
    const std::int64_t first = at("2024-05-01 03:00").wall_ns;
    const std::int64_t last = at("2024-05-01 04:00").wall_ns;
    const std::int64_t shown = at("2024-05-01 03:30").wall_ns;
    auto in_span = [&](const char* s) { return resolve_time_in_span(at(s), shown, first, last); };
    CHECK(in_span("03:10") == at("2024-05-01 03:10").wall_ns);
    CHECK(in_span("01:00") == at("2024-05-01 01:00").wall_ns);  // before it, not the next night
    CHECK(in_span("05:00") == at("2024-05-01 05:00").wall_ns);  // after it
    CHECK(in_span("15:00") == at("2024-05-01 15:00").wall_ns);  // 11 h after, 12 h before
    CHECK(in_span("16:00") == at("2024-04-30 16:00").wall_ns);  // 12 h after, 11 h before
    CHECK(in_span("+5m") == shown + 300'000'000'000);
    CHECK(in_span("2024-05-01 02:00") == at("2024-05-01 02:00").wall_ns);
    // Over midnight: 01:00 is in the recording, the night after it starts.
    CHECK(resolve_time_in_span(at("01:00"), shown, at("2024-05-01 22:00").wall_ns,
                               at("2024-05-02 02:00").wall_ns) == at("2024-05-02 01:00").wall_ns);
    CHECK(resolve_time_in_span(at("21:00"), shown, at("2024-05-01 22:00").wall_ns,
                               at("2024-05-02 02:00").wall_ns) == at("2024-05-01 21:00").wall_ns);

    // A recording's times are whatever its file holds: moving them saturates.
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    CHECK(resolve_time(at("+10m"), kMax - 5) == kMax);
    CHECK(resolve_time(at("-10m"), kMin + 5) == kMin);
    CHECK(offset_time_ns(kMax - 5, 60) == kMax);
    CHECK(offset_time_ns(0, 1e300) == kMax);
    CHECK(offset_time_ns(0, -1e300) == kMin);
    CHECK(offset_time_ns(42, std::numeric_limits<double>::quiet_NaN()) == 42);
    CHECK(offset_time_ns(1'000'000'000, -1.5) == -500'000'000);

    CHECK(parse_duration_s("1d") == 86400);
    CHECK_FALSE(parse_duration_s("0s"));
    CHECK(parse_size_bytes("100M") == 100u << 20);
    CHECK(parse_size_bytes("1GiB") == 1u << 30);
    CHECK(parse_size_bytes("4096") == 4096u);
    CHECK_FALSE(parse_size_bytes("-1K"));
    CHECK_FALSE(parse_size_bytes("lots"));
}

TEST_CASE("options of formats, recording and replay", "[replay][options]") {
    Options o = options({"--format", "json"});
    CHECK(o.format == OutputFormat::json);
    CHECK(o.batch);  // a format implies batch mode
    o = options({"--record", "x.rec", "--record-max-size", "100M", "--record-rotate", "1h"});
    CHECK(o.record_path == "x.rec");
    CHECK(o.record_max_bytes == 100u << 20);
    CHECK(o.record_rotate_s == 3600);
    CHECK_FALSE(o.batch);
    o = options({"-b", "--replay", "x.rec", "--from", "03:00", "--to", "+1h"});
    CHECK(o.replay_path == "x.rec");
    REQUIRE(o.from);
    CHECK(o.from->kind == TimeSpec::Kind::time_of_day);

    auto error = [](std::vector<std::string> args) {
        auto r = parse(std::move(args));
        REQUIRE_FALSE(r);
        return r.error().message;
    };
    CHECK(error({"--format", "xml"}).find("'xml'") != std::string::npos);
    CHECK(error({"--record", "a", "--replay", "b"}).find("cannot be combined") !=
          std::string::npos);
    CHECK(error({"--from", "03:00"}).find("--replay") != std::string::npos);
    CHECK(error({"--record-max-size", "1G"}).find("--record") != std::string::npos);
    CHECK(error({"--record", "a", "--record-max-size", "12"}).find("'12'") != std::string::npos);
    CHECK(error({"--record", "a", "--record-rotate", "soon"}).find("'soon'") != std::string::npos);
    CHECK(error({"--replay", "a", "--to", "never"}).find("'never'") != std::string::npos);
    CHECK(error({"--record", ""}).find("file name") != std::string::npos);

    const std::string help = usage_text();
    for (const char* opt : {"--format", "--record=", "--record-max-size", "--record-rotate",
                            "--replay", "--from", "--to"})
        CHECK(help.find(opt) != std::string::npos);
}

TEST_CASE("the replay view's pace: the recorded interval when it is possible, else -d",
          "[replay]") {
    TempDir dir;
    auto snaps = test::synthetic_run(10, 3);
    auto pace = [&](double recorded, std::vector<std::string> args) {
        const std::string path = dir.file("r" + std::to_string(recorded) + ".rec");
        RecordOptions ro;
        ro.path = path;
        ro.interval_s = recorded;
        std::vector<std::string> notices;
        {
            auto w = RecordWriter::open(ro, notices);
            REQUIRE(w);
            for (const test::Sample& s : snaps)
                REQUIRE((*w)->write(s.snap, s.details, test::test_user_name));
        }
        args.push_back("--replay");
        args.push_back(path);
        const Options o = options(args);
        auto r = RecordReader::open(path);
        REQUIRE(r);
        return replay_delay_s(o, **r);
    };
    CHECK(pace(0.2, {}) == 0.2);
    CHECK(pace(0.2, {"-d", "3"}) == 3);
    // An interval that would make the view spin (or stall): -d's default, 1 s.
    CHECK(pace(std::numeric_limits<double>::infinity(), {}) == 1);
    CHECK(pace(std::numeric_limits<double>::quiet_NaN(), {}) == 1);
    CHECK(pace(-2, {}) == 1);
    CHECK(pace(1e7, {}) == 1);
    CHECK(pace(1e7, {"-d", "0.5"}) == 0.5);
}

TEST_CASE("the replay status line: the recorded interval, the playback speed apart",
          "[replay][layout]") {
    Table table;
    ViewState vs;
    InteractiveState st;
    ScreenInput in;
    in.tasks = &table;
    in.view = &vs;
    in.state = &st;
    auto status = [&] {
        for (const ScreenLine& line : layout_screen(in, 160, 30).lines) {
            std::string text;
            for (const Segment& seg : line.segments) text += seg.text;
            if (text.find(" threads, ") != std::string::npos) return text;
        }
        FAIL("no status line");
        return std::string();
    };
    st.delay_s = 2;
    CHECK_THAT(status(), Catch::Contains("| every 2 s |"));  // live: the interval is the pace
    st.replay = true;
    in.recorded_interval_s = 1.0;
    st.delay_s = 0.125;
    CHECK_THAT(status(), Catch::Contains("| every 1 s, played at 8x |"));
    CHECK_THAT(status(), !Catch::Contains("0.125"));
    st.delay_s = 2;
    CHECK_THAT(status(), Catch::Contains("| every 1 s, played at 0.5x |"));
    st.delay_s = 1;
    CHECK_THAT(status(), Catch::Contains("| every 1 s |"));
    in.recorded_interval_s = 0.2;
    st.delay_s = 0.5;
    CHECK_THAT(status(), Catch::Contains("| every 0.2 s, played at 0.4x |"));
    st.delay_s = 0.2;
    CHECK_THAT(status(), Catch::Contains("| every 0.2 s |"));
    // An interval the recording does not name nor show: only the pace.
    in.recorded_interval_s.reset();
    CHECK_THAT(status(), Catch::Contains("| played every 0.2 s |"));

    // Live with --record: the indicator after the time.
    st.replay = false;
    in.recorded_interval_s.reset();
    in.time_label = "04:00:00";
    in.recording_label = "REC x.rec 1.2 M";
    CHECK_THAT(status(), Catch::StartsWith("04:00:00 | REC x.rec 1.2 M | 0 threads"));

    CHECK(playback_speed(1.0, 0.3) == "3.33x");
    CHECK(playback_speed(5.0, 0.1) == "50x");
    CHECK(playback_speed(std::nullopt, 1) == "");
}
