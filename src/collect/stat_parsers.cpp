// Parsers of /proc/stat, loadavg, uptime, meminfo, vmstat and pressure.
#include <fmt/format.h>

#include <algorithm>

#include "parse_util.hpp"
#include "vigil/collect/machine_parsers.hpp"
#include "vigil/core/text.hpp"

namespace vigil {
namespace {

using parse::for_each_line;
using parse::Tokens;

// "cpu" -> -1, "cpu12" -> 12; false for anything else ("cpufoo", "intr").
bool cpu_number(std::string_view tok, int& cpu) {
    if (tok.substr(0, 3) != "cpu") return false;
    tok.remove_prefix(3);
    if (tok.empty()) {
        cpu = -1;
        return true;
    }
    std::uint64_t n = 0;
    if (!parse_u64(tok, n) || n > 1'000'000) return false;
    cpu = static_cast<int>(n);
    return true;
}

bool parse_cpu_times(Tokens& t, CpuTicks& out) {
    out = CpuTicks{};
    for (std::size_t i = 0; i < CpuTicks::kFields; ++i) {
        std::string_view tok = t.next();
        if (tok.empty()) break;
        if (!parse_u64(tok, out.ticks[i])) return false;
        out.fields = static_cast<std::uint8_t>(i + 1);
    }
    // user, nice, system and idle exist on every kernel since 2.4.
    return out.fields >= 4;
}

}  // namespace

CpuStat parse_proc_stat(std::string_view text, ParseNotes& notes) {
    CpuStat st;
    for_each_line(text, [&](std::string_view line) {
        Tokens t(line);
        std::string_view key = t.next();
        if (key.empty()) return;
        int cpu = 0;
        if (cpu_number(key, cpu)) {
            CpuTicks times;
            if (!parse_cpu_times(t, times)) {
                notes.bad_line("stat", line);
                return;
            }
            if (cpu < 0) {
                if (!st.total) st.total = times;
            } else {
                st.cpus.push_back(CpuLine{cpu, times});
            }
            return;
        }
        std::optional<std::uint64_t>* field = nullptr;
        if (key == "ctxt")
            field = &st.ctxt;
        else if (key == "intr")
            field = &st.intr;  // the first number is the total
        else if (key == "processes")
            field = &st.forks;
        else if (key == "procs_running")
            field = &st.procs_running;
        else if (key == "procs_blocked")
            field = &st.procs_blocked;
        if (!field) return;
        std::uint64_t v = 0;
        if (t.next_u64(v))
            *field = v;
        else
            notes.bad_line("stat", line);
    });
    std::stable_sort(st.cpus.begin(), st.cpus.end(),
                     [](const CpuLine& a, const CpuLine& b) { return a.cpu < b.cpu; });
    st.cpus.erase(std::unique(st.cpus.begin(), st.cpus.end(),
                              [](const CpuLine& a, const CpuLine& b) { return a.cpu == b.cpu; }),
                  st.cpus.end());
    return st;
}

Result<LoadAvg> parse_loadavg(std::string_view text) {
    Tokens t(text);
    LoadAvg l;
    std::string_view tasks;
    if (!parse::parse_double(t.next(), l.load1) || !parse::parse_double(t.next(), l.load5) ||
        !parse::parse_double(t.next(), l.load15) || (tasks = t.next()).empty()) {
        return make_error(fmt::format("loadavg: cannot parse '{}'",
                                      escape_for_terminal(parse::excerpt(parse::trim(text)))));
    }
    auto slash = tasks.find('/');
    if (slash == std::string_view::npos || !parse_u64(tasks.substr(0, slash), l.runnable) ||
        !parse_u64(tasks.substr(slash + 1), l.entities)) {
        return make_error(fmt::format("loadavg: bad task counts '{}'",
                                      escape_for_terminal(parse::excerpt(tasks))));
    }
    return l;
}

Result<double> parse_uptime(std::string_view text) {
    Tokens t(text);
    double up = 0;
    if (!parse::parse_double(t.next(), up) || up < 0)
        return make_error(fmt::format("uptime: cannot parse '{}'",
                                      escape_for_terminal(parse::excerpt(parse::trim(text)))));
    return up;
}

MemInfo parse_meminfo(std::string_view text) {
    MemInfo m;
    struct Key {
        std::string_view name;
        std::optional<std::uint64_t> MemInfo::*field;
    };
    static constexpr Key keys[] = {
        {"MemTotal", &MemInfo::total_kib},
        {"MemFree", &MemInfo::free_kib},
        {"MemAvailable", &MemInfo::available_kib},
        {"Buffers", &MemInfo::buffers_kib},
        {"Cached", &MemInfo::cached_kib},
        {"SReclaimable", &MemInfo::sreclaimable_kib},
        {"Shmem", &MemInfo::shmem_kib},
        {"SwapTotal", &MemInfo::swap_total_kib},
        {"SwapFree", &MemInfo::swap_free_kib},
        {"Active(file)", &MemInfo::active_file_kib},
        {"Inactive(file)", &MemInfo::inactive_file_kib},
    };
    for_each_line(text, [&](std::string_view line) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return;
        std::string_view name = line.substr(0, colon);
        for (const Key& k : keys) {
            if (name != k.name) continue;
            Tokens t(line.substr(colon + 1));
            std::uint64_t v = 0;
            std::string_view num = t.next();
            std::string_view unit = t.next();
            // Every field vigil reads is in kB; another unit would be a different quantity.
            if (parse_u64(num, v) && (unit == "kB" || unit.empty()) && !(m.*k.field))
                m.*k.field = v;
            break;
        }
    });
    return m;
}

