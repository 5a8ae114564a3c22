#include "vigil/record/record_writer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "vigil/core/clock.hpp"
#include "vigil/core/fd_io.hpp"
#include "vigil/core/memory.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/core/unique_fd.hpp"
#include "zstd_stream.hpp"

namespace vigil {
namespace {

std::string errno_text(int e) {
    return std::strerror(e);
}

// "20240501-030000" in local time, for rotated file names.
std::string file_stamp(std::int64_t wall_ns) {
    std::string s = format_date_time(wall_ns);  // "2024-05-01 03:00:00"
    std::string out;
    for (char c : s) {
        if (c == '-' || c == ':') continue;
        out += c == ' ' ? '-' : c;
    }
    return out;
}

}  // namespace

struct RecordWriter::Impl {
    explicit Impl(int level) : z(level) {}
    UniqueFd fd;
    std::uint64_t size = 0;
    SampleEncoder enc;
    ZstdCompressor z;
    bool has_samples = false;   // the current file holds a sample of this session
    double first_steady_s = 0;  // of the current file's first sample
    std::int64_t first_wall_ns = 0;
    double last_key_s = 0;
    double last_sync_s = 0;
    bool dirty = false;  // written since the last fdatasync
    std::string raw, compressed, frame, scratch;
    ShrinkGuard buf_guard;  // gives back the room of a peak's samples
    SessionInfo session;
    Snapshot last;  // the last sample written and its details, kept only when rotating
    TaskDetails last_details;
};

RecordWriter::RecordWriter(const RecordOptions& o)
    : o_(o), impl_(std::make_unique<Impl>(o.zstd_level)) {
    SessionInfo& s = impl_->session;
    s.vigil_version = VIGIL_VERSION;
    s.interval_s = o.interval_s;
    s.host = o.host;
    s.kernel = o.kernel;
    utsname u{};
    if ((s.host.empty() || s.kernel.empty()) && ::uname(&u) == 0) {
        if (s.host.empty()) s.host = u.nodename;
        if (s.kernel.empty()) s.kernel = u.release;
    }
}

RecordWriter::~RecordWriter() {
    if (impl_ && impl_->fd) sync();
}

Result<std::unique_ptr<RecordWriter>> RecordWriter::open(const RecordOptions& o,
                                                         std::vector<std::string>& notices,
                                                         bool* format_error) {
    if (format_error) *format_error = false;
    std::unique_ptr<RecordWriter> w(new RecordWriter(o));
    auto opened = w->open_file(notices, format_error);
    if (!opened) return opened.error();
    w->prune(notices);
    return w;
}

// A recording holds command lines (which can hold secrets) and vigil often runs as root, so
// it writes only into a file that is its own in every way: created here (mode 0600), or an
// existing regular file of the same user that no other user may read or write. Never
// through a symbolic link (one planted in a shared directory would have root create or
// write a file the link's owner chose), and without waiting on or writing to a FIFO or a
// device: O_NONBLOCK opens them at once, and they are refused before anything is written.
Result<bool> RecordWriter::open_file(std::vector<std::string>& notices, bool* format_error) {
    Impl& im = *impl_;
    const std::string& path = o_.path;
    auto refuse = [&](std::string why) -> Result<bool> {
        if (format_error) *format_error = true;
        return make_error(fmt::format("cannot record to '{}': {}", path, why));
    };
    const int flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
    UniqueFd fd(::open(path.c_str(), flags | O_CREAT | O_EXCL, 0600));
    if (!fd && errno == EEXIST) fd = UniqueFd(::open(path.c_str(), flags));
    if (!fd) {
        const int e = errno;
        if (e == ELOOP)
            return refuse(
                "it is a symbolic link (vigil records only into a file named "
                "directly, never through a link)");
        if (e == EISDIR) return refuse("it is a directory");
        return make_error(fmt::format("cannot open recording '{}': {}", path, errno_text(e)));
    }
    struct stat sb {};
    if (::fstat(fd.get(), &sb) != 0)
        return make_error(fmt::format("cannot stat '{}': {}", path, errno_text(errno)));
    if (!S_ISREG(sb.st_mode))
        return refuse(
            fmt::format("it is {}; a recording must be a regular file", file_kind(sb.st_mode)));
    if (sb.st_uid != ::geteuid())
        return refuse(
            fmt::format("it belongs to another user (uid {}); vigil records only into "
                        "a file of its own user",
                        sb.st_uid));
    if (sb.st_size > 0) {
        // Never write into something that is not ours: another format, or a newer one
        // (whose sessions this vigil's readers could not tell from ours).
        std::uint32_t version = 0;
        std::string& buf = im.scratch;
        if (!pread_exact(
                fd.get(), 0,
                std::min<std::uint64_t>(static_cast<std::uint64_t>(sb.st_size), kFileHeaderSize),
                buf) ||
            !parse_file_header(buf, version))
            return refuse("it exists and is not a vigil recording; refusing to append to it");
        if (version > kRecordFormatVersion)
            return refuse(fmt::format(
                "it was recorded by a newer vigil (record format {}, this vigil writes {}); "
                "record to another file",
                version, kRecordFormatVersion));
    }
    if (sb.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH))
        return refuse(
            fmt::format("other users may read or write it (mode {:04o}); a recording "
                        "holds command lines: chmod 600 it, or record to another file",
                        sb.st_mode & 07777));
    // The regular file is ours: from now on a blocking fd, as for any file.
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return make_error(fmt::format("'{}' is being recorded by another vigil", path));
        return make_error(fmt::format("cannot lock '{}': {}", path, errno_text(errno)));
    }
    im.size = static_cast<std::uint64_t>(sb.st_size);
    im.fd = std::move(fd);
    auto started = start_file(notices);
    if (!started) im.fd.reset();
    return started;
}

