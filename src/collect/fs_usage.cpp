#include "vigil/collect/fs_usage.hpp"

#include <sys/statvfs.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "parse_util.hpp"
#include "vigil/collect/machine_parsers.hpp"
#include "vigil/sample/fs_types.hpp"

namespace vigil {
namespace {

std::optional<FsUsage> ask_statvfs(const std::string& path) {
    struct statvfs sv {};
    if (::statvfs(path.c_str(), &sv) != 0) return std::nullopt;
    FsUsage u;
    // f_frsize is the unit of f_blocks; a few old file systems leave it 0 and mean f_bsize.
    u.block_bytes = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
    u.blocks = sv.f_blocks;
    u.blocks_free = sv.f_bfree;
    u.blocks_avail = sv.f_bavail;
    u.files = sv.f_files;
    u.files_free = sv.f_ffree;
    return u;
}

}  // namespace

// Shared between the collector and the (possibly abandoned) thread asking the kernel.
struct LiveStatvfs::Request {
    std::mutex mu;
    std::condition_variable cv;
    bool busy = false;  // a thread is asking now
    bool done = false;  // an answer waits to be taken
    std::optional<FsUsage> answer;
};

LiveStatvfs::LiveStatvfs(double timeout_s, AskFn ask)
    : timeout_s_(timeout_s), ask_(ask ? std::move(ask) : AskFn(ask_statvfs)) {}

LiveStatvfs::~LiveStatvfs() = default;

void LiveStatvfs::fill(std::vector<FilesystemSample>& fs) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(timeout_s_));
    std::unordered_set<std::string> present;
    std::unordered_map<std::string, std::optional<FsUsage>> answers;  // taken this round

    // First start every remote request, so they all run in parallel against one deadline.
    for (FilesystemSample& f : fs) {
        f.usage.reset();
        f.timed_out = false;
        if (!is_remote_fs(f.mount.fs_type)) continue;
        present.insert(f.mount.mount_point);
        auto& req = requests_[f.mount.mount_point];
        if (!req) req = std::make_shared<Request>();
        std::lock_guard lock(req->mu);
        if (req->busy || req->done) continue;  // still asking, or an answer is ready
        req->busy = true;
        try {
            std::thread([req, ask = ask_, path = f.mount.mount_point] {
                auto answer = ask(path);
                std::lock_guard l(req->mu);
                req->answer = answer;
                req->busy = false;
                req->done = true;
                req->cv.notify_all();
            }).detach();
        } catch (const std::system_error&) {
            req->busy = false;  // no thread to spare: unknown this time
        }
    }

    for (FilesystemSample& f : fs) {
        const std::string& type = f.mount.fs_type;
        if (type == "autofs") continue;
        if (!is_remote_fs(type)) {
            f.usage = ask_(f.mount.mount_point);
            continue;
        }
        // A path mounted over twice is asked once; both rows get that answer.
        if (auto it = answers.find(f.mount.mount_point); it != answers.end()) {
            f.usage = it->second;
            continue;
        }
        auto& req = requests_[f.mount.mount_point];
        std::unique_lock lock(req->mu);
        if (req->cv.wait_until(lock, deadline, [&] { return req->done; })) {
            f.usage = req->answer;
            req->done = false;
            answers.emplace(f.mount.mount_point, f.usage);
        } else {
            f.timed_out = true;
        }
    }

    // Forget mounts that went away; a stuck thread keeps its own reference.
    std::erase_if(requests_, [&](const auto& kv) { return !present.count(kv.first); });
}

void FixtureFsUsage::fill(std::vector<FilesystemSample>& fs) {
    for (FilesystemSample& f : fs) {
        f.usage.reset();
        f.timed_out = false;
    }
    if (!proc_.read_into("statvfs.fixture", buf_)) return;
    parse::for_each_line(buf_, [&](std::string_view line) {
        parse::Tokens t(line);
        std::string mount_point = unescape_mount_field(t.next());
        std::string_view first = t.next();
        FsUsage u;
        bool timeout = first == "timeout";
        if (!timeout && (!parse_u64(first, u.block_bytes) || !t.next_u64(u.blocks) ||
                         !t.next_u64(u.blocks_free) || !t.next_u64(u.blocks_avail) ||
                         !t.next_u64(u.files) || !t.next_u64(u.files_free)))
            return;
        for (FilesystemSample& f : fs) {
            if (f.mount.mount_point != mount_point) continue;
            if (timeout)
                f.timed_out = true;
            else
                f.usage = u;
        }
    });
}

}  // namespace vigil
