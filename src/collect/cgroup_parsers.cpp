// The pure parsers of the cgroup walk's files (declared in cgroup_collector.hpp).
#include <limits>

#include "parse_util.hpp"
#include "vigil/collect/cgroup_collector.hpp"

namespace vigil {

using parse::for_each_line;
using parse::Tokens;

void parse_cgroup_cpu_stat(std::string_view text, CgroupSample& s) {
    for_each_line(text, [&](std::string_view line) {
        Tokens t(line);
        std::string_view key = t.next();
        std::uint64_t v = 0;
        if (!t.next_u64(v)) return;
        if (key == "usage_usec")
            s.cpu_usage_usec = v;
        else if (key == "user_usec")
            s.cpu_user_usec = v;
        else if (key == "system_usec")
            s.cpu_system_usec = v;
        else if (key == "nr_throttled")
            s.nr_throttled = v;
        else if (key == "throttled_usec")
            s.throttled_usec = v;
    });
}

std::optional<std::uint64_t> keyed_u64(std::string_view text, std::string_view key) {
    std::optional<std::uint64_t> out;
    for_each_line(text, [&](std::string_view line) {
        if (out) return;
        Tokens t(line);
        if (t.next() != key) return;
        std::uint64_t v = 0;
        if (t.next_u64(v)) out = v;
    });
    return out;
}

std::optional<std::uint64_t> parse_cgroup_u64(std::string_view text, bool max_ok) {
    std::string_view s = parse::trim(text);
    if (max_ok && s == "max") return std::numeric_limits<std::uint64_t>::max();
    std::uint64_t v = 0;
    if (!parse_u64(s, v)) return std::nullopt;
    return v;
}

std::vector<CgroupIoStat> parse_cgroup_io_stat(std::string_view text, ParseNotes& notes) {
    std::vector<CgroupIoStat> out;
    for_each_line(text, [&](std::string_view line) {
        if (parse::trim(line).empty()) return;
        Tokens t(line);
        std::string_view dev = t.next();
        CgroupIoStat d;
        const auto colon = dev.find(':');
        std::uint64_t maj = 0, min = 0;
        bool ok = colon != std::string_view::npos && parse_u64(dev.substr(0, colon), maj) &&
                  parse_u64(dev.substr(colon + 1), min) && maj <= 0xffffffffu && min <= 0xffffffffu;
        int seen = 0;
        for (std::string_view kv = t.next(); ok && !kv.empty(); kv = t.next()) {
            const auto eq = kv.find('=');
            if (eq == std::string_view::npos) {
                ok = false;
                break;
            }
            std::string_view k = kv.substr(0, eq);
            std::uint64_t v = 0;
            if (!parse_u64(kv.substr(eq + 1), v)) {
                // Newer kernels add keys (cost.*, latency) whose values may not be counts.
                continue;
            }
            if (k == "rbytes")
                d.rbytes = v, seen |= 1;
            else if (k == "wbytes")
                d.wbytes = v, seen |= 2;
            else if (k == "rios")
                d.rios = v, seen |= 4;
            else if (k == "wios")
                d.wios = v, seen |= 8;
            else if (k == "dbytes")
                d.dbytes = v;
            else if (k == "dios")
                d.dios = v;
        }
        if (!ok || seen != 15) {
            notes.bad_line("io.stat", line);
            return;
        }
        d.major = static_cast<std::uint32_t>(maj);
        d.minor = static_cast<std::uint32_t>(min);
        out.push_back(d);
    });
    return out;
}

void parse_cgroup_pressure(std::string_view text, std::optional<CgroupPressureLine>& some,
                           std::optional<CgroupPressureLine>& full) {
    some.reset();
    full.reset();
    for_each_line(text, [&](std::string_view line) {
        Tokens t(line);
        std::string_view kind = t.next();
        std::optional<CgroupPressureLine>* dest = kind == "some"   ? &some
                                                  : kind == "full" ? &full
                                                                   : nullptr;
        if (!dest) return;
        CgroupPressureLine pl;
        int seen = 0;
        for (std::string_view kv = t.next(); !kv.empty(); kv = t.next()) {
            const auto eq = kv.find('=');
            if (eq == std::string_view::npos) return;
            std::string_view k = kv.substr(0, eq), v = kv.substr(eq + 1);
            if (k == "avg10") {
                if (!parse::parse_double(v, pl.avg10_pct)) return;
                seen |= 1;
            } else if (k == "total") {
                if (!parse_u64(v, pl.total_us)) return;
                seen |= 2;
            }
        }
        if (seen == 3) *dest = pl;
    });
}

void parse_cgroup_procs(std::string_view text, std::vector<pid_t>& out) {
    out.clear();
    for_each_line(text, [&](std::string_view line) {
        std::uint64_t v = 0;
        if (parse_u64(parse::trim(line), v) && v > 0 && v < (1u << 30))
            out.push_back(static_cast<pid_t>(v));
    });
}

}  // namespace vigil
