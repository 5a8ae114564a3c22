#include "vigil/collect/system_info.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>

#include "vigil/collect/machine_parsers.hpp"
#include "vigil/collect/proc_parsers.hpp"

namespace vigil {
namespace {
// From the kernel's ioprio ABI (include/uapi/linux/ioprio.h), stable since 2.6.13.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioLevelMask = 0x7;
}  // namespace

std::optional<bool> read_delayacct(const FsRoot& proc) {
    std::string buf;
    if (!proc.read_into("sys/kernel/task_delayacct", buf)) return std::nullopt;
    std::size_t p = 0;
    while (p < buf.size() && (buf[p] == ' ' || buf[p] == '\t')) ++p;
    if (p >= buf.size()) return std::nullopt;
    return buf[p] != '0';
}

bool read_delayacct_at_boot(const FsRoot& proc) {
    std::string cmdline;
    if (!proc.read_into("cmdline", cmdline)) return false;
    for (std::size_t pos = 0; (pos = cmdline.find("delayacct", pos)) != std::string::npos;) {
        const bool starts = pos == 0 || cmdline[pos - 1] == ' ';
        const std::size_t end = pos + 9;
        const bool ends = end == cmdline.size() || cmdline[end] == ' ' || cmdline[end] == '\n';
        if (starts && ends) return true;
        pos = end;
    }
    return false;
}

std::optional<VmstatIo> read_vmstat_io(const FsRoot& proc, std::string& buf) {
    if (!proc.read_into("vmstat", buf)) return std::nullopt;
    auto r = parse_vmstat_io(buf);
    if (!r) return std::nullopt;
    return *r;
}

std::optional<std::uint64_t> read_mem_total_kib(const FsRoot& proc, std::string& buf) {
    if (!proc.read_into("meminfo", buf)) return std::nullopt;
    const std::optional<std::uint64_t> kib = parse_meminfo(buf).total_kib;
    if (!kib || *kib == 0) return std::nullopt;
    return kib;
}

std::optional<std::uint64_t> self_resident_bytes(const FsRoot& proc, std::string& buf) {
    if (!proc.read_into("self/statm", buf)) return std::nullopt;
    const auto m = parse_statm(buf);
    if (!m) return std::nullopt;
    return m->resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::optional<IoPrio> read_ioprio(pid_t tid) {
    long v = ::syscall(SYS_ioprio_get, kIoprioWhoProcess, tid);
    if (v < 0) return std::nullopt;
    IoPrio p;
    p.cls = static_cast<IoPrio::Class>((v >> kIoprioClassShift) & 0x3);
    p.level = static_cast<std::uint8_t>(v & kIoprioLevelMask);
    return p;
}

std::optional<CmdlineText> read_cmdline(const FsRoot& proc, pid_t tgid, std::string& buf) {
    char rel[32];
    auto [end, ec] = std::to_chars(rel, rel + 20, tgid);
    std::string_view suffix = "/cmdline";
    std::copy(suffix.begin(), suffix.end(), end);
    std::uint64_t length = 0;
    char last = 0;
    if (!proc.read_prefix(
            std::string_view(rel, static_cast<std::size_t>(end - rel) + suffix.size()),
            kCommandMaxBytes, buf, length, last))
        return std::nullopt;
    return parse_cmdline_prefix(buf, length, last);
}

bool process_exists(const FsRoot& proc, pid_t pid) {
    std::string buf;
    return proc.read_into(std::to_string(pid) + "/stat", buf);
}

}  // namespace vigil
