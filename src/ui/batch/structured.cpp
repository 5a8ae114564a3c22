#include "structured.hpp"

#include <fmt/format.h>

#include <cmath>

namespace vigil {
namespace {

Value number(std::optional<double> v, double to_base = 1) {
    if (!v || !std::isfinite(*v)) return {};
    return Value{Value::Kind::number, *v * to_base, {}};
}

// A text cell reading "?" is the display of an unknown value (an unreadable priority, an
// interface without operstate): null, as unknown numbers are.
Value text(const std::string& s) {
    if (s == "?") return {};
    return Value{Value::Kind::text, 0, s};
}

}  // namespace

std::string format_number(double v) {
    if (std::trunc(v) == v && std::fabs(v) < 9007199254740992.0)  // 2^53: exact integers
        return fmt::format("{}", static_cast<long long>(v));
    return fmt::format("{}", v);
}

StructuredTable structure_tasks(const TaskTable& m, const ViewState& vs) {
    StructuredTable t;
    t.name = "tasks";
    // The column order of the text output; thread rows also name their process.
    for (const ColumnDef& c : columns()) {
        t.fields.push_back(column_field(c, vs));
        if (c.id == ColumnId::id && !vs.processes) t.fields.push_back("pid");
    }
    t.rows.reserve(m.rows.size());
    for (const Row& r : m.rows) {
        std::vector<Value> row;
        row.reserve(t.fields.size());
        for (const ColumnDef& c : columns()) {
            const Cell& cell = r.cell(c.id);
            row.push_back(c.numeric ? number(cell.num) : text(cell.text));
            if (c.id == ColumnId::id && !vs.processes)
                row.push_back(number(static_cast<double>(r.pid)));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

StructuredTable structure_tasks_summary(const TaskTable& m) {
    StructuredTable t;
    t.name = "tasks_summary";
    t.fields = {"read_bytes_per_s", "write_bytes_per_s", "current_read_bytes_per_s",
                "current_write_bytes_per_s"};
    t.rows.push_back({number(m.total_read_bytes_per_s), number(m.total_write_bytes_per_s),
                      number(m.current_read_bytes_per_s), number(m.current_write_bytes_per_s)});
    return t;
}

StructuredTable structure_table(const SectionTable& st) {
    StructuredTable t;
    t.name = table_name(st.kind);
    for (const ColumnSpec& c : st.columns) t.fields.push_back(c.field);
    t.rows.reserve(st.rows.size());
    for (const auto& cells : st.rows) {
        std::vector<Value> row;
        row.reserve(t.fields.size());
        for (std::size_t i = 0; i < st.columns.size(); ++i) {
            const ColumnSpec& c = st.columns[i];
            static const Cell kEmpty;
            const Cell& cell = i < cells.size() ? cells[i] : kEmpty;
            if (c.format == CellFormat::text)
                row.push_back(text(cell.text));
            else
                row.push_back(number(cell.num, c.to_base));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

StructuredTable structure_summary(const SectionTable& st) {
    StructuredTable t;
    t.name = std::string(table_name(st.kind)) + "_summary";
    auto specs = summary_fields(st.kind);
    if (specs.empty()) return t;
    std::vector<Value> row(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        t.fields.push_back(specs[i].field);
        for (const SummaryItem& s : st.summary)
            if (s.field == specs[i].field) row[i] = number(s.value.num);
    }
    t.rows.push_back(std::move(row));
    return t;
}

}  // namespace vigil
