// A synthetic machine for recording tests and the record size benchmark: thousands of
// threads in processes of very different sizes, most of them idle, a few dozen doing I/O
// at any time, threads and processes starting and ending, details (command line, I/O
// priority) known only for the rows a view would show, and a whole machine overview whose
// counters move as a real one's do. Deterministic for a given seed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <memory>
#include <unordered_set>

#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil::test {

class SyntheticMachine {
  public:
    // busy: threads doing I/O in an average second.
    explicit SyntheticMachine(std::size_t tasks, std::uint64_t seed = 1, std::size_t busy = 30)
        : rng_(seed), busy_(busy) {
        static const char* kNames[] = {"systemd",      "java",       "postgres",      "nginx",
                                       "python3",      "chrome",     "kworker/u16:2", "sshd",
                                       "bash",         "containerd", "dockerd",       "node",
                                       "redis-server", "rsyslogd",   "cron"};
        names_.assign(std::begin(kNames), std::end(kNames));
        while (snap_.tasks.size() < tasks) add_process(false);
        init_machine();
        snap_.steady_s = 1000.0;
        snap_.boot_s = 5000.0;
        snap_.wall_ns = 1714532400'000000000;  // 2024-05-01T03:00:00Z
        snap_.clk_tck = 100;
        snap_.pgpgin_kib = 123456;
        snap_.pgpgout_kib = 654321;
        snap_.delayacct_enabled = true;
        snap_.delayacct_on_since_s = 0.0;
        snap_.mem_total_kib = 16u << 20;
        sort();
    }

    const Snapshot& snapshot() const { return snap_; }
    // The details a view would have fetched for the snapshot: those of the rows it shows.
    TaskDetails details() const {
        TaskDetails d;
        d.reset(snap_.tasks.size());
        for (std::size_t i = 0; i < snap_.tasks.size(); ++i) {
            const TaskSample& s = snap_.tasks[i];
            if (!shown_.count(s.tid)) continue;
            TaskDetail& td = d.set(i);
            td.cmdline = std::make_shared<const std::string>(
                cmdlines_[static_cast<std::size_t>(s.tgid) % cmdlines_.size()]);
            td.ioprio = IoPrio{IoPrio::Class::be, 4};
            // The process's memory, as a view showing RES and SWAP fetched it.
            const auto pages = static_cast<std::uint64_t>(s.tgid) * 37 + 11;
            if (s.tgid % 5 != 0) td.memory = TaskMemory{pages * 4096, pages * 16384, pages * 1024};
            if (s.tgid % 3 != 0) td.swap_bytes = static_cast<std::uint64_t>(s.tgid % 7) * 4096;
        }
        return d;
    }

