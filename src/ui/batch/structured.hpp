// Tables as CSV and JSON carry them: field names that spell their unit, numbers in base
// units (bytes, bytes per second, seconds, percent), unknown values as null. Both formats
// are written from these, so they cannot disagree on a name or a value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/model/section_table.hpp"
#include "vigil/model/task_table.hpp"

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

// One row per task (tid, pid, user, prio, rates, command; pid, ... with -P).
StructuredTable structure_tasks(const TaskTable& m, const ViewState& vs);
// One row: the Total and Current lines of the text output.
StructuredTable structure_tasks_summary(const TaskTable& m);
StructuredTable structure_table(const SectionTable& t);
// One row with every summary_fields() value of the table's kind; no fields for kinds
// without a summary.
StructuredTable structure_summary(const SectionTable& t);
// The name the notes of a table are filed under ("psi", "disks", ...), with their text.
inline constexpr std::string_view kNotesTable = "notes";
inline constexpr std::string_view kNoteFields[] = {"about", "text"};

// Shortest text that reads back as the same double; whole numbers without a fraction.
// NaN and infinities have no JSON or CSV form: callers write null instead.
std::string format_number(double v);

}  // namespace vigil
