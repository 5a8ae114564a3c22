// Decoding of taskstats replies from raw bytes. The struct layout is chosen by the version
// field the kernel sends, never by the build host's <linux/taskstats.h>: the header we compile
// against is usually older (or newer) than the running kernel, and v15 moved fields around.
// Only constants come from the uapi headers.
#include "vigil/collect/netlink/taskstats_decode.hpp"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include <algorithm>
#include <cstring>

namespace vigil {
namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// Byte offsets of the fields vigil reads, for one family of struct versions. npos marks a
// field the version does not have.
struct Layout {
    std::size_t cpu_delay_total, blkio_delay_total, swapin_delay_total;
    std::size_t blkio_count, swapin_count;
    std::size_t wpcopy_count;  // v13+
    std::size_t ac_comm, ac_uid, ac_pid, ac_ppid, ac_btime;
    std::size_t ac_utime, ac_stime;
    std::size_t ac_minflt, ac_majflt;
    std::size_t read_syscalls, write_syscalls;
    std::size_t read_char, write_char, read_bytes, write_bytes, cancelled_write_bytes;
    std::size_t ac_btime64;  // v10+
    std::size_t ac_tgid;     // v12+
    std::size_t ac_etime;
    std::size_t cpu_count, cpu_run_real_total, cpu_run_virtual_total;
    std::size_t nvcsw, nivcsw;  // read only when the payload holds them (v6+)
};

constexpr std::size_t ac_nice_offset = 9;  // a u8 after version, ac_exitcode and ac_flag

constexpr std::size_t comm_len = 32;  // TS_COMM_LEN, fixed by the ABI

// Versions up to 14, and 16 onwards: fields were only ever appended (v16 put the max/min
// delay fields that v15 had inserted at the end instead), so one table serves them all.
constexpr Layout appended_layout(std::uint16_t version) {
    return Layout{
        .cpu_delay_total = 24,
        .blkio_delay_total = 40,
        .swapin_delay_total = 56,
        .blkio_count = 32,
        .swapin_count = 48,
        .wpcopy_count = version >= 13 ? std::size_t{400} : npos,
        .ac_comm = 80,
        .ac_uid = 120,
        .ac_pid = 128,
        .ac_ppid = 132,
        .ac_btime = 136,
        .ac_utime = 152,
        .ac_stime = 160,
        .ac_minflt = 168,
        .ac_majflt = 176,
        .read_syscalls = 232,
        .write_syscalls = 240,
        .read_char = 216,
        .write_char = 224,
        .read_bytes = 248,
        .write_bytes = 256,
        .cancelled_write_bytes = 264,
        .ac_btime64 = version >= 10 ? std::size_t{344} : npos,
        .ac_tgid = version >= 12 ? std::size_t{368} : npos,
        .ac_etime = 144,
        .cpu_count = 16,
        .cpu_run_real_total = 64,
        .cpu_run_virtual_total = 72,
        .nvcsw = 272,
        .nivcsw = 280,
    };
}

// v15 (Linux 6.16) inserted u64 <kind>_delay_max and <kind>_delay_min after each
// <kind>_delay_total. Three pairs sit before cpu_run_real_total (+48 for everything from
// there to cpu_scaled_run_real_total), one more after freepages (+64 for thrashing), one
// after thrashing (+80 for ac_btime64, compact), one after compact (+96 for ac_tgid).
constexpr Layout v15_layout() {
    return Layout{
        .cpu_delay_total = 24,     // cpu_count@16, then max@32 min@40
        .blkio_delay_total = 56,   // blkio_count@48, then max@64 min@72
        .swapin_delay_total = 88,  // swapin_count@80, then max@96 min@104
        .blkio_count = 48,
        .swapin_count = 80,
        // compact max/min end at 464; ac_tgid@464, ac_tgetime@472, exe_dev@480, exe_inode@488
        .wpcopy_count = 496,
        .ac_comm = 128,  // 80 + 48
        .ac_uid = 168,   // 120 + 48
        .ac_pid = 176,
        .ac_ppid = 180,
        .ac_btime = 184,
        .ac_utime = 200,
        .ac_stime = 208,
        .ac_minflt = 216,  // 168 + 48
        .ac_majflt = 224,
        .read_syscalls = 280,
        .write_syscalls = 288,
        .read_char = 264,
        .write_char = 272,
        .read_bytes = 296,
        .write_bytes = 304,
        .cancelled_write_bytes = 312,
        .ac_btime64 = 424,  // 344 + 80
        .ac_tgid = 464,     // 368 + 96
        .ac_etime = 192,    // 144 + 48
        .cpu_count = 16,
        .cpu_run_real_total = 112,     // 64 + 48
        .cpu_run_virtual_total = 120,  // 72 + 48
        .nvcsw = 320,                  // 272 + 48
        .nivcsw = 328,
    };
}

// The payload must hold every field we read for that version; anything shorter is a
// truncated or foreign attribute, and reading it would give garbage.
constexpr std::size_t required_size(const Layout& l) {
    std::size_t end = 0;
    auto need = [&end](std::size_t off, std::size_t size) {
        if (off != npos) end = std::max(end, off + size);
    };
    for (std::size_t off : {l.cpu_delay_total,
                            l.blkio_delay_total,
                            l.swapin_delay_total,
                            l.blkio_count,
                            l.swapin_count,
                            l.ac_utime,
                            l.ac_stime,
                            l.ac_minflt,
                            l.ac_majflt,
                            l.read_syscalls,
                            l.write_syscalls,
                            l.read_char,
                            l.write_char,
                            l.read_bytes,
                            l.write_bytes,
                            l.cancelled_write_bytes,
                            l.ac_btime64,
                            l.ac_etime,
                            l.cpu_count,
                            l.cpu_run_real_total,
                            l.cpu_run_virtual_total})
        need(off, 8);
    for (std::size_t off : {l.ac_uid, l.ac_pid, l.ac_ppid, l.ac_btime, l.ac_tgid}) need(off, 4);
    need(l.ac_comm, comm_len);
    return end;
}

static_assert(required_size(appended_layout(9)) == 272);
static_assert(required_size(appended_layout(10)) == 352);
static_assert(required_size(appended_layout(13)) == 372);
static_assert(required_size(v15_layout()) == 468);

// Bounds-checked unaligned load: netlink only guarantees 4-byte alignment of attribute
// payloads, so the u64 fields are read with memcpy. A read past the end marks the reader
// failed instead of returning a value that would look real.
class Reader {
  public:
    explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}

