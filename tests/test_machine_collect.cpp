// The machine collectors against the fixture trees tests/fixtures/machine/{t0,t1,old}, and
// the exact rates and table cells they lead to (the expected figures are worked out in
// make_machine_fixtures.py).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "machine_fixture.hpp"
#include "vigil/collect/fs_usage.hpp"
#include "vigil/core/clock.hpp"

using namespace vigil;
using vigil::test::cell_text;
using vigil::test::collect_machine;
using vigil::test::MachinePair;
using vigil::test::row_named;

namespace {

std::vector<std::string> first_column(const Table& t) {
    std::vector<std::string> out;
    for (const auto& r : t.rows) out.push_back(r[0].text);
    return out;
}

const DiskStats* disk(const MachineSample& m, std::string_view name) {
    for (const auto& d : m.disks)
        if (d.name == name) return &d;
    return nullptr;
}

}  // namespace

TEST_CASE("only the sections asked for are collected", "[machine][collect]") {
    MachineSample s = collect_machine("t0", 1.0, section_bit(Section::disks));
    CHECK(s.collected == section_bit(Section::disks));
    CHECK_FALSE(s.disks.empty());
    CHECK_FALSE(s.cpu.total.has_value());
    CHECK(s.net.empty());
    CHECK(s.filesystems.empty());
    CHECK(s.sensors.temps.empty());
}

