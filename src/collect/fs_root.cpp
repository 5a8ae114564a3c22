#include "vigil/collect/fs_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "vigil/core/text.hpp"

namespace vigil {

namespace {

// rel as a NUL-terminated name; false (ENAMETOOLONG) if it does not fit. rel is short: a
// stack buffer avoids an allocation per file on the hot path.
bool c_name(std::string_view rel, char (&name)[256]) {
    if (rel.size() >= sizeof(name)) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(name, rel.data(), rel.size());
    name[rel.size()] = '\0';
    return true;
}

// Reads fd from its start into out (reusing its capacity) until the end, or until limit + 1
// bytes are in (so the caller sees that it goes on). positional: pread(), and a short read
// is the end (a kept file: a second call only to see 0 would double the cost); else read()
// until it returns 0. False (errno set, out empty) on a read error.
bool read_bounded(int fd, bool positional, std::size_t limit, std::string& out) {
    out.clear();
    const std::size_t most = limit + 1;
    if (out.capacity() < 4096) out.reserve(std::min<std::size_t>(4096, most));
    std::size_t used = 0;
    for (;;) {
        out.resize(std::min(out.capacity(), most));
        const std::size_t room = out.size() - used;
        const ssize_t n = positional
                              ? ::pread(fd, out.data() + used, room, static_cast<off_t>(used))
                              : ::read(fd, out.data() + used, room);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            out.clear();
            errno = saved;
            return false;
        }
        used += static_cast<std::size_t>(n);
        if (n == 0 || used == most || (positional && used < out.size())) break;
        if (used == out.size()) out.reserve(std::min(out.size() * 2, most));
    }
    out.resize(used);
    return true;
}

// The length of a file that holds at least `known` (>= 1) bytes, the last of them
// `last`, for files whose size the kernel does not tell (/proc/PID/cmdline: st_size 0):
// a one-byte pread() says whether there is a byte at an offset, doubling first, then
// halving the gap. About 2 log2(length / known) reads; a file that ends (a task that
// exits) while it is probed gives the length it was seen to have. last becomes the file's
// last byte.
std::uint64_t probe_length(int fd, std::uint64_t known, char& last) {
    auto holds = [&](std::uint64_t n, char& c) {  // the file has at least n bytes
        ssize_t r;
        do {
            r = ::pread(fd, &c, 1, static_cast<off_t>(n - 1));
        } while (r < 0 && errno == EINTR);
        return r == 1;
    };
    constexpr std::uint64_t max_length = std::uint64_t{1} << 40;
    std::uint64_t lo = std::max<std::uint64_t>(known, 1), hi = 0;
    char c = 0;
    while (hi == 0) {
        if (lo >= max_length) return lo;
        if (holds(lo * 2, c)) {
            lo *= 2;
            last = c;
        } else {
            hi = lo * 2;
        }
    }
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (holds(mid, c)) {
            lo = mid;
            last = c;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// read_bounded() to `limit`, then the whole length and the last byte as probe_length()
// finds them.
bool read_prefix_of(int fd, bool positional, std::size_t limit, std::string& out,
                    std::uint64_t& length, char& last) {
    if (!read_bounded(fd, positional, limit, out)) return false;
    length = out.size();
    last = out.empty() ? '\0' : out.back();
    if (out.size() <= limit) return true;
    out.resize(limit);
    length = probe_length(fd, limit + 1, last);
    return true;
}

// Whether dirfd is on proc or sysfs, whose files are the kernel's own.
bool on_kernel_fs(int dirfd) {
    struct statfs st {};
    if (dirfd < 0 || ::fstatfs(dirfd, &st) != 0) return false;
    return st.f_type == PROC_SUPER_MAGIC || st.f_type == SYSFS_MAGIC;
}

}  // namespace

FsRoot::FsRoot(std::string path)
    : path_(std::move(path)), dirfd_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    kernel_files_ = on_kernel_fs(dirfd_.get());
}

bool FsRoot::read_into(std::string_view rel, std::string& out) const {
    out.clear();
    UniqueFd fd = open_file(rel);
    if (!fd) return false;
    const bool ok = read_bounded(fd.get(), false, kMaxFileBytes, out);
    const int saved = errno;
    fd.reset();  // close() must not change the errno the caller reads
    if (!ok) {
        errno = saved;
        return false;
    }
    if (out.size() > kMaxFileBytes) {
        out.clear();
        refuse(rel, fmt::format("longer than {} MiB", kMaxFileBytes >> 20));
        errno = EFBIG;
        return false;
    }
    return true;
}

bool FsRoot::read_prefix(std::string_view rel, std::size_t limit, std::string& out,
                         std::uint64_t& length, char& last) const {
    out.clear();
    UniqueFd fd = open_file(rel);
    if (!fd) return false;
    const bool ok = read_prefix_of(fd.get(), false, limit, out, length, last);
    const int saved = errno;
    fd.reset();
    errno = saved;
    return ok;
}

UniqueFd FsRoot::open_file(std::string_view rel) const {
    if (!dirfd_) {
        errno = ENOENT;
        return UniqueFd();
    }
    char name[256];
    if (!c_name(rel, name)) return UniqueFd();
    // O_NONBLOCK: nothing under a root may block a read (a FIFO in a tree, a file of the
    // kernel's that would wait for data); vigil reads what is there.
    constexpr int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    if (kernel_files_) return UniqueFd(::openat(dirfd_.get(), name, flags));
    // Any other tree is looked at before anything in it is opened: opening a device can act
    // (a watchdog starts, a tape rewinds), and /dev/zero never ends. An O_PATH descriptor
    // opens nothing; the file is then opened through it, so what is read is what was checked.
    UniqueFd path_fd(::openat(dirfd_.get(), name, O_PATH | O_CLOEXEC));
    if (!path_fd) return UniqueFd();
    struct stat st {};
    if (::fstat(path_fd.get(), &st) != 0) {
        const int saved = errno;
        path_fd.reset();
        errno = saved;
        return UniqueFd();
    }
    if (!S_ISREG(st.st_mode)) {
        path_fd.reset();
        refuse(rel, "not a regular file");
        errno = EINVAL;
        return UniqueFd();
    }
    char self[48];
    std::snprintf(self, sizeof self, "/proc/self/fd/%d", path_fd.get());
    UniqueFd fd(::open(self, flags));
    const int saved = errno;
    path_fd.reset();
    errno = saved;
    return fd;
}

bool FsRoot::read_link(std::string_view rel, std::string& out) const {
    out.clear();
    if (!dirfd_) {
        errno = ENOENT;
        return false;
    }
    char name[256];
    if (!c_name(rel, name)) return false;
    char buf[4096];
    const ssize_t n = ::readlinkat(dirfd_.get(), name, buf, sizeof buf);
    if (n < 0) return false;
    out.assign(buf, static_cast<std::size_t>(n));
    return true;
}

std::size_t FsRoot::links(std::string_view rel) const {
    if (!dirfd_) {
        errno = ENOENT;
        return 0;
    }
    char name[256];
    if (rel.empty()) rel = ".";
    if (!c_name(rel, name)) return 0;
    struct stat st {};
    if (::fstatat(dirfd_.get(), name, &st, 0) != 0) return 0;
    return static_cast<std::size_t>(st.st_nlink);
}

void FsRoot::refuse(std::string_view rel, std::string_view why) const {
    if (refusals_.count++ == 0)
        refusals_.first =
            escape_for_terminal(path_ + "/" + std::string(rel)) + ": " + std::string(why);
}

FsRoot::Refusals FsRoot::take_refusals() const {
    return std::exchange(refusals_, Refusals{});
}

Result<std::string> FsRoot::read(std::string_view rel) const {
    std::string out;
    if (!read_into(rel, out)) {
        return make_error(path_ + "/" + std::string(rel) + ": " + std::strerror(errno));
    }
    return out;
}

void FsRoot::list_numeric(std::string_view rel, std::vector<pid_t>& out) const {
    out.clear();
    KeptDir dir(*this, rel);
    std::vector<std::byte> buf;
    (void)dir.list_numeric(out, buf);
}

void FsRoot::list_names(std::string_view rel, std::vector<std::string>& out) const {
    out.clear();
    if (!dirfd_) return;
    std::string name(rel.empty() ? "." : rel);
    UniqueFd fd(::openat(dirfd_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return;
    DIR* dir = ::fdopendir(fd.get());
    if (!dir) return;
    (void)fd.release();  // closedir() closes it
    while (dirent* e = ::readdir(dir)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        out.emplace_back(n);
    }
    ::closedir(dir);
    std::sort(out.begin(), out.end());
}

}  // namespace vigil

namespace vigil {
namespace {

// Parses a whole decimal entry name; 0 if it is not one (PIDs are never 0).
pid_t numeric_name(const char* s) {
    if (*s < '0' || *s > '9') return 0;
    long v = 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9' || v > 0x3FFFFFFF) return 0;
        v = v * 10 + (*s - '0');
    }
    return static_cast<pid_t>(v);
}

}  // namespace

bool KeptFile::read(std::string& out) const {
    out.clear();
    if (!fd_) {
        errno = EBADF;
        return false;
    }
    if (!read_bounded(fd_.get(), true, kMaxFileBytes, out)) return false;
    if (out.size() > kMaxFileBytes) {
        out.clear();
        errno = EFBIG;
        return false;
    }
    return true;
}

bool KeptFile::read_prefix(std::size_t limit, std::string& out, std::uint64_t& length,
                           char& last) const {
    out.clear();
    if (!fd_) {
        errno = EBADF;
        return false;
    }
    return read_prefix_of(fd_.get(), true, limit, out, length, last);
}

KeptDir::KeptDir(const FsRoot& root, std::string_view rel) {
    if (!root.dirfd_) {
        errno = ENOENT;
        return;
    }
    char name[256];
    if (rel.empty()) rel = ".";
    if (!c_name(rel, name)) return;
    fd_ = UniqueFd(::openat(root.dirfd_.get(), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

std::size_t KeptDir::links() const {
    struct stat st {};
    if (!fd_ || ::fstat(fd_.get(), &st) != 0) return 0;
    return static_cast<std::size_t>(st.st_nlink);
}

bool KeptDir::read_numeric(std::vector<pid_t>& out, std::vector<std::byte>& buf,
                           std::size_t* other_dirs, bool& whole) const {
    constexpr std::size_t max_buffer = 4u << 20;
    constexpr std::size_t max_record = 24 + 256;  // dirent64 header and the longest name
    if (buf.size() < 32 * 1024) buf.resize(32 * 1024);
    for (;;) {
        if (::lseek(fd_.get(), 0, SEEK_SET) != 0) return false;
        const std::size_t before = out.size();
        std::size_t dirs = 0;
        int calls = 0;
        bool full = false;
        for (;;) {
            const ssize_t n = ::getdents64(fd_.get(), buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            if (n == 0) break;
            ++calls;
            if (static_cast<std::size_t>(n) + max_record > buf.size()) full = true;
            for (ssize_t at = 0; at < n;) {
                dirent64 e;
                // Records are 8-byte aligned in the buffer, but copy the fixed part to stay
                // within what the standard allows; the name is read in place.
                std::memcpy(&e, buf.data() + at, offsetof(dirent64, d_name));
                const char* name =
                    reinterpret_cast<const char*>(buf.data() + at) + offsetof(dirent64, d_name);
                if (pid_t v = numeric_name(name); v > 0) {
                    out.push_back(v);
                } else if (e.d_type == DT_DIR && std::strcmp(name, ".") != 0 &&
                           std::strcmp(name, "..") != 0) {
                    ++dirs;
                }
                if (e.d_reclen == 0) break;
                at += e.d_reclen;
            }
        }
        if (other_dirs) *other_dirs = dirs;
        whole = calls <= 1;
        // A full buffer may be why it took several calls: read again with room for all.
        if (whole || !full || buf.size() >= max_buffer) return true;
        out.resize(before);
        buf.resize(std::min(buf.size() * 4, max_buffer));
    }
}

bool KeptDir::list_numeric(std::vector<pid_t>& out, std::vector<std::byte>& buf,
                           std::size_t* other_dirs) const {
    out.clear();
    if (other_dirs) *other_dirs = 0;
    if (!fd_) return false;
    // A listing that took several calls resumed by position, which /proc/PID/task does not
    // keep stable (see list_threads): read it again; after a few tries keep the union of
    // what was seen. A dead tid in it costs a query that answers ESRCH; a live one missing
    // would cost a wrong picture.
    constexpr int max_attempts = 4;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        const std::size_t before = out.size();
        bool whole = false;
        if (!read_numeric(out, buf, other_dirs, whole)) {
            out.clear();
            return false;
        }
        if (whole) {
            // This read stands on its own: drop what the broken ones saw.
            out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(before));
            break;
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return true;
}

bool KeptDir::list_threads(std::vector<pid_t>& out, std::vector<pid_t>& second,
                           std::vector<std::byte>& buf, std::size_t expected) const {
    out.clear();
    if (!fd_) return false;
    bool whole = false;
    if (!read_numeric(out, buf, nullptr, whole)) {
        out.clear();
        return false;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (whole && expected != 0 && out.size() == expected) return true;
    if (!list_numeric(second, buf)) return true;
    const std::size_t first = out.size();
    out.insert(out.end(), second.begin(), second.end());
    std::inplace_merge(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return true;
}

std::size_t open_file_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return std::size_t{1} << 20;
    return static_cast<std::size_t>(rl.rlim_cur);
}

std::size_t kept_fd_budget() {
    const std::size_t limit = open_file_limit();
    return limit > kFdReserve ? limit - kFdReserve : 0;
}

Result<std::unique_ptr<Roots>> open_roots(std::string_view proc_dir, std::string_view sys_dir) {
    const std::string proc_path(proc_dir.empty() ? kLiveProc : proc_dir);
    const std::string sys_path(sys_dir.empty() ? kLiveSys : sys_dir);
    auto roots = std::make_unique<Roots>();
    roots->proc = FsRoot(proc_path);
    if (!roots->proc.valid())  // errno still from opening it
        return make_error(
            fmt::format("cannot open proc root '{}': {}", proc_path, std::strerror(errno)));
    roots->sys = FsRoot(sys_path);
    std::string probe;
    if (!roots->proc.read_into("self/stat", probe) && !roots->proc.read_into("1/stat", probe) &&
        !roots->proc.read_into("vmstat", probe))
        return make_error(fmt::format("'{}' does not look like a proc file system", proc_path));
    return roots;
}

}  // namespace vigil
