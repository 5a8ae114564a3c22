// The sample codec: every field survives encode and decode exactly, key and delta alike,
// whatever the values (hostile strings, extreme numbers, doubles that are not decimals).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "record_util.hpp"
#include "vigil/record/byte_io.hpp"
#include "vigil/record/sample_codec.hpp"

using namespace vigil;
using vigil::test::tokens_of;

namespace {

const std::string& name_of(uid_t uid) {
    return test::test_user_name(uid);
}

using test::Sample;

// Encodes the sequence (a key every key_every samples) and decodes it again.
std::vector<Sample> round_trip(const std::vector<Sample>& in, std::size_t key_every,
                               std::size_t* bytes = nullptr) {
    SampleEncoder enc;
    SampleDecoder dec;
    std::vector<Sample> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const bool key = i % key_every == 0;
        std::string payload;
        enc.encode(in[i].snap, &in[i].details, name_of, key, payload);
        if (bytes) *bytes += payload.size();
        Sample s;
        std::string error;
        REQUIRE(dec.decode(payload, key, s.snap, s.details, error));
        out.push_back(std::move(s));
    }
    return out;
}

Sample sample_of(Snapshot s) {
    Sample out{std::move(s), {}};
    out.details.reset(out.snap.tasks.size());
    return out;
}

std::optional<std::string> cmdline_of(const Sample& s, std::size_t i) {
    const TaskDetail* d = s.details.find(i);
    if (!d || !d->cmdline) return std::nullopt;
    return *d->cmdline;
}
std::uint64_t unread_of(const Sample& s, std::size_t i) {
    const TaskDetail* d = s.details.find(i);
    return d ? d->cmdline_unread : 0;
}
std::optional<IoPrio> ioprio_of(const Sample& s, std::size_t i) {
    const TaskDetail* d = s.details.find(i);
    return d ? d->ioprio : std::nullopt;
}

void check_same_tasks(const Sample& a, const Sample& b) {
    REQUIRE(a.snap.tasks.size() == b.snap.tasks.size());
    for (std::size_t i = 0; i < a.snap.tasks.size(); ++i) {
        const TaskSample& x = a.snap.tasks[i];
        const TaskSample& y = b.snap.tasks[i];
        CHECK(x.tid == y.tid);
        CHECK(x.tgid == y.tgid);
        CHECK(x.ppid == y.ppid);
        CHECK(x.uid == y.uid);
        CHECK(x.state == y.state);
        CHECK(x.nice == y.nice);
        CHECK(x.start_ticks == y.start_ticks);
        CHECK(x.comm == y.comm);
        CHECK(x.io == y.io);
        CHECK(cmdline_of(a, i) == cmdline_of(b, i));
        CHECK(unread_of(a, i) == unread_of(b, i));
        CHECK(ioprio_of(a, i) == ioprio_of(b, i));
    }
}

TaskSample task(pid_t tid, pid_t tgid) {
    TaskSample t;
    t.tid = tid;
    t.tgid = tgid;
    t.comm = "t" + std::to_string(tid);
    return t;
}

}  // namespace

TEST_CASE("varints and zigzag round trip at the edges", "[record]") {
    std::string buf;
    ByteWriter w(buf);
    const std::uint64_t us[] = {0, 1, 127, 128, 16383, 16384, 1ull << 63, UINT64_MAX};
    const std::int64_t ss[] = {0, -1, 1, INT64_MIN, INT64_MAX, -64, 64};
    for (auto u : us) w.varint(u);
    for (auto s : ss) w.svarint(s);
    const std::string_view with_nul("a\0b", 3);
    w.bytes(with_nul);
    ByteReader r(buf);
    for (auto u : us) CHECK(r.varint() == u);
    for (auto s : ss) CHECK(r.svarint() == s);
    CHECK(r.bytes() == with_nul);
    CHECK(r.ok());
    CHECK(r.remaining() == 0);
    // Reading past the end fails and stays failed, yielding zeros.
    CHECK(r.varint() == 0);
    CHECK_FALSE(r.ok());
    const std::string eleven_ff(11, '\xff');  // the reader keeps a view: keep the bytes alive
    ByteReader overlong(eleven_ff);
    overlong.varint();
    CHECK_FALSE(overlong.ok());
}