    // Moves one interval (about interval_s seconds) on.
    void advance(double interval_s = 1.0) {
        const double jitter = std::uniform_real_distribution<double>(-0.002, 0.002)(rng_);
        const double dt = interval_s + jitter;
        snap_.steady_s += dt;
        snap_.boot_s += dt;
        snap_.wall_ns += static_cast<std::int64_t>(dt * 1e9);
        auto& t = snap_.tasks;

        // Details are known for the rows a view shows: drop them, then set them for the busy.
        shown_.clear();
        for (TaskSample& s : t) {
            if (s.state != 'I' && coin(0.01)) s.state = s.state == 'S' ? 'R' : 'S';
        }
        // CPU and activity counters of one thread in 31 move, by its tid (no draw from
        // rng_: the committed recordings of format 1, made before tasks had them, still
        // match these runs). Most threads of a real machine sleep through a second.
        for (TaskSample& s : t) {
            if (!s.activity || s.tid % 31 != 0) continue;
            TaskActivity& a = *s.activity;
            const auto k = static_cast<std::uint64_t>(s.tid % 7 + 1);
            a.user_us += k * 30'000;
            a.system_us += k * 7'000;
            a.minor_faults += k * 11;
            a.major_faults += k % 3;
            a.cpu_delay_ns += k * 1'000'000;
            a.read_chars += k * 40'000;
            a.write_chars += k * 9'000;
            a.read_syscalls += k * 10;
            a.write_syscalls += k * 3;
            a.voluntary_switches += k * 20;
            a.involuntary_switches += k;
        }
        // A few dozen threads do I/O; a pool of I/O-heavy threads stays busy for a while.
        if (io_pool_.empty() || coin(0.05)) pick_io_pool();
        std::uint64_t in = 0, outb = 0;
        for (pid_t tid : io_pool_) {
            if (!coin(0.3)) continue;
            auto it = std::lower_bound(t.begin(), t.end(), tid,
                                       [](const TaskSample& a, pid_t b) { return a.tid < b; });
            if (it == t.end() || it->tid != tid || !it->io) continue;
            TaskSample& s = *it;
            const std::uint64_t r = pages(0.5), w = pages(0.7);
            s.io->read_bytes += r;
            s.io->write_bytes += w;
            if (coin(0.05)) s.io->cancelled_write_bytes += 4096;
            if (s.io->blkio_delay_ns) *s.io->blkio_delay_ns += below(200'000'000);
            in += r;
            outb += w;
            show(s);
        }
        snap_.pgpgin_kib = *snap_.pgpgin_kib + in / 1024;
        snap_.pgpgout_kib = *snap_.pgpgout_kib + outb / 1024;
        // The top rows a view shows whether busy or not: the first few processes.
        for (std::size_t k = 0; k < 20 && k < t.size(); ++k) show(t[k]);

        // Churn: threads come and go every second, a process now and then.
        for (int k = 0; k < 5; ++k) {
            if (t.size() > 2) t.erase(t.begin() + static_cast<long>(below(t.size())));
            add_thread_to(t[below(t.size())].tgid);
        }
        if (coin(0.1)) {
            const pid_t victim = t[below(t.size())].tgid;
            std::erase_if(t, [&](const TaskSample& s) { return s.tgid == victim; });
            add_process(true);
        }
        sort();
        move_machine(dt);
    }

  private:
    bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    std::uint64_t below(std::uint64_t n) { return n ? rng_() % n : 0; }
    std::uint64_t pages(double p) { return coin(p) ? (1 + below(1024)) * 4096 : 0; }
    void show(TaskSample& s) {
        shown_.insert(s.tid);
        if (s.state == '?') s.state = 'S';
    }
    void sort() {
        std::sort(snap_.tasks.begin(), snap_.tasks.end(),
                  [](const TaskSample& a, const TaskSample& b) { return a.tid < b.tid; });
    }
    void pick_io_pool() {
        io_pool_.clear();
        // Each pool thread does I/O in 30 % of the seconds.
        for (std::size_t k = 0; k < busy_ * 10 / 3; ++k)
            io_pool_.push_back(snap_.tasks[below(snap_.tasks.size())].tid);
    }

