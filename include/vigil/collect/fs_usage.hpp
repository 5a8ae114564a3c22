// Where the sizes of mounted file systems come from: statvfs(2) on the live system, or a
// text file in a fixture tree (statvfs describes the machine vigil runs on, not a fake one).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

class FsUsageSource {
  public:
    virtual ~FsUsageSource() = default;
    // Sets usage (or timed_out) of every file system in fs.
    virtual void fill(std::vector<FilesystemSample>& fs) = 0;
};

// statvfs(2) on the live system.
//
// A hung NFS server or a wedged FUSE daemon makes statfs(2) sleep, often uninterruptibly,
// for as long as the server is gone; the sampler must not hang with it. Local file systems
// answer from counters the kernel keeps in memory, so they are asked directly. Remote and
// FUSE file systems (is_remote_fs) are asked from a detached thread and waited for until a
// deadline shared by all of them; one that does not answer in time shows as unknown
// (timed_out). Its thread is abandoned, not killed (a thread stuck in the kernel cannot
// be), and no second thread is started for that mount until the first one returns, so a
// dead server costs at most one blocked thread per mount, never one per sample. Threads
// own their state through a shared_ptr, so the collector may be destroyed while one is
// still stuck, and process exit ends them. autofs mount points are never asked: statfs on
// them would trigger the mount.
class LiveStatvfs final : public FsUsageSource {
  public:
    // How one file system is asked; statvfs(3) unless a test passes its own.
    using AskFn = std::function<std::optional<FsUsage>(const std::string& mount_point)>;
    explicit LiveStatvfs(double timeout_s = 0.25, AskFn ask = {});
    ~LiveStatvfs() override;
    void fill(std::vector<FilesystemSample>& fs) override;

  private:
    struct Request;
    std::unordered_map<std::string, std::shared_ptr<Request>> requests_;  // by mount point
    double timeout_s_;
    AskFn ask_;
};

// Fixture trees: sizes from the file "statvfs.fixture" at the root of the proc tree, one
// line per mount point (escaped as in mountinfo, \040 for a space):
//   MOUNT_POINT BLOCK_BYTES BLOCKS BLOCKS_FREE BLOCKS_AVAIL FILES FILES_FREE
// or "MOUNT_POINT timeout" to play a hung mount. Mounts not listed are unknown.
class FixtureFsUsage final : public FsUsageSource {
  public:
    explicit FixtureFsUsage(const FsRoot& proc) : proc_(proc) {}
    void fill(std::vector<FilesystemSample>& fs) override;

  private:
    const FsRoot& proc_;
    std::string buf_;
};

}  // namespace vigil
