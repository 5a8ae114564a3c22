// Decoding of taskstats replies, from byte buffers built by hand for each struct layout.
// The offsets below are written out independently of the decoder (and of the host header,
// except for the offsetof cross-check), so a wrong table in either place shows up here.
#include <catch2/catch.hpp>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "vigil/collect/netlink/taskstats_decode.hpp"

using vigil::decode_one_reply;
using vigil::decode_taskstats;
using vigil::TaskstatsRecord;
using vigil::TaskstatsReply;
using Bytes = std::vector<std::byte>;

namespace {

// Where each field lives in one struct version, and how big the kernel's struct is.
struct TestLayout {
    std::uint16_t version;
    std::size_t size;
    std::size_t cpu_delay, blkio_delay, swapin_delay;
    std::size_t comm, uid, pid, ppid, btime, utime, stime;
    std::size_t read_char, write_char, read_bytes, write_bytes, cancelled;
    std::size_t btime64, tgid;                            // 0: absent in this version
    std::size_t blkio_count, swapin_count, wpcopy_count;  // wpcopy_count 0: absent
    std::size_t minflt, majflt, read_syscalls, write_syscalls;
};

constexpr TestLayout layout_appended(std::uint16_t v, std::size_t size) {
    return {.version = v,
            .size = size,
            .cpu_delay = 24,
            .blkio_delay = 40,
            .swapin_delay = 56,
            .comm = 80,
            .uid = 120,
            .pid = 128,
            .ppid = 132,
            .btime = 136,
            .utime = 152,
            .stime = 160,
            .read_char = 216,
            .write_char = 224,
            .read_bytes = 248,
            .write_bytes = 256,
            .cancelled = 264,
            .btime64 = v >= 10 ? 344u : 0u,
            .tgid = v >= 12 ? 368u : 0u,
            .blkio_count = 32,
            .swapin_count = 48,
            .wpcopy_count = v >= 13 ? 400u : 0u,
            .minflt = 168,
            .majflt = 176,
            .read_syscalls = 232,
            .write_syscalls = 240};
}
// v15: u64 max and min after cpu/blkio/swapin/freepages/thrashing/compact/wpcopy/irq totals.
constexpr TestLayout layout_v15 = {.version = 15,
                                   .size = 560,
                                   .cpu_delay = 24,
                                   .blkio_delay = 56,
                                   .swapin_delay = 88,
                                   .comm = 128,
                                   .uid = 168,
                                   .pid = 176,
                                   .ppid = 180,
                                   .btime = 184,
                                   .utime = 200,
                                   .stime = 208,
                                   .read_char = 264,
                                   .write_char = 272,
                                   .read_bytes = 296,
                                   .write_bytes = 304,
                                   .cancelled = 312,
                                   .btime64 = 424,
                                   .tgid = 464,
                                   .blkio_count = 48,
                                   .swapin_count = 80,
                                   .wpcopy_count = 496,
                                   .minflt = 216,
                                   .majflt = 224,
                                   .read_syscalls = 280,
                                   .write_syscalls = 288};
constexpr TestLayout layout_v9 = layout_appended(9, 344);
constexpr TestLayout layout_v11 = layout_appended(11, 368);
constexpr TestLayout layout_v13 = layout_appended(13, 416);
constexpr TestLayout layout_v14 = layout_appended(14, 432);
constexpr TestLayout layout_v16 = layout_appended(16, 560);
constexpr TestLayout layout_v17 = layout_appended(17, 560 + 8 * 16);
constexpr TestLayout layout_v20 = layout_appended(20, 800);  // a future kernel

#if TASKSTATS_VERSION == 13
TEST_CASE("taskstats: the hand-written v13 offsets match the host header", "[taskstats]") {
    CHECK(sizeof(struct taskstats) == layout_v13.size);
    CHECK(offsetof(struct taskstats, cpu_delay_total) == layout_v13.cpu_delay);
    CHECK(offsetof(struct taskstats, blkio_delay_total) == layout_v13.blkio_delay);
    CHECK(offsetof(struct taskstats, swapin_delay_total) == layout_v13.swapin_delay);
    CHECK(offsetof(struct taskstats, ac_comm) == layout_v13.comm);
    CHECK(offsetof(struct taskstats, ac_uid) == layout_v13.uid);
    CHECK(offsetof(struct taskstats, ac_pid) == layout_v13.pid);
    CHECK(offsetof(struct taskstats, ac_ppid) == layout_v13.ppid);
    CHECK(offsetof(struct taskstats, ac_btime) == layout_v13.btime);
    CHECK(offsetof(struct taskstats, ac_utime) == layout_v13.utime);
    CHECK(offsetof(struct taskstats, ac_stime) == layout_v13.stime);
    CHECK(offsetof(struct taskstats, read_char) == layout_v13.read_char);
    CHECK(offsetof(struct taskstats, write_char) == layout_v13.write_char);
    CHECK(offsetof(struct taskstats, read_bytes) == layout_v13.read_bytes);
    CHECK(offsetof(struct taskstats, write_bytes) == layout_v13.write_bytes);
    CHECK(offsetof(struct taskstats, cancelled_write_bytes) == layout_v13.cancelled);
    CHECK(offsetof(struct taskstats, ac_btime64) == layout_v13.btime64);
    CHECK(offsetof(struct taskstats, ac_tgid) == layout_v13.tgid);
    CHECK(offsetof(struct taskstats, blkio_count) == layout_v13.blkio_count);
    CHECK(offsetof(struct taskstats, swapin_count) == layout_v13.swapin_count);
    CHECK(offsetof(struct taskstats, wpcopy_count) == layout_v13.wpcopy_count);
    CHECK(offsetof(struct taskstats, ac_minflt) == layout_v13.minflt);
    CHECK(offsetof(struct taskstats, ac_majflt) == layout_v13.majflt);
    CHECK(offsetof(struct taskstats, read_syscalls) == layout_v13.read_syscalls);
    CHECK(offsetof(struct taskstats, write_syscalls) == layout_v13.write_syscalls);
}
#endif

template <typename T>
void put(Bytes& b, std::size_t off, T v) {
    REQUIRE(off + sizeof v <= b.size());
    std::memcpy(b.data() + off, &v, sizeof v);
}

template <typename T>
void append(Bytes& b, T v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    b.insert(b.end(), p, p + sizeof v);
}

// Distinct values per field, so a field read from its neighbour's offset is caught.
TaskstatsRecord expected_for(const TestLayout& l, pid_t pid) {
    TaskstatsRecord r;
    r.version = l.version;
    r.pid = pid;
    r.tgid = l.tgid ? pid - 3 : 0;
    r.ppid = 4242;
    r.uid = 1000;
    r.comm = "kworker/u8:1";
    r.btime64_s = l.btime64 ? 0x1'2345'6789ull : 1'700'000'000ull;
    r.utime_us = 111'111;
    r.stime_us = 222'222;
    r.cpu_delay_ns = 0x0c0c'0001;
    r.blkio_delay_ns = 0x0b0b'0002;
    r.swapin_delay_ns = 0x0505'0003;
    r.blkio_count = 0x0b0b'c001;
    r.swapin_count = 0x0505'c002;
    r.wpcopy_count = l.wpcopy_count ? 0x0c0c'c003 : 0;
    r.read_char = 0x0ead'c4a7;
    r.write_char = 0x0717'c4a7;
    r.read_bytes = 0x1'0000'0001ull;
    r.write_bytes = 0x2'0000'0002ull;
    r.cancelled_write_bytes = 0x3'0000'0003ull;
    r.minflt = 0x0f1f'0004;
    r.majflt = 0x0a1f'0005;
    r.read_syscalls = 0x05c7'0006;
    r.write_syscalls = 0x05c8'0007;
    return r;
}

// A struct taskstats payload: every byte not written below is 0xa5, so any field read from
// a wrong offset comes out as garbage the checks see.
Bytes build_stats(const TestLayout& l, const TaskstatsRecord& r) {
    Bytes b(l.size, std::byte{0xa5});
    put<std::uint16_t>(b, 0, l.version);
    put<std::uint64_t>(b, l.cpu_delay, r.cpu_delay_ns);
    put<std::uint64_t>(b, l.blkio_delay, r.blkio_delay_ns);
    put<std::uint64_t>(b, l.swapin_delay, r.swapin_delay_ns);
    std::memset(b.data() + l.comm, 0, 32);
    std::memcpy(b.data() + l.comm, r.comm.data(), r.comm.size());
    put<std::uint32_t>(b, l.uid, r.uid);
    put<std::uint32_t>(b, l.pid, static_cast<std::uint32_t>(r.pid));
    put<std::uint32_t>(b, l.ppid, static_cast<std::uint32_t>(r.ppid));
    put<std::uint32_t>(b, l.btime,
                       l.btime64 ? 0xdeadbeefu : static_cast<std::uint32_t>(r.btime64_s));
    put<std::uint64_t>(b, l.utime, r.utime_us);
    put<std::uint64_t>(b, l.stime, r.stime_us);
    put<std::uint64_t>(b, l.read_char, r.read_char);
    put<std::uint64_t>(b, l.write_char, r.write_char);
    put<std::uint64_t>(b, l.read_bytes, r.read_bytes);
    put<std::uint64_t>(b, l.write_bytes, r.write_bytes);
    put<std::uint64_t>(b, l.cancelled, r.cancelled_write_bytes);
    if (l.btime64) put<std::uint64_t>(b, l.btime64, r.btime64_s);
    if (l.tgid) put<std::uint32_t>(b, l.tgid, static_cast<std::uint32_t>(r.tgid));
    put<std::uint64_t>(b, l.blkio_count, r.blkio_count);
    put<std::uint64_t>(b, l.swapin_count, r.swapin_count);
    if (l.wpcopy_count) put<std::uint64_t>(b, l.wpcopy_count, r.wpcopy_count);
    put<std::uint64_t>(b, l.minflt, r.minflt);
    put<std::uint64_t>(b, l.majflt, r.majflt);
    put<std::uint64_t>(b, l.read_syscalls, r.read_syscalls);
    put<std::uint64_t>(b, l.write_syscalls, r.write_syscalls);
    return b;
}

void append_attr_header(Bytes& b, std::uint16_t type, std::size_t payload_len) {
    append<std::uint16_t>(b, static_cast<std::uint16_t>(NLA_HDRLEN + payload_len));
    append<std::uint16_t>(b, type);
}

void pad4(Bytes& b) {
    while (b.size() % 4) b.push_back(std::byte{0});
}

// nlmsghdr + genlmsghdr + AGGR_PID { [NULL pad] PID, STATS }, as the kernel sends it.
Bytes wrap_reply(const Bytes& stats, std::uint32_t seq, std::uint32_t pid_attr,
                 bool null_pad = false) {
    Bytes attrs;
    const std::size_t nested =
        (null_pad ? NLA_HDRLEN : 0) + NLA_HDRLEN + 4 + NLA_HDRLEN + NLA_ALIGN(stats.size());
    append_attr_header(attrs, TASKSTATS_TYPE_AGGR_PID | NLA_F_NESTED, nested);
    if (null_pad) append_attr_header(attrs, TASKSTATS_TYPE_NULL, 0);
    append_attr_header(attrs, TASKSTATS_TYPE_PID, 4);
    append<std::uint32_t>(attrs, pid_attr);
    append_attr_header(attrs, TASKSTATS_TYPE_STATS, stats.size());
    attrs.insert(attrs.end(), stats.begin(), stats.end());
    pad4(attrs);

    Bytes msg;
    append<std::uint32_t>(msg,
                          static_cast<std::uint32_t>(NLMSG_HDRLEN + GENL_HDRLEN + attrs.size()));
    append<std::uint16_t>(msg, 0x1f);  // a dynamic genl family id
    append<std::uint16_t>(msg, 0);
    append<std::uint32_t>(msg, seq);
    append<std::uint32_t>(msg, 0);  // from the kernel
    append<std::uint8_t>(msg, TASKSTATS_CMD_NEW);
    append<std::uint8_t>(msg, TASKSTATS_GENL_VERSION);
    append<std::uint16_t>(msg, 0);
    msg.insert(msg.end(), attrs.begin(), attrs.end());
    return msg;
}

// NLMSG_ERROR as sent with NETLINK_CAP_ACK: the error and the request's header.
Bytes error_reply(std::uint32_t seq, int error) {
    Bytes msg;
    append<std::uint32_t>(msg, NLMSG_HDRLEN + sizeof(nlmsgerr));
    append<std::uint16_t>(msg, NLMSG_ERROR);
    append<std::uint16_t>(msg, NLM_F_CAPPED);
    append<std::uint32_t>(msg, seq);
    append<std::uint32_t>(msg, 0);
    append<std::int32_t>(msg, -error);
    nlmsghdr req{28, 0x1f, NLM_F_REQUEST, seq, 1234};
    append(msg, req);
    return msg;
}

std::span<const std::byte> as_span(const Bytes& b, std::size_t n = SIZE_MAX) {
    return {b.data(), std::min(n, b.size())};
}

void check_record(const TaskstatsRecord& got, const TaskstatsRecord& want) {
    CHECK(got.version == want.version);
    CHECK(got.pid == want.pid);
    CHECK(got.tgid == want.tgid);
    CHECK(got.ppid == want.ppid);
    CHECK(got.uid == want.uid);
    CHECK(got.comm == want.comm);
    CHECK(got.btime64_s == want.btime64_s);
    CHECK(got.utime_us == want.utime_us);
    CHECK(got.stime_us == want.stime_us);
    CHECK(got.cpu_delay_ns == want.cpu_delay_ns);
    CHECK(got.blkio_delay_ns == want.blkio_delay_ns);
    CHECK(got.swapin_delay_ns == want.swapin_delay_ns);
    CHECK(got.read_char == want.read_char);
    CHECK(got.write_char == want.write_char);
    CHECK(got.read_bytes == want.read_bytes);
    CHECK(got.write_bytes == want.write_bytes);
    CHECK(got.cancelled_write_bytes == want.cancelled_write_bytes);
    CHECK(got.blkio_count == want.blkio_count);
    CHECK(got.swapin_count == want.swapin_count);
    CHECK(got.wpcopy_count == want.wpcopy_count);
    CHECK(got.minflt == want.minflt);
    CHECK(got.majflt == want.majflt);
    CHECK(got.read_syscalls == want.read_syscalls);
    CHECK(got.write_syscalls == want.write_syscalls);
}

bool same_record(const TaskstatsRecord& a, const TaskstatsRecord& b) {
    return a.version == b.version && a.pid == b.pid && a.tgid == b.tgid && a.ppid == b.ppid &&
           a.uid == b.uid && a.comm == b.comm && a.btime64_s == b.btime64_s &&
           a.utime_us == b.utime_us && a.stime_us == b.stime_us &&
           a.cpu_delay_ns == b.cpu_delay_ns && a.blkio_delay_ns == b.blkio_delay_ns &&
           a.swapin_delay_ns == b.swapin_delay_ns && a.read_char == b.read_char &&
           a.write_char == b.write_char && a.read_bytes == b.read_bytes &&
           a.write_bytes == b.write_bytes && a.cancelled_write_bytes == b.cancelled_write_bytes &&
           a.blkio_count == b.blkio_count && a.swapin_count == b.swapin_count &&
           a.wpcopy_count == b.wpcopy_count && a.minflt == b.minflt && a.majflt == b.majflt &&
           a.read_syscalls == b.read_syscalls && a.write_syscalls == b.write_syscalls;
}

}  // namespace