    template <typename T>
    T get(std::size_t off) {
        T v{};
        if (off > bytes_.size() || bytes_.size() - off < sizeof(T)) {
            failed_ = true;
            return v;
        }
        std::memcpy(&v, bytes_.data() + off, sizeof(T));
        return v;
    }
    std::uint64_t u64(std::size_t off) { return get<std::uint64_t>(off); }
    std::uint32_t u32(std::size_t off) { return get<std::uint32_t>(off); }

    std::string str(std::size_t off, std::size_t max_len) {
        if (off > bytes_.size() || bytes_.size() - off < max_len) {
            failed_ = true;
            return {};
        }
        const char* p = reinterpret_cast<const char*>(bytes_.data() + off);
        return std::string(p, strnlen(p, max_len));
    }

    bool failed() const { return failed_; }

  private:
    std::span<const std::byte> bytes_;
    bool failed_ = false;
};

// One netlink attribute: its type (flags stripped) and payload.
struct Attr {
    std::uint16_t type = 0;
    std::span<const std::byte> payload;
};

// Walks a run of attributes, calling f(Attr) for each well-formed one. A length that is too
// small or runs past the end stops the walk: the rest cannot be trusted.
template <typename F>
void for_each_attr(std::span<const std::byte> rest, F&& f) {
    while (rest.size() >= NLA_HDRLEN) {
        nlattr a;
        std::memcpy(&a, rest.data(), sizeof a);
        if (a.nla_len < NLA_HDRLEN || a.nla_len > rest.size()) return;
        f(Attr{static_cast<std::uint16_t>(a.nla_type & NLA_TYPE_MASK),
               rest.subspan(NLA_HDRLEN, a.nla_len - NLA_HDRLEN)});
        std::size_t step = std::min<std::size_t>(NLA_ALIGN(a.nla_len), rest.size());
        rest = rest.subspan(step);
    }
}

