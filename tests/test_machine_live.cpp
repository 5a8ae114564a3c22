// The machine collectors on the real kernel (no privileges needed): a known O_DIRECT write
// must show up on the disk that holds the file, and the live tree must parse cleanly.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "vigil/collect/machine_collector.hpp"
#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"

using namespace vigil;

namespace {

// Writes bytes with O_DIRECT (and fsync) into a fresh file under dir; false when the file
// system refuses O_DIRECT (tmpfs).
bool direct_write(const std::string& dir, std::size_t bytes) {
    std::string path = dir + "/vigil-machine-live-XXXXXX";
    int tmp = mkstemp(path.data());
    if (tmp < 0) return false;
    close(tmp);
    int fd = open(path.c_str(), O_WRONLY | O_DIRECT | O_TRUNC);
    unlink(path.c_str());
    if (fd < 0) return false;
    constexpr std::size_t chunk = 1 << 20;
    void* buf = nullptr;
    if (posix_memalign(&buf, 4096, chunk) != 0) {
        close(fd);
        return false;
    }
    std::memset(buf, 'm', chunk);
    bool ok = true;
    for (std::size_t done = 0; done < bytes && ok; done += chunk)
        ok = write(fd, buf, chunk) == static_cast<ssize_t>(chunk);
    ok = ok && fsync(fd) == 0;
    close(fd);
    free(buf);
    return ok;
}

// The diskstats row of a device number, or of the disk its partition belongs to.
const DiskStats* disk_of(const MachineSample& m, dev_t dev) {
    for (const DiskStats& d : m.disks) {
        if (d.major != major(dev) || d.minor != minor(dev)) continue;
        if (d.whole_disk || d.parent.empty()) return &d;
        for (const DiskStats& p : m.disks)
            if (p.name == d.parent) return &p;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("an O_DIRECT write of 64 MiB shows on the disk holding /var/tmp", "[live][machine]") {
    const std::string dir = "/var/tmp";
    struct stat st {};
    REQUIRE(stat(dir.c_str(), &st) == 0);
    Roots roots;
    MachineCollector collector(roots, section_bit(Section::disks), true);
    MachineSample before, after;
    collector.collect(before);
    const DiskStats* d0 = disk_of(before, st.st_dev);
    if (!d0) {
        WARN("skipped: " << dir << " (device " << major(st.st_dev) << ":" << minor(st.st_dev)
                         << ") is not on a block device in /proc/diskstats");
        return;
    }
    const std::string name = d0->name;
    constexpr std::size_t kBytes = 64u << 20;
    if (!direct_write(dir, kBytes)) {
        WARN("skipped: O_DIRECT is not supported under " << dir);
        return;
    }
    collector.collect(after);
    MachineRates r = compute_machine_rates(before, after);
    std::size_t i = 0;
    while (i < after.disks.size() && after.disks[i].name != name) ++i;
    REQUIRE(i < after.disks.size());
    REQUIRE(r.disks[i].write_kib_per_s);
    const double written_kib = *r.disks[i].write_kib_per_s * r.elapsed_s;
    const double expected_kib = kBytes / 1024.0;
    WARN("disk " << name << ": wkB/s " << *r.disks[i].write_kib_per_s << " over " << r.elapsed_s
                 << " s = " << written_kib << " KiB written; the test wrote " << expected_kib
                 << " KiB");
    // At least what we wrote (sectors are counted when the request completes, and fsync
    // waited for that); other writers on a shared machine can only add to it.
    CHECK(written_kib >= expected_kib * 0.99);
    CHECK(written_kib <= expected_kib * 3);
    CHECK(*r.disks[i].writes_per_s > 0);
    CHECK(*r.disks[i].util_pct > 0);
}

TEST_CASE("the live /proc and /sys parse without notes and give sane figures", "[live][machine]") {
    Roots roots;
    const SectionMask all = section_bit(Section::cpu) | section_bit(Section::mem) |
                            section_bit(Section::psi) | section_bit(Section::disks) |
                            section_bit(Section::fs) | section_bit(Section::net) |
                            section_bit(Section::sensors);
    MachineCollector collector(roots, all, true);
    MachineSample a, b;
    collector.collect(a);
    usleep(200'000);
    collector.collect(b);
    for (const auto& n : b.notes) FAIL_CHECK("note: " << n.text);
    REQUIRE(b.cpu.total);
    CHECK(static_cast<long>(b.cpu.cpus.size()) == sysconf(_SC_NPROCESSORS_ONLN));
    CHECK(b.mem.total_kib.has_value());
    CHECK_FALSE(b.disks.empty());
    CHECK_FALSE(b.net.empty());
    CHECK_FALSE(b.filesystems.empty());
    MachineRates r = compute_machine_rates(a, b);
    CHECK(r.elapsed_s > 0.15);
    if (r.all) {
        double sum = 0;
        for (std::size_t k = 0; k < CpuPercent::kCols; ++k)
            if (k != CpuPercent::guest && k != CpuPercent::gnice) sum += r.all->pct[k].value_or(0);
        // mpstat's shares add up to 100 (guest is inside usr's ticks, so it is left out).
        CHECK(sum + r.all->pct[CpuPercent::guest].value_or(0) +
                  r.all->pct[CpuPercent::gnice].value_or(0) ==
              Approx(100).margin(0.01));
    }
    Table fs = build_fs_table(b, MachineView{});
    bool root_shown = false;
    for (const auto& row : fs.rows) root_shown = root_shown || row.back().text == "/";
    CHECK(root_shown);
}
