#include "vigil/collect/fs_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace vigil {

FsRoot::FsRoot(std::string path)
    : path_(std::move(path)), dirfd_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {}

bool FsRoot::read_into(std::string_view rel, std::string& out) const {
    out.clear();
    if (!dirfd_) {
        errno = ENOENT;
        return false;
    }
    // rel is short; a small stack buffer avoids an allocation per file on the hot path.
    char name[256];
    if (rel.size() >= sizeof(name)) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(name, rel.data(), rel.size());
    name[rel.size()] = '\0';
    UniqueFd fd(::openat(dirfd_.get(), name, O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    if (out.capacity() < 4096) out.reserve(4096);
    std::size_t used = 0;
    for (;;) {
        out.resize(out.capacity());
        ssize_t n = ::read(fd.get(), out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            fd.reset();  // close() must not change the errno the caller reads
            out.clear();
            errno = saved;
            return false;
        }
        used += static_cast<std::size_t>(n);
        if (n == 0) break;
        if (used == out.size()) out.reserve(out.size() * 2);
    }
    out.resize(used);
    return true;
}

UniqueFd FsRoot::open_file(std::string_view rel) const {
    if (!dirfd_) {
        errno = ENOENT;
        return UniqueFd();
    }
    char name[256];
    if (rel.size() >= sizeof(name)) {
        errno = ENAMETOOLONG;
        return UniqueFd();
    }
    std::memcpy(name, rel.data(), rel.size());
    name[rel.size()] = '\0';
    return UniqueFd(::openat(dirfd_.get(), name, O_RDONLY | O_CLOEXEC));
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
    if (out.capacity() < 4096) out.reserve(4096);
    std::size_t used = 0;
    for (;;) {
        out.resize(out.capacity());
        const ssize_t n =
            ::pread(fd_.get(), out.data() + used, out.size() - used, static_cast<off_t>(used));
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            out.clear();
            errno = saved;
            return false;
        }
        used += static_cast<std::size_t>(n);
        // A short read is the end: a second pread only to see 0 would double the cost.
        if (used < out.size()) break;
        out.reserve(out.size() * 2);
    }
    out.resize(used);
    return true;
}

KeptDir::KeptDir(const FsRoot& root, std::string_view rel) {
    if (!root.dirfd_) {
        errno = ENOENT;
        return;
    }
    char name[256];
    if (rel.empty()) rel = ".";
    if (rel.size() >= sizeof(name)) {
        errno = ENAMETOOLONG;
        return;
    }
    std::memcpy(name, rel.data(), rel.size());
    name[rel.size()] = '\0';
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
