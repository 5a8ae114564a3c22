#include "cgroup_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vigil/collect/fs_root.hpp"

namespace vigil::cgroup_walk {

UniqueFd open_in(int dir, const char* name, bool kernel_files) {
    constexpr int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW;
    if (kernel_files) return UniqueFd(::openat(dir, name, flags));
    UniqueFd p(::openat(dir, name, O_PATH | O_CLOEXEC | O_NOFOLLOW));
    if (!p) return p;
    struct stat st {};
    if (::fstat(p.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return UniqueFd();
    }
    char self[48];
    std::snprintf(self, sizeof self, "/proc/self/fd/%d", p.get());
    return UniqueFd(::open(self, flags & ~O_NOFOLLOW));
}

bool pread_all(int fd, std::string& out) {
    out.clear();
    if (out.capacity() < 512) out.reserve(512);
    std::size_t used = 0;
    for (;;) {
        out.resize(out.capacity());
        const ssize_t n =
            ::pread(fd, out.data() + used, out.size() - used, static_cast<off_t>(used));
        if (n < 0) {
            if (errno == EINTR) continue;
            out.clear();
            return false;
        }
        used += static_cast<std::size_t>(n);
        if (n == 0 || used < out.size()) break;
        if (used > kMaxFileBytes) {
            out.clear();
            errno = EFBIG;
            return false;
        }
        out.reserve(out.size() * 2);
    }
    out.resize(used);
    return true;
}

bool list_subdirs(int dir, std::vector<std::byte>& buf, std::vector<Dent>& out) {
    out.clear();
    if (::lseek(dir, 0, SEEK_SET) < 0) return false;
    if (buf.size() < 32768) buf.resize(32768);
    for (;;) {
        const ssize_t n = ::getdents64(dir, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            dirent64 e{};
            std::memcpy(&e, buf.data() + off, offsetof(dirent64, d_name));
            const char* name =
                reinterpret_cast<const char*>(buf.data() + off) + offsetof(dirent64, d_name);
            off += e.d_reclen;
            if (e.d_type != DT_DIR || std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
                continue;
            out.push_back({name, e.d_ino});
        }
    }
    std::sort(out.begin(), out.end(), [](const Dent& a, const Dent& b) { return a.name < b.name; });
    return true;
}

}  // namespace vigil::cgroup_walk
