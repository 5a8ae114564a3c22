// BpfTaskTable: the BPF iterator's records turned into taskstats answers, with the kernel's
// units and rounding, and the TGID sums of fill_stats_for_tgid (live threads, less zombies,
// plus the exited threads' delays).
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "vigil/collect/bpf_task_table.hpp"

using namespace vigil;

namespace {

constexpr std::int64_t now_ns = 5'000'000'000'000;  // 5000 s after boot
constexpr std::int64_t wall_ns = 1'700'000'000'000'000'000;

vigil_bpf_task_record task(pid_t tid, pid_t tgid) {
    vigil_bpf_task_record r{};
    r.kind = VIGIL_BPF_TASK;
    r.flags = VIGIL_BPF_IO_ACCT | VIGIL_BPF_DELAYS;
    r.tid = tid;
    r.tgid = tgid;
    r.ppid = 1;
    r.uid = 1000;
    r.nice = -5;
    std::strcpy(r.comm, "worker");
    r.start_ns = now_ns - 3'500'000'999;  // 3.500000999 s ago
    r.utime_ns = 1'234'567;
    r.stime_ns = 7'654'321;
    r.nvcsw = 10;
    r.nivcsw = 3;
    r.min_flt = 100;
    r.maj_flt = 2;
    r.rchar = 5000;
    r.wchar = 3000;
    r.syscr = 2048 + 7;
    r.syscw = 9;
    r.read_bytes = 4096 + 512;
    r.write_bytes = 1 << 20;
    r.cancelled_write_bytes = 1023;
    r.cpu_count = 40;
    r.cpu_delay_ns = 1'000;
    r.run_virtual_ns = 9'000'000;
    r.blkio_delay_ns = 200;
    r.swapin_delay_ns = 30;
    r.blkio_count = 4;
    r.swapin_count = 1;
    r.wpcopy_count = 0;
    return r;
}

std::vector<std::byte> bytes(const std::vector<vigil_bpf_task_record>& recs) {
    std::vector<std::byte> out(recs.size() * sizeof(vigil_bpf_task_record));
    if (!recs.empty()) std::memcpy(out.data(), recs.data(), out.size());
    return out;
}

TaskstatsAnswer ask(const BpfTaskTable& t, TaskstatsScope scope, pid_t id) {
    TaskstatsAnswer a;
    t.query(scope, std::span(&id, 1), std::span(&a, 1));
    return a;
}

}  // namespace

