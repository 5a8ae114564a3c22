#include "vigil/record/record_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vigil/core/fd_io.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/core/unique_fd.hpp"
#include "zstd_stream.hpp"

namespace vigil {
namespace {

struct FrameCheck {
    bool ok = false;
    bool truncated = false;  // the file ends before the frame does
    FrameHeader h;
    std::string what;
};

}  // namespace

struct RecordReader::Impl {
    UniqueFd fd;
    SampleDecoder dec;
    ZstdDecompressor z;
    std::string header, payload, raw, chunk;
    Snapshot scratch;
    TaskDetails scratch_details;

    FrameCheck check(std::uint64_t off, std::uint64_t size) {
        FrameCheck c;
        if (size - off < kFrameHeaderSize) {
            c.truncated = true;
            c.what = fmt::format("the file ends inside a frame header ({} of {} bytes)", size - off,
                                 kFrameHeaderSize);
            return c;
        }
        if (!pread_exact(fd.get(), off, kFrameHeaderSize, header)) {
            c.what = fmt::format("cannot read: {}", std::strerror(errno));
            return c;
        }
        if (!parse_frame_header(header, c.h)) {
            c.what = "no frame starts here (overwritten or inserted bytes)";
            return c;
        }
        if (c.h.payload_len > kMaxFramePayload) {
            c.what = fmt::format("impossible frame length {}", c.h.payload_len);
            return c;
        }
        const std::uint64_t left = size - off - kFrameHeaderSize;
        if (c.h.payload_len > left) {
            c.truncated = true;
            c.what = fmt::format("the file ends inside a frame ({} of {} bytes)",
                                 left + kFrameHeaderSize, c.h.payload_len + kFrameHeaderSize);
            return c;
        }
        if (!pread_exact(fd.get(), off + kFrameHeaderSize, c.h.payload_len, payload)) {
            c.what = fmt::format("cannot read: {}", std::strerror(errno));
            return c;
        }
        if (frame_crc(header, payload) != c.h.crc) {
            c.what = "checksum mismatch (the frame's bytes changed after they were written)";
            return c;
        }
        c.ok = true;
        return c;
    }

    // The next offset at or after from where an intact frame starts; size if none.
    std::uint64_t next_frame(std::uint64_t from, std::uint64_t size) {
        static constexpr char kMarker[4] = {'\x88', 'V', 'G', 'F'};
        static_assert(kFrameMarker == 0x46475688);
        constexpr std::size_t kChunk = 1 << 20;
        for (std::uint64_t base = from; base < size;) {
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - base));
            if (!pread_exact(fd.get(), base, n, chunk)) return size;
            for (std::size_t i = 0; i + 4 <= n; ++i) {
                if (std::memcmp(chunk.data() + i, kMarker, 4) != 0) continue;
                if (check(base + i, size).ok) return base + i;
            }
            if (n < 4 || base + n >= size) break;
            base += n - 3;  // a marker may straddle two chunks
        }
        return size;
    }
};

RecordReader::~RecordReader() = default;

Result<std::unique_ptr<RecordReader>> RecordReader::open(const std::string& path,
                                                         bool* format_error,
                                                         std::size_t max_sample_bytes) {
    if (format_error) *format_error = false;
    std::unique_ptr<RecordReader> r(new RecordReader());
    r->impl_ = std::make_unique<Impl>();
    r->impl_->dec = SampleDecoder(max_sample_bytes);
    r->path_ = path;
    Impl& im = *r->impl_;
    im.fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!im.fd) {
        if (format_error) *format_error = true;
        return make_error(
            fmt::format("cannot open recording '{}': {}", path, std::strerror(errno)));
    }
    struct stat sb {};
    if (::fstat(im.fd.get(), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (format_error) *format_error = true;
        return make_error(fmt::format("'{}' is not a regular file", path));
    }
    r->size_ = static_cast<std::uint64_t>(sb.st_size);
    std::uint32_t version = 0;
    std::string head;
    if (r->size_ < kFileHeaderSize || !pread_exact(im.fd.get(), 0, kFileHeaderSize, head) ||
        !parse_file_header(head, version)) {
        if (format_error) *format_error = true;
        return make_error(fmt::format("'{}' is not a vigil recording", path));
    }
    if (version > kRecordFormatVersion) {
        if (format_error) *format_error = true;
        return make_error(fmt::format(
            "'{}' was recorded by a newer vigil (record format {}; this vigil reads up to {})",
            path, version, kRecordFormatVersion));
    }
    auto scanned = r->scan();
    if (!scanned) return scanned.error();
    return r;
}