TEST_CASE("CRC-32C matches the published check value", "[record]") {
    CHECK(crc32c("123456789") == 0xE3069283u);
    CHECK(crc32c("56789", crc32c("1234")) == 0xE3069283u);
}

TEST_CASE("CRC-32C of joined and of split bytes from their checksums alone", "[record]") {
    std::string bytes;
    for (int i = 0; i < 5000; ++i) bytes += static_cast<char>((i * 7919) >> 3);
    for (std::size_t cut :
         {std::size_t{0}, std::size_t{1}, std::size_t{20}, std::size_t{4096}, bytes.size()}) {
        const std::string_view a = std::string_view(bytes).substr(0, cut);
        const std::string_view b = std::string_view(bytes).substr(cut);
        INFO("cut at " << cut);
        CHECK((crc32c_shift(crc32c(a), b.size()) ^ crc32c(b)) == crc32c(bytes));
        // A stretch's checksum from the running checksums before and after it.
        CHECK((crc32c(bytes) ^ crc32c_shift(crc32c(a), b.size())) == crc32c(b));
    }
    CHECK(crc32c_shift(0, 1u << 30) == 0);
    CHECK(crc32c_shift(0x12345678u, 0) == 0x12345678u);
}

TEST_CASE("doubles survive exactly, whatever they are", "[record]") {
    const double values[] = {0.0,
                             -0.0,
                             0.1,
                             0.14,
                             4.84,
                             123456.789,
                             1e300,
                             -1e-300,
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(),
                             1000.000000001,
                             86400.123456789,
                             0.1 + 0.2};
    for (double d : values) {
        std::uint64_t tag = 0, payload = 0;
        encode_double(d, tag, payload);
        double back = 0;
        REQUIRE(decode_double(tag, payload, back));
        INFO(d);
        CHECK(std::bit_cast<std::uint64_t>(back) == std::bit_cast<std::uint64_t>(d));
    }
    std::uint64_t tag = 0, payload = 0;
    encode_double(0.14, tag, payload);
    CHECK(tag == kHundredths);  // the kernel's two-decimal figures stay small integers
}

TEST_CASE("every field of a synthetic machine survives key and delta samples", "[record]") {
    auto snaps = test::synthetic_run(400, 40);
    std::size_t delta_bytes = 0, key_bytes = 0;
    auto all_keys = round_trip(snaps, 1, &key_bytes);
    auto deltas = round_trip(snaps, 1000, &delta_bytes);
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        INFO("sample " << i);
        CHECK(tokens_of(all_keys[i]) == tokens_of(snaps[i]));
        CHECK(tokens_of(deltas[i]) == tokens_of(snaps[i]));
        check_same_tasks(deltas[i], snaps[i]);
    }
    // Deltas are what make a long recording small.
    CHECK(delta_bytes * 5 < key_bytes);
}