    TaskSample make_task(pid_t tid, pid_t tgid, const std::string& comm, std::uint64_t start,
                         uid_t uid) {
        TaskSample s;
        s.tid = tid;
        s.tgid = tgid;
        s.ppid = tgid == 1 ? 0 : 1 + static_cast<pid_t>(tgid % 50);
        s.uid = uid;
        s.state = comm.rfind("kworker", 0) == 0 ? 'I' : 'S';
        s.nice = coin(0.05) ? 19 : 0;
        s.start_ticks = start;
        s.comm = comm;
        // Known only as /proc reads it (no draw: the older fixtures' draws stay the same).
        if (tid % 4 != 0) s.priority = static_cast<std::int8_t>(tid % 97 == 0 ? -100 : 20 + s.nice);
        TaskIoCounters io;
        if (coin(0.3)) {
            io.read_bytes = below(1u << 30) & ~std::uint64_t{4095};
            io.write_bytes = below(1u << 28) & ~std::uint64_t{4095};
        }
        io.blkio_delay_ns = coin(0.3) ? below(1'000'000'000) : 0;
        io.swapin_delay_ns = 0;
        io.delays_tracked = true;
        s.io = io;
        TaskActivity& a = s.activity.emplace();
        a.user_us = static_cast<std::uint64_t>(tid) * 1'000;
        a.system_us = static_cast<std::uint64_t>(tid) * 300;
        a.minor_faults = static_cast<std::uint64_t>(tid) * 5;
        a.read_chars = static_cast<std::uint64_t>(tid) * 4'096;
        a.known = TaskActivity::kCpuDelay | TaskActivity::kChars |
                  (tid % 5 ? TaskActivity::kSwitches : 0) | (tid % 3 ? TaskActivity::kSyscalls : 0);
        return s;
    }

    void add_process(bool now) {
        const pid_t tgid = next_pid_++;
        const std::string& comm = names_[below(names_.size())];
        cmdlines_.push_back("/usr/bin/" + comm + " --config /etc/" + comm + ".conf --workers " +
                            std::to_string(below(64)));
        const std::uint64_t start =
            now ? static_cast<std::uint64_t>(snap_.boot_s * 100) : below(400'000);
        // Most processes have a thread or two; a few have hundreds.
        const std::size_t threads = coin(0.02) ? 50 + below(300) : 1 + below(4);
        const uid_t uid = coin(0.4) ? 0 : coin(0.7) ? 1000 : static_cast<uid_t>(100 + below(5));
        for (std::size_t k = 0; k < threads; ++k) {
            const pid_t tid = k == 0 ? tgid : next_pid_++;
            std::string c =
                k == 0 || coin(0.5) ? comm : comm.substr(0, 8) + ":w" + std::to_string(k);
            snap_.tasks.push_back(make_task(tid, tgid, c.substr(0, 15), start + k, uid));
        }
    }

    void add_thread_to(pid_t tgid) {
        auto it = std::find_if(snap_.tasks.begin(), snap_.tasks.end(),
                               [&](const TaskSample& s) { return s.tgid == tgid; });
        const std::string comm = it == snap_.tasks.end() ? "worker" : it->comm;
        const uid_t uid = it == snap_.tasks.end() ? 0 : it->uid;
        snap_.tasks.push_back(make_task(next_pid_++, tgid, comm,
                                        static_cast<std::uint64_t>(snap_.boot_s * 100), uid));
    }

    void init_machine() {
        MachineSample& m = snap_.machine;
        m.collected = 0xFF;
        m.steady_s = 1000.0;
        CpuTicks total;
        total.fields = 10;
        m.cpu.total = total;
        for (int c = 0; c < 16; ++c) {
            CpuLine l;
            l.cpu = c;
            l.times.fields = 10;
            for (auto& v : l.times.ticks) v = below(1'000'000);
            m.cpu.cpus.push_back(l);
        }
        m.cpu.ctxt = 1'000'000'000;
        m.cpu.intr = 500'000'000;
        m.cpu.forks = 1'000'000;
        m.cpu.procs_running = 3;
        m.cpu.procs_blocked = 0;
        m.load = LoadAvg{1.25, 1.5, 1.75, 3, 10'000};
        m.uptime_s = 5000.0;
        m.mem.total_kib = 65'000'000;
        m.mem.free_kib = 20'000'000;
        m.mem.available_kib = 40'000'000;
        m.mem.buffers_kib = 1'000'000;
        m.mem.cached_kib = 15'000'000;
        m.mem.sreclaimable_kib = 800'000;
        m.mem.shmem_kib = 300'000;
        m.mem.swap_total_kib = 8'000'000;
        m.mem.swap_free_kib = 7'900'000;
        m.vm = VmCounters{100, 200, 30'000};
        for (const char* r : {"cpu", "io", "memory", "irq"}) {
            Pressure p;
            p.resource = r;
            p.some = PressureLine{1.5, 1.25, 1.0, 123'456'789};
            if (std::string(r) != "cpu") p.full = PressureLine{0.5, 0.25, 0.1, 23'456'789};
            m.pressure.push_back(p);
        }
        for (const char* d : {"nvme0n1", "nvme0n1p1", "nvme0n1p2", "sda"}) {
            DiskStats s;
            s.name = d;
            s.fields = 17;
            s.major = 259;
            s.whole_disk = std::string(d).find('p') == std::string::npos;
            for (auto& v : s.stats) v = below(100'000'000);
            m.disks.push_back(s);
        }
        for (int f = 0; f < 12; ++f) {
            FilesystemSample fs;
            fs.mount = MountEntry{259, static_cast<std::uint32_t>(f),
                                  f ? "/srv/data" + std::to_string(f) : "/", "ext4",
                                  "/dev/nvme0n1p" + std::to_string(f + 1)};
            fs.usage = FsUsage{4096, 100'000'000, 40'000'000, 35'000'000, 6'000'000, 5'000'000};
            m.filesystems.push_back(fs);
        }
        for (const char* n : {"lo", "eth0", "docker0"}) {
            NetDevStats s;
            s.name = n;
            s.rx_bytes = below(1ull << 40);
            s.tx_bytes = below(1ull << 40);
            s.rx_packets = below(1ull << 30);
            s.tx_packets = below(1ull << 30);
            s.operstate = "up";
            if (std::string(n) == "eth0") s.speed_mbps = 10'000;
            m.net.push_back(s);
        }
        for (int k = 0; k < 8; ++k)
            m.sensors.temps.push_back(
                TempSensor{"coretemp", "Core " + std::to_string(k), 45'000, 80'000, 100'000});
        m.sensors.fans.push_back(FanSensor{"nct6775", "fan1", 1200});
    }

    void move_machine(double dt) {
        MachineSample& m = snap_.machine;
        m.steady_s = snap_.steady_s - 0.001;
        for (CpuLine& l : m.cpu.cpus) {
            const std::uint64_t busy = below(60);
            l.times.ticks[CpuTicks::user] += busy;
            l.times.ticks[CpuTicks::system] += below(10);
            l.times.ticks[CpuTicks::idle] += 100 - busy;
            l.times.ticks[CpuTicks::iowait] += below(3);
            l.times.ticks[CpuTicks::softirq] += below(2);
        }
        CpuTicks total = *m.cpu.total;
        total.ticks = {};
        for (const CpuLine& l : m.cpu.cpus)
            for (std::size_t f = 0; f < CpuTicks::kFields; ++f) total.ticks[f] += l.times.ticks[f];
        m.cpu.total = total;
        *m.cpu.ctxt += 20'000 + below(5'000);
        *m.cpu.intr += 10'000 + below(2'000);
        *m.cpu.forks += below(10);
        m.cpu.procs_running = 1 + below(6);
        if (coin(0.5)) {  // the kernel refreshes load and pressure averages every 2 s
            auto walk = [&](double& v) {
                v = std::max(0.0, static_cast<double>(std::llround(v * 100) +
                                                      static_cast<long long>(below(21)) - 10) /
                                      100.0);
            };
            walk(m.load->load1);
            walk(m.load->load5);
            walk(m.load->load15);
            for (Pressure& p : m.pressure) {
                if (p.some) walk(p.some->avg10_pct);
                if (p.full) walk(p.full->avg10_pct);
            }
        }
        for (Pressure& p : m.pressure) {
            if (p.some) p.some->total_us += below(20'000);
            if (p.full) p.full->total_us += below(5'000);
        }
        *m.uptime_s = static_cast<double>(std::llround((*m.uptime_s + dt) * 100)) / 100.0;
        *m.mem.free_kib += below(2001) - 1000;
        *m.mem.available_kib += below(2001) - 1000;
        *m.mem.cached_kib += below(1001) - 500;
        *m.vm.pgmajfault += below(3);
        for (DiskStats& d : m.disks) {
            d.stats[DiskStats::reads] += below(200);
            d.stats[DiskStats::sectors_read] += below(20'000);
            d.stats[DiskStats::read_ms] += below(100);
            d.stats[DiskStats::writes] += below(300);
            d.stats[DiskStats::sectors_written] += below(40'000);
            d.stats[DiskStats::write_ms] += below(300);
            d.stats[DiskStats::io_ms] += below(500);
            d.stats[DiskStats::weighted_io_ms] += below(800);
            d.stats[DiskStats::flushes] += below(5);
        }
        for (FilesystemSample& f : m.filesystems)
            if (coin(0.3)) f.usage->blocks_free -= below(100);
        for (NetDevStats& n : m.net) {
            n.rx_bytes += below(1'000'000);
            n.tx_bytes += below(500'000);
            n.rx_packets += below(1'000);
            n.tx_packets += below(800);
        }
        for (TempSensor& t : m.sensors.temps)
            if (coin(0.5)) *t.input_mc += static_cast<std::int64_t>(below(2001)) - 1000;
        if (coin(0.2)) *m.sensors.fans[0].rpm += below(21) - 10;
    }

    std::mt19937_64 rng_;
    std::size_t busy_;
    Snapshot snap_;
    std::vector<std::string> names_, cmdlines_;
    std::unordered_set<pid_t> shown_;  // tids of the rows a view shows now
    std::vector<pid_t> io_pool_;       // the threads doing I/O these seconds
    pid_t next_pid_ = 1;
};

}  // namespace vigil::test