TEST_CASE("taskstats: each struct version decodes from a full reply", "[taskstats]") {
    const TestLayout layout = GENERATE(layout_v9, layout_v11, layout_v13, layout_v14, layout_v15,
                                       layout_v16, layout_v17, layout_v20);
    CAPTURE(layout.version);
    const auto want = expected_for(layout, 31337);
    const Bytes msg = wrap_reply(build_stats(layout, want), 42, 31337);

    TaskstatsReply r;
    REQUIRE(decode_one_reply(as_span(msg), r) == msg.size());
    REQUIRE(r.kind == TaskstatsReply::Kind::stats);
    CHECK(r.seq == 42);
    REQUIRE(r.record);
    check_record(*r.record, want);
}

TEST_CASE("taskstats: a padding attribute inside AGGR_PID is skipped", "[taskstats]") {
    const auto want = expected_for(layout_v16, 77);
    const Bytes msg = wrap_reply(build_stats(layout_v16, want), 1, 77, /*null_pad=*/true);
    TaskstatsReply r;
    REQUIRE(decode_one_reply(as_span(msg), r) == msg.size());
    REQUIRE(r.record);
    check_record(*r.record, want);
}

TEST_CASE("taskstats: ac_pid disagreeing with the PID attribute gives no record", "[taskstats]") {
    const Bytes msg = wrap_reply(build_stats(layout_v16, expected_for(layout_v16, 77)), 1, 78);
    TaskstatsReply r;
    REQUIRE(decode_one_reply(as_span(msg), r) == msg.size());
    CHECK(r.kind == TaskstatsReply::Kind::other);
    CHECK_FALSE(r.record);
}