// Appends a session to the open file, whose header (if it is not empty) was checked, after
// a file header if it is empty: the samples after it are one run of vigil.
Result<bool> RecordWriter::start_file(std::vector<std::string>& notices) {
    Impl& im = *impl_;
    const std::string& path = o_.path;
    const int fd = im.fd.get();
    std::string& buf = im.scratch;
    if (im.size > 0) {
        // Walk the frame headers: a file that does not end on a frame boundary ends with
        // the sample a previous run was writing when it stopped. That sample is lost; the
        // frames after it (ours) are found again by their marker.
        std::uint64_t off = kFileHeaderSize;
        FrameHeader h;
        while (off + kFrameHeaderSize <= im.size && pread_exact(fd, off, kFrameHeaderSize, buf) &&
               parse_frame_header(buf, h) && off + kFrameHeaderSize + h.payload_len <= im.size)
            off += kFrameHeaderSize + h.payload_len;
        if (off != im.size)
            notices.push_back(fmt::format(
                "'{}' does not end on a whole sample (byte {} of {}): an earlier recording "
                "was interrupted; appending after it",
                path, off, im.size));
    } else {
        std::string header = file_header();
        if (::write(fd, header.data(), header.size()) != static_cast<ssize_t>(header.size()))
            return make_error(fmt::format("cannot write '{}': {}", path, errno_text(errno)));
        im.size = header.size();
    }
    im.has_samples = false;
    im.enc.reset();
    // Every opening starts a session: the samples after it are one run of vigil.
    im.frame.clear();
    append_frame(im.frame, FrameType::session, o_.clock->wall_ns(), encode_session(im.session));
    auto ok = append(im.frame);
    if (!ok) return ok.error();
    sync();
    return true;
}

std::uint64_t RecordWriter::file_bytes() const {
    return impl_->size;
}

