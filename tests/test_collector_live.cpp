// Live tests through the real /proc (no privileges needed: a process may read its own
// /proc/PID/task/TID/io).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vigil/app/sampler.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/model/task_deltas.hpp"

using namespace vigil;

namespace {

// Writes bytes with O_DIRECT into a fresh file under dir; false if the file system refuses
// O_DIRECT (tmpfs), in which case the caller skips.
bool direct_write(const std::string& dir, std::size_t bytes) {
    std::string path = dir + "/vigil-live-XXXXXX";
    int tmp = mkstemp(path.data());
    if (tmp < 0) return false;
    close(tmp);
    int fd = open(path.c_str(), O_WRONLY | O_DIRECT | O_TRUNC);
    unlink(path.c_str());
    if (fd < 0) return false;
    void* buf = nullptr;
    constexpr std::size_t chunk = 1 << 20;
    if (posix_memalign(&buf, 4096, chunk) != 0) return false;
    std::memset(buf, 'v', chunk);
    bool ok = true;
    for (std::size_t done = 0; done < bytes && ok; done += chunk) {
        ok = write(fd, buf, chunk) == static_cast<ssize_t>(chunk);
    }
    fsync(fd);
    close(fd);
    free(buf);
    return ok;
}

}  // namespace

TEST_CASE("ProcPidIo sees this process write 16 MiB with O_DIRECT", "[live]") {
    FsRoot proc("/proc");
    ProcPidIo io(proc);
    std::vector<TaskSample> me(1);
    me[0].tid = static_cast<pid_t>(gettid());
    me[0].tgid = getpid();
    io.fill(me);
    REQUIRE(me[0].io);
    std::uint64_t before = me[0].io->write_bytes;
    if (!direct_write("/var/tmp", 16u << 20)) {
        WARN("skipped: O_DIRECT is not supported under /var/tmp here");
        return;
    }
    io.fill(me);
    REQUIRE(me[0].io);
    CHECK(me[0].io->write_bytes - before >= (16u << 20));
}

TEST_CASE("the Sampler on the real /proc finds a writing child and rates it", "[live]") {
    Roots roots;
    Sampler sampler(roots, std::make_unique<ProcPidIo>(roots.proc), true);
    int go[2], done[2];
    REQUIRE(pipe(go) == 0);
    REQUIRE(pipe(done) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Write when told, report, then stay alive until the parent has sampled.
        char c;
        close(go[1]);
        close(done[0]);
        if (read(go[0], &c, 1) != 1) _exit(3);
        char ok = direct_write("/var/tmp", 32u << 20) ? 'y' : 'n';
        if (write(done[1], &ok, 1) != 1) _exit(4);
        while (read(go[0], &c, 1) > 0) {
        }
        _exit(ok == 'y' ? 0 : 2);
    }
    close(go[0]);
    close(done[1]);
    Snapshot a, b;
    sampler.sample(a);
    REQUIRE(write(go[1], "x", 1) == 1);
    char ok = 'n';
    REQUIRE(read(done[0], &ok, 1) == 1);
    sampler.sample(b);
    close(go[1]);
    int status = 0;
    waitpid(child, &status, 0);
    if (ok != 'y') {
        WARN("skipped: the child could not write with O_DIRECT under /var/tmp");
        return;
    }
    TaskDeltas r = task_deltas(a, b);
    bool found = false;
    for (std::size_t i = 0; i < b.tasks.size(); ++i) {
        if (b.tasks[i].tid != child) continue;
        found = true;
        REQUIRE(b.tasks[i].io);
        REQUIRE(r.at(i).valid);
        CHECK(r.at(i).write_bytes >= (32u << 20));
        CHECK(r.total_write_bytes_per_s.value_or(0) >=
              static_cast<double>(32u << 20) / r.elapsed_s);
    }
    CHECK(found);
}