TEST_CASE("taskstats: a payload too short for its version is rejected", "[taskstats]") {
    // The last field read: ac_tgid (v12+), at 464 in v15, ac_btime64 in v10/v11,
    // cancelled_write_bytes before.
    struct Case {
        TestLayout layout;
        std::size_t needed;
    };
    const Case c = GENERATE(Case{layout_v9, 272}, Case{layout_v11, 352}, Case{layout_v13, 372},
                            Case{layout_v15, 468}, Case{layout_v16, 372});
    CAPTURE(c.layout.version);
    Bytes stats = build_stats(c.layout, expected_for(c.layout, 5));
    stats.resize(c.needed);
    CHECK(decode_taskstats(as_span(stats)));
    stats.resize(c.needed - 1);
    CHECK_FALSE(decode_taskstats(as_span(stats)));
}

TEST_CASE("taskstats: version 0 and 1 and tiny payloads are rejected", "[taskstats]") {
    Bytes stats = build_stats(layout_v16, expected_for(layout_v16, 5));
    put<std::uint16_t>(stats, 0, 1);
    CHECK_FALSE(decode_taskstats(as_span(stats)));
    put<std::uint16_t>(stats, 0, 0);
    CHECK_FALSE(decode_taskstats(as_span(stats)));
    CHECK_FALSE(decode_taskstats(as_span(stats, 0)));
    CHECK_FALSE(decode_taskstats(as_span(stats, 1)));
}