TEST_CASE("hostile values round trip", "[record]") {
    Sample a;
    a.snap.steady_s = 1e-9;
    a.snap.boot_s = -0.0;
    a.snap.wall_ns = std::numeric_limits<std::int64_t>::min();
    a.snap.clk_tck = UINT64_MAX;
    a.snap.delayacct_on_since_s = std::numeric_limits<double>::quiet_NaN();
    TaskSample t = task(1, 1);
    t.comm = std::string("a\0b\n\xff\xfe)(", 9);
    t.nice = -20;
    t.uid = std::numeric_limits<uid_t>::max();
    t.state = '\xff';
    t.start_ticks = UINT64_MAX;
    t.io = TaskIoCounters{UINT64_MAX, 0, 1, std::nullopt, 0, true};
    a.snap.tasks.push_back(t);
    a.snap.tasks.push_back(task(std::numeric_limits<pid_t>::max(), 1));
    a.details.reset(2);
    TaskDetail& td = a.details.set(0);
    // As long as a live sample's command line gets: its first 4 KiB, and the rest counted.
    td.cmdline = std::make_shared<const std::string>(std::string(kCommandMaxBytes - 17, '\x80') +
                                                     "\"quoted\",comma\r\n");
    td.cmdline_unread = 96'000;
    td.ioprio = IoPrio{IoPrio::Class::idle, 7};
    a.snap.machine.collected = 0xFFFF;
    a.snap.machine.notes.push_back(MachineNote{Section::sensors, "a note\twith a tab"});
    DiskStats d;
    d.name = "";
    d.stats.fill(UINT64_MAX);
    a.snap.machine.disks.push_back(d);
    a.snap.machine.load = LoadAvg{0.01, 1e10, -3.5, 0, UINT64_MAX};

    Sample b = a;  // the next sample: everything changes back and forth
    b.details.set(0).cmdline.reset();
    b.details.set(0).cmdline_unread = 0;
    b.snap.tasks[0].io.reset();
    b.snap.tasks[0].nice = 19;
    b.snap.machine.disks.clear();
    b.snap.machine.load.reset();
    Sample c = a;  // and back: the details come back from the base
    c.snap.tasks[0].io->blkio_delay_ns = 5;

    auto out = round_trip({a, b, c, a}, 1000);
    CHECK(tokens_of(out[0]) == tokens_of(a));
    CHECK(tokens_of(out[1]) == tokens_of(b));
    CHECK(tokens_of(out[2]) == tokens_of(c));
    CHECK(tokens_of(out[3]) == tokens_of(a));
    check_same_tasks(out[0], a);
    check_same_tasks(out[1], b);
    check_same_tasks(out[2], c);
    CHECK(std::isnan(*out[0].snap.delayacct_on_since_s));
    CHECK(std::signbit(out[0].snap.boot_s));
}

TEST_CASE("tasks come, go, and reuse a tid; unchanged tasks cost nothing", "[record]") {
    Snapshot a;
    for (pid_t tid : {1, 5, 9, 200, 300}) a.tasks.push_back(task(tid, tid));
    Snapshot b = a;
    b.tasks.erase(b.tasks.begin() + 1);  // 5 ended
    b.tasks.push_back(task(250, 200));   // a new thread between others
    b.tasks.push_back(task(400, 400));   // a new process after all
    b.tasks[3].start_ticks = 99;         // 200: a new task with a reused tid
    std::sort(b.tasks.begin(), b.tasks.end(), [](auto& x, auto& y) { return x.tid < y.tid; });
    Snapshot c;  // everything ended
    auto out =
        round_trip({sample_of(a), sample_of(b), sample_of(b), sample_of(c), sample_of(a)}, 1000);
    check_same_tasks(out[0], sample_of(a));
    check_same_tasks(out[1], sample_of(b));
    check_same_tasks(out[2], sample_of(b));
    check_same_tasks(out[3], sample_of(c));
    check_same_tasks(out[4], sample_of(a));

    // A repeat of the same sample: the tasks part is a handful of bytes.
    SampleEncoder enc;
    auto big = test::synthetic_run(2000, 1);
    std::string first, second;
    enc.encode(big[0].snap, &big[0].details, name_of, true, first);
    enc.encode(big[0].snap, &big[0].details, name_of, false, second);
    CHECK(second.size() < 32);
}

TEST_CASE("unsorted tasks are stored sorted; duplicates keep the first", "[record]") {
    Snapshot a;
    for (pid_t tid : {9, 3, 7, 3}) a.tasks.push_back(task(tid, tid));
    a.tasks[3].comm = "dup";
    auto out = round_trip({sample_of(a)}, 1);
    REQUIRE(out[0].snap.tasks.size() == 3);
    CHECK(out[0].snap.tasks[0].tid == 3);
    CHECK(out[0].snap.tasks[0].comm == "t3");
    CHECK(out[0].snap.tasks[2].tid == 9);
}