// Finds TASKSTATS_TYPE_AGGR_PID { TASKSTATS_TYPE_PID, TASKSTATS_TYPE_STATS } (or, for a
// TGID query, AGGR_TGID { TGID, STATS }) in the attributes of a genl reply and decodes the
// stats. whole_process says which of the two it was.
std::optional<TaskstatsRecord> decode_genl_attrs(std::span<const std::byte> attrs,
                                                 bool& whole_process) {
    std::optional<TaskstatsRecord> found;
    for_each_attr(attrs, [&](const Attr& outer) {
        const bool tgid_reply = outer.type == TASKSTATS_TYPE_AGGR_TGID;
        if ((outer.type != TASKSTATS_TYPE_AGGR_PID && !tgid_reply) || found) return;
        const std::uint16_t id_type = tgid_reply ? TASKSTATS_TYPE_TGID : TASKSTATS_TYPE_PID;
        std::optional<std::uint32_t> id_attr;
        std::optional<TaskstatsRecord> rec;
        for_each_attr(outer.payload, [&](const Attr& inner) {
            if (inner.type == id_type && inner.payload.size() >= 4) {
                std::uint32_t id;
                std::memcpy(&id, inner.payload.data(), sizeof id);
                id_attr = id;
            } else if (inner.type == TASKSTATS_TYPE_STATS) {
                rec = decode_taskstats(inner.payload);
            }
        });
        if (tgid_reply) {
            // The kernel fills no ids in a process sum (ac_pid stays 0); the TGID attribute
            // is the only name it has, and without it the record belongs to nobody.
            if (!id_attr) rec.reset();
            if (rec) {
                rec->pid = 0;
                rec->tgid = static_cast<pid_t>(*id_attr);
            }
        } else if (rec && id_attr && static_cast<std::uint32_t>(rec->pid) != *id_attr) {
            // The kernel echoes the pid it looked up next to the stats; if ac_pid disagrees,
            // the layout guess is wrong (or the bytes are corrupt) and nothing in the record
            // can be trusted.
            rec.reset();
        }
        whole_process = tgid_reply;
        found = std::move(rec);
    });
    return found;
}

}  // namespace