TEST_CASE("taskstats: an ESRCH error reply and an ACK", "[taskstats]") {
    const Bytes err = error_reply(9, ESRCH);
    TaskstatsReply r;
    REQUIRE(decode_one_reply(as_span(err), r) == err.size());
    CHECK(r.kind == TaskstatsReply::Kind::error);
    CHECK(r.error == ESRCH);
    CHECK(r.seq == 9);
    CHECK_FALSE(r.record);

    const Bytes ack = error_reply(10, 0);
    REQUIRE(decode_one_reply(as_span(ack), r) == ack.size());
    CHECK(r.kind == TaskstatsReply::Kind::other);
    CHECK(r.error == 0);
    CHECK(r.seq == 10);
}

TEST_CASE("taskstats: several messages in one buffer are walked in order", "[taskstats]") {
    const auto a = expected_for(layout_v15, 100);
    const auto b = expected_for(layout_v16, 200);
    Bytes buf = wrap_reply(build_stats(layout_v15, a), 0, 100);
    const Bytes e = error_reply(1, ESRCH);
    buf.insert(buf.end(), e.begin(), e.end());
    const Bytes m = wrap_reply(build_stats(layout_v16, b), 2, 200);
    buf.insert(buf.end(), m.begin(), m.end());
    const Bytes ack = error_reply(3, 0);
    buf.insert(buf.end(), ack.begin(), ack.end());

    std::vector<TaskstatsReply> seen;
    const auto n = vigil::for_each_taskstats_reply(
        as_span(buf), [&](const TaskstatsReply& r) { seen.push_back(r); });
    REQUIRE(n == 4);
    REQUIRE(seen.size() == 4);
    for (std::uint32_t i = 0; i < 4; ++i) CHECK(seen[i].seq == i);
    REQUIRE(seen[0].record);
    check_record(*seen[0].record, a);
    CHECK(seen[1].kind == TaskstatsReply::Kind::error);
    CHECK(seen[1].error == ESRCH);
    REQUIRE(seen[2].record);
    check_record(*seen[2].record, b);
    CHECK(seen[3].kind == TaskstatsReply::Kind::other);
}

