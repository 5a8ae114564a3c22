#include "vigil/ui/overview_layout.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "line_builder.hpp"
#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/model/overview.hpp"
#include "vigil/ui/table_text.hpp"

namespace vigil {
namespace {

constexpr int kBarWidth = 20;

std::string pct_or_q(const std::optional<double>& v) {
    return v ? fmt::format("{:.1f}", *v) : "?";
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

// The style of a cell whose column says it stands out (Alert in its ColumnSpec).
Style cell_style(const Table& t, std::size_t row, std::size_t col) {
    switch (cell_standout(t, row, col)) {
        case Standout::alert:
            return Style::alert;
        case Standout::warn:
            return Style::warn;
        case Standout::none:
            break;
    }
    return Style::row;
}

// A KiB-per-second rate as iostat and sar print it (rkB/s, txkB/s): its number is KiB/s.
bool kib_rate(const ColumnSpec& c) {
    return c.format == CellFormat::fixed2 && c.to_base == 1024 && c.field.ends_with("bytes_per_s");
}

// The pane's rates read in the task table's units: auto-scaled (512.00 K/s, 1.20 M/s) under
// a title that names bytes ("rbytes/s" for rkB/s), or with -k the raw KiB/s of iostat and
// sar under their titles.
bool scaled_rate(const ColumnSpec& c, ByteUnits units) {
    return units == ByteUnits::human && kib_rate(c);
}

std::string pane_title(const ColumnSpec& c, ByteUnits units) {
    std::string t(c.title);
    if (scaled_rate(c, units))
        if (const std::size_t k = t.find("kB"); k != std::string::npos) t.replace(k, 2, "bytes");
    return t;
}

// Room for "999.99 K/s", the widest scaled rate.
constexpr int kScaledRateWidth = 10;

int pane_width(const ColumnSpec& c, ByteUnits units) {
    return scaled_rate(c, units) ? std::max(c.width, kScaledRateWidth) : c.width;
}

std::string pane_cell(const ColumnSpec& c, const Cell& cell, ByteUnits units) {
    if (scaled_rate(c, units) && cell.num)
        return format_byte_rate(*cell.num * c.to_base, ByteUnits::human);
    return format_cell(c, cell, units);
}

std::string padded(std::string_view text, const ColumnSpec& c, ByteUnits units, bool last) {
    std::string out;
    append_padded(out, text, static_cast<std::size_t>(std::max(pane_width(c, units), 0)), c.align,
                  last);
    return out;
}

// "Tasks 245 total, 1 running, 243 sleeping, 1 uninterruptible, 0 stopped, 0 zombie |
// threads 1203, 3 running, 0 blocked on I/O", as top's line with D apart; D and Z stand out
// when there are any, threads blocked on I/O when there are any.
void append_task_states(LineBuilder& b, const TaskStateCounts& c) {
    auto n = [](const auto& v) { return v ? std::to_string(*v) : std::string("?"); };
    auto flagged = [](const std::optional<std::size_t>& v, Style hot) {
        return v && *v > 0 ? hot : Style::status;
    };
    std::vector<Segment> line{
        Segment{"Tasks ", Style::summary},
        Segment{fmt::format("{} total, {} running, {} sleeping, ", c.processes, n(c.running),
                            n(c.sleeping)),
                Style::status},
        Segment{n(c.uninterruptible) + " uninterruptible",
                flagged(c.uninterruptible, Style::alert)},
        Segment{fmt::format(", {} stopped, ", n(c.stopped)), Style::status},
        Segment{n(c.zombie) + " zombie", flagged(c.zombie, Style::alert)},
    };
    // Processes that ended while their state was read: in the total, in no state.
    if (c.unknown > 0 && c.running)
        line.push_back(Segment{fmt::format(", {} unknown", c.unknown), Style::status});
    if (c.threads || c.threads_running || c.threads_blocked) {
        line.push_back(
            Segment{fmt::format(" | threads {}, {} running, ", n(c.threads), n(c.threads_running)),
                    Style::status});
        const bool blocked = c.threads_blocked && *c.threads_blocked > 0;
        line.push_back(Segment{n(c.threads_blocked) + " blocked on I/O",
                               blocked ? Style::warn : Style::status});
    }
    b.line(std::move(line));
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
    std::size_t n = in.sample ? 4 : 3;  // CPU, memory, pressure, tasks
    if (in.per_core && in.rates) {
        std::size_t per_line = std::max<std::size_t>(1, static_cast<std::size_t>(width) / 36);
        n += (in.rates->cpus.size() + per_line - 1) / per_line;
    }
    return n;
}

void append_overview_summary(LineBuilder& b, const OverviewInput& in, std::size_t max_lines) {
    if (!in.machine || max_lines == 0) return;
    // Lines in the order they go when there is no room for them all: the last first.
    const std::size_t end = b.count() + max_lines;
    auto full = [&] { return b.count() >= end; };
    const OverviewFigures f = overview_figures(*in.machine, in.rates);

    // CPU bar, the main columns, load and uptime.
    std::vector<Segment> cpu = meter("CPU  ", f.cpu_busy_pct);
    std::string detail;
    if (f.cpu) {
        detail = fmt::format(
            "usr {} sys {} iowait {} steal {}", pct_or_q(f.cpu->pct[CpuPercent::usr]),
            pct_or_q(f.cpu->pct[CpuPercent::sys]), pct_or_q(f.cpu->pct[CpuPercent::iowait]),
            pct_or_q(f.cpu->pct[CpuPercent::steal]));
    } else {
        detail = "usr ? sys ? iowait ? steal ?";
    }
    if (f.load)
        detail += fmt::format(" | load {:.2f} {:.2f} {:.2f}", f.load->load1, f.load->load5,
                              f.load->load15);
    if (f.uptime_s) {
        long s = static_cast<long>(*f.uptime_s);
        detail += s >= 86400 ? fmt::format(" | up {}d {:02}:{:02}", s / 86400, s % 86400 / 3600,
                                           s % 3600 / 60)
                             : fmt::format(" | up {:02}:{:02}", s / 3600, s % 3600 / 60);
    }
    cpu.push_back(Segment{detail, Style::status});
    b.line(std::move(cpu));
    if (full()) return;

    // Memory and swap, as free(1) counts them.
    const MemoryFigures& mem = f.mem;
    std::vector<Segment> memline = meter("MEM  ", mem.used_pct);
    std::string md = fmt::format("{} of {}, avail {}", human_kib(mem.used_kib),
                                 human_kib(mem.total_kib), human_kib(mem.available_kib));
    if (mem.swap_total_kib && mem.swap_used_kib) {
        md += *mem.swap_total_kib ? fmt::format(" | swap {} of {}", human_kib(mem.swap_used_kib),
                                                human_kib(mem.swap_total_kib))
                                  : " | no swap";
    }
    if (f.swapin_pages_per_s) md += fmt::format(", in {:.1f}/s", *f.swapin_pages_per_s);
    if (f.majflt_per_s) md += fmt::format(" | majflt {:.1f}/s", *f.majflt_per_s);
    memline.push_back(Segment{md, Style::status});
    b.line(std::move(memline));
    if (full()) return;

    // Pressure: avg10 of each resource, "some" then "full"; absent, not 0, without PSI.
    if (f.pressure.empty()) {
        b.line("PSI  not available (kernel without pressure stall information)", Style::status);
    } else {
        std::string p = "PSI  avg10 some/full:";
        for (const PressureAvg10& pr : f.pressure) {
            p += fmt::format(" {} {}/{}", pr.resource,
                             pr.some_pct ? fmt::format("{:.2f}", *pr.some_pct) : "?",
                             pr.full_pct ? fmt::format("{:.2f}", *pr.full_pct) : "-");
        }
        b.line(p, Style::status);
    }
    if (full()) return;

    if (in.sample) append_task_states(b, task_state_counts(*in.sample));
    if (full()) return;

    if (in.per_core && in.rates) {
        std::size_t per_line = std::max<std::size_t>(1, static_cast<std::size_t>(b.width()) / 36);
        std::vector<Segment> segs;
        for (std::size_t i = 0; i < f.cores.size(); ++i) {
            auto part = meter(fmt::format("cpu{:<3}", f.cores[i].cpu), f.cores[i].busy_pct);
            part.back().text += "  ";
            segs.insert(segs.end(), part.begin(), part.end());
            if ((i + 1) % per_line == 0 || i + 1 == f.cores.size()) {
                b.line(std::move(segs));
                segs.clear();
                if (full()) return;
            }
        }
    }
}

std::size_t pane_lines_wanted(const std::vector<Table>& tables) {
    std::size_t n = 0;
    // Title, notes, and (over rows only: append_pane_tables) the column titles and rows.
    for (const Table& t : tables)
        n += 1 + t.notes.size() + (t.rows.empty() ? 0 : 1 + t.rows.size());
    return n;
}

std::size_t pane_first_table_rows(const std::vector<Table>& tables, std::size_t max_lines) {
    if (tables.empty()) return 0;
    const std::size_t head = 2 + tables.front().notes.size();  // title, notes, column titles
    return max_lines > head ? std::min(max_lines - head, tables.front().rows.size()) : 0;
}

std::vector<bool> pane_columns_shown(const Table& t, std::size_t width,
                                     std::optional<std::size_t> sorted, ByteUnits units) {
    const std::size_t n = t.columns.size();
    std::vector<bool> shown(n, true);
    auto column_width = [&](std::size_t c) {
        const ColumnSpec& spec = t.columns[c];
        return std::max(static_cast<std::size_t>(std::max(pane_width(spec, units), 0)),
                        display_width(pane_title(spec, units)) + (sorted == c ? 1 : 0));
    };
    std::size_t need = 0;
    for (std::size_t c = 0; c < n; ++c) need += column_width(c) + (c ? 1 : 0);
    while (need > width) {
        std::optional<std::size_t> pick;
        for (std::size_t c = n; c-- > 0;) {
            const std::uint8_t rank = t.columns[c].drop_rank;
            if (shown[c] && rank > 0 && sorted != c && (!pick || rank > t.columns[*pick].drop_rank))
                pick = c;
        }
        if (!pick) break;  // what is left is kept, and cut at the edge
        shown[*pick] = false;
        need -= std::min(need, column_width(*pick) + 1);
    }
    return shown;
}

void append_pane_tables(LineBuilder& b, const std::vector<Table>& tables, const TableSort& sort,
                        ByteUnits units, std::size_t max_lines, bool utf8, const PaneCursor& cursor,
                        bool focused) {
    std::size_t used = 0;
    const auto width = static_cast<std::size_t>(std::max(b.width(), 0));
    for (std::size_t ti = 0; ti < tables.size() && used < max_lines; ++ti) {
        const Table& t = tables[ti];
        // Only the pane's first table follows the arrows.
        const std::optional<std::size_t> sorted =
            ti == 0 && sort.set ? std::optional<std::size_t>(sort.column) : std::nullopt;
        const std::vector<bool> shown = pane_columns_shown(t, width, sorted, units);
        std::size_t last = 0;
        std::string hidden;
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            if (shown[c])
                last = c;
            else
                hidden += (hidden.empty() ? "" : ", ") + pane_title(t.columns[c], units);
        }
        std::string title = table_title_line(t, units);
        if (!hidden.empty() && !t.rows.empty()) title += " (hidden at this width: " + hidden + ")";
        // The focused pane's title: marked, in reverse video and with a * for a terminal
        // without attributes.
        if (focused && ti == 0)
            b.line(std::string(kFocusMark) + title, Style::selected_row);
        else
            b.line(title, Style::summary);
        ++used;
        for (const std::string& note : t.notes) {
            if (used >= max_lines) return;
            b.line(note, Style::notice);
            ++used;
        }
        if (used >= max_lines) return;
        if (t.rows.empty()) continue;  // "no ... found" says it; titles over nothing do not
        std::vector<Segment> header;
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            if (!shown[c]) continue;
            const ColumnSpec& spec = t.columns[c];
            std::string title = pane_title(spec, units);
            const bool is_sorted = sorted == c;
            if (is_sorted) title += (spec.descending != sort.reverse) ? ">" : "<";
            header.push_back(
                Segment{(header.empty() ? "" : " ") + padded(title, spec, units, c == last),
                        is_sorted ? Style::sorted_header : Style::column_header});
        }
        header.push_back(
            Segment{std::string(static_cast<std::size_t>(b.width()), ' '), Style::column_header});
        b.line(std::move(header));
        ++used;
        for (std::size_t r = ti == 0 ? cursor.scroll : 0; r < t.rows.size(); ++r) {
            if (used >= max_lines) return;
            const std::vector<Cell>& row = t.rows[r];
            const bool selected = ti == 0 && cursor.selected == r;
            std::vector<Segment> segs;
            std::size_t w = 0;
            for (std::size_t c = 0; c < t.columns.size() && c < row.size(); ++c) {
                if (!shown[c]) continue;
                std::string text =
                    escape_for_terminal(pane_cell(t.columns[c], row[c], units), utf8);
                text = (segs.empty() ? "" : " ") + padded(text, t.columns[c], units, c == last);
                w += display_width(text);
                segs.push_back(
                    Segment{std::move(text), selected ? Style::selected_row : cell_style(t, r, c)});
            }
            if (selected && w < static_cast<std::size_t>(b.width()))
                segs.push_back(Segment{std::string(static_cast<std::size_t>(b.width()) - w, ' '),
                                       Style::selected_row});
            b.line(std::move(segs));
            ++used;
        }
    }
}

}  // namespace vigil