VmCounters parse_vmstat_counters(std::string_view text) {
    VmCounters v;
    for_each_line(text, [&](std::string_view line) {
        Tokens t(line);
        std::string_view key = t.next();
        std::optional<std::uint64_t>* field = nullptr;
        if (key == "pswpin")
            field = &v.pswpin_pages;
        else if (key == "pswpout")
            field = &v.pswpout_pages;
        else if (key == "pgmajfault")
            field = &v.pgmajfault;
        if (!field) return;
        std::uint64_t n = 0;
        if (t.next_u64(n)) *field = n;
    });
    return v;
}

Result<Pressure> parse_pressure(std::string_view resource, std::string_view text,
                                ParseNotes& notes) {
    Pressure p;
    p.resource = std::string(resource);
    for_each_line(text, [&](std::string_view line) {
        Tokens t(line);
        std::string_view kind = t.next();
        std::optional<PressureLine>* dest = kind == "some"   ? &p.some
                                            : kind == "full" ? &p.full
                                                             : nullptr;
        if (!dest) return;
        PressureLine pl;
        int seen = 0;
        bool ok = true;
        for (std::string_view kv = t.next(); !kv.empty(); kv = t.next()) {
            auto eq = kv.find('=');
            if (eq == std::string_view::npos) {
                ok = false;
                break;
            }
            std::string_view k = kv.substr(0, eq), v = kv.substr(eq + 1);
            int bit = 0;
            if (k == "avg10") {
                ok = parse::parse_double(v, pl.avg10_pct);
                bit = 1;
            } else if (k == "avg60") {
                ok = parse::parse_double(v, pl.avg60_pct);
                bit = 2;
            } else if (k == "avg300") {
                ok = parse::parse_double(v, pl.avg300_pct);
                bit = 4;
            } else if (k == "total") {
                ok = parse_u64(v, pl.total_us);
                bit = 8;
            }
            if (!ok) break;
            seen |= bit;
        }
        // A damaged line is not half believed.
        if (ok && seen == 15)
            *dest = pl;
        else
            notes.bad_line(fmt::format("pressure/{}", resource), line);
    });
    if (!p.some && !p.full)
        return make_error(fmt::format("pressure/{}: no 'some' or 'full' line in '{}'", resource,
                                      escape_for_terminal(parse::excerpt(parse::trim(text)))));
    return p;
}

}  // namespace vigil