TEST_CASE("the decoder refuses what the encoder cannot have written", "[record]") {
    auto snaps = test::synthetic_run(50, 3);
    SampleEncoder enc;
    std::string key, delta;
    enc.encode(snaps[0].snap, &snaps[0].details, name_of, true, key);
    enc.encode(snaps[1].snap, &snaps[1].details, name_of, false, delta);
    std::string error;
    Snapshot s;
    TaskDetails dd;
    {
        SampleDecoder dec;  // a delta needs the sample before it
        CHECK_FALSE(dec.decode(delta, false, s, dd, error));
        CHECK_FALSE(error.empty());
    }
    SampleDecoder dec;
    REQUIRE(dec.decode(key, true, s, dd, error));
    CHECK_FALSE(dec.decode(delta + "x", false, s, dd, error));  // trailing bytes
    CHECK_FALSE(dec.decode(delta, false, s, dd, error));        // the state is gone after a failure
    REQUIRE(dec.decode(key, true, s, dd, error));
    // Every truncation of a payload fails cleanly.
    for (std::size_t n = 0; n < delta.size(); ++n) {
        SampleDecoder d2;
        REQUIRE(d2.decode(key, true, s, dd, error));
        CHECK_FALSE(d2.decode(delta.substr(0, n), false, s, dd, error));
    }
    CHECK(dec.users().at(0) == "root");
}

