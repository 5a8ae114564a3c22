// The BPF task source: a bpf_iter task program (task_iter.bpf.c, embedded as a bpftool
// skeleton) read once per sweep into a BpfTaskTable.
#include "vigil/collect/bpf_task_source.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <string>
#include <vector>

#include "vigil/collect/bpf_task_table.hpp"
#include "vigil/collect/netlink/taskstats_client.hpp"
#include "vigil/collect/privileges.hpp"
#include "vigil/core/memory.hpp"
#include "vigil/core/unique_fd.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "task_iter.skel.h"
#pragma GCC diagnostic pop

namespace vigil {
namespace {

constexpr std::uint64_t bpf_caps = kCapBpf | kCapPerfmon;
// Read from the iterator in pieces of at least this much room.
constexpr std::size_t min_read_room = 64 * 1024;

// libbpf writes its warnings (a verifier log, a missing BTF) to stderr; vigil says why in
// its own one line instead, from the error code.
int quiet(enum libbpf_print_level, const char*, va_list) {
    return 0;
}

std::string why(const char* step, int err) {
    if (err < 0) err = -err;
    std::string m = std::string("BPF source: ") + step + ": " + std::strerror(err);
    if (err == EPERM || err == EACCES) m += " (needs CAP_BPF and CAP_PERFMON, or root)";
    return m;
}

class BpfTaskstats final : public TaskIoSource, public TaskstatsClient {
  public:
    explicit BpfTaskstats(const Clock& clock) : clock_(clock) {}
    ~BpfTaskstats() override {
        if (link_) bpf_link__destroy(link_);
        if (skel_) vigil_task_iter__destroy(skel_);
    }
    BpfTaskstats(const BpfTaskstats&) = delete;
    BpfTaskstats& operator=(const BpfTaskstats&) = delete;

    Result<bool> load() {
        libbpf_set_print(quiet);
        const CapRaise raise(bpf_caps);
        skel_ = vigil_task_iter__open();
        if (!skel_) return make_error(why("cannot open the program", errno));
        if (int rc = vigil_task_iter__load(skel_); rc != 0)
            return make_error(why("the kernel refused the program", rc));
        link_ = bpf_program__attach_iter(skel_->progs.vigil_tasks, nullptr);
        if (!link_) return make_error(why("cannot attach the task iterator", errno));
        return true;
    }

    // One pass of the iterator into table_.
    bool pass() {
        int fd;
        {
            // Linux before 6.5 checks CAP_BPF at every bpf() call when unprivileged BPF
            // is disabled, creating an iterator's file included.
            const CapRaise raise(bpf_caps);
            fd = bpf_iter_create(bpf_link__fd(link_));
        }
        if (fd < 0) return fail();
        const UniqueFd iter(fd);
        std::size_t len = 0;
        for (;;) {
            if (buf_.size() - len < min_read_room)
                buf_.resize(std::max(buf_.size() * 2, 4 * min_read_room));
            const ssize_t got = ::read(iter.get(), buf_.data() + len, buf_.size() - len);
            if (got < 0) {
                if (errno == EINTR) continue;
                return fail();
            }
            if (got == 0) break;
            len += static_cast<std::size_t>(got);
        }
        // The kernel read every task before this, and its etime is measured from here.
        table_.load(std::span(buf_.data(), len), clock_.steady_ns(), clock_.wall_ns());
        if (shrink_.due(len, buf_.size(), 1)) {
            buf_.resize(len + min_read_room);
            buf_.shrink_to_fit();
            note_memory_released();
        }
        return true;
    }

    // A pass that failed answers nothing (Status::failed), rather than the last pass's.
    bool fail() {
        const int saved = errno;
        table_ = BpfTaskTable{};
        errno = saved;
        return false;
    }

    // TaskIoSource
    void fill(std::span<TaskSample> tasks) override {
        (void)pass();
        ids_.resize(tasks.size());
        answers_.resize(tasks.size());
        for (std::size_t i = 0; i < tasks.size(); ++i) ids_[i] = tasks[i].tid;
        table_.query(TaskstatsScope::thread, ids_, answers_);
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            const TaskstatsAnswer& a = answers_[i];
            if (a.status != TaskstatsAnswer::Status::ok) continue;
            TaskIoCounters io;
            io.read_bytes = a.record.read_bytes;
            io.write_bytes = a.record.write_bytes;
            io.cancelled_write_bytes = a.record.cancelled_write_bytes;
            io.blkio_delay_ns = a.record.blkio_delay_ns;
            io.swapin_delay_ns = a.record.swapin_delay_ns;
            io.delays_tracked =
                a.record.blkio_count || a.record.swapin_count || a.record.wpcopy_count;
            tasks[i].io = io;
        }
    }
    std::string_view name() const override { return "BPF"; }
    bool reports_delays() const override { return true; }
    TaskstatsClient* taskstats() override { return this; }

    // TaskstatsClient
    void begin_sweep() override { (void)pass(); }
    void query(TaskstatsScope scope, std::span<const pid_t> ids,
               std::span<TaskstatsAnswer> out) override {
        if (!table_.loaded()) (void)pass();
        table_.query(scope, ids, out);
    }

  private:
    const Clock& clock_;
    vigil_task_iter* skel_ = nullptr;
    bpf_link* link_ = nullptr;
    std::vector<std::byte> buf_;
    ShrinkGuard shrink_;
    BpfTaskTable table_;
    std::vector<pid_t> ids_;
    std::vector<TaskstatsAnswer> answers_;
};

}  // namespace

bool bpf_source_built() {
    return true;
}

Result<std::unique_ptr<TaskIoSource>> open_bpf_taskstats(const Clock& clock) {
    auto src = std::make_unique<BpfTaskstats>(clock);
    if (auto ok = src->load(); !ok) return ok.error();
    if (!src->pass()) return make_error(why("cannot read the task iterator", errno));
    // The iterator's ids are the initial PID namespace's: in another, they are not /proc's.
    const pid_t self = ::gettid();
    TaskstatsAnswer a;
    src->query(TaskstatsScope::thread, std::span(&self, 1), std::span(&a, 1));
    if (a.status != TaskstatsAnswer::Status::ok || a.record.tgid != ::getpid())
        return make_error(
            "BPF source: its task ids are not this PID namespace's (vigil runs in a container)");
    return std::unique_ptr<TaskIoSource>(std::move(src));
}

}  // namespace vigil
