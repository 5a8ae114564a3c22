#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>

#include "cgroup_util.hpp"
#include "vigil/app/exporter.hpp"
#include "vigil/app/metrics_server.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/ui/export/metrics_writer.hpp"

using namespace vigil;
using vigil::test::cgroup_at;

TEST_CASE("metrics: counters in base units, typed once, OpenMetrics ends with # EOF", "[metrics]") {
    MachineSample m;
    m.collected = section_bit(Section::cpu) | section_bit(Section::disks) |
                  section_bit(Section::net) | section_bit(Section::psi);
    CpuLine c;
    c.cpu = 1;
    c.times.fields = 8;
    c.times.ticks[CpuTicks::user] = 250;
    c.times.ticks[CpuTicks::idle] = 1000;
    m.cpu.cpus.push_back(c);
    DiskStats d;
    d.name = "vda";
    d.fields = 17;
    d.stats[DiskStats::sectors_written] = 2048;
    d.stats[DiskStats::io_ms] = 1500;
    m.disks.push_back(d);
    NetDevStats n;
    n.name = "eth0";
    n.rx_bytes = 12345;
    m.net.push_back(n);
    Pressure p;
    p.resource = "io";
    p.some = PressureLine{0, 0, 0, 2'500'000};  // no full line: no full sample
    m.pressure.push_back(p);
    MetricsInput in;
    in.machine = &m;
    in.clk_tck = 100;
    ExportedProcess proc;
    proc.pid = 42;
    proc.comm = "we\"ird\\\n";
    proc.user = "root";
    proc.write_bytes = 1048576;
    proc.user_s = 1.5;  // read_bytes unknown: no sample, never 0
    in.processes.push_back(proc);
    in.self.scrapes = 7;

    std::string text;
    write_metrics(in, MetricsFormat::prometheus, text);
    CHECK(text.find("# TYPE vigil_cpu_seconds_total counter\n") != std::string::npos);
    CHECK(text.find("vigil_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 2.5\n") != std::string::npos);
    CHECK(text.find("vigil_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 10\n") != std::string::npos);
    CHECK(text.find("vigil_disk_written_bytes_total{device=\"vda\"} 1048576\n") !=
          std::string::npos);
    CHECK(text.find("vigil_disk_io_time_seconds_total{device=\"vda\"} 1.5\n") != std::string::npos);
    CHECK(text.find("vigil_network_receive_bytes_total{interface=\"eth0\"} 12345\n") !=
          std::string::npos);
    CHECK(text.find("vigil_pressure_some_seconds_total{resource=\"io\"} 2.5\n") !=
          std::string::npos);
    CHECK(text.find("vigil_pressure_full_seconds_total") == std::string::npos);
    // A raw command name: quote, backslash and newline escaped, one line.
    CHECK(text.find("vigil_process_write_bytes_total{pid=\"42\",comm=\"we\\\"ird\\\\\\\\\\\\n\","
                    "user=\"root\",cgroup=\"\"} 1048576\n") != std::string::npos);
    CHECK(text.find("vigil_process_read_bytes_total") == std::string::npos);
    CHECK(text.find("vigil_scrapes_total 7\n") != std::string::npos);
    CHECK(text.find("# EOF") == std::string::npos);
    // No memory section collected: no memory family.
    CHECK(text.find("vigil_memory_bytes") == std::string::npos);

    std::string om;
    write_metrics(in, MetricsFormat::openmetrics, om);
    CHECK(om.find("# TYPE vigil_cpu_seconds counter\n") != std::string::npos);
    CHECK(om.find("vigil_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 2.5\n") != std::string::npos);
    CHECK(om.ends_with("# EOF\n"));
}