TEST_CASE("a payload that would decode past the memory bound is refused as it is counted",
          "[record][damage]") {
    // 8192 tasks of 4 bytes each, every one a copy of a 1 MiB command line: 8 GiB decoded
    // as it was, still 64 MiB with every copy cut to 4 KiB, from a payload of 1 MiB and
    // 32 KiB (which zstd makes a few hundred bytes). Under a bound of 16 MiB it fails, and
    // the decoder recovers.
    const std::string amplifying = test::amplifying_payload(8192, 1 << 20);
    CHECK(amplifying.size() < (1 << 20) + 40'000);
    SampleDecoder dec(std::size_t{16} << 20);
    Snapshot s;
    TaskDetails d;
    std::string error;
    CHECK_FALSE(dec.decode(amplifying, true, s, d, error));
    CHECK_THAT(error, Catch::Contains("more than 16 MiB of memory"));
    // Under the bound the same construction decodes, and is counted at what it holds.
    REQUIRE(dec.decode(test::amplifying_payload(4, 1 << 20), true, s, d, error));
    CHECK(s.tasks.size() == 4);
    // The payload, per task its tokens (the line cut to 4 KiB), and the one line the
    // details share.
    CHECK(dec.last_sample_bytes() > (1u << 20) + 5 * kCommandMaxBytes);
    CHECK(dec.last_sample_bytes() < (1u << 20) + 8 * kCommandMaxBytes);
    // The bound counts every part: many users, or machine values (tested by their tokens).
    SampleDecoder tiny(1024);
    auto snaps = test::synthetic_run(50, 1);
    std::string key;
    SampleEncoder().encode(snaps[0].snap, &snaps[0].details, name_of, true, key);
    CHECK_FALSE(tiny.decode(key, true, s, d, error));
    CHECK_THAT(error, Catch::Contains("MiB of memory"));
}

TEST_CASE("the decode bound is generous: 10 000 threads with 4 KiB command lines each",
          "[record]") {
    // The real sample the bound must allow, with every command line different (none shared).
    Snapshot snap;
    TaskDetails details;
    constexpr std::size_t kThreads = 10000;
    details.reset(kThreads);
    for (std::size_t i = 0; i < kThreads; ++i) {
        TaskSample t;
        t.tid = static_cast<pid_t>(1000 + i);
        t.tgid = static_cast<pid_t>(1000 + i / 10 * 10);
        t.comm = "worker";
        snap.tasks.push_back(t);
        std::string line(4096, 'x');
        line.replace(0, 8, std::to_string(10000000 + i));
        details.set(i).cmdline = std::make_shared<const std::string>(std::move(line));
    }
    std::string payload;
    SampleEncoder().encode(snap, &details, name_of, true, payload);
    SampleDecoder dec;
    Snapshot s;
    TaskDetails d;
    std::string error;
    REQUIRE(dec.decode(payload, true, s, d, error));
    CHECK(s.tasks.size() == kThreads);
    INFO("counted at " << (dec.last_sample_bytes() >> 20) << " MiB");
    // Room to spare: the same with a tenth more threads still decodes.
    CHECK(dec.last_sample_bytes() < kMaxDecodedSampleBytes / 11 * 10);
    // A delta after it holds both samples: every thread's counters changed.
    for (TaskSample& t : snap.tasks) t.start_ticks += 1;
    SampleEncoder enc;
    std::string key, delta;
    enc.encode(snap, &details, name_of, true, key);
    for (TaskSample& t : snap.tasks) t.start_ticks += 1;
    enc.encode(snap, &details, name_of, false, delta);
    REQUIRE(dec.decode(key, true, s, d, error));
    REQUIRE(dec.decode(delta, false, s, d, error));
    INFO("the delta counted at " << (dec.last_sample_bytes() >> 20) << " MiB");
    CHECK(dec.last_sample_bytes() < kMaxDecodedSampleBytes / 11 * 10);
    CHECK(s.tasks.size() == kThreads);
}

TEST_CASE("a task's string longer than a recorded command line is cut as one", "[record]") {
    // A recording made before command lines were cut to 4 KiB: a 1 MB command line in 50
    // threads decodes to 50 short copies with the count of bytes cut, as a live run shows.
    Sample a = sample_of(Snapshot{});
    for (int i = 1; i <= 50; ++i) a.snap.tasks.push_back(task(i, 1));
    a.details.reset(50);
    // Written as an old vigil wrote it: the whole line, no count (details with no unread).
    auto line = std::make_shared<const std::string>(std::string(1'000'000, 'y'));
    for (std::size_t i = 0; i < 50; ++i) a.details.set(i).cmdline = line;
    auto out = round_trip({a}, 1000);
    REQUIRE(out[0].details.find(0));
    CHECK(out[0].details.find(0)->cmdline->size() == kCommandMaxBytes);
    CHECK(unread_of(out[0], 0) == 1'000'000 - kCommandMaxBytes);
    CHECK(unread_of(out[0], 49) == 1'000'000 - kCommandMaxBytes);

    // A count already there grows by the bytes cut; a text short enough is left alone.
    std::uint64_t unread = 0;
    using namespace std::string_literals;
    const std::string capped = cap_recorded_string(std::string(5000, 'z') + "\0"s + "100");
    CHECK(recorded_cmdline_text(capped, unread).size() == kCommandMaxBytes);
    CHECK(unread == 100 + 5000 - kCommandMaxBytes);
    CHECK(cap_recorded_string(std::string(kMaxRecordedStringBytes, 'q')).size() ==
          kMaxRecordedStringBytes);
    const std::string huge_count = std::string(5000, 'z') + "\0"s + "18446744073709551615";
    CHECK(recorded_cmdline_text(cap_recorded_string(huge_count), unread).size() ==
          kCommandMaxBytes);
    CHECK(unread == UINT64_MAX);
}

TEST_CASE("a command line read in part keeps the count of bytes not read", "[record]") {
    Sample a = sample_of(Snapshot{});
    a.snap.tasks = {task(1, 1), task(2, 1), task(3, 3)};
    a.details.reset(3);
    auto text = std::make_shared<const std::string>(std::string(kCommandMaxBytes, 'x'));
    for (std::size_t i : {0, 1}) {
        TaskDetail& d = a.details.set(i);
        d.cmdline = text;
        d.cmdline_unread = 1'000'000;
    }
    a.details.set(2).cmdline = std::make_shared<const std::string>("short");
    Sample b = a;  // the count changes, the text does not
    b.details.set(0).cmdline_unread = 7;
    b.details.set(1).cmdline_unread = 7;
    auto out = round_trip({a, b, a}, 1000);
    check_same_tasks(out[0], a);
    check_same_tasks(out[1], b);
    check_same_tasks(out[2], a);
    CHECK(unread_of(out[0], 0) == 1'000'000);
    CHECK(unread_of(out[1], 1) == 7);
    CHECK(unread_of(out[0], 2) == 0);
    // Threads of a process still share one string.
    CHECK(out[0].details.find(0)->cmdline.get() == out[0].details.find(1)->cmdline.get());

    // A count that does not parse stays in the text (shown escaped), not lost or misread.
    std::uint64_t unread = 5;
    using namespace std::string_literals;
    CHECK(recorded_cmdline_text("abc\0x12"s, unread) == "abc\0x12"s);
    CHECK(unread == 0);
    CHECK(recorded_cmdline_text("abc\0"s
                                "12"s,
                                unread) == "abc");
    CHECK(unread == 12);
}
