#include <catch2/catch.hpp>

#include "vigil/app/metrics_server.hpp"
#include "vigil/ui/export/metrics_writer.hpp"

using namespace vigil;

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
    CHECK(text.find("vigil_process_written_bytes_total{pid=\"42\",comm=\"we\\\"ird\\\\\\\\\\\\n\","
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
