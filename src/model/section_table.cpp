#include "vigil/core/parse.hpp"
#include "vigil/model/section_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "machine_columns.hpp"

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
    }
    return {};
}

std::span<const SummarySpec> summary_fields(TableKind kind) {
    switch (kind) {
        case TableKind::cpu:
            return cols::kCpuSummary;
        case TableKind::mem:
            return cols::kMemSummary;
        default:
            return {};
    }
}

std::string_view table_name(TableKind kind) {
    switch (kind) {
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

std::string format_section_cell(CellFormat f, const Cell& c, ByteUnits units) {
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
        case CellFormat::celsius:
            return fmt::format("{:.1f}°C", v);
        case CellFormat::rpm:
            return fmt::format("{:.0f} RPM", v);
        case CellFormat::watts:
            return fmt::format("{:.2f} W", v);
        case CellFormat::duration:
            return format_duration(v);
    }
    return "?";
}

void sort_rows(SectionTable& t, std::size_t column, bool reverse) {
    if (column >= t.columns.size()) return;
    const ColumnSpec& spec = t.columns[column];
    const bool descending = spec.descending != reverse;
    const bool text = spec.format == CellFormat::text;
    std::stable_sort(t.rows.begin(), t.rows.end(),
                     [&](const std::vector<Cell>& ra, const std::vector<Cell>& rb) {
                         const Cell& a = ra[column];
                         const Cell& b = rb[column];
                         // Numbers first, then text, then nothing: unknown is always last.
                         if (a.num.has_value() != b.num.has_value()) return a.num.has_value();
                         if (a.num) return descending ? *a.num > *b.num : *a.num < *b.num;
                         if (!text) return false;
                         if (a.text.empty() != b.text.empty()) return !a.text.empty();
                         return descending ? a.text > b.text : a.text < b.text;
                     });
}

}  // namespace vigil
