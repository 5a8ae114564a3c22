// Helpers the device table builders share (private to src/model).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/model/table.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil::cells {

inline Cell num(std::optional<double> v) {
    return Cell{v, {}};
}
inline Cell num_u(std::optional<std::uint64_t> v) {
    return Cell{v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt, {}};
}
inline Cell text(std::string s) {
    return Cell{std::nullopt, std::move(s)};
}
// A numeric cell that does not apply to this row (SHARED of swap): "-", sorted last.
inline Cell not_applicable() {
    return Cell{std::nullopt, "-"};
}

inline SummaryItem item(const SummarySpec& spec, Cell value) {
    return SummaryItem{spec.label, std::move(value), spec.format, spec.field};
}

// An empty table of a kind, with its registry.
inline Table make_table(Section s, TableKind kind, std::string_view title) {
    Table t;
    t.section = s;
    t.kind = kind;
    t.title = title;
    t.columns = table_columns(kind);
    return t;
}

// The collectors' notes about the table's section (a malformed line skipped, ...).
inline void add_notes(Table& t, const MachineSample& cur) {
    for (const MachineNote& n : cur.notes)
        if (n.section == t.section) t.notes.push_back(n.text);
}

}  // namespace vigil::cells
