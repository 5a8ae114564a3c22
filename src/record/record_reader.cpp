#include "vigil/record/record_reader.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "frame_pass.hpp"
#include "vigil/core/fd_io.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/record/byte_io.hpp"
#include "vigil/record/retention.hpp"
#include "zstd_stream.hpp"

namespace vigil {

using record_detail::FramePass;
using record_detail::read_error;

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
    std::string header, payload, raw, scratch_header;
    Snapshot scratch;
    TaskDetails scratch_details;
    std::unique_ptr<FramePass> pass;  // while scanning

    // Whether an intact frame starts at off.
    FrameCheck check(std::uint64_t off, std::uint64_t size) {
        FrameCheck c;
        if (size - off < kFrameHeaderSize) {
            c.truncated = true;
            c.what = fmt::format("the file ends inside a frame header ({} of {} bytes)", size - off,
                                 kFrameHeaderSize);
            return c;
        }
        errno = 0;
        if (!pread_exact(fd.get(), off, kFrameHeaderSize, header)) {
            c.what = read_error();
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
        std::string error;
        if (!pass->intact(off, error)) {
            c.what = error.empty()
                         ? "checksum mismatch (the frame's bytes changed after they were written)"
                         : error;
            return c;
        }
        // Only a session's payload is read now; a sample's is read when it is decoded.
        errno = 0;
        if (c.h.type == static_cast<std::uint8_t>(FrameType::session) &&
            !pread_exact(fd.get(), off + kFrameHeaderSize, c.h.payload_len, payload)) {
            c.what = read_error();
            return c;
        }
        c.ok = true;
        return c;
    }
};

RecordReader::~RecordReader() = default;

Result<std::unique_ptr<RecordReader>> RecordReader::open(const std::string& path,
                                                         bool* format_error,
                                                         std::size_t max_sample_bytes,
                                                         bool follow) {
    if (format_error) *format_error = false;
    std::unique_ptr<RecordReader> r(new RecordReader());
    r->impl_ = std::make_unique<Impl>();
    r->impl_->dec = SampleDecoder(max_sample_bytes);
    r->path_ = path;
    Impl& im = *r->impl_;
    auto cannot_open = [&](int e) {
        if (format_error) *format_error = true;
        return make_error(fmt::format("cannot open recording '{}': {}", path, std::strerror(e)));
    };
    auto not_regular = [&](mode_t mode, const std::string& target) {
        if (format_error) *format_error = true;
        struct stat link {};
        const bool linked = ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
        return make_error(fmt::format(
            "cannot replay '{}': {} {}, not a regular file", path,
            linked ? fmt::format("it links to '{}', which is", target) : std::string("it is"),
            file_kind(mode)));
    };
    // Reading a recording through a symbolic link is harmless, so a link is followed, but
    // only to a regular file, and that is checked before anything is opened: opening a
    // device can act (a watchdog starts), and a FIFO would wait for a writer. The name
    // found is opened with O_NOFOLLOW, so a link swapped in after the check is refused, and
    // with O_NONBLOCK, so nothing makes the open wait.
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (!real) return cannot_open(errno);
    const std::string target = real.get();
    struct stat sb {};
    if (::lstat(target.c_str(), &sb) != 0) return cannot_open(errno);
    if (!S_ISREG(sb.st_mode)) return not_regular(sb.st_mode, target);
    im.fd =
        UniqueFd(::open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (!im.fd) return cannot_open(errno);
    if (::fstat(im.fd.get(), &sb) != 0) return cannot_open(errno);
    if (!S_ISREG(sb.st_mode)) return not_regular(sb.st_mode, target);
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
    r->file_version_ = version;
    r->follow_ = follow;
    r->tail_ = kFileHeaderSize;
    auto scanned = r->scan();
    if (!scanned) return scanned.error();
    return r;
}

// Indexes the frames from tail_ to size_. Following, a frame the file ends inside of with
// no intact frame after it is being written: the scan stops before it (tail_ stays there);
// and damage with no intact frame after it yet is searched past again at the next call.
Result<bool> RecordReader::scan() {
    Impl& im = *impl_;
    im.pass = std::make_unique<FramePass>(im.fd.get(), size_);
    std::uint64_t& off = tail_;
    if (searching_) {
        const std::uint64_t resume = im.pass->next_intact(off + 1);
        if (resume >= size_) {
            im.pass.reset();
            return true;
        }
        damage_.back().resume = resume;
        searching_ = false;
        off = resume;
    }
    while (off < size_) {
        FrameCheck c = im.check(off, size_);
        if (!c.ok) {
            const std::uint64_t resume = im.pass->next_intact(off + 1);
            if (follow_ && c.truncated && resume >= size_) break;  // being written
            RecordDamage d;
            d.offset = off;
            d.resume = resume;
            d.after_sample = samples_.size();
            d.what = c.what;
            damage_.push_back(std::move(d));
            chain_ = false;
            if (follow_ && resume >= size_) {
                searching_ = true;  // frames written after it may still be intact
                break;
            }
            off = resume;
            continue;
        }
        last_frame_ = off;
        last_header_ = im.header;
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
            if (s.readable && !valid_interval(s.info.interval_s)) {
                // The interval paces the replay view only: the samples are kept, the
                // interval is unknown, and the file is reported as damaged.
                RecordDamage d;
                d.offset = off;
                d.resume = off;
                d.after_sample = samples_.size();
                d.what = fmt::format(
                    "the session names an impossible interval ({} s; -d takes {} to {}); its "
                    "samples are kept, and the replay view plays them at -d",
                    s.info.interval_s, kMinIntervalS, kMaxIntervalS);
                damage_.push_back(std::move(d));
                s.info.interval_s = 0;
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
            readable_ = s.readable;
            sessions_.push_back(std::move(s));
            chain_ = false;
        } else if (type == FrameType::key || type == FrameType::delta) {
            if (sessions_.empty()) {
                // The session frame was lost to damage; the file header vouches for the format.
                RecordSession s;
                s.offset = off;
                s.wall_ns = c.h.wall_ns;
                s.info.format_version = file_version_;
                sessions_.push_back(s);
                readable_ = true;
            }
            SampleEntry e;
            e.offset = off;
            e.payload_len = c.h.payload_len;
            e.wall_ns = c.h.wall_ns;
            e.session = static_cast<std::uint32_t>(sessions_.size() - 1);
            e.key = type == FrameType::key;
            if (!readable_) {
                e.decodable = false;
            } else if (e.key) {
                e.decodable = true;
                chain_ = true;
                key_ = samples_.size();
            } else if (chain_) {
                e.decodable = true;
            } else if (!damage_.empty()) {
                ++damage_.back().lost_samples;
            }
            e.key_sample = e.key ? samples_.size() : key_;
            samples_.push_back(e);
        } else if (readable_) {
            RecordDamage d;
            d.offset = off;
            d.resume = off + kFrameHeaderSize + c.h.payload_len;
            d.after_sample = samples_.size();
            d.what = fmt::format("unknown frame type {}", c.h.type);
            damage_.push_back(std::move(d));
        }
        off += kFrameHeaderSize + c.h.payload_len;
    }
    im.pass.reset();
    return true;
}

namespace {

// Whether another open file holds the exclusive lock a RecordWriter keeps while it writes.
// The shared lock taken to ask is released at once; it is asked only while a writer is
// thought to be there, so it cannot keep a new writer out (but for that instant).
bool writer_present(int fd) {
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        ::flock(fd, LOCK_UN);
        return false;
    }
    // EWOULDBLOCK: locked; anything else (a file system without locks): never say it ended.
    return true;
}

}  // namespace

Result<FollowState> RecordReader::follow() {
    Impl& im = *impl_;
    auto file_size = [&]() -> Result<std::uint64_t> {
        struct stat sb {};
        if (::fstat(im.fd.get(), &sb) != 0)
            return make_error(fmt::format("{}: cannot follow: {}", path_, std::strerror(errno)));
        return static_cast<std::uint64_t>(sb.st_size);
    };
    auto size = file_size();
    if (!size) return size.error();
    // Cut or rewritten behind the reader (`: > FILE`, copytruncate): what was indexed is not
    // there any more.
    std::string& head = im.scratch_header;
    errno = 0;
    if (*size < tail_ ||
        (!last_header_.empty() && (!pread_exact(im.fd.get(), last_frame_, kFrameHeaderSize, head) ||
                                   head != last_header_))) {
        follow_note_ = fmt::format(
            "{}: the file was cut or rewritten while it was followed ({} bytes now, {} read); "
            "following stops here",
            path_, *size, tail_);
        return FollowState::gone;
    }
    const std::size_t samples = samples_.size(), damage = damage_.size();
    const bool was_searching = searching_;
    auto rescan = [&](std::uint64_t to) -> Result<bool> {
        if (to == size_) return true;
        size_ = to;
        return scan();
    };
    auto grew = [&] {
        return samples_.size() != samples || damage_.size() != damage ||
               searching_ != was_searching;
    };
    if (auto ok = rescan(*size); !ok) return ok.error();
    if (grew()) return FollowState::grown;
    if (writer_present(im.fd.get())) return FollowState::waiting;
    // No writer: what it wrote before it closed is all there is.
    size = file_size();
    if (!size) return size.error();
    if (auto ok = rescan(*size); !ok) return ok.error();
    if (grew()) return FollowState::grown;
    // Damage with nothing intact after it stays so: it is settled.
    if (searching_) {
        searching_ = false;
        tail_ = size_;
        return FollowState::grown;
    }
    // A frame it never finished is damage now, as a replay of the whole file finds it.
    if (tail_ < size_) {
        follow_ = false;
        auto ok = scan();
        follow_ = true;
        if (!ok) return ok.error();
        if (grew()) return FollowState::grown;
    }
    const std::string& recording = recording_path_.empty() ? path_ : recording_path_;
    // Rotated: the path names another file (its writer renames this one, then creates the
    // path again; between the two the path names nothing for a moment).
    struct stat ours {};
    struct stat named {};
    if (::fstat(im.fd.get(), &ours) != 0)
        return make_error(fmt::format("{}: cannot follow: {}", path_, std::strerror(errno)));
    if (::stat(recording.c_str(), &named) != 0) {
        if (errno == ENOENT && ++missing_polls_ < 3) return FollowState::waiting;
        follow_note_ = fmt::format(
            "{}: the file was removed or renamed, and nothing took its "
            "name; following stops here",
            recording);
        return FollowState::gone;
    }
    missing_polls_ = 0;
    if (named.st_dev != ours.st_dev || named.st_ino != ours.st_ino) {
        // Renamed FILE.YYYYMMDD-HHMMSS; the writer may have rotated again since: the file
        // after this one is the next rotated one, or the path.
        next_file_ = file_after_rotated(recording, ours.st_dev, ours.st_ino);
        follow_note_ = next_file_.empty()
                           ? fmt::format(
                                 "{}: the writer rotated the recording, and the file followed is "
                                 "not among its rotated files any more; going on at the path",
                                 recording)
                           : fmt::format("{}: the writer rotated the recording", recording);
        if (next_file_.empty()) next_file_ = recording;
        return FollowState::rotated;
    }
    follow_note_ = fmt::format("{}: the writer closed the recording; following ends", path_);
    return FollowState::closed;
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
    // The field lists a sample is written in are its session's format's.
    im.dec.set_layout(sessions_[e.session].info.format_version);
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