TEST_CASE("a malformed line of each table: one note of its section, the good rows kept",
          "[machine][collect]") {
    char tmpl[] = "/tmp/vigil-notes.XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    const std::filesystem::path proc = tmpl;
    struct Remove {
        std::filesystem::path dir;
        ~Remove() { std::filesystem::remove_all(dir); }
    } remove{proc};
    auto write = [&](const std::string& rel, const std::string& text) {
        std::filesystem::create_directories((proc / rel).parent_path());
        std::ofstream(proc / rel, std::ios::binary) << text;
    };
    write("stat", "cpu  4 3 2 1\ncpu0 4 3 2 1\ncpu1 4 x 2 1\nctxt 9\n");
    write("diskstats", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 1 sda1 1 2\n");
    write("net/dev",
          "Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n"
          "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n  eth0: 1 2\n");
    write("self/mountinfo", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /home rw\n");
    write("pressure/io",
          "some avg10=1.00 avg60=2.00 avg300=3.00 total=42\n"
          "full avg10=x avg60=0 avg300=0 total=0\n");
    write("pressure/memory", "full broken\n");
    write("uptime", "soon\n");

    Roots roots{FsRoot(proc.string()), FsRoot("/nonexistent/vigil-sys")};
    MachineCollector c(roots,
                       section_bit(Section::cpu) | section_bit(Section::psi) |
                           section_bit(Section::disks) | section_bit(Section::net) |
                           section_bit(Section::fs),
                       false);
    MachineSample s;
    c.collect(s);
    auto notes_of = [&](Section section) {
        std::vector<std::string> out;
        for (const MachineNote& n : s.notes)
            if (n.section == section) out.push_back(n.text);
        return out;
    };
    // A file that does not parse at all is its error, as a note.
    CHECK(notes_of(Section::cpu) ==
          std::vector<std::string>{"stat: ignored malformed line 'cpu1 4 x 2 1'",
                                   "uptime: cannot parse 'soon'"});
    CHECK_FALSE(s.uptime_s.has_value());
    CHECK(notes_of(Section::disks) ==
          std::vector<std::string>{"diskstats: ignored malformed line '8 1 sda1 1 2'"});
    CHECK(notes_of(Section::net) ==
          std::vector<std::string>{"net/dev: ignored malformed line '  eth0: 1 2'"});
    CHECK(notes_of(Section::fs) ==
          std::vector<std::string>{"mountinfo: ignored malformed line '2 1 8:2 / /home rw'"});
    // A damaged line of a pressure file that is otherwise good is a note; a file with no
    // good line is one error, not an error and a note.
    CHECK(notes_of(Section::psi) ==
          std::vector<std::string>{
              "pressure/io: ignored malformed line 'full avg10=x avg60=0 avg300=0 total=0'",
              "pressure/memory: no 'some' or 'full' line in 'full broken'"});
    CHECK(s.cpu.cpus.size() == 1);
    CHECK(s.cpu.ctxt == 9u);
    CHECK(s.disks.size() == 1);
    CHECK(s.net.size() == 1);
    CHECK(s.filesystems.size() == 1);
    REQUIRE(s.pressure.size() == 1);
    CHECK(s.pressure[0].resource == "io");
}

TEST_CASE("cpu: mpstat's shares, a CPU going offline and one coming online", "[machine][cpu]") {
    MachinePair m;
    REQUIRE(m.rates.all);
    const auto& all = m.rates.all->pct;
    using P = CpuPercent;
    CHECK(*all[P::usr] == Approx(50));  // user - guest
    CHECK(*all[P::nice] == Approx(5));
    CHECK(*all[P::sys] == Approx(10));
    CHECK(*all[P::iowait] == Approx(5));
    CHECK(*all[P::irq] == Approx(2));
    CHECK(*all[P::soft] == Approx(2));
    CHECK(*all[P::steal] == Approx(1));
    CHECK(*all[P::guest] == Approx(10));
    CHECK(*all[P::gnice] == Approx(0));
    CHECK(*all[P::idle] == Approx(15));
    CHECK(*m.rates.ctxt_per_s == Approx(1000));
    CHECK(*m.rates.intr_per_s == Approx(2000));
    CHECK(*m.rates.forks_per_s == Approx(10));

    Table t = build_cpu_table(m.t1, m.rates);
    // cpu1 went offline: no row; cpu2 came online: a row of unknowns, never garbage.
    CHECK(first_column(t) == std::vector<std::string>{"all", "0", "2"});
    CHECK(cell_text(t, 1, "%usr") == "50.00");
    CHECK(cell_text(t, 1, "%guest") == "10.00");
    CHECK(cell_text(t, 1, "idle") == "15.00");
    for (std::string_view c : {"%usr", "%sys", "%idle", "%steal"}) CHECK(cell_text(t, 2, c) == "?");
    auto summary = [&](std::string_view label) {
        for (const auto& s : t.summary)
            if (s.label == label) return format_cell(s.format, s.value, ByteUnits::human);
        return std::string("<none>");
    };
    CHECK(summary("load1") == "0.50");
    CHECK(summary("load15") == "0.30");
    CHECK(summary("running") == "3");
    CHECK(summary("blocked") == "1");
    CHECK(summary("threads") == "250");
    CHECK(summary("ctxt/s") == "1000.00");
    CHECK(summary("uptime") == "1d 00:00");
}

TEST_CASE("cpu_percent: backwards counters, other column counts, an idle interval",
          "[machine][cpu]") {
    CpuTicks a, b;
    a.fields = b.fields = 10;
    a.ticks = {100, 0, 50, 1000, 0, 0, 0, 0, 0, 0};
    b.ticks = {110, 0, 55, 1005, 0, 0, 0, 0, 0, 0};
    CHECK(*cpu_percent(a, b).pct[CpuPercent::usr] == Approx(50));
    CpuTicks back = b;
    back.ticks[CpuTicks::idle] = 10;  // a CPU back from offline restarts idle at 0
    for (const auto& v : cpu_percent(a, back).pct) CHECK_FALSE(v.has_value());
    CpuTicks fewer = b;
    fewer.fields = 8;
    for (const auto& v : cpu_percent(a, fewer).pct) CHECK_FALSE(v.has_value());
    for (const auto& v : cpu_percent(a, a).pct) CHECK_FALSE(v.has_value());  // no ticks passed

    // guest running ahead of user (it happens): mpstat widens the interval, shares stay sane.
    CpuTicks g0, g1;
    g0.fields = g1.fields = 10;
    g0.ticks = {100, 0, 0, 100, 0, 0, 0, 0, 90, 0};
    g1.ticks = {105, 0, 0, 195, 0, 0, 0, 0, 100, 0};
    CpuPercent p = cpu_percent(g0, g1);
    CHECK(*p.pct[CpuPercent::usr] == Approx(0));
    CHECK(*p.pct[CpuPercent::idle] == Approx(95.0 / 105.0 * 100));
    CHECK(*p.pct[CpuPercent::guest] == Approx(10.0 / 105.0 * 100));

    // A kernel without steal and guest columns: user is not reduced; the missing are unknown.
    CpuTicks o0, o1;
    o0.fields = o1.fields = 7;
    o0.ticks = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    o1.ticks = {30, 0, 10, 50, 10, 0, 0, 0, 0, 0};
    CpuPercent op = cpu_percent(o0, o1);
    CHECK(*op.pct[CpuPercent::usr] == Approx(30));
    CHECK(*op.pct[CpuPercent::iowait] == Approx(10));
    CHECK_FALSE(op.pct[CpuPercent::steal].has_value());
    CHECK_FALSE(op.pct[CpuPercent::guest].has_value());
    CHECK_FALSE(op.pct[CpuPercent::gnice].has_value());
}

TEST_CASE("mem: free's columns and sar's paging rates", "[machine][mem]") {
    MachinePair m;
    Table t = build_mem_table(m.t1, m.rates);
    REQUIRE(t.rows.size() == 2);
    const ByteUnits k = ByteUnits::kib;
    CHECK(cell_text(t, 0, "total", k) == "16384000.00 K");
    CHECK(cell_text(t, 0, "used", k) == "4384000.00 K");  // total - available
    CHECK(cell_text(t, 0, "free", k) == "7999000.00 K");
    CHECK(cell_text(t, 0, "shared", k) == "50000.00 K");
    CHECK(cell_text(t, 0, "buffers", k) == "100000.00 K");
    CHECK(cell_text(t, 0, "cache", k) == "3200000.00 K");  // Cached + SReclaimable
    CHECK(cell_text(t, 0, "available", k) == "12000000.00 K");
    CHECK(cell_text(t, 1, "total", k) == "4194304.00 K");
    CHECK(cell_text(t, 1, "used", k) == "194304.00 K");
    CHECK(cell_text(t, 1, "shared", k) == "-");
    CHECK(cell_text(t, 0, "total") == "15.62 G");
    CHECK(*m.rates.swapin_pages_per_s == Approx(100));
    CHECK(*m.rates.swapout_pages_per_s == Approx(100));
    CHECK(*m.rates.majflt_per_s == Approx(25));
    CHECK(t.notes.empty());
}

TEST_CASE("psi: running averages and the stall share of the interval", "[machine][psi]") {
    MachinePair m;
    Table t = build_psi_table(m.t1, m.rates);
    CHECK(first_column(t) == std::vector<std::string>{"cpu", "io", "memory"});
    CHECK(cell_text(t, 0, "SOME%") == "25.00");
    CHECK(cell_text(t, 0, "FULL%") == "0.00");
    CHECK(cell_text(t, 1, "SOME%") == "10.00");
    CHECK(cell_text(t, 1, "FULL%") == "5.00");
    CHECK(cell_text(t, 2, "SOME%") == "1.00");
    CHECK(cell_text(t, 2, "FULL%") == "0.50");
    CHECK(cell_text(t, 1, "SOME10") == "1.50");
    CHECK(cell_text(t, 1, "FULL300") == "0.25");
}

TEST_CASE("disks: whole disks and partitions from the sys tree", "[machine][disks]") {
    MachineSample s = collect_machine("t1", 0);
    REQUIRE(disk(s, "sda"));
    CHECK(disk(s, "sda")->whole_disk);
    CHECK_FALSE(disk(s, "sda1")->whole_disk);
    CHECK(disk(s, "sda1")->parent == "sda");
    CHECK(disk(s, "cciss/c0d0")->whole_disk);  // sys/block/cciss!c0d0
    CHECK(disk(s, "cciss/c0d0p1")->parent == "cciss/c0d0");
    CHECK(disk(s, "nvme0n1p1")->parent == "nvme0n1");
    CHECK(disk(s, "dm-0")->whole_disk);

    // Without a sys tree nothing can be called a partition, so nothing is hidden as one.
    MachineSample bare =
        collect_machine("t1", 0, section_bit(Section::disks), "/nonexistent/vigil-sys");
    CHECK(disk(bare, "sda1")->whole_disk);
}

TEST_CASE("disks: iostat -x figures, exactly", "[machine][disks]") {
    MachinePair m;
    Table t = build_disk_table(m.t1, m.rates, MachineView{});
    int sda = row_named(t, "sda");
    REQUIRE(sda >= 0);
    auto r = static_cast<std::size_t>(sda);
    CHECK(cell_text(t, r, "r/s") == "100.00");
    CHECK(cell_text(t, r, "rkB/s") == "400.00");
    CHECK(cell_text(t, r, "r_await") == "2.50");
    CHECK(cell_text(t, r, "w/s") == "50.00");
    CHECK(cell_text(t, r, "wkB/s") == "2000.00");
    CHECK(cell_text(t, r, "w_await") == "10.00");
    CHECK(cell_text(t, r, "d/s") == "5.00");
    CHECK(cell_text(t, r, "dkB/s") == "512.00");
    CHECK(cell_text(t, r, "f/s") == "10.00");
    CHECK(cell_text(t, r, "aqu-sz") == "0.75");
    CHECK(cell_text(t, r, "%util") == "50.00");
}

TEST_CASE("disks: which rows are shown", "[machine][disks]") {
    MachinePair m;
    // Default: whole disks ever used; loop/zram only while active; sdb went backwards and
    // sdc is new, so their figures are unknown.
    Table t = build_disk_table(m.t1, m.rates, MachineView{});
    CHECK(first_column(t) ==
          std::vector<std::string>{"loop2", "sda", "sdb", "sdc", "nvme0n1", "dm-0", "cciss/c0d0"});
    CHECK(cell_text(t, 2, "r/s") == "?");
    CHECK(cell_text(t, 3, "%util") == "?");
    CHECK(cell_text(t, 0, "r/s") == "10.00");

    MachineView parts;
    parts.partitions = true;
    Table p = build_disk_table(m.t1, m.rates, parts);
    CHECK(first_column(p) == std::vector<std::string>{"loop2", "sda", "sda1", "sda2", "sdb", "sdc",
                                                      "nvme0n1", "nvme0n1p1", "dm-0", "cciss/c0d0",
                                                      "cciss/c0d0p1"});

    MachineView all;
    all.all_devices = true;
    Table a = build_disk_table(m.t1, m.rates, all);
    CHECK(first_column(a) == std::vector<std::string>{"loop0", "loop1", "loop2", "sda", "sdb",
                                                      "sdc", "zram0", "nvme0n1", "dm-0",
                                                      "cciss/c0d0"});
}

TEST_CASE("disk_rates: a wrapped counter, another kernel's layout, an idle device",
          "[machine][disks]") {
    DiskStats a, b;
    a.fields = b.fields = 17;
    a.stats[DiskStats::reads] = 100;
    b.stats[DiskStats::reads] = 50;  // went back: wrapped or replaced
    CHECK_FALSE(disk_rates(a, b, 1.0).reads_per_s.has_value());
    b.stats[DiskStats::reads] = 100;
    b.stats[DiskStats::in_flight] = 0;
    a.stats[DiskStats::in_flight] = 5;  // a level, may fall
    DiskRates idle = disk_rates(a, b, 1.0);
    CHECK(*idle.reads_per_s == 0);
    CHECK(*idle.read_await_ms == 0);  // iostat prints 0.00 for no reads
    CHECK_FALSE(idle.active);
    DiskStats c = b;
    c.fields = 11;
    CHECK_FALSE(disk_rates(a, c, 1.0).util_pct.has_value());  // the kernel changed under us
    CHECK_FALSE(disk_rates(a, b, 0.0).reads_per_s.has_value());

    DiskStats s0, s1;  // the short partition lines of 2.6.24: no times
    s0.fields = s1.fields = 4;
    s1.stats[DiskStats::reads] = 10;
    s1.stats[DiskStats::sectors_read] = 80;
    DiskRates short_form = disk_rates(s0, s1, 2.0);
    CHECK(*short_form.reads_per_s == 5);
    CHECK(*short_form.read_kib_per_s == 20);
    CHECK_FALSE(short_form.read_await_ms.has_value());
    CHECK_FALSE(short_form.util_pct.has_value());
}

std::vector<std::string> column_texts(const Table& t, std::string_view col) {
    std::vector<std::string> out;
    for (std::size_t r = 0; r < t.rows.size(); ++r) out.push_back(cell_text(t, r, col));
    return out;
}

TEST_CASE("fs: default rows leave out pseudo, memory, empty and bind mounts", "[machine][fs]") {
    MachineSample s = collect_machine("t1", 0);
    Table t = build_fs_table(s, MachineView{});
    CHECK(column_texts(t, "MOUNTED ON") ==
          std::vector<std::string>{"/", "/boot", "/home", "/mnt/nfs", "/media/usb disk",
                                   "/home/alice/remote", "/var/lib/docker"});
    MachineView all;
    all.all_devices = true;
    CHECK(build_fs_table(s, all).rows.size() == 14);
}

TEST_CASE("fs: df's sizes and rounded-up percentages", "[machine][fs]") {
    MachineSample s = collect_machine("t1", 0);
    Table t = build_fs_table(s, MachineView{});
    const ByteUnits k = ByteUnits::kib;
    CHECK(cell_text(t, 0, "SIZE", k) == "4000000.00 K");   // 1000000 blocks of 4 KiB
    CHECK(cell_text(t, 0, "USED", k) == "2400000.00 K");   // blocks - free
    CHECK(cell_text(t, 0, "AVAIL", k) == "1400000.00 K");  // f_bavail, not f_bfree
    CHECK(cell_text(t, 0, "USE%") == "64%");               // 600000 / 950000 = 63.2 -> 64
    CHECK(cell_text(t, 0, "INODES") == "65536");
    CHECK(cell_text(t, 0, "IUSED") == "5536");
    CHECK(cell_text(t, 0, "IUSE%") == "9%");  // 8.4 -> 9
    CHECK(cell_text(t, 0, "FILESYSTEM") == "/dev/sda2");
    CHECK(cell_text(t, 0, "TYPE") == "ext4");
    CHECK(cell_text(t, 1, "INODES") == "?");  // vfat reports no inodes: unknown, not 0 %
    CHECK(cell_text(t, 1, "IUSE%") == "?");
    // The hung NFS mount: unknown sizes and a note saying why.
    CHECK(cell_text(t, 3, "SIZE") == "?");
    REQUIRE(t.notes.size() == 1);
    CHECK(t.notes[0].find("/mnt/nfs") != std::string::npos);
    CHECK(cell_text(t, 6, "USE%") == "1%");  // 1 block used of 10^7 still reads 1 %
    CHECK(df_percent(0, 0) == std::nullopt);
    CHECK(df_percent(0, 10) == 0u);
    CHECK(df_percent(10, 0) == 100u);
    CHECK(df_percent(UINT64_MAX, UINT64_MAX) == 50u);  // no overflow in used * 100
}

TEST_CASE("device, interface and sensor names cannot reach a terminal raw", "[machine][escape]") {
    MachinePair m;
    // Linux allows ESC in an interface name; block and hwmon names come from drivers.
    m.t1.net[1].name = "eth\x1b[2J0";
    m.t1.disks[0].name =
        "sd\x1b]0;x\x07"
        "a";
    MachineView terminal;
    Table net = build_net_table(m.t1, m.rates, terminal);
    CHECK(cell_text(net, 1, "IFACE") == "eth\\e[2J0");
    MachineView data;
    data.escape = TextEscape::data;
    CHECK(cell_text(build_net_table(m.t1, m.rates, data), 1, "IFACE") == "eth\\e[2J0");
    terminal.all_devices = true;
    Table disks = build_disk_table(m.t1, m.rates, terminal);
    bool found = false;
    for (std::size_t i = 0; i < disks.rows.size(); ++i)
        found = found || cell_text(disks, i, "DEVICE") == "sd\\e]0;x\\x07a";
    CHECK(found);
}

TEST_CASE("net: sar -n DEV figures, link state and speed", "[machine][net]") {
    MachinePair m;
    Table t = build_net_table(m.t1, m.rates);
    CHECK(first_column(t) == std::vector<std::string>{"lo", "eth0", "wlan0", "docker0", "veth0"});
    CHECK(cell_text(t, 1, "rxkB/s") == "1000.00");
    CHECK(cell_text(t, 1, "txkB/s") == "100.00");
    CHECK(cell_text(t, 1, "rxpck/s") == "1000.00");
    CHECK(cell_text(t, 1, "txpck/s") == "200.00");
    CHECK(cell_text(t, 1, "rxerr/s") == "2.00");
    CHECK(cell_text(t, 1, "txerr/s") == "0.00");
    CHECK(cell_text(t, 1, "rxdrop/s") == "1.00");
    CHECK(cell_text(t, 1, "txdrop/s") == "3.00");
    CHECK(cell_text(t, 1, "STATE") == "up");
    CHECK(cell_text(t, 1, "Mbit/s") == "1000");
    CHECK(cell_text(t, 0, "Mbit/s") == "?");  // no speed file (EINVAL on a real lo)
    CHECK(cell_text(t, 3, "Mbit/s") == "?");  // -1: unknown, not 0
    CHECK(cell_text(t, 3, "STATE") == "down");
    CHECK(cell_text(t, 4, "rxkB/s") == "?");  // counters went backwards
    CHECK(cell_text(t, 2, "rxkB/s") == "0.50");
}

TEST_CASE("sensors: hwmon chips, thermal zones without a hwmon twin", "[machine][sensors]") {
    MachineSample s = collect_machine("t0", 0, section_bit(Section::sensors));
    auto tables = build_sensor_tables(s);
    REQUIRE(tables.size() == 3);
    const Table& t = tables[0];
    CHECK(t.title == "Temperatures");
    std::vector<std::string> rows;
    for (std::size_t r = 0; r < t.rows.size(); ++r)
        rows.push_back(cell_text(t, r, "CHIP") + "/" + cell_text(t, r, "SENSOR") + " " +
                       cell_text(t, r, "TEMP") + " " + cell_text(t, r, "HIGH") + " " +
                       cell_text(t, r, "CRIT"));
    CHECK(rows == std::vector<std::string>{
                      "acpitz/temp1 27.8°C ? 119.0°C",
                      "coretemp/Package id 0 45.0°C 100.0°C 100.0°C",
                      "coretemp/Core 0 43.0°C 100.0°C 100.0°C",
                      "coretemp/Core 1 44.0°C 100.0°C 100.0°C",
                      "nvme/Composite 38.9°C 84.8°C 84.8°C",
                      "nvme/Sensor 1 38.9°C ? ?",  // 65261.85 °C means "no limit"
                      "nvme/Sensor 2 41.9°C ? ?",
                      "k10temp/Tctl 52.1°C ? ?",
                      "k10temp/Tccd1 47.5°C ? ?",
                      "thinkpad/temp1 50.0°C ? ?",
                      "iwlwifi_1/temp1 ? ? ?",                  // asleep: unknown
                      "x86_pkg_temp/thermal_zone1 46.0°C ? ?",  // zero trip points are unset
                      "INT3400 Thermal/thermal_zone2 ? 95.0°C 105.0°C",
                  });
    const Table& fans = tables[1];
    CHECK(fans.title == "Fans");
    REQUIRE(fans.rows.size() == 3);
    CHECK(cell_text(fans, 0, "SPEED") == "2900 RPM");
    CHECK(cell_text(fans, 1, "SPEED") == "0 RPM");
    CHECK(cell_text(fans, 2, "CHIP") == "w83627hf");  // attributes under device/ (old drivers)
    CHECK(cell_text(fans, 2, "SENSOR") == "CPU Fan");
    CHECK(cell_text(fans, 2, "SPEED") == "1200 RPM");
}

TEST_CASE("sensors: batteries with energy_* and with charge_*", "[machine][sensors]") {
    MachineSample s = collect_machine("t0", 0, section_bit(Section::sensors));
    auto tables = build_sensor_tables(s);
    REQUIRE(tables.size() == 3);
    const Table& b = tables[2];
    CHECK(first_column(b) == std::vector<std::string>{"BAT0", "BAT1", "hidpp_battery_0"});
    // BAT0 discharging: 38 Wh left at 9.5 W -> 4 h.
    CHECK(cell_text(b, 0, "STATUS") == "Discharging");
    CHECK(cell_text(b, 0, "CHARGE") == "76.00 %");
    CHECK(cell_text(b, 0, "TIME LEFT") == "4:00");
    CHECK(cell_text(b, 0, "POWER") == "9.50 W");
    // BAT1 charging: (4 - 2) Ah at 1 A -> 2 h; 1 A * 12 V = 12 W; no capacity file -> 50 %.
    CHECK(cell_text(b, 1, "CHARGE") == "50.00 %");
    CHECK(cell_text(b, 1, "TIME LEFT") == "2:00");
    CHECK(cell_text(b, 1, "POWER") == "12.00 W");
    // A mouse battery reports its capacity only.
    CHECK(cell_text(b, 2, "CHARGE") == "90.00 %");
    CHECK(cell_text(b, 2, "TIME LEFT") == "?");
    CHECK(cell_text(b, 2, "POWER") == "?");

    Battery full;
    full.status = "Full";
    full.capacity_pct = 100;
    full.power_now_uw = 0;
    BatteryFigures f = battery_figures(full);
    CHECK_FALSE(f.time_left_s.has_value());
    Battery stalled;
    stalled.status = "Discharging";
    stalled.energy_now_uwh = 1000;
    stalled.power_now_uw = 0;  // no draw reported: no time, not infinity
    CHECK_FALSE(battery_figures(stalled).time_left_s.has_value());
}

TEST_CASE("sensors: a machine without any says so", "[machine][sensors]") {
    MachineSample s =
        collect_machine("old", 0, section_bit(Section::sensors), "/nonexistent/vigil-sys");
    auto tables = build_sensor_tables(s);
    REQUIRE(tables.size() == 1);
    CHECK(tables[0].rows.empty());
    REQUIRE(tables[0].notes.size() == 1);
    CHECK(tables[0].notes[0].find("no temperature, fan or battery sensors") == 0);
}

TEST_CASE("an old kernel: 8 cpu columns, no MemAvailable, 14-field diskstats, no PSI",
          "[machine][old]") {
    MachineSample s = collect_machine("old", 0, vigil::test::kOverview, "/nonexistent/vigil-sys");
    REQUIRE(s.cpu.total);
    CHECK(s.cpu.total->fields == 8);
    CHECK_FALSE(s.mem.available_kib.has_value());
    CHECK(s.min_free_kib == 8000u);
    CHECK(s.pressure.empty());
    REQUIRE(s.disks.size() == 2);
    CHECK(s.disks[0].fields == 11);
    CHECK(s.disks[1].fields == 4);

    MachineRates none = compute_machine_rates(s, s);  // no interval: nothing is known
    Table mem = build_mem_table(s, none);
    // procps' estimate for kernels before 3.14: 500000 - 10000 + 700000 - 10000 + 40000 - 10000.
    CHECK(cell_text(mem, 0, "available", ByteUnits::kib) == "1210000.00 K");
    CHECK(cell_text(mem, 0, "used", ByteUnits::kib) == "838000.00 K");
    REQUIRE(mem.notes.size() == 1);
    CHECK(mem.notes[0].find("estimated") != std::string::npos);

    MemInfo bare;
    bare.total_kib = 1000;
    bare.free_kib = 500;
    CHECK_FALSE(memory_available_kib(bare, 8000).has_value());  // no file LRU: unknown, not free

    Table psi = build_psi_table(s, none);
    CHECK(psi.rows.empty());
    REQUIRE(psi.notes.size() == 1);
    CHECK(psi.notes[0].find("not available") != std::string::npos);

    MachineSample later = s;
    later.steady_s = 1.0;
    later.disks[0].stats[DiskStats::reads] += 10;
    later.cpu.total->ticks[CpuTicks::user] += 10;
    later.cpu.total->ticks[CpuTicks::idle] += 90;
    MachineRates r = compute_machine_rates(s, later);
    Table d = build_disk_table(later, r, MachineView{});
    CHECK(cell_text(d, 0, "r/s") == "10.00");
    CHECK(cell_text(d, 0, "d/s") == "?");  // no discard columns before 4.18
    CHECK(cell_text(d, 0, "f/s") == "?");
    Table c = build_cpu_table(later, r);
    CHECK(cell_text(c, 0, "%usr") == "10.00");
    CHECK(cell_text(c, 0, "%steal") == "0.00");
    CHECK(cell_text(c, 0, "%guest") == "?");
}

TEST_CASE("a network mount that hangs costs one thread and a deadline, not the sampler",
          "[machine][fs]") {
    struct Gate {
        std::mutex mu;
        std::condition_variable cv;
        bool open = false;
        std::atomic<int> hung_asks{0};
    };
    auto gate = std::make_shared<Gate>();
    // The test's stand-in for statvfs: /mnt/hung blocks until the gate opens, as a dead NFS
    // server would. The thread owns the gate through the shared_ptr.
    LiveStatvfs source(0.1, [gate](const std::string& mount_point) -> std::optional<FsUsage> {
        if (mount_point == "/mnt/hung") {
            ++gate->hung_asks;
            std::unique_lock lock(gate->mu);
            gate->cv.wait(lock, [&] { return gate->open; });
        }
        FsUsage u;
        u.block_bytes = 4096;
        u.blocks = 100;
        return u;
    });
    std::vector<FilesystemSample> fs(3);
    fs[0].mount = MountEntry{8, 1, "/", "ext4", "/dev/sda1"};
    fs[1].mount = MountEntry{0, 50, "/mnt/nfs", "nfs4", "server:/a"};
    fs[2].mount = MountEntry{0, 51, "/mnt/hung", "fuse.sshfs", "host:/"};

    double start = steady_now_s();
    source.fill(fs);
    double took = steady_now_s() - start;
    CHECK(took >= 0.09);
    CHECK(took < 0.6);
    CHECK(fs[0].usage.has_value());
    CHECK(fs[1].usage.has_value());  // a healthy server answers well within the deadline
    CHECK_FALSE(fs[2].usage.has_value());
    CHECK(fs[2].timed_out);

    source.fill(fs);  // still hung: no second thread for the same mount
    CHECK(fs[2].timed_out);
    CHECK(gate->hung_asks == 1);

    {
        std::lock_guard lock(gate->mu);
        gate->open = true;
    }
    gate->cv.notify_all();
    bool answered = false;
    for (int i = 0; i < 20 && !answered; ++i) {
        source.fill(fs);
        answered = fs[2].usage.has_value();
    }
    CHECK(answered);
    CHECK_FALSE(fs[2].timed_out);
}
