#include "vigil/record/retention.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <tuple>

#include "vigil/core/fd_io.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/record/record_file.hpp"

namespace vigil {
namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Candidate {
    std::string name;
    std::int64_t mtime_ns = 0;
    std::string stamp;    // "YYYYMMDD-HHMMSS"
    std::uint64_t n = 0;  // the "-N" of a second file starting in the same second; 0: none
};

// The newest first: by modification time (the file's last sample), then by name.
bool newer(const Candidate& a, const Candidate& b) {
    return std::tie(a.mtime_ns, a.stamp, a.n) > std::tie(b.mtime_ns, b.stamp, b.n);
}

// The directory of a recording's path ("." for a bare name), its file name, and the
// prefix that names a sibling.
struct PathParts {
    std::string dir, base, prefix;
};
PathParts split_path(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return {".", path, ""};
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1),
            path.substr(0, slash + 1)};
}

// The N of a rotated name's "-N"; 0 for none.
std::uint64_t suffix_of(std::string_view base, std::string_view name) {
    std::uint64_t n = 0;
    if (name.size() > base.size() + 16)
        for (char ch : name.substr(base.size() + 17))
            n = n * 10 + static_cast<std::uint64_t>(ch - '0');
    return n;
}

}  // namespace

std::string next_rotated_name(const std::string& path, std::string_view stamp) {
    const PathParts p = split_path(path);
    std::string name = path + "." + std::string(stamp);
    DIR* d = ::opendir(p.dir.c_str());
    if (!d) return name;
    bool taken = false;
    std::uint64_t most = 0;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view n = e->d_name;
        if (!is_rotated_name(p.base, n) || n.substr(p.base.size() + 1, 15) != stamp) continue;
        taken = true;
        most = std::max(most, suffix_of(p.base, n));
    }
    ::closedir(d);
    return taken ? name + "-" + std::to_string(most + 1) : name;
}

bool is_rotated_name(std::string_view base, std::string_view name) {
    if (base.empty() || name.size() < base.size() + 16 || !name.starts_with(base)) return false;
    std::string_view rest = name.substr(base.size());  // ".YYYYMMDD-HHMMSS[-N]"
    if (rest[0] != '.' || rest[9] != '-') return false;
    if (!all_digits(rest.substr(1, 8)) || !all_digits(rest.substr(10, 6))) return false;
    rest.remove_prefix(16);
    return rest.empty() || (rest[0] == '-' && all_digits(rest.substr(1)));
}

std::string file_after_rotated(const std::string& path, dev_t dev, ino_t ino) {
    const auto [dir, base, prefix] = split_path(path);
    const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return {};
    const int dfd = ::dirfd(d.get());
    std::vector<Candidate> found;
    std::optional<Candidate> ours;
    while (const dirent* e = ::readdir(d.get())) {
        const std::string_view name = e->d_name;
        if (!is_rotated_name(base, name)) continue;
        Candidate c;
        c.name = name;
        c.stamp = std::string(name.substr(base.size() + 1, 15));
        c.n = suffix_of(base, name);
        struct stat sb {};
        if (::fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_dev == dev &&
            sb.st_ino == ino)
            ours = c;
        found.push_back(std::move(c));
    }
    if (!ours) return {};
    // The first one named after ours; none: the live file.
    const Candidate* next = nullptr;
    for (const Candidate& c : found)
        if (std::tie(c.stamp, c.n) > std::tie(ours->stamp, ours->n) &&
            (!next || std::tie(c.stamp, c.n) < std::tie(next->stamp, next->n)))
            next = &c;
    return next ? prefix + next->name : path;
}

PruneResult prune_rotated(const std::string& path, const Retention& r, std::int64_t now_ns) {
    PruneResult out;
    if (!r.limited()) return out;
    const auto [dir, base, prefix] = split_path(path);
    // One descriptor for the listing and the *at calls, closed with the listing.
    const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) {
        out.failures.push_back(fmt::format("cannot list '{}' to remove old recordings: {}", dir,
                                           std::strerror(errno)));
        return out;
    }
    const int dfd = ::dirfd(d.get());
    std::vector<Candidate> found;
    std::string head;
    while (const dirent* e = ::readdir(d.get())) {
        const std::string_view name = e->d_name;
        if (!is_rotated_name(base, name)) continue;
        // Only a regular file of vigil's own user that is a recording: never through a link,
        // never another user's file, never a file that merely has the name.
        struct stat sb {};
        if (::fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (!S_ISREG(sb.st_mode) || sb.st_uid != ::geteuid()) continue;
        UniqueFd fd(
            ::openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        std::uint32_t version = 0;
        if (!fd || !pread_exact(fd.get(), 0, kFileHeaderSize, head) ||
            !parse_file_header(head, version))
            continue;
        Candidate c;
        c.name = name;
        c.mtime_ns =
            static_cast<std::int64_t>(sb.st_mtim.tv_sec) * 1'000'000'000 + sb.st_mtim.tv_nsec;
        c.stamp = std::string(name.substr(base.size() + 1, 15));
        c.n = suffix_of(base, name);
        found.push_back(std::move(c));
    }
    std::sort(found.begin(), found.end(), newer);
    const double keep_for_ns = r.keep_for_s * 1e9;
    for (std::size_t i = 0; i < found.size(); ++i) {
        const Candidate& c = found[i];
        const bool too_many = r.keep_files > 0 && i >= r.keep_files;
        const bool too_old =
            r.keep_for_s > 0 && static_cast<double>(now_ns - c.mtime_ns) > keep_for_ns;
        if (!too_many && !too_old) continue;
        if (::unlinkat(dfd, c.name.c_str(), 0) == 0 || errno == ENOENT)
            out.removed.push_back(prefix + c.name);
        else
            out.failures.push_back(fmt::format("cannot remove old recording '{}': {}",
                                               prefix + c.name, std::strerror(errno)));
    }
    return out;
}

}  // namespace vigil