TEST_CASE("taskstats: truncation at every byte never yields garbage", "[taskstats]") {
    const TestLayout layout = GENERATE(layout_v13, layout_v15, layout_v16);
    CAPTURE(layout.version);
    const auto want = expected_for(layout, 4321);
    Bytes buf = wrap_reply(build_stats(layout, want), 5, 4321);
    const Bytes e = error_reply(6, ESRCH);
    buf.insert(buf.end(), e.begin(), e.end());

    for (std::size_t cut = 0; cut <= buf.size(); ++cut) {
        CAPTURE(cut);
        TaskstatsReply r;
        const std::size_t used = decode_one_reply(as_span(buf, cut), r);
        REQUIRE(used <= cut);
        if (cut < NLMSG_HDRLEN) REQUIRE(used == 0);
        if (r.record) REQUIRE(same_record(*r.record, want));
        if (r.kind == TaskstatsReply::Kind::stats) REQUIRE(r.record);

        std::size_t records = 0;
        vigil::for_each_taskstats_reply(as_span(buf, cut), [&](const TaskstatsReply& x) {
            if (x.record) {
                REQUIRE(same_record(*x.record, want));
                ++records;
            }
        });
        REQUIRE(records <= 1);
    }
}

TEST_CASE("taskstats: hostile lengths stop the walk without reading out of bounds", "[taskstats]") {
    const auto want = expected_for(layout_v16, 9);
    const Bytes good = wrap_reply(build_stats(layout_v16, want), 1, 9);
    TaskstatsReply r;

    SECTION("nlmsg_len shorter than its header") {
        Bytes b = good;
        put<std::uint32_t>(b, 0, 8);
        CHECK(decode_one_reply(as_span(b), r) == 0);
        CHECK(vigil::for_each_taskstats_reply(as_span(b), [](const TaskstatsReply&) {}) == 0);
    }
    SECTION("nlmsg_len far past the buffer is clamped") {
        Bytes b = good;
        put<std::uint32_t>(b, 0, 0xffffffffu);
        CHECK(decode_one_reply(as_span(b), r) == b.size());
        if (r.record) CHECK(same_record(*r.record, want));
    }
    SECTION("a zero-length attribute") {
        Bytes b = good;
        put<std::uint16_t>(b, NLMSG_HDRLEN + GENL_HDRLEN, 0);
        CHECK(decode_one_reply(as_span(b), r) == b.size());
        CHECK_FALSE(r.record);
    }
    SECTION("a STATS attribute claiming more than the nest holds") {
        Bytes b = good;
        const std::size_t stats_hdr = NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + NLA_HDRLEN + 4;
        put<std::uint16_t>(b, stats_hdr, 0xfff0);
        CHECK(decode_one_reply(as_span(b), r) == b.size());
        CHECK_FALSE(r.record);
    }
    SECTION("random corruption") {
        std::mt19937 rng(12345);
        for (int i = 0; i < 20000; ++i) {
            Bytes b = good;
            const int flips = 1 + static_cast<int>(rng() % 8);
            for (int f = 0; f < flips; ++f)
                b[rng() % 64] = static_cast<std::byte>(rng());  // headers live in the first bytes
            const std::size_t cut = rng() % (b.size() + 1);
            vigil::for_each_taskstats_reply(as_span(b, cut), [](const TaskstatsReply&) {});
        }
        SUCCEED("no crash");
    }
}