TEST_CASE("bpf record: a thread's record in taskstats' units and rounding", "[bpf]") {
    const TaskstatsRecord r = bpf_thread_record(task(42, 40), now_ns, wall_ns);
    CHECK(r.version == kBpfTaskstatsVersion);
    CHECK(r.version >= 6);  // the sweep reads context switches from version 6 on
    CHECK(r.pid == 42);
    CHECK(r.tgid == 40);
    CHECK(r.ppid == 1);
    CHECK(r.uid == 1000);
    CHECK(r.nice == -5);
    CHECK(r.comm == "worker");
    // ac_etime: microseconds, rounded down; ac_btime64: the wall clock less whole seconds.
    CHECK(r.etime_us == 3'500'000);
    CHECK(r.btime64_s == 1'700'000'000 - 3);
    CHECK(r.utime_us == 1234);
    CHECK(r.stime_us == 7654);
    CHECK(r.nvcsw == 10);
    CHECK(r.nivcsw == 3);
    CHECK(r.minflt == 100);
    CHECK(r.majflt == 2);
    // xacct_add_tsk rounds the I/O counters down to whole KiB.
    CHECK(r.read_char == 4096);
    CHECK(r.write_char == 2048);
    CHECK(r.read_syscalls == 2048);
    CHECK(r.write_syscalls == 0);
    CHECK(r.read_bytes == 4096);
    CHECK(r.write_bytes == 1 << 20);
    CHECK(r.cancelled_write_bytes == 0);
    // delayacct_add_tsk: run_real is utime + stime in ns.
    CHECK(r.cpu_run_real_total_ns == 1'234'567 + 7'654'321);
    CHECK(r.cpu_run_virtual_total_ns == 9'000'000);
    CHECK(r.cpu_count == 40);
    CHECK(r.cpu_delay_ns == 1'000);
    CHECK(r.blkio_delay_ns == 200);
    CHECK(r.swapin_delay_ns == 30);
    CHECK(r.blkio_count == 4);
    CHECK(r.swapin_count == 1);
}

TEST_CASE("bpf record: without a delay record or I/O accounting those fields are 0", "[bpf]") {
    vigil_bpf_task_record t = task(7, 7);
    t.flags = 0;
    const TaskstatsRecord r = bpf_thread_record(t, now_ns, wall_ns);
    CHECK(r.blkio_count == 0);
    CHECK(r.blkio_delay_ns == 0);
    CHECK(r.swapin_count == 0);
    CHECK(r.read_bytes == 0);
    CHECK(r.write_bytes == 0);
    // The scheduler's counters are there without a delay record, as in taskstats.
    CHECK(r.cpu_count == 40);
    CHECK(r.cpu_run_virtual_total_ns == 9'000'000);
    // A task that started after the clock was read (during the pass): etime 0, not a wrap.
    t.start_ns = now_ns + 10;
    CHECK(bpf_thread_record(t, now_ns, wall_ns).etime_us == 0);
}

TEST_CASE("bpf table: thread queries answer ok or gone, stamped with the pass's clock", "[bpf]") {
    BpfTaskTable t;
    {
        pid_t id = 1;
        TaskstatsAnswer a;
        t.query(TaskstatsScope::thread, std::span(&id, 1), std::span(&a, 1));
        CHECK(a.status == TaskstatsAnswer::Status::failed);  // no pass yet
    }
    // Out of order on purpose: the table sorts.
    const auto b = bytes({task(12, 10), task(10, 10), task(30, 30)});
    t.load(b, now_ns, wall_ns);
    CHECK(t.tasks() == 3);
    const pid_t ids[] = {10, 11, 12, 30, 31};
    std::vector<TaskstatsAnswer> out(5);
    t.query(TaskstatsScope::thread, ids, out);
    CHECK(out[0].status == TaskstatsAnswer::Status::ok);
    CHECK(out[0].record.pid == 10);
    CHECK(out[1].status == TaskstatsAnswer::Status::gone);
    CHECK(out[2].status == TaskstatsAnswer::Status::ok);
    CHECK(out[2].record.pid == 12);
    CHECK(out[2].record.tgid == 10);
    CHECK(out[3].status == TaskstatsAnswer::Status::ok);
    CHECK(out[4].status == TaskstatsAnswer::Status::gone);
    // The sweep brackets the kernel's clock reading with these: exactly the pass's.
    CHECK(out[0].asked_ns == now_ns);
    CHECK(out[0].answered_ns == now_ns);
    // A trailing partial record is ignored.
    auto cut = bytes({task(10, 10), task(11, 10)});
    cut.resize(cut.size() - 8);
    t.load(cut, now_ns, wall_ns);
    CHECK(t.tasks() == 1);
}

TEST_CASE("bpf table: a TGID query sums live threads, skips zombies, adds exited delays", "[bpf]") {
    vigil_bpf_task_record leader = task(100, 100);
    vigil_bpf_task_record a = task(101, 100);
    a.utime_ns = 2'000'999;  // each thread's time is rounded to µs before the sum
    a.stime_ns = 0;
    a.start_ns = now_ns - 1'000'000;
    a.flags = VIGIL_BPF_IO_ACCT;  // no delay record
    vigil_bpf_task_record zombie = task(102, 100);
    zombie.flags |= VIGIL_BPF_EXITING;
    vigil_bpf_task_record other = task(200, 200);
    vigil_bpf_task_record exited{};
    exited.kind = VIGIL_BPF_GROUP_EXITED;
    exited.tid = 100;
    exited.tgid = 100;
    exited.utime_ns = 555;  // cpu_run_real_total of the exited threads
    exited.start_ns = 1;    // ac_etime
    exited.min_flt = 3000;  // ac_utime
    exited.maj_flt = 4000;  // ac_stime
    exited.nvcsw = 5;
    exited.nivcsw = 6;
    exited.cpu_count = 7;
    exited.cpu_delay_ns = 11;
    exited.run_virtual_ns = 13;
    exited.blkio_delay_ns = 17;
    exited.swapin_delay_ns = 19;
    exited.blkio_count = 2;
    exited.swapin_count = 3;
    exited.wpcopy_count = 5;

    BpfTaskTable t;
    const auto b = bytes({leader, exited, a, zombie, other});
    t.load(b, now_ns, wall_ns);
    const TaskstatsAnswer p = ask(t, TaskstatsScope::process, 100);
    REQUIRE(p.status == TaskstatsAnswer::Status::ok);
    const TaskstatsRecord& r = p.record;
    CHECK(r.tgid == 100);
    CHECK(r.utime_us == 1234 + 2000 + 3000);
    CHECK(r.stime_us == 7654 + 4000);
    CHECK(r.nvcsw == 20 + 5);
    CHECK(r.nivcsw == 6 + 6);
    CHECK(r.etime_us == 3'500'000 + 1'000 + 1);
    CHECK(r.cpu_count == 40 + 40 + 7);
    CHECK(r.cpu_run_real_total_ns == (1'234'567 + 7'654'321) + 2'000'999 + 555);
    CHECK(r.cpu_run_virtual_total_ns == 9'000'000 * 2 + 13);
    CHECK(r.cpu_delay_ns == 1'000 * 2 + 11);
    // Delays only from threads with a delay record (the leader) and the exited ones.
    CHECK(r.blkio_delay_ns == 200 + 17);
    CHECK(r.swapin_delay_ns == 30 + 19);
    CHECK(r.blkio_count == 4 + 2);
    CHECK(r.swapin_count == 1 + 3);
    CHECK(r.wpcopy_count == 5);
    // A TGID reply carries no I/O bytes.
    CHECK(r.read_bytes == 0);
    CHECK(r.write_bytes == 0);

    // A single-threaded process: its one thread's figures.
    const TaskstatsAnswer q = ask(t, TaskstatsScope::process, 200);
    REQUIRE(q.status == TaskstatsAnswer::Status::ok);
    CHECK(q.record.utime_us == 1234);
    CHECK(q.record.cpu_count == 40);
    // No leader seen: gone, as ESRCH; a thread id is no process.
    CHECK(ask(t, TaskstatsScope::process, 300).status == TaskstatsAnswer::Status::gone);
    CHECK(ask(t, TaskstatsScope::process, 101).status == TaskstatsAnswer::Status::gone);
    // The zombie still answers a thread query (the kernel finds it until it is reaped).
    CHECK(ask(t, TaskstatsScope::thread, 102).status == TaskstatsAnswer::Status::ok);

    // The next pass replaces every sum.
    const auto b2 = bytes({leader});
    t.load(b2, now_ns, wall_ns);
    const TaskstatsAnswer p2 = ask(t, TaskstatsScope::process, 100);
    REQUIRE(p2.status == TaskstatsAnswer::Status::ok);
    CHECK(p2.record.cpu_count == 40);
    CHECK(p2.record.blkio_count == 4);
    CHECK(ask(t, TaskstatsScope::thread, 101).status == TaskstatsAnswer::Status::gone);
}