TEST_CASE("metrics: Accept negotiation and --listen addresses", "[metrics][options]") {
    CHECK(negotiate_metrics_format("") == MetricsFormat::prometheus);
    CHECK(negotiate_metrics_format("text/plain;version=0.0.4") == MetricsFormat::prometheus);
    CHECK(negotiate_metrics_format("application/openmetrics-text;version=1.0.0,"
                                   "application/openmetrics-text;version=0.0.1;q=0.75,"
                                   "text/plain;version=0.0.4;q=0.5,*/*;q=0.1") ==
          MetricsFormat::openmetrics);
    CHECK(negotiate_metrics_format("application/openmetrics-text;q=0.2,text/plain;q=0.9") ==
          MetricsFormat::prometheus);
    CHECK(negotiate_metrics_format("application/openmetrics-text;q=0") ==
          MetricsFormat::prometheus);

    auto a = parse_listen_address("9939");
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 9939);
    auto b = parse_listen_address("[::1]:80");
    REQUIRE(b);
    CHECK(b->ipv6);
    CHECK(b->host == "::1");
    auto c = parse_listen_address("localhost:0");
    REQUIRE(c);
    CHECK(c->host == "127.0.0.1");
    CHECK_FALSE(parse_listen_address("10.0.0.1:70000"));
    CHECK_FALSE(parse_listen_address("example.org:80"));
    CHECK_FALSE(parse_listen_address("::1:80"));
    CHECK_FALSE(parse_listen_address("[::1]80"));
    CHECK(parse_listen_address("x:1").error().message.find("'x:1'") != std::string::npos);
}

TEST_CASE("metrics server: scrapes get the last published text", "[metrics]") {
    auto where = parse_listen_address("127.0.0.1:0");
    REQUIRE(where);
    auto s = MetricsServer::start(*where, MetricsServer::Limits{});
    REQUIRE(s);
    CHECK((*s)->port() != 0);
    CHECK((*s)->url().starts_with("http://127.0.0.1:"));
    (*s)->publish("a 1\n", "a 1\n# EOF\n");
    CHECK((*s)->scrapes() == 0);
    // The same port again: a clear error naming it.
    ListenAddress same = *where;
    same.port = (*s)->port();
    auto again = MetricsServer::start(same, MetricsServer::Limits{});
    REQUIRE_FALSE(again);
    CHECK(again.error().message.find(std::to_string(same.port)) != std::string::npos);
}

