#include "vigil/core/parse.hpp"
#include "vigil/model/columns.hpp"

#include <cctype>
#include <fmt/format.h>

namespace vigil {
namespace {

constexpr std::array<ColumnDef, kColumnCount> kColumns{{
    {ColumnId::id, "TID", "PID", 7, Align::right, true, false, "thread id (process id with -P)", "tid", "pid"},
    {ColumnId::prio, "PRIO", "PRIO", 4, Align::left, false, false, "I/O priority class/level", "prio"},
    {ColumnId::user, "USER", "USER", 8, Align::left, false, false, "owner (real user)", "user"},
    {ColumnId::disk_read, "DISK READ", "DISK READ", 11, Align::right, true, true,
     "bytes read from storage per second", "read_bytes_per_s", "",
     "read_bytes"},
    {ColumnId::disk_write, "DISK WRITE", "DISK WRITE", 11, Align::right, true, true,
     "bytes written to storage per second, less cancelled writes",
     "write_bytes_per_s", "", "write_bytes"},
    {ColumnId::swapin, "SWAPIN", "SWAPIN", 7, Align::right, true, true,
     "share of time waiting for swap-in", "swapin_pct"},
    {ColumnId::io, "IO", "IO", 7, Align::right, true, true, "share of time waiting for block I/O", "io_pct"},
    {ColumnId::command, "COMMAND", "COMMAND", 0, Align::left, false, false, "command line", "command"},
}};


}  // namespace

const std::array<ColumnDef, kColumnCount>& columns() { return kColumns; }

const ColumnDef& column(ColumnId id) { return kColumns[static_cast<std::size_t>(id)]; }

std::optional<ColumnId> column_by_name(std::string_view name) {
    std::string n = normalize_name(name);
    for (const ColumnDef& c : kColumns) {
        if (n == normalize_name(c.title) || n == normalize_name(c.process_title)) return c.id;
    }
    if (n == "read") return ColumnId::disk_read;
    if (n == "write") return ColumnId::disk_write;
    return std::nullopt;
}

std::string_view column_title(const ColumnDef& c, const ViewState& vs) {
    return vs.processes ? c.process_title : c.title;
}

std::string_view column_field(const ColumnDef& c, const ViewState& vs) {
    if (vs.processes && !c.process_field.empty()) return c.process_field;
    if (vs.accumulated && !c.accumulated_field.empty()) return c.accumulated_field;
    return c.field;
}

std::string format_cell(ColumnId id, const Cell& cell, const ViewState& vs) {
    switch (id) {
        case ColumnId::id:
            return cell.num ? fmt::format("{}", static_cast<long long>(*cell.num)) : "?";
        case ColumnId::disk_read:
        case ColumnId::disk_write:
            return vs.accumulated ? format_bytes(cell.num, vs.units)
                                  : format_byte_rate(cell.num, vs.units);
        case ColumnId::swapin:
        case ColumnId::io:
            return format_percent(cell.num);
        case ColumnId::prio:
        case ColumnId::user:
        case ColumnId::command:
            return cell.text;
    }
    return {};
}

}  // namespace vigil