TEST_CASE("taskstats: real replies captured from a kernel decode", "[taskstats]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(VIGIL_FIXTURES) / "taskstats";
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        // reply_v<version>.bin (std::regex is avoided: GCC 12 warns inside it under -O2).
        const std::string file = entry.path().filename().string();
        const std::string prefix = "reply_v", suffix = ".bin";
        if (file.size() <= prefix.size() + suffix.size() || file.rfind(prefix, 0) != 0 ||
            !file.ends_with(suffix))
            continue;
        const std::string version_text =
            file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
        if (version_text.find_first_not_of("0123456789") != std::string::npos) continue;
        ++files;
        CAPTURE(file);
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string raw((std::istreambuf_iterator<char>(in)), {});
        Bytes bytes(raw.size());
        std::memcpy(bytes.data(), raw.data(), raw.size());

        // The sidecar says which thread was asked for: "tid=<n>".
        std::ifstream side(fs::path(entry.path()).replace_extension(".txt"));
        std::string line;
        REQUIRE(std::getline(side, line));
        REQUIRE(line.rfind("tid=", 0) == 0);
        const pid_t tid = std::stoi(line.substr(4));

        TaskstatsReply r;
        REQUIRE(decode_one_reply(as_span(bytes), r) == bytes.size());
        REQUIRE(r.kind == TaskstatsReply::Kind::stats);
        REQUIRE(r.record);
        CHECK(r.record->version == std::stoi(version_text));
        CHECK(r.record->pid == tid);
        CHECK(r.record->tgid == tid);  // captured from a single-threaded program
        CHECK_FALSE(r.record->comm.empty());
        CHECK(r.record->btime64_s > 1'600'000'000u);  // a plausible wall-clock start time
    }
    CHECK(files > 0);
}

