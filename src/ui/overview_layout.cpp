#include "vigil/ui/overview_layout.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "line_builder.hpp"
#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/ui/batch/section_writer.hpp"

namespace vigil {
namespace {

constexpr int kBarWidth = 20;

std::string pct_or_q(const std::optional<double>& v) {
    return v ? fmt::format("{:.1f}", *v) : "?";
}

// Busy share of a CPU: everything but idle and iowait (top counts iowait as idle time).
std::optional<double> busy_pct(const CpuPercent& c) {
    const auto& idle = c.pct[CpuPercent::idle];
    if (!idle) return std::nullopt;
    double v = 100.0 - *idle - c.pct[CpuPercent::iowait].value_or(0.0);
    return std::clamp(v, 0.0, 100.0);
}

std::vector<Segment> meter(std::string_view label, std::optional<double> pct) {
    std::string fill = pct ? percent_bar(*pct, kBarWidth) : "[" + std::string(kBarWidth, ' ') + "]";
    std::string value = pct ? fmt::format("{:5.1f}%", *pct) : "    ?%";
    return {Segment{std::string(label), Style::summary}, Segment{fill, Style::bar},
            Segment{value + " ", Style::summary}};
}

std::string human_kib(std::optional<std::uint64_t> kib) {
    if (!kib) return "?";
    return format_bytes(static_cast<double>(*kib) * 1024.0, ByteUnits::human);
}

const ColumnSpec* find_spec(const SectionTable& t, std::string_view key, std::size_t* index) {
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        if (t.columns[i].key == key) {
            if (index) *index = i;
            return &t.columns[i];
        }
    }
    return nullptr;
}

// The style of one cell: thresholds the eye should catch.
Style cell_style(const SectionTable& t, const std::vector<Cell>& row, std::size_t col) {
    const ColumnSpec& spec = t.columns[col];
    const Cell& c = row[col];
    if (!c.num) return Style::row;
    if (t.kind == TableKind::disks && spec.key == "util" && *c.num > 80) return Style::alert;
    if (t.kind == TableKind::fs && spec.key == "use" && *c.num > 90) return Style::alert;
    if (t.kind == TableKind::temps && spec.key == "temp") {
        std::size_t hi = 0, cr = 0;
        const bool has_hi = find_spec(t, "high", &hi) && row[hi].num;
        const bool has_cr = find_spec(t, "crit", &cr) && row[cr].num;
        if (has_cr && *c.num >= *row[cr].num) return Style::alert;
        if (has_hi && *c.num >= *row[hi].num) return Style::warn;
    }
    return Style::row;
}

std::string pad(std::string text, const ColumnSpec& c) {
    std::size_t w = display_width(text);
    std::size_t want = c.width > 0 ? static_cast<std::size_t>(c.width) : w;
    if (w < want) {
        if (c.align == Align::right) text.insert(0, want - w, ' ');
        else text.append(want - w, ' ');
    }
    return text;
}

}  // namespace

std::string percent_bar(double pct, int inner_width) {
    pct = std::clamp(pct, 0.0, 100.0);
    int filled = static_cast<int>(std::lround(pct / 100.0 * inner_width));
    return "[" + std::string(static_cast<std::size_t>(filled), '|') +
           std::string(static_cast<std::size_t>(inner_width - filled), ' ') + "]";
}

std::size_t overview_summary_lines(const OverviewInput& in, int width) {
    if (!in.machine) return 0;
    std::size_t n = 3;  // CPU, memory, pressure
    if (in.per_core && in.rates) {
        std::size_t per_line = std::max<std::size_t>(1, static_cast<std::size_t>(width) / 36);
        n += (in.rates->cpus.size() + per_line - 1) / per_line;
    }
    return n;
}