std::optional<TaskstatsRecord> decode_taskstats(std::span<const std::byte> payload) {
    if (payload.size() < sizeof(std::uint16_t)) return std::nullopt;
    std::uint16_t version;
    std::memcpy(&version, payload.data(), sizeof version);
    // v1 had `__u16 padding[3]` and cpu_count at offset 8; every later version uses the
    // aligned layout. Version 0 does not exist.
    if (version < 2) return std::nullopt;
    // Unknown future versions only append, so the v16 table still holds for them.
    const Layout l = version == 15 ? v15_layout() : appended_layout(version);
    if (payload.size() < required_size(l)) return std::nullopt;

    Reader r(payload);
    TaskstatsRecord rec;
    rec.version = version;
    rec.pid = static_cast<pid_t>(r.u32(l.ac_pid));
    rec.tgid = l.ac_tgid != npos ? static_cast<pid_t>(r.u32(l.ac_tgid)) : 0;
    rec.ppid = static_cast<pid_t>(r.u32(l.ac_ppid));
    rec.uid = static_cast<uid_t>(r.u32(l.ac_uid));
    rec.comm = r.str(l.ac_comm, comm_len);
    rec.btime64_s = l.ac_btime64 != npos ? r.u64(l.ac_btime64) : r.u32(l.ac_btime);
    rec.utime_us = r.u64(l.ac_utime);
    rec.stime_us = r.u64(l.ac_stime);
    rec.cpu_delay_ns = r.u64(l.cpu_delay_total);
    rec.blkio_delay_ns = r.u64(l.blkio_delay_total);
    rec.swapin_delay_ns = r.u64(l.swapin_delay_total);
    rec.blkio_count = r.u64(l.blkio_count);
    rec.swapin_count = r.u64(l.swapin_count);
    // wpcopy_count is optional: a v13+ payload cut before it still decodes, without it.
    if (l.wpcopy_count != npos && payload.size() >= l.wpcopy_count + 8)
        rec.wpcopy_count = r.u64(l.wpcopy_count);
    rec.read_char = r.u64(l.read_char);
    rec.write_char = r.u64(l.write_char);
    rec.read_syscalls = r.u64(l.read_syscalls);
    rec.write_syscalls = r.u64(l.write_syscalls);
    rec.minflt = r.u64(l.ac_minflt);
    rec.majflt = r.u64(l.ac_majflt);
    rec.read_bytes = r.u64(l.read_bytes);
    rec.write_bytes = r.u64(l.write_bytes);
    rec.cancelled_write_bytes = r.u64(l.cancelled_write_bytes);
    rec.nice = static_cast<std::int8_t>(r.get<std::uint8_t>(ac_nice_offset));
    rec.etime_us = r.u64(l.ac_etime);
    rec.cpu_count = r.u64(l.cpu_count);
    rec.cpu_run_real_total_ns = r.u64(l.cpu_run_real_total);
    rec.cpu_run_virtual_total_ns = r.u64(l.cpu_run_virtual_total);
    if (payload.size() >= l.nivcsw + 8) {
        rec.nvcsw = r.u64(l.nvcsw);
        rec.nivcsw = r.u64(l.nivcsw);
    }
    if (r.failed()) return std::nullopt;  // unreachable after the size check; kept as a guard
    return rec;
}

std::size_t decode_one_reply(std::span<const std::byte> buf, TaskstatsReply& out) {
    out = TaskstatsReply{};
    if (buf.size() < NLMSG_HDRLEN) return 0;
    nlmsghdr h;
    std::memcpy(&h, buf.data(), sizeof h);
    // A length shorter than its own header would make the walk loop forever or step
    // backwards: treat the rest of the buffer as unusable.
    if (h.nlmsg_len < NLMSG_HDRLEN) return 0;

    // A message cut short by the datagram (MSG_TRUNC) is still consumed, so the walk ends;
    // its attributes are bounds-checked against the bytes actually present.
    const std::size_t len = std::min<std::size_t>(h.nlmsg_len, buf.size());
    const std::size_t consumed = std::min<std::size_t>(
        (std::size_t{h.nlmsg_len} + NLMSG_ALIGNTO - 1) & ~std::size_t{NLMSG_ALIGNTO - 1},
        buf.size());
    out.seq = h.nlmsg_seq;
    const auto body = buf.subspan(NLMSG_HDRLEN, len - NLMSG_HDRLEN);

    if (h.nlmsg_type == NLMSG_ERROR) {
        int err = 0;
        if (body.size() < sizeof err) return consumed;  // malformed: Kind::other
        std::memcpy(&err, body.data(), sizeof err);
        // error 0 is the ACK for a request sent with NLM_F_ACK, not a failure.
        if (err < 0) {
            out.kind = TaskstatsReply::Kind::error;
            out.error = -err;
        }
        return consumed;
    }
    if (h.nlmsg_type < NLMSG_MIN_TYPE || body.size() < GENL_HDRLEN) return consumed;

    out.record = decode_genl_attrs(body.subspan(GENL_HDRLEN), out.whole_process);
    if (out.record) out.kind = TaskstatsReply::Kind::stats;
    return consumed;
}

}  // namespace vigil