namespace {

// Offsets of the fields TaskSweep reads besides the ones above, per layout family.
struct ActivityOffsets {
    std::size_t etime, cpu_count, run_real, run_virtual, nvcsw, nivcsw;
};
constexpr ActivityOffsets activity_appended{144, 16, 64, 72, 272, 280};
constexpr ActivityOffsets activity_v15{192, 16, 112, 120, 320, 328};

Bytes with_activity(const TestLayout& l, const ActivityOffsets& o, const TaskstatsRecord& r) {
    Bytes b = build_stats(l, r);
    put<std::uint8_t>(b, 9, static_cast<std::uint8_t>(static_cast<std::int8_t>(-7)));  // ac_nice
    put<std::uint64_t>(b, o.etime, 0x0e71'0001);
    put<std::uint64_t>(b, o.cpu_count, 0x0c0c'0c0c);
    put<std::uint64_t>(b, o.run_real, 0x0ea1'0002);
    put<std::uint64_t>(b, o.run_virtual, 0x0f1e'0003);
    put<std::uint64_t>(b, o.nvcsw, 0x5a1'0004);
    put<std::uint64_t>(b, o.nivcsw, 0x51a1'0005);
    return b;
}

void check_activity(const TaskstatsRecord& got) {
    CHECK(got.nice == -7);
    CHECK(got.etime_us == 0x0e71'0001u);
    CHECK(got.cpu_count == 0x0c0c'0c0cu);
    CHECK(got.cpu_run_real_total_ns == 0x0ea1'0002u);
    CHECK(got.cpu_run_virtual_total_ns == 0x0f1e'0003u);
    CHECK(got.nvcsw == 0x5a1'0004u);
    CHECK(got.nivcsw == 0x51a1'0005u);
}

// The answer to a TGID query: AGGR_TGID { TGID, STATS } with ac_pid left 0 by the kernel.
Bytes wrap_tgid_reply(const Bytes& stats, std::uint32_t seq, std::uint32_t tgid) {
    Bytes attrs;
    append_attr_header(attrs, TASKSTATS_TYPE_AGGR_TGID | NLA_F_NESTED,
                       NLA_HDRLEN + 4 + NLA_HDRLEN + NLA_ALIGN(stats.size()));
    append_attr_header(attrs, TASKSTATS_TYPE_TGID, 4);
    append<std::uint32_t>(attrs, tgid);
    append_attr_header(attrs, TASKSTATS_TYPE_STATS, stats.size());
    attrs.insert(attrs.end(), stats.begin(), stats.end());
    pad4(attrs);
    Bytes msg;
    append<std::uint32_t>(msg,
                          static_cast<std::uint32_t>(NLMSG_HDRLEN + GENL_HDRLEN + attrs.size()));
    append<std::uint16_t>(msg, 0x1f);
    append<std::uint16_t>(msg, 0);
    append<std::uint32_t>(msg, seq);
    append<std::uint32_t>(msg, 0);
    append<std::uint8_t>(msg, TASKSTATS_CMD_NEW);
    append<std::uint8_t>(msg, TASKSTATS_GENL_VERSION);
    append<std::uint16_t>(msg, 0);
    msg.insert(msg.end(), attrs.begin(), attrs.end());
    return msg;
}

}  // namespace

TEST_CASE("taskstats: nice, elapsed time and activity counters decode", "[taskstats]") {
    struct Case {
        TestLayout layout;
        ActivityOffsets offsets;
    };
    const Case c = GENERATE(Case{layout_v9, activity_appended}, Case{layout_v13, activity_appended},
                            Case{layout_v15, activity_v15}, Case{layout_v16, activity_appended},
                            Case{layout_v20, activity_appended});
    CAPTURE(c.layout.version);
    const auto want = expected_for(c.layout, 4242);
    const Bytes msg = wrap_reply(with_activity(c.layout, c.offsets, want), 3, 4242);
    TaskstatsReply r;
    REQUIRE(decode_one_reply(as_span(msg), r) == msg.size());
    REQUIRE(r.record);
    CHECK_FALSE(r.whole_process);
    check_record(*r.record, want);
    check_activity(*r.record);
}

TEST_CASE("taskstats: a TGID reply decodes as a whole-process record", "[taskstats]") {
    const TestLayout layout = GENERATE(layout_v13, layout_v15, layout_v16);
    CAPTURE(layout.version);
    auto fields = expected_for(layout, 0);  // the kernel fills no ac_pid in a process sum
    const ActivityOffsets& o = layout.version == 15 ? activity_v15 : activity_appended;
    const Bytes msg = wrap_tgid_reply(with_activity(layout, o, fields), 8, 777);
    TaskstatsReply r;
    REQUIRE(decode_one_reply(as_span(msg), r) == msg.size());
    REQUIRE(r.kind == TaskstatsReply::Kind::stats);
    CHECK(r.whole_process);
    REQUIRE(r.record);
    CHECK(r.record->tgid == 777);
    CHECK(r.record->pid == 0);
    check_activity(*r.record);
}
