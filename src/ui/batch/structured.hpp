// Tables as CSV and JSON carry them: field names that spell their unit, numbers in base
// units (bytes, bytes per second, seconds, percent), unknown values as null. Both formats
// are written from these, so they cannot disagree on a name or a value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"

namespace vigil {

struct Value {
    enum class Kind : std::uint8_t { null, number, text } kind = Kind::null;
    double num = 0;
    std::string_view text;  // points into the table the value came from
};

struct StructuredTable {
    std::string name;  // "tasks", "tasks_summary", "cpu", "cpu_summary", "notes", ...
    std::vector<std::string_view> fields;
    std::vector<std::vector<Value>> rows;  // each has fields.size() values
};

// One row per table row, a field per column. Thread rows of a task table also name their
// process (tid, pid, prio, ...); with -P the id is the pid.
StructuredTable structure_table(const Table& t, const ViewState* vs = nullptr);
// One row with every summary_fields() value of the table's kind; no fields for kinds
// without a summary.
StructuredTable structure_summary(const Table& t);
// The name the notes of a table are filed under ("psi", "disks", ...), with their text.
inline constexpr std::string_view kNotesTable = "notes";
inline constexpr std::string_view kNoteFields[] = {"about", "text"};

// Shortest text that reads back as the same double; whole numbers without a fraction.
// NaN and infinities have no JSON or CSV form: callers write null instead.
std::string format_number(double v);

}  // namespace vigil
