// FsRoot: a directory that stands for /proc or /sys. Tests point it at fixture trees.
// Reads are relative to the root; a missing file is a normal event, not an exception.
// The readers here are the fast paths that notes.hpp exempts: like the syscalls they wrap
// they answer false (or an empty list) and leave errno set, since only the caller knows
// whether ENOENT or ESRCH means the thing is gone; read() is the Result form.
//
// Reads are bounded whatever the tree holds (--proc-root may name any directory): files are
// opened O_NONBLOCK, at most kMaxFileBytes are read, and under a root that is not the
// kernel's own proc or sysfs only regular files are opened at all (a FIFO would block, a
// device can act when opened and /dev/zero never ends).
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/result.hpp"
#include "vigil/core/unique_fd.hpp"

namespace vigil {

// The longest file read whole. /proc and /sys files are far shorter (the longest,
// mountinfo, holds about 200 bytes a mount); a longer one is refused (EFBIG), not read.
inline constexpr std::size_t kMaxFileBytes = std::size_t{4} << 20;

class FsRoot {
  public:
    explicit FsRoot(std::string path);

    const std::string& path() const { return path_; }
    // Whether the root directory could be opened.
    bool valid() const { return static_cast<bool>(dirfd_); }
    // Whether the root is a proc or sysfs mount: its files are the kernel's, and are opened
    // without the regular-file check.
    bool kernel_files() const { return kernel_files_; }

    // Reads a whole file into out (reusing its capacity). False if it cannot be opened or
    // read (errno says why: ENOENT/ESRCH when a task exited; EINVAL for a file that is not
    // a regular one under a root that is not the kernel's, EFBIG for one longer than
    // kMaxFileBytes: both are refused, see refusals()).
    bool read_into(std::string_view rel, std::string& out) const;
    Result<std::string> read(std::string_view rel) const;

    // At most `limit` bytes from the start of a file, into out; length is the whole file's
    // length (out.size() when it was read whole; else found with a few one-byte reads, for
    // files such as /proc/PID/cmdline whose size the kernel does not tell), last its last
    // byte (0 for an empty file). False (errno set) as read_into.
    bool read_prefix(std::string_view rel, std::size_t limit, std::string& out,
                     std::uint64_t& length, char& last) const;

    // Numeric entries of a directory (PIDs under /proc, TIDs under /proc/PID/task), sorted
    // ascending. Empty if the directory vanished.
    void list_numeric(std::string_view rel, std::vector<pid_t>& out) const;

    // Every entry of a directory but "." and "..", sorted by name. Empty if the directory
    // does not exist or cannot be read.
    void list_names(std::string_view rel, std::vector<std::string>& out) const;

    // The target of a symbolic link under the root (/proc/PID/exe, cwd, fd/N, ns/net), at
    // most 4096 bytes of it, into out. Opens nothing. False (errno set) if it cannot be read.
    bool read_link(std::string_view rel, std::string& out) const;

    // Opens a file under the root for reading (O_CLOEXEC, O_NONBLOCK, O_NOCTTY); not valid
    // (errno set) if it cannot be, or is refused (not a regular file, EINVAL).
    UniqueFd open_file(std::string_view rel) const;

    // st_nlink of an entry ("" for the root itself), through no descriptor; 0 (errno set)
    // if it cannot be looked at. KeptDir::links() for a directory that is not kept.
    std::size_t links(std::string_view rel) const;

    // Files refused since the last call: how many, and what was wrong with the first
    // ("ROOT/100/cmdline: not a regular file"). For a notice: a tree that holds such files
    // is shown without them, and says so.
    struct Refusals {
        std::size_t count = 0;
        std::string first;
    };
    Refusals take_refusals() const;

  private:
    friend class KeptDir;
    void refuse(std::string_view rel, std::string_view why) const;
    std::string path_;
    UniqueFd dirfd_;  // O_PATH fd of the root; every read is openat() relative to it
    bool kernel_files_ = false;
    mutable Refusals refusals_;  // only the sampling thread reads through a root
};

// A file kept open across samples (a shown row's /proc/PID/cmdline): reading it again is
// one pread() from offset 0 instead of openat() + read() + close(). /proc files opened
// this way stay bound to their task: once it is gone, read() fails (ESRCH) rather than
// reading whichever task took its id. Owns its fd.
class KeptFile {
  public:
    KeptFile() = default;
    // Opens rel under root; valid() is false (errno set) if it cannot be opened.
    KeptFile(const FsRoot& root, std::string_view rel) : fd_(root.open_file(rel)) {}