void append_overview_summary(LineBuilder& b, const OverviewInput& in) {
    if (!in.machine) return;
    const MachineSample& m = *in.machine;
    const MachineRates* r = in.rates;

    // CPU bar, the main columns, load and uptime.
    std::optional<CpuPercent> all = r ? r->all : std::nullopt;
    std::vector<Segment> cpu = meter("CPU  ", all ? busy_pct(*all) : std::nullopt);
    std::string detail;
    if (all) {
        detail = fmt::format("usr {} sys {} iowait {} steal {}", pct_or_q(all->pct[CpuPercent::usr]),
                             pct_or_q(all->pct[CpuPercent::sys]), pct_or_q(all->pct[CpuPercent::iowait]),
                             pct_or_q(all->pct[CpuPercent::steal]));
    } else {
        detail = "usr ? sys ? iowait ? steal ?";
    }
    if (m.load) detail += fmt::format(" | load {:.2f} {:.2f} {:.2f}", m.load->load1, m.load->load5, m.load->load15);
    if (m.uptime_s) {
        long s = static_cast<long>(*m.uptime_s);
        detail += s >= 86400 ? fmt::format(" | up {}d {:02}:{:02}", s / 86400, s % 86400 / 3600, s % 3600 / 60)
                             : fmt::format(" | up {:02}:{:02}", s / 3600, s % 3600 / 60);
    }
    cpu.push_back(Segment{detail, Style::status});
    b.line(std::move(cpu));

    // Memory and swap, as free(1) counts them.
    const MemInfo& mem = m.mem;
    std::optional<std::uint64_t> avail = memory_available_kib(mem, m.min_free_kib);
    std::optional<double> mem_pct;
    std::optional<std::uint64_t> used;
    if (mem.total_kib && avail && *mem.total_kib > 0) {
        used = *mem.total_kib > *avail ? *mem.total_kib - *avail : 0;
        mem_pct = 100.0 * static_cast<double>(*used) / static_cast<double>(*mem.total_kib);
    }
    std::vector<Segment> memline = meter("MEM  ", mem_pct);
    std::string md = fmt::format("{} of {}, avail {}", human_kib(used), human_kib(mem.total_kib), human_kib(avail));
    if (mem.swap_total_kib && mem.swap_free_kib) {
        std::uint64_t su = *mem.swap_total_kib - std::min(*mem.swap_free_kib, *mem.swap_total_kib);
        md += *mem.swap_total_kib
                  ? fmt::format(" | swap {} of {}", human_kib(su), human_kib(mem.swap_total_kib))
                  : " | no swap";
    }
    if (r && r->swapin_pages_per_s) md += fmt::format(", in {:.1f}/s", *r->swapin_pages_per_s);
    if (r && r->majflt_per_s) md += fmt::format(" | majflt {:.1f}/s", *r->majflt_per_s);
    memline.push_back(Segment{md, Style::status});
    b.line(std::move(memline));

    // Pressure: avg10 of each resource, "some" then "full"; absent, not 0, without PSI.
    if (m.pressure.empty()) {
        b.line("PSI  not available (kernel without pressure stall information)", Style::status);
    } else {
        std::string p = "PSI  avg10 some/full:";
        for (const Pressure& pr : m.pressure) {
            p += fmt::format(" {} {}/{}", pr.resource,
                             pr.some ? fmt::format("{:.2f}", pr.some->avg10_pct) : "?",
                             pr.full ? fmt::format("{:.2f}", pr.full->avg10_pct) : "-");
        }
        b.line(p, Style::status);
    }

    if (in.per_core && r) {
        std::size_t per_line = std::max<std::size_t>(1, static_cast<std::size_t>(b.width()) / 36);
        std::vector<Segment> segs;
        for (std::size_t i = 0; i < r->cpus.size(); ++i) {
            auto part = meter(fmt::format("cpu{:<3}", r->cpus[i].cpu), busy_pct(r->cpus[i]));
            part.back().text += "  ";
            segs.insert(segs.end(), part.begin(), part.end());
            if ((i + 1) % per_line == 0 || i + 1 == r->cpus.size()) {
                b.line(std::move(segs));
                segs.clear();
            }
        }
    }
}

std::size_t pane_lines_wanted(const std::vector<SectionTable>& tables) {
    std::size_t n = 0;
    for (const SectionTable& t : tables) n += 2 + t.notes.size() + t.rows.size();
    return n;
}

void append_pane_tables(LineBuilder& b, const std::vector<SectionTable>& tables,
                        const TableSort& sort, ByteUnits units, std::size_t max_lines,
                        bool utf8) {
    std::size_t used = 0;
    for (std::size_t ti = 0; ti < tables.size() && used < max_lines; ++ti) {
        const SectionTable& t = tables[ti];
        b.line(format_section_title(t, units), Style::summary);
        ++used;
        for (const std::string& note : t.notes) {
            if (used >= max_lines) return;
            b.line(note, Style::notice);
            ++used;
        }
        if (used >= max_lines) return;
        std::vector<Segment> header;
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const ColumnSpec& spec = t.columns[c];
            std::string title(spec.title);
            // Only the pane's first table follows the arrows.
            bool sorted = ti == 0 && sort.set && sort.column == c;
            if (sorted) title += (spec.descending != sort.reverse) ? ">" : "<";
            header.push_back(Segment{(c ? " " : "") + pad(title, spec),
                                     sorted ? Style::sorted_header : Style::column_header});
        }
        header.push_back(Segment{std::string(static_cast<std::size_t>(b.width()), ' '), Style::column_header});
        b.line(std::move(header));
        ++used;
        for (const std::vector<Cell>& row : t.rows) {
            if (used >= max_lines) return;
            std::vector<Segment> segs;
            for (std::size_t c = 0; c < t.columns.size() && c < row.size(); ++c) {
                std::string text = escape_for_terminal(format_section_cell(t.columns[c].format, row[c], units), utf8);
                segs.push_back(Segment{(c ? " " : "") + pad(text, t.columns[c]), cell_style(t, row, c)});
            }
            b.line(std::move(segs));
            ++used;
        }
    }
}

}  // namespace vigil
