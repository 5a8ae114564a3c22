// Parsers of the machine-wide /proc files: files captured from a real machine (Linux 6.18,
// tests/fixtures/machine/captured), the layouts of older kernels, and hostile input.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "fixture_util.hpp"
#include "vigil/collect/machine_parsers.hpp"

using namespace vigil;
using namespace std::string_literals;
using vigil::test::fixture;

namespace {

std::string captured(const std::string& name) {
    std::ifstream in(fixture("machine/captured/" + name), std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// One field of every row, in order.
template <typename Row>
std::vector<std::string> names_of(const std::vector<Row>& rows, std::string Row::*field) {
    std::vector<std::string> out;
    for (const Row& r : rows) out.push_back(r.*field);
    return out;
}

}  // namespace

TEST_CASE("captured /proc/stat", "[machine][parse]") {
    ParseNotes notes;
    CpuStat st = parse_proc_stat(captured("stat"), notes);
    CHECK_FALSE(notes.note());
    REQUIRE(st.total);
    CHECK(st.total->fields == 10);
    CHECK(st.total->ticks[CpuTicks::user] == 45238);
    CHECK(st.total->ticks[CpuTicks::idle] == 1311758);
    CHECK(st.total->ticks[CpuTicks::steal] == 25);
    REQUIRE(st.cpus.size() == 2);
    CHECK(st.cpus[1].cpu == 1);
    CHECK(st.cpus[1].times.ticks[CpuTicks::iowait] == 746);
    CHECK(st.ctxt.has_value());
    CHECK(st.intr.has_value());  // the first number of a line thousands of numbers long
    CHECK(st.forks.has_value());
    CHECK(st.procs_running.has_value());
}

TEST_CASE("/proc/stat of older kernels has fewer cpu columns", "[machine][parse]") {
    // 2.6.11..2.6.23: steal but no guest; 2.6.0..2.6.10: no steal; 2.4: four columns.
    ParseNotes notes;
    CpuStat st =
        parse_proc_stat("cpu  10 1 5 100 2 0 1 3\ncpu0 10 1 5 100 2 0 1\ncpu1 1 2 3 4\n", notes);
    CHECK_FALSE(notes.note());
    REQUIRE(st.total);
    CHECK(st.total->fields == 8);
    CHECK(st.total->has(CpuTicks::steal));
    CHECK_FALSE(st.total->has(CpuTicks::guest));
    CHECK((*st.total)[CpuTicks::guest] == 0);
    REQUIRE(st.cpus.size() == 2);
    CHECK(st.cpus[0].times.fields == 7);
    CHECK(st.cpus[1].times.fields == 4);
    CHECK_FALSE(st.ctxt.has_value());
}

TEST_CASE("hostile /proc/stat lines are skipped, not believed", "[machine][parse]") {
    ParseNotes notes;
    CpuStat st = parse_proc_stat(
        "cpu  1 2 3\n"                          // too short: skipped
        "cpu0 99999999999999999999999 1 1 1\n"  // overflows 64 bits: skipped
        "cpu1 1 2 3 4 5 6 7 8 9 10 11 12\n"     // a future kernel's extra columns
        "cpux 1 2 3 4\n"                        // not a cpu line: ignored
        "cpu3 1 -2 3 4\n"                       // negative: skipped
        "ctxt abc\n"
        "cpu2 5 5 5 5\0garbage\n"
        "\xff\xfe\n"
        "cpu0 1 1 1 1\n"s,  // the first good cpu0 line
        notes);
    CHECK_FALSE(st.total.has_value());
    CHECK_FALSE(st.ctxt.has_value());
    REQUIRE(notes.note());
    CHECK(*notes.note() == "stat: ignored malformed line 'cpu  1 2 3'");  // the first only
    CHECK(notes.bad_lines() == 5);
    std::vector<int> ids;
    for (const auto& c : st.cpus) ids.push_back(c.cpu);
    CHECK(ids == std::vector<int>{0, 1});
    CHECK(st.cpus[1].times.fields == 10);
}

TEST_CASE("captured loadavg and uptime", "[machine][parse]") {
    auto l = parse_loadavg(captured("loadavg"));
    REQUIRE(l);
    CHECK(l->load1 == Approx(1.06));
    CHECK(l->load15 == Approx(0.44));
    CHECK(l->runnable == 3);
    CHECK(l->entities == 95);
    auto u = parse_uptime(captured("uptime"));
    REQUIRE(u);
    CHECK(*u == Approx(6837.57));
    CHECK_FALSE(parse_loadavg("0.1 0.2"));
    CHECK_FALSE(parse_loadavg("0.1 0.2 0.3 12"));
    CHECK_FALSE(parse_loadavg("nan 0.2 0.3 1/2 3"));
    CHECK_FALSE(parse_uptime(""));
    CHECK_FALSE(parse_uptime("-5 3"));
}

TEST_CASE("captured meminfo", "[machine][parse]") {
    MemInfo m = parse_meminfo(captured("meminfo"));
    CHECK(m.total_kib == 24684084u);
    CHECK(m.available_kib == 23893752u);
    CHECK(m.sreclaimable_kib == 59192u);
    CHECK(m.swap_total_kib == 0u);
    CHECK(m.active_file_kib.has_value());
}

TEST_CASE("meminfo without MemAvailable (before 3.14) leaves it unknown", "[machine][parse]") {
    MemInfo m = parse_meminfo("MemTotal: 1000 kB\nMemFree: 200 kB\nCached: 100 kB\n");
    CHECK(m.total_kib == 1000u);
    CHECK_FALSE(m.available_kib.has_value());
    CHECK_FALSE(m.buffers_kib.has_value());
}

TEST_CASE("hostile meminfo", "[machine][parse]") {
    MemInfo m = parse_meminfo(
        "MemTotal: 184467440737095516150 kB\nMemFree: 12 MB\nBuffers\n"
        "Cached:\nShmem: 5 kB trailing\nSwapTotal: 7");
    CHECK_FALSE(m.total_kib.has_value());  // overflows
    CHECK_FALSE(m.free_kib.has_value());   // not kB: another quantity
    CHECK_FALSE(m.buffers_kib.has_value());
    CHECK_FALSE(m.cached_kib.has_value());
    CHECK(m.shmem_kib == 5u);
    CHECK(m.swap_total_kib == 7u);  // truncated file, last line without unit or newline
}

TEST_CASE("vmstat counters", "[machine][parse]") {
    VmCounters v = parse_vmstat_counters(captured("vmstat"));
    CHECK(v.pswpin_pages == 0u);
    CHECK(v.pgmajfault == 1805u);
    VmCounters none = parse_vmstat_counters("pswpin x\n");
    CHECK_FALSE(none.pswpin_pages.has_value());
}

TEST_CASE("captured pressure files", "[machine][parse]") {
    ParseNotes notes;
    auto cpu = parse_pressure("cpu", captured("pressure_cpu"), notes);
    REQUIRE(cpu);
    REQUIRE(cpu->some);
    CHECK(cpu->some->avg10_pct == Approx(16.96));
    CHECK(cpu->some->total_us == 58383199u);
    REQUIRE(cpu->full);  // Linux 5.13+ prints a (zero) full line for cpu
    auto io = parse_pressure("io", captured("pressure_io"), notes);
    REQUIRE(io);
    CHECK_FALSE(notes.note());
    CHECK(io->full->avg300_pct == Approx(0.33));
    CHECK(io->full->total_us == 6631483u);
}

TEST_CASE("pressure: cpu without a full line (before 5.13), and damaged files",
          "[machine][parse]") {
    ParseNotes notes;
    auto cpu = parse_pressure("cpu", "some avg10=1.00 avg60=2.00 avg300=3.00 total=42\n", notes);
    REQUIRE(cpu);
    CHECK_FALSE(notes.note());
    CHECK(cpu->some->total_us == 42u);
    CHECK_FALSE(cpu->full.has_value());
    auto half = parse_pressure(
        "io", "some avg10=1.00 avg60=2.00\nfull avg10=x avg60=1 avg300=1 total=1\n", notes);
    CHECK_FALSE(half);
    CHECK(half.error().message.find("pressure/io") == 0);
    CHECK(notes.bad_lines() == 2);  // both lines; the error speaks for them
    CHECK_FALSE(parse_pressure("memory", "", notes));
}

TEST_CASE("captured diskstats (20 fields, Linux 5.5+)", "[machine][parse]") {
    ParseNotes notes;
    auto disks = parse_diskstats(captured("diskstats"), notes);
    CHECK_FALSE(notes.note());
    REQUIRE(disks.size() == 10);
    const DiskStats& vda = disks[8];
    CHECK(vda.name == "vda");
    CHECK(vda.major == 254);
    CHECK(vda.fields == 17);
    CHECK(vda.stats[DiskStats::reads] == 42129);
    CHECK(vda.stats[DiskStats::sectors_written] == 16210440);
    CHECK(vda.stats[DiskStats::weighted_io_ms] == 32045);
    CHECK(vda.stats[DiskStats::flush_ms] == 55);
    CHECK(disks[9].name == "zram0");
}

TEST_CASE("diskstats of older kernels: 14 and 18 fields, short partition lines",
          "[machine][parse]") {
    ParseNotes notes;
    auto disks = parse_diskstats(
        "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"                           // before 4.18
        "   8      16 sdb 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"               // 4.18 .. 5.4
        "   8      17 sdb1 10 20 30 40\n"                                      // before 2.6.25
        "   8      32 sdc 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",  // a future kernel
        notes);
    CHECK_FALSE(notes.note());
    REQUIRE(disks.size() == 4);
    CHECK(disks[0].fields == 11);
    CHECK(disks[0].has(DiskStats::weighted_io_ms));
    CHECK_FALSE(disks[0].has(DiskStats::discards));
    CHECK(disks[1].fields == 15);
    CHECK(disks[1].has(DiskStats::discard_ms));
    CHECK_FALSE(disks[1].has(DiskStats::flushes));
    CHECK(disks[2].fields == 4);
    CHECK(disks[2].stats[DiskStats::sectors_read] == 20);
    CHECK(disks[2].stats[DiskStats::writes] == 30);
    CHECK(disks[2].stats[DiskStats::sectors_written] == 40);
    CHECK_FALSE(disks[2].has(DiskStats::read_ms));
    CHECK(disks[3].fields == 17);
    CHECK(disks[3].stats[DiskStats::flush_ms] == 17);
}

TEST_CASE("hostile diskstats lines are skipped", "[machine][parse]") {
    ParseNotes notes;
    auto disks = parse_diskstats(
        "   8 0 sda 1 2 3\n"                                         // truncated
        "   8 0\n"                                                   // no name
        "   x 0 sdx 1 2 3 4 5 6 7 8 9 10 11\n"                       // bad major
        "   8 0 sdy 1 2 3 4 5 6 7 8 9 10 99999999999999999999999\n"  // overflow
        "   8 0 sdz 1 2 3 4 5 6 7 8 9 10 -1\n"
        "\n"
        "   8 48 sdd 1 2 3 4 5 6 7 8 9 10 11",  // no final newline: fine
        notes);
    REQUIRE(disks.size() == 1);
    CHECK(disks[0].name == "sdd");
    REQUIRE(notes.note());
    CHECK(*notes.note() == "diskstats: ignored malformed line '   8 0 sda 1 2 3'");
    CHECK(notes.bad_lines() == 5);
}

TEST_CASE("captured /proc/net/dev", "[machine][parse]") {
    ParseNotes notes;
    auto net = parse_net_dev(captured("net_dev"), notes);
    CHECK_FALSE(notes.note());
    REQUIRE(net.size() == 4);
    CHECK(net[0].name == "lo");
    CHECK(net[3].name == "eth0");
    CHECK(net[3].rx_bytes == 38438355u);
    CHECK(net[3].rx_packets == 867u);
    CHECK(net[3].tx_bytes == 41445u);
    CHECK(net[3].tx_packets == 523u);
}

TEST_CASE("net/dev: old kernels glue numbers to the colon; damaged lines are skipped",
          "[machine][parse]") {
    ParseNotes notes;
    auto net = parse_net_dev(
        "Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n"
        "  eth0:4294967296 10 1 2 0 0 0 0 5000 20 3 4 0 0 0 0\n"
        "  bad0: 1 2 3\n"
        "nocolon 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
        "  :1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
        notes);
    REQUIRE(net.size() == 1);
    CHECK(net[0].rx_bytes == 4294967296u);
    CHECK(net[0].rx_errs == 1u);
    CHECK(net[0].rx_drop == 2u);
    CHECK(net[0].tx_errs == 3u);
    CHECK(net[0].tx_drop == 4u);
    REQUIRE(notes.note());
    CHECK(*notes.note() == "net/dev: ignored malformed line '  bad0: 1 2 3'");
    CHECK(notes.bad_lines() == 3);
}

TEST_CASE("captured mountinfo", "[machine][parse]") {
    ParseNotes notes;
    auto mounts = parse_mountinfo(captured("mountinfo"), notes);
    CHECK_FALSE(notes.note());
    REQUIRE(mounts.size() == 20);
    auto root = std::find_if(mounts.begin(), mounts.end(),
                             [](const MountEntry& m) { return m.mount_point == "/"; });
    REQUIRE(root != mounts.end());
    CHECK(root->fs_type == "ext4");
    CHECK(root->source == "/dev/vda");
    CHECK(root->major == 254);
    CHECK(root->minor == 0);
}

TEST_CASE("mountinfo: escapes, optional fields, damage", "[machine][parse]") {
    ParseNotes notes;
    auto mounts = parse_mountinfo(
        "31 21 8:33 / /media/usb\\040disk\\134x rw shared:41 master:2 - vfat /dev/sdc1 rw\n"
        "32 21 8:34 / /mnt/a rw - \n"                    // no type
        "33 21 8:35 / /mnt/b rw shared:1\n"              // no separator
        "34 21 835 / /mnt/c rw - ext4 /dev/x rw\n"       // bad device
        "35 21 8:36 / /mnt/\\77 rw - ext4 /dev/y rw\n",  // a lone backslash sequence stays
        notes);
    REQUIRE(mounts.size() == 2);
    CHECK(mounts[0].mount_point == "/media/usb disk\\x");
    CHECK(mounts[0].fs_type == "vfat");
    CHECK(mounts[0].minor == 33);
    CHECK(mounts[1].mount_point == "/mnt/\\77");
    REQUIRE(notes.note());
    CHECK(*notes.note() == "mountinfo: ignored malformed line '32 21 8:34 / /mnt/a rw - '");
    CHECK(notes.bad_lines() == 3);
    CHECK(unescape_mount_field("a\\011b\\012c") == "a\tb\nc");
    CHECK(unescape_mount_field("trailing\\04") == "trailing\\04");
}

TEST_CASE("one malformed line: one note naming the file and the line, the rest kept",
          "[machine][parse]") {
    ParseNotes notes;  // each SECTION runs the test case afresh
    // The note when exactly one line was skipped, else how many were.
    auto only_note = [&] {
        return notes.bad_lines() == 1 ? notes.note().value_or("<no note>")
                                      : std::to_string(notes.bad_lines()) + " bad lines";
    };
    SECTION("stat") {
        CpuStat st = parse_proc_stat("cpu  4 3 2 1\ncpu0 1 x 1 1\ncpu1 1 2 3 4\nctxt 7\n", notes);
        CHECK(only_note() == "stat: ignored malformed line 'cpu0 1 x 1 1'");
        CHECK(st.total.has_value());
        REQUIRE(st.cpus.size() == 1);
        CHECK(st.cpus[0].cpu == 1);
        CHECK(st.ctxt == 7u);
    }
    SECTION("diskstats") {
        auto disks = parse_diskstats(
            "8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 1 sda1 1 2\n8 16 sdb 1 2 3 4 5 6 7 8 9 10 11\n",
            notes);
        CHECK(only_note() == "diskstats: ignored malformed line '8 1 sda1 1 2'");
        CHECK(names_of(disks, &DiskStats::name) == std::vector<std::string>{"sda", "sdb"});
    }
    SECTION("net/dev") {
        auto net = parse_net_dev(
            "Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n"
            "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
            "eth0: 1 2 three 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
            "eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
            notes);
        CHECK(only_note() ==
              "net/dev: ignored malformed line 'eth0: 1 2 three 4 5 6 7 8 9 10 11 12 13 14 15 16'");
        CHECK(names_of(net, &NetDevStats::name) == std::vector<std::string>{"lo", "eth1"});
    }
    SECTION("mountinfo") {
        auto mounts = parse_mountinfo(
            "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
            "2 1 8:2 / /home rw\n"
            "3 1 0:5 / /tmp rw - tmpfs tmpfs rw\n",
            notes);
        CHECK(only_note() == "mountinfo: ignored malformed line '2 1 8:2 / /home rw'");
        CHECK(names_of(mounts, &MountEntry::mount_point) == std::vector<std::string>{"/", "/tmp"});
    }
    SECTION("pressure") {
        auto io = parse_pressure("io",
                                 "some avg10=1.00 avg60=2.00 avg300=3.00 total=42\n"
                                 "full avg10=1.00 avg60=oops total=7\n",
                                 notes);
        CHECK(only_note() ==
              "pressure/io: ignored malformed line 'full avg10=1.00 avg60=oops total=7'");
        REQUIRE(io);
        REQUIRE(io->some);
        CHECK(io->some->total_us == 42u);
        CHECK_FALSE(io->full.has_value());  // a damaged line is not half believed
    }
}

TEST_CASE("a note quotes a hostile line shortened and escaped", "[machine][parse]") {
    ParseNotes notes;
    CHECK_FALSE(notes.note());
    CHECK(notes.bad_lines() == 0);
    notes.bad_line("diskstats", "\x1b[2J" + std::string(200, 'x'));
    notes.bad_line("diskstats", "a second bad line");
    CHECK(notes.bad_lines() == 2);
    REQUIRE(notes.note());
    // 80 bytes of the line at most, the escape sequence made harmless.
    CHECK(*notes.note() ==
          "diskstats: ignored malformed line '\\e[2J" + std::string(76, 'x') + "'");
}

TEST_CASE("no parser crashes on random bytes", "[machine][parse]") {
    // A fixed pseudo-random generator: the same input on every run.
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 300; ++round) {
        std::string s;
        std::size_t n = static_cast<std::size_t>(round * 7 % 400);
        for (std::size_t i = 0; i < n; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly digits, spaces, newlines and the separators the parsers look for.
            static constexpr char alphabet[] = "0123456789   \n\n:=/-|\\cpufullsome\xff";
            s += alphabet[x % (sizeof(alphabet) - 1)];
        }
        ParseNotes notes;
        (void)parse_proc_stat(s, notes);
        (void)parse_loadavg(s);
        (void)parse_uptime(s);
        (void)parse_meminfo(s);
        (void)parse_vmstat_counters(s);
        (void)parse_pressure("cpu", s, notes);
        (void)parse_diskstats(s, notes);
        (void)parse_net_dev(s, notes);
        (void)parse_mountinfo(s, notes);
        (void)unescape_mount_field(s);
    }
    SUCCEED("no crash");
}