    // False once moved from.
    bool valid() const { return static_cast<bool>(fd_); }
    // The whole file as it is now, into out (reusing its capacity). False (errno set) if it
    // cannot be read, or is longer than kMaxFileBytes (EFBIG); the file stays open either way.
    bool read(std::string& out) const;
    // At most `limit` bytes from its start, and its whole length, as FsRoot::read_prefix.
    bool read_prefix(std::size_t limit, std::string& out, std::uint64_t& length, char& last) const;

  private:
    UniqueFd fd_;
};

// A directory kept open across samples (a /proc/PID/task, or the proc root itself), so that
// re-reading it costs no path walk: fstat() for its link count, lseek() + getdents64() to
// list it. Owns its fd.
class KeptDir {
  public:
    KeptDir() = default;
    // Opens rel under root; valid() is false (errno set) if it cannot be opened.
    KeptDir(const FsRoot& root, std::string_view rel);

    // False once moved from or closed.
    bool valid() const { return static_cast<bool>(fd_); }
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

    // st_nlink: 2 + the thread count for /proc/PID/task (2 once the process is gone), and
    // 2 + subdirectories on ordinary file systems. 0 if fstat() fails.
    std::size_t links() const;

    // Numeric entries, sorted ascending, read from the start again. buf is scratch space
    // reused between calls. other_dirs (if given) counts the other subdirectories (not "."
    // or ".."). False if the directory cannot be read any more.
    bool list_numeric(std::vector<pid_t>& out, std::vector<std::byte>& buf,
                      std::size_t* other_dirs = nullptr) const;

    // The same for a /proc/PID/task directory. The kernel lists it by walking the thread
    // list, and a walk whose current thread exits just then stops short (or resumes by
    // position and skips one): a live thread can be missing from one walk. A walk that
    // found exactly `expected` threads (the count from links() just before) in one call is
    // whole: new threads are appended at the end, so a walk cut short before a live thread
    // holds only older ones, and fewer. Otherwise a second walk is merged in, and a live
    // thread can hardly be missing from both. The result may hold threads that have since
    // exited. second and buf are scratch space.
    bool list_threads(std::vector<pid_t>& out, std::vector<pid_t>& second,
                      std::vector<std::byte>& buf, std::size_t expected = 0) const;

  private:
    // One read from the start; whole is false when it took more than one getdents64() call.
    bool read_numeric(std::vector<pid_t>& out, std::vector<std::byte>& buf, std::size_t* other_dirs,
                      bool& whole) const;
    UniqueFd fd_;
};

// Descriptors kept open across samples (a /proc/PID/task per process, the files of shown
// rows) make a sample cheap, but the open file limit bounds them. The budget for them is
// the soft RLIMIT_NOFILE less kFdReserve, left for everything else (standard streams, the
// netlink socket, a recording, the terminal, the file being read now, the user database).
// Past the budget a directory or file is opened and closed each time instead: slower,
// never missing.
inline constexpr std::size_t kFdReserve = 64;
// The budget as the limit is now (a limit lowered while vigil runs is followed).
std::size_t kept_fd_budget();
// The soft RLIMIT_NOFILE now, for notices.
std::size_t open_file_limit();
// Whether an open failed for want of descriptors (EMFILE, ENFILE): that says nothing about
// whether the file, or its task, exists.
inline bool out_of_fds(int err) {
    return err == EMFILE || err == ENFILE;
}

// Where the running kernel's trees are.
inline constexpr std::string_view kLiveProc = "/proc";
inline constexpr std::string_view kLiveSys = "/sys";

// The roots every collector reads through.
struct Roots {
    FsRoot proc{std::string(kLiveProc)};
    FsRoot sys{std::string(kLiveSys)};
    // proc is the running kernel's /proc, so syscalls about its tasks (taskstats,
    // ioprio_get, statvfs of its mounts) describe the same tasks; false for fixture trees.
    bool live() const { return proc.path() == kLiveProc; }
};

// Opens the roots (heap: collectors keep references); an empty directory means the running
// kernel's. The error names the directory that cannot be used.
Result<std::unique_ptr<Roots>> open_roots(std::string_view proc_dir, std::string_view sys_dir);

}  // namespace vigil