std::string RecordWriter::rotated_name() const {
    // Past the -N of every sibling of that second: retention may have removed the first.
    const std::string base = next_rotated_name(o_.path, file_stamp(impl_->first_wall_ns));
    std::string name = base;
    struct stat sb {};
    for (int n = 1; ::lstat(name.c_str(), &sb) == 0; ++n) name = base + "-" + std::to_string(n);
    return name;
}

Result<bool> RecordWriter::rotate(const UserNameFn& user_name) {
    Impl& im = *impl_;
    sync();
    const std::string to = rotated_name();
    if (::rename(o_.path.c_str(), to.c_str()) != 0)
        return make_error(
            fmt::format("cannot rotate '{}' to '{}': {}", o_.path, to, errno_text(errno)));
    im.fd.reset();
    ++stats_.rotations;
    std::vector<std::string> notices;
    auto opened = open_file(notices, nullptr);
    if (!opened) return opened;
    prune(notices_);
    // The new file starts with the last sample of the old one, as a key: a replay shows a
    // sample with the one before it, so each file then shows every sample it was given,
    // and replaying the files in turn shows each sample once.
    auto framed = frame_sample(im.last, im.last_details, user_name, true);
    if (!framed) return framed;
    return commit_sample(im.last, true);
}

void RecordWriter::prune(std::vector<std::string>& notices) {
    if (!o_.retention.limited()) return;
    PruneResult r = prune_rotated(o_.path, o_.retention, o_.clock->wall_ns());
    stats_.pruned += r.removed.size();
    notices.insert(notices.end(), r.failures.begin(), r.failures.end());
}

Result<bool> RecordWriter::append(const std::string& frame) {
    Impl& im = *impl_;
    std::size_t done = 0;
    while (done < frame.size()) {
        ssize_t n = ::write(im.fd.get(), frame.data() + done, frame.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = n < 0 ? errno : ENOSPC;
            // Leave no partial frame behind: a reader would take it for damage.
            if (done > 0 && ::ftruncate(im.fd.get(), static_cast<off_t>(im.size)) != 0) {
                // Not even that: readers will skip the partial frame as damage.
            }
            return make_error(
                fmt::format("cannot write to recording '{}': {}", o_.path, errno_text(e)));
        }
        done += static_cast<std::size_t>(n);
    }
    im.size += frame.size();
    stats_.bytes += frame.size();
    im.dirty = true;
    return true;
}

void RecordWriter::sync() {
    Impl& im = *impl_;
    if (!im.fd || !im.dirty) return;
    ::fdatasync(im.fd.get());
    im.dirty = false;
    im.last_sync_s = o_.clock->steady_s();
}

// A file shorter than what vigil wrote to it was truncated behind its back (`: > FILE`,
// logrotate's copytruncate): the next delta would land in a file with no header, or after
// a cut with no key sample before it, and nothing would read it back. One fstat per sample
// finds it; the file then starts again (a header if none is left, a session), so the next
// sample is a key, and a notice says so.
Result<bool> RecordWriter::restart_if_truncated() {
    Impl& im = *impl_;
    struct stat sb {};
    if (::fstat(im.fd.get(), &sb) != 0)
        return make_error(fmt::format("cannot stat '{}': {}", o_.path, errno_text(errno)));
    const auto size = static_cast<std::uint64_t>(sb.st_size);
    if (size >= im.size) {
        im.size = size;  // appended to by another writer: vigil's frames go after its bytes
        return true;
    }
    const std::uint64_t written = im.size;
    std::uint32_t version = 0;
    const bool header_left =
        size >= kFileHeaderSize && pread_exact(im.fd.get(), 0, kFileHeaderSize, im.scratch) &&
        parse_file_header(im.scratch, version) && version <= kRecordFormatVersion;
    // No recording header left (less than one, or other bytes: a delta written just after
    // the cut): nothing a reader could use, and what follows would be unreadable.
    if (!header_left && size > 0 && ::ftruncate(im.fd.get(), 0) != 0)
        return make_error(
            fmt::format("cannot truncate '{}' to start it again: {}", o_.path, errno_text(errno)));
    im.size = header_left ? size : 0;
    std::vector<std::string> ignored;  // what start_file says of the cut frame is below
    auto started = start_file(ignored);
    if (!started) return started;
    notices_.push_back(
        header_left
            ? fmt::format("'{}' was cut to {} bytes while vigil recorded to it (it had written "
                          "{}); recording goes on after what is left, from a key sample",
                          o_.path, size, written)
            : fmt::format("'{}' was truncated while vigil recorded to it (it had written {} "
                          "bytes); the recording starts again at the beginning of the file",
                          o_.path, written));
    return true;
}