namespace {

TaskSample writer_task(pid_t tid, std::uint64_t write_bytes) {
    TaskSample t;
    t.tid = tid;
    t.tgid = tid;
    t.start_ticks = 5;
    TaskIoCounters io;
    io.write_bytes = write_bytes;
    t.io = io;
    return t;
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

}  // namespace

TEST_CASE("metrics: cgroup families, labelled with path and name", "[metrics][cgroups]") {
    MachineSample m;
    m.collected = section_bit(Section::cgroups) | section_bit(Section::disks);
    DiskStats d;
    d.name = "vda";
    d.major = 253;
    d.minor = 0;
    m.disks.push_back(d);
    CgroupSample root = cgroup_at("/", 1, -1, {1});
    root.cpu_usage_usec = 5'000'000;
    CgroupSample svc = cgroup_at("/system.slice/nginx.service", 7, 0, {100, 101});
    svc.cpu_usage_usec = 2'500'000;
    svc.cpu_user_usec = 2'000'000;
    svc.cpu_system_usec = 500'000;
    svc.nr_throttled = 3;
    svc.throttled_usec = 250'000;
    svc.memory_current = 1 << 20;
    svc.memory_anon = 4096;
    svc.memory_max = std::numeric_limits<std::uint64_t>::max();
    svc.oom = 2;
    svc.oom_kill = 1;
    svc.some[CgroupSample::io_res] = CgroupPressureLine{1.5, 3'000'000};
    svc.full[CgroupSample::memory] = CgroupPressureLine{0, 500'000};
    svc.io = std::vector<CgroupIoStat>{{253, 0, 4096, 8192, 1, 2, 0, 0}, {8, 16, 1, 2, 3, 4, 0, 0}};
    CgroupSample v1 = cgroup_at("/user.slice", 9, 0);
    v1.v1_cpuacct_usage_ns = 1'500'000'000;
    v1.v1_memory_usage = 12345;
    v1.memory_max = 1 << 30;
    v1.procs = std::nullopt;  // cgroup.procs unreadable
    m.cgroups = {root, svc, v1};
    MetricsInput in;
    in.machine = &m;
    in.cgroups = {ExportedCgroup{0, 10, 20}, ExportedCgroup{1, {}, {}}, ExportedCgroup{2, {}, {}}};

    std::string text;
    write_metrics(in, MetricsFormat::prometheus, text);
    const std::string nginx = "{cgroup=\"/system.slice/nginx.service\",name=\"nginx.service\"";
    CHECK(has_line(text, "vigil_cgroup_cpu_seconds_total{cgroup=\"/\",name=\"/\"} 5"));
    CHECK(has_line(text, "vigil_cgroup_cpu_seconds_total" + nginx + "} 2.5"));
    CHECK(has_line(text, "vigil_cgroup_cpu_user_seconds_total" + nginx + "} 2"));
    CHECK(has_line(text, "vigil_cgroup_cpu_system_seconds_total" + nginx + "} 0.5"));
    CHECK(has_line(text, "vigil_cgroup_cpu_throttled_periods_total" + nginx + "} 3"));
    CHECK(has_line(text, "vigil_cgroup_cpu_throttled_seconds_total" + nginx + "} 0.25"));
    CHECK(has_line(text, "vigil_cgroup_memory_bytes" + nginx + "} 1048576"));
    CHECK(has_line(text, "vigil_cgroup_memory_anon_bytes" + nginx + "} 4096"));
    CHECK(has_line(text, "vigil_cgroup_memory_max_bytes" + nginx + "} +Inf"));
    CHECK(has_line(text, "vigil_cgroup_oom_events_total" + nginx + "} 2"));
    CHECK(has_line(text, "vigil_cgroup_oom_kills_total" + nginx + "} 1"));
    CHECK(has_line(text, "vigil_cgroup_processes" + nginx + "} 2"));
    CHECK(
        has_line(text, "vigil_cgroup_pressure_some_seconds_total" + nginx + ",resource=\"io\"} 3"));
    CHECK(has_line(
        text, "vigil_cgroup_pressure_full_seconds_total" + nginx + ",resource=\"memory\"} 0.5"));
    // io.stat: per device, named as in /proc/diskstats, else MAJ:MIN.
    CHECK(has_line(text, "vigil_cgroup_io_read_bytes_total" + nginx + ",device=\"vda\"} 4096"));
    CHECK(has_line(text, "vigil_cgroup_io_written_bytes_total" + nginx + ",device=\"vda\"} 8192"));
    CHECK(has_line(text, "vigil_cgroup_io_writes_total" + nginx + ",device=\"8:16\"} 4"));
    // Without io.stat: the tasks' sums, under their own names; none for a group with io.stat.
    CHECK(has_line(text, "vigil_cgroup_tasks_read_bytes_total{cgroup=\"/\",name=\"/\"} 10"));
    CHECK(has_line(text, "vigil_cgroup_tasks_written_bytes_total{cgroup=\"/\",name=\"/\"} 20"));
    CHECK(text.find("vigil_cgroup_tasks_written_bytes_total" + nginx) == std::string::npos);
    CHECK(text.find("vigil_cgroup_io_written_bytes_total{cgroup=\"/\"") == std::string::npos);
    // cgroup v1 figures where v2 has none; unknowns have no sample, never 0.
    CHECK(has_line(text,
                   "vigil_cgroup_cpu_seconds_total{cgroup=\"/user.slice\",name=\"user.slice\"} "
                   "1.5"));
    CHECK(has_line(text,
                   "vigil_cgroup_memory_bytes{cgroup=\"/user.slice\",name=\"user.slice\"} "
                   "12345"));
    CHECK(has_line(text,
                   "vigil_cgroup_memory_max_bytes{cgroup=\"/user.slice\",name=\"user.slice\"} "
                   "1073741824"));
    CHECK(text.find("vigil_cgroup_cpu_user_seconds_total{cgroup=\"/user.slice\"") ==
          std::string::npos);
    CHECK(text.find("vigil_cgroup_processes{cgroup=\"/user.slice\"") == std::string::npos);
    // Each family typed once.
    std::size_t types = 0;
    for (std::size_t at = 0;
         (at = text.find("# TYPE vigil_cgroup_cpu_seconds_total ", at)) != std::string::npos; ++at)
        ++types;
    CHECK(types == 1);
    std::string om;
    write_metrics(in, MetricsFormat::openmetrics, om);
    CHECK(om.find("# TYPE vigil_cgroup_tasks_written_bytes counter\n") != std::string::npos);

    SECTION("no cgroups section, or none exported: no cgroup family") {
        in.cgroups.clear();
        std::string none;
        write_metrics(in, MetricsFormat::prometheus, none);
        CHECK(none.find("vigil_cgroup") == std::string::npos);
        in.cgroups = {ExportedCgroup{1, {}, {}}};
        m.collected = section_bit(Section::disks);
        write_metrics(in, MetricsFormat::prometheus, none);
        CHECK(none.find("vigil_cgroup") == std::string::npos);
    }
}

TEST_CASE("metrics: the exported cgroups are bounded by depth and count", "[metrics][cgroups]") {
    std::vector<CgroupSample> groups;
    groups.push_back(cgroup_at("/", 1, -1));
    groups.push_back(cgroup_at("/a", 2, 0));
    groups.push_back(cgroup_at("/a/b", 3, 1));
    groups.push_back(cgroup_at("/a/b/c", 4, 2));
    groups.push_back(cgroup_at("/a/b/c/d", 5, 3));  // depth 4: left out
    groups.push_back(cgroup_at("/z", 6, 0));
    CHECK(select_exported_cgroups(groups) == std::vector<std::size_t>{0, 1, 2, 3, 5});
    CHECK(select_exported_cgroups({}).empty());

    // More than kExportCgroupMax: the shallower first, the deepest cut, walk order kept.
    std::vector<CgroupSample> many{cgroup_at("/", 1, -1)};
    for (std::size_t i = 0; i < kExportCgroupMax; ++i) {
        many.push_back(cgroup_at("/s" + std::to_string(i), 10 + i, 0));
        many.push_back(cgroup_at("/s" + std::to_string(i) + "/x", 1000 + i,
                                 static_cast<std::int32_t>(many.size() - 1)));
    }
    const std::vector<std::size_t> picked = select_exported_cgroups(many);
    REQUIRE(picked.size() == kExportCgroupMax);
    CHECK(std::is_sorted(picked.begin(), picked.end()));
    CHECK(picked.front() == 0);
    for (std::size_t i : picked) CHECK(many[i].path.find("/x") == std::string::npos);
}

TEST_CASE("metrics: a group without io.stat gets a counter of its tasks' I/O",
          "[metrics][cgroups]") {
    // / (no io.stat) ─ /B (no io.stat, processes 20 and 30) ; /A has io.stat.
    std::vector<Snapshot> s(4);
    for (std::size_t i = 0; i < s.size(); ++i) {
        s[i].steady_s = s[i].machine.steady_s = 10.0 + 2.0 * static_cast<double>(i);
        s[i].machine.collected = section_bit(Section::cgroups);
        s[i].machine.cgroups = {cgroup_at("/", 1, -1, {1}), cgroup_at("/A", 2, 0, {10}),
                                cgroup_at("/B", 3, 0, {20, 30})};
        s[i].machine.cgroups[1].io = std::vector<CgroupIoStat>{{8, 0, 1, 2, 0, 0, 0, 0}};
    }
    s[0].tasks = {writer_task(10, 0), writer_task(20, 0), writer_task(30, 0)};
    s[1].tasks = {writer_task(10, 500), writer_task(20, 8000), writer_task(30, 1000)};
    // 20 ended: what it wrote stays counted; 30 writes on.
    s[2].tasks = {writer_task(10, 500), writer_task(30, 3000)};
    s[2].machine.cgroups[2].procs = std::vector<pid_t>{30};
    // /B removed and made again (another inode): its counter starts again.
    s[3].tasks = {writer_task(10, 500), writer_task(30, 7000)};
    s[3].machine.cgroups[2].procs = std::vector<pid_t>{30};
    s[3].machine.cgroups[2].inode = 33;

    CgroupExport ex;
    auto of = [](const std::vector<ExportedCgroup>& xs, std::size_t index) {
        for (const ExportedCgroup& x : xs)
            if (x.index == index) return x;
        FAIL("group " << index << " not exported");
        return ExportedCgroup{};
    };
    Frame f = advance(s[0], s[0]);
    std::vector<ExportedCgroup> x = ex.next(f);
    REQUIRE(x.size() == 3);
    CHECK_FALSE(of(x, 2).task_write_bytes);  // no interval yet: no sample
    f = advance(s[0], s[1], std::move(f));
    x = ex.next(f);
    CHECK(of(x, 2).task_write_bytes == 9000u);
    CHECK(of(x, 2).task_read_bytes == 0u);
    CHECK(of(x, 0).task_write_bytes == 9500u);  // the root: every grouped task
    CHECK_FALSE(of(x, 1).task_write_bytes);     // io.stat: the kernel's counters instead
    f = advance(s[1], s[2], std::move(f));
    x = ex.next(f);
    CHECK(of(x, 2).task_write_bytes == 11000u);  // never back when a task ends
    CHECK(of(x, 0).task_write_bytes == 11500u);
    f = advance(s[2], s[3], std::move(f));
    x = ex.next(f);
    CHECK(of(x, 2).task_write_bytes == 0u);  // another group: a counter reset
    CHECK(of(x, 0).task_write_bytes == 15500u);
}
