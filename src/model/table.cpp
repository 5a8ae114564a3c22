#include "vigil/model/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <numeric>

#include "machine_columns.hpp"
#include "table_order.hpp"
#include "vigil/core/parse.hpp"
#include "vigil/model/columns.hpp"

namespace vigil {
namespace {

std::string format_duration(double s) {
    if (s < 0) return "?";
    auto minutes = static_cast<long long>(s / 60.0);
    long long days = minutes / (24 * 60), hours = minutes / 60 % 24, mins = minutes % 60;
    if (days > 0) return fmt::format("{}d {:02}:{:02}", days, hours, mins);
    return fmt::format("{}:{:02}", hours, mins);
}

}  // namespace

std::span<const ColumnSpec> table_columns(TableKind kind) {
    switch (kind) {
        case TableKind::tasks:
            return task_columns(false, false);
        case TableKind::cpu:
            return cols::kCpu;
        case TableKind::mem:
            return cols::kMem;
        case TableKind::psi:
            return cols::kPsi;
        case TableKind::disks:
            return cols::kDisk;
        case TableKind::fs:
            return cols::kFs;
        case TableKind::net:
            return cols::kNet;
        case TableKind::temps:
            return cols::kTemp;
        case TableKind::fans:
            return cols::kFan;
        case TableKind::batteries:
            return cols::kBat;
        case TableKind::cgroups:
            return cols::kCgroup;
        case TableKind::task_states:
            return {};
    }
    return {};
}

std::span<const SummarySpec> summary_fields(TableKind kind) {
    switch (kind) {
        case TableKind::tasks:
            return task_summary_fields();
        case TableKind::cpu:
            return cols::kCpuSummary;
        case TableKind::mem:
            return cols::kMemSummary;
        case TableKind::task_states:
            return cols::kTaskStatesSummary;
        default:
            return {};
    }
}

std::string_view table_name(TableKind kind) {
    switch (kind) {
        case TableKind::tasks:
            return "tasks";
        case TableKind::cpu:
            return "cpu";
        case TableKind::mem:
            return "mem";
        case TableKind::psi:
            return "psi";
        case TableKind::disks:
            return "disks";
        case TableKind::fs:
            return "fs";
        case TableKind::net:
            return "net";
        case TableKind::temps:
            return "temps";
        case TableKind::fans:
            return "fans";
        case TableKind::batteries:
            return "batteries";
        case TableKind::cgroups:
            return "cgroups";
        case TableKind::task_states:
            return "task_states";
    }
    return "?";
}

std::optional<std::size_t> find_column(std::span<const ColumnSpec> cols, std::string_view name) {
    std::string n = normalize_name(name);
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (n == normalize_name(cols[i].key) || n == normalize_name(cols[i].title)) return i;
    }
    return std::nullopt;
}

std::string format_cell(CellFormat f, const Cell& c, ByteUnits units) {
    if (f == CellFormat::text) return c.text;
    if (!c.num) return c.text.empty() ? "?" : c.text;
    const double v = *c.num;
    switch (f) {
        case CellFormat::text:
            return c.text;
        case CellFormat::integer:
            return fmt::format("{:.0f}", v);
        case CellFormat::fixed2:
            return fmt::format("{:.2f}", v);
        case CellFormat::percent_up:
            return fmt::format("{:.0f}%", v);
        case CellFormat::percent:
            return format_percent(v);
        case CellFormat::bytes:
            return format_bytes(v, units);
        case CellFormat::byte_rate:
            return format_byte_rate(v, units);
        case CellFormat::celsius:
            return fmt::format("{:.1f}°C", v);
        case CellFormat::rpm:
            return fmt::format("{:.0f} RPM", v);
        case CellFormat::watts:
            return fmt::format("{:.2f} W", v);
        case CellFormat::duration:
            return format_duration(v);
        case CellFormat::percent1:
            return fmt::format("{:.1f}", v);
        case CellFormat::cpu_time: {
            // Hundredths, rounded down as top does: never more time than was used.
            const double cs = std::floor(std::max(v, 0.0) * 100.0);
            const auto total = static_cast<std::uint64_t>(std::min(cs, 1e17));
            return fmt::format("{}:{:02}.{:02}", total / 6000, total / 100 % 60, total % 100);
        }
        case CellFormat::date_time: {
            const auto t = static_cast<std::time_t>(v);
            std::tm tm{};
            if (!::localtime_r(&t, &tm)) return "?";
            return fmt::format("{:02}-{:02} {:02}:{:02}", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                               tm.tm_min);
        }
        case CellFormat::priority:
            return v < -99 ? "rt" : fmt::format("{:.0f}", v);
    }
    return "?";
}

std::string table_title_line(const Table& t, ByteUnits units) {
    std::string line(t.title);
    // "Tasks: 245 total, 1 running, ...": top's order, the value first.
    const bool value_first = t.kind == TableKind::task_states;
    bool first = true;
    for (const SummaryItem& s : t.summary) {
        line += first ? ": " : ", ";
        first = false;
        if (value_first) {
            line += format_cell(s.format, s.value, units);
            line += ' ';
            line += s.label;
            continue;
        }
        line += s.label;
        line += ' ';
        line += format_cell(s.format, s.value, units);
    }
    return line;
}

Standout cell_standout(const Table& t, std::size_t row, std::size_t column) {
    if (row >= t.rows.size() || column >= t.columns.size()) return Standout::none;
    const std::vector<Cell>& cells = t.rows[row];
    if (column >= cells.size() || !cells[column].num) return Standout::none;
    const double v = *cells[column].num;
    const Alert& a = t.columns[column].alert;
    auto reaches = [&](std::string_view key) {
        if (key.empty()) return false;
        auto other = find_column(t.columns, key);
        return other && *other < cells.size() && cells[*other].num && v >= *cells[*other].num;
    };
    if (v > a.above || reaches(a.alert_column)) return Standout::alert;
    if (reaches(a.warn_column)) return Standout::warn;
    return Standout::none;
}

bool row_before(const Table& t, std::size_t column, bool reverse, std::size_t ia, std::size_t ib) {
    const ColumnSpec& spec = t.columns[column];
    const bool descending = spec.descending != reverse;
    const Cell& a = t.rows[ia][column];
    const Cell& b = t.rows[ib][column];
    // Numbers first, then text, then nothing: unknown is always last.
    if (a.num.has_value() != b.num.has_value()) return a.num.has_value();
    if (a.num) return descending ? *a.num > *b.num : *a.num < *b.num;
    if (spec.format != CellFormat::text) return false;
    if (a.text.empty() != b.text.empty()) return !a.text.empty();
    return descending ? a.text > b.text : a.text < b.text;
}

void reorder_rows(Table& t, std::span<const std::uint32_t> order) {
    std::vector<std::vector<Cell>> rows;
    rows.reserve(order.size());
    for (std::uint32_t i : order) rows.push_back(std::move(t.rows[i]));
    t.rows = std::move(rows);
    if (t.refs.size() == order.size()) {
        std::vector<RowRef> refs;
        refs.reserve(order.size());
        for (std::uint32_t i : order) refs.push_back(t.refs[i]);
        t.refs = std::move(refs);
    }
}

void sort_rows(Table& t, std::size_t column, bool reverse) {
    if (column >= t.columns.size()) return;
    std::vector<std::uint32_t> order(t.rows.size());
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return row_before(t, column, reverse, a, b);
    });
    reorder_rows(t, order);
}

}  // namespace vigil