std::vector<std::string> RecordWriter::take_notices() {
    std::vector<std::string> out;
    out.swap(notices_);
    return out;
}

Result<bool> RecordWriter::write(const Snapshot& s, const TaskDetails& details,
                                 const UserNameFn& user_name) {
    Impl& im = *impl_;
    if (!im.fd) return make_error(fmt::format("recording '{}' is closed", o_.path));
    auto fresh = restart_if_truncated();
    if (!fresh) return fresh;
    if (im.has_samples && o_.rotate_s > 0 && s.steady_s - im.first_steady_s >= o_.rotate_s) {
        auto r = rotate(user_name);
        if (!r) return r;
        im.first_steady_s = s.steady_s;  // the file's span counts from its first new sample
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool key = !im.has_samples || !im.enc.has_previous() ||
                         s.steady_s - im.last_key_s >= o_.key_interval_s;
        auto framed = frame_sample(s, details, user_name, key);
        if (!framed) return framed;
        // Past the size limit: start a new file, whose first sample must be a key.
        if (attempt == 0 && im.has_samples && o_.max_bytes > 0 &&
            im.size + im.frame.size() > o_.max_bytes) {
            auto r = rotate(user_name);
            if (!r) return r;
            continue;
        }
        auto ok = commit_sample(s, key);
        if (!ok) return ok;
        break;
    }
    // A rotated file starts with the last sample of the one before (see rotate()).
    if (o_.max_bytes > 0 || o_.rotate_s > 0) {
        im.last = s;
        im.last_details = details;
    }
    if (o_.clock->steady_s() - im.last_sync_s >= o_.sync_interval_s) sync();
    return true;
}

Result<bool> RecordWriter::frame_sample(const Snapshot& s, const TaskDetails& details,
                                        const UserNameFn& user_name, bool key) {
    Impl& im = *impl_;
    im.raw.clear();
    im.enc.encode(s, &details, user_name, key, im.raw);
    if (key) im.z.restart();
    im.compressed.clear();
    if (!im.z.flush(im.raw, im.compressed) || im.compressed.size() > kMaxFramePayload) {
        im.enc.reset();
        return make_error(fmt::format("cannot compress a sample for '{}'", o_.path));
    }
    im.frame.clear();
    append_frame(im.frame, key ? FrameType::key : FrameType::delta, s.wall_ns, im.compressed);
    return true;
}

Result<bool> RecordWriter::commit_sample(const Snapshot& s, bool key) {
    Impl& im = *impl_;
    auto ok = append(im.frame);
    if (!ok) {
        im.enc.reset();  // the chain on disk ended before this sample
        im.has_samples = false;
        return ok;
    }
    if (!im.has_samples) {
        im.first_steady_s = s.steady_s;
        im.first_wall_ns = s.wall_ns;
    }
    im.has_samples = true;
    if (key) {
        im.last_key_s = s.steady_s;
        ++stats_.key_samples;
    }
    ++stats_.samples;
    stats_.raw_bytes += im.raw.size();
    if (im.buf_guard.due(im.raw.size(), im.raw.capacity(), 1)) {
        im.raw.shrink_to_fit();
        im.compressed.shrink_to_fit();
        im.frame.shrink_to_fit();
        note_memory_released();
    }
    return true;
}

}  // namespace vigil