Result<bool> RecordReader::scan() {
    Impl& im = *impl_;
    std::uint64_t off = kFileHeaderSize;
    bool chain = false, readable = false;
    std::size_t key = 0;
    while (off < size_) {
        FrameCheck c = im.check(off, size_);
        if (!c.ok) {
            RecordDamage d;
            d.offset = off;
            d.resume = im.next_frame(off + 1, size_);
            d.after_sample = samples_.size();
            d.what = c.what;
            damage_.push_back(std::move(d));
            chain = false;
            off = damage_.back().resume;
            continue;
        }
        const auto type = static_cast<FrameType>(c.h.type);
        if (type == FrameType::session) {
            RecordSession s;
            s.offset = off;
            s.wall_ns = c.h.wall_ns;
            auto info = decode_session(im.payload);
            if (info) {
                s.info = *info;
                s.readable = info->format_version <= kRecordFormatVersion;
            } else {
                s.readable = false;
            }
            if (!s.readable) {
                RecordDamage d;
                d.offset = off;
                d.resume = off;
                d.after_sample = samples_.size();
                d.newer_version = info.ok();
                d.what = info ? fmt::format(
                                    "a session recorded by a newer vigil (record format "
                                    "{}; this vigil reads up to {}); its samples are skipped",
                                    info->format_version, kRecordFormatVersion)
                              : "a malformed session header; its samples are skipped";
                damage_.push_back(std::move(d));
            }
            readable = s.readable;
            sessions_.push_back(std::move(s));
            chain = false;
        } else if (type == FrameType::key || type == FrameType::delta) {
            if (sessions_.empty()) {
                // The session frame was lost to damage; the file header vouches for the format.
                RecordSession s;
                s.offset = off;
                s.wall_ns = c.h.wall_ns;
                sessions_.push_back(s);
                readable = true;
            }
            SampleEntry e;
            e.offset = off;
            e.payload_len = c.h.payload_len;
            e.wall_ns = c.h.wall_ns;
            e.session = static_cast<std::uint32_t>(sessions_.size() - 1);
            e.key = type == FrameType::key;
            if (!readable) {
                e.decodable = false;
            } else if (e.key) {
                e.decodable = true;
                chain = true;
                key = samples_.size();
            } else if (chain) {
                e.decodable = true;
            } else if (!damage_.empty()) {
                ++damage_.back().lost_samples;
            }
            e.key_sample = e.key ? samples_.size() : key;
            samples_.push_back(e);
        } else if (readable) {
            RecordDamage d;
            d.offset = off;
            d.resume = off + kFrameHeaderSize + c.h.payload_len;
            d.after_sample = samples_.size();
            d.what = fmt::format("unknown frame type {}", c.h.type);
            damage_.push_back(std::move(d));
        }
        off += kFrameHeaderSize + c.h.payload_len;
    }
    return true;
}

void RecordReader::mark_lost(std::size_t from, std::uint64_t offset, const std::string& why) {
    RecordDamage d;
    d.offset = offset;
    d.resume = offset + kFrameHeaderSize + samples_[from].payload_len;
    d.after_sample = from;
    d.what = fmt::format("sample {} cannot be decoded: {}", from + 1, why);
    samples_[from].decodable = false;
    for (std::size_t k = from + 1; k < samples_.size() && !samples_[k].key; ++k) {
        if (samples_[k].session != samples_[from].session) break;
        if (samples_[k].decodable) ++d.lost_samples;
        samples_[k].decodable = false;
    }
    damage_.push_back(std::move(d));
    last_read_ = SIZE_MAX;
}

bool RecordReader::decode_one(std::size_t i, Snapshot& out, TaskDetails& details) {
    Impl& im = *impl_;
    const SampleEntry& e = samples_[i];
    if (!pread_exact(im.fd.get(), e.offset + kFrameHeaderSize, e.payload_len, im.payload)) {
        mark_lost(i, e.offset, fmt::format("cannot read: {}", std::strerror(errno)));
        return false;
    }
    if (e.key) im.z.restart();
    std::string error;
    if (!im.z.take(im.payload, im.raw, kMaxSampleBytes, error) ||
        !im.dec.decode(im.raw, e.key, out, details, error)) {
        mark_lost(i, e.offset, error);
        return false;
    }
    last_read_ = i;
    return true;
}

bool RecordReader::read(std::size_t i, Snapshot& out, TaskDetails& details) {
    if (i >= samples_.size() || !samples_[i].decodable) return false;
    const SampleEntry& e = samples_[i];
    const std::size_t start = e.key ? i : e.key_sample;
    std::size_t from = start;
    if (!e.key && last_read_ != SIZE_MAX && last_read_ >= start && last_read_ < i)
        from = last_read_ + 1;
    for (std::size_t j = from; j < i; ++j)
        if (!decode_one(j, impl_->scratch, impl_->scratch_details)) return false;
    return decode_one(i, out, details);
}

const RecordedUsers& RecordReader::users() const {
    return impl_->dec.users();
}

std::string RecordReader::describe(const RecordDamage& d) const {
    std::string where = fmt::format("byte {}", d.offset);
    if (d.after_sample > 0) {
        where += fmt::format(", after sample {} ({})", d.after_sample,
                             format_date_time(samples_[d.after_sample - 1].wall_ns));
    } else {
        where += ", before the first sample";
    }
    std::string line = fmt::format("{}: {}: {}", path_, where, d.what);
    if (d.newer_version) return line;
    if (d.resume >= size_)
        line += "; nothing intact follows";
    else if (d.resume > d.offset)
        line += fmt::format("; {} bytes skipped, intact frames resume at byte {}",
                            d.resume - d.offset, d.resume);
    if (d.lost_samples > 0)
        line += fmt::format(
            "; {} intact sample{} after it could not be decoded without the "
            "samples before them",
            d.lost_samples, d.lost_samples == 1 ? "" : "s");
    return line;
}

}  // namespace vigil
