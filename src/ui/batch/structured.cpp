#include "structured.hpp"

#include "vigil/model/columns.hpp"

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

StructuredTable structure_table(const Table& st, const ViewState* vs) {
    StructuredTable t;
    t.name = table_name(st.kind);
    // The process of a thread row, right after its id (the text output leaves it out).
    const bool thread_pids = st.kind == TableKind::tasks && vs && !vs->processes;
    // --tree: each row's parent process (unless the PPID column gives it) and depth, after
    // the ids; there are no glyphs in CSV and JSON.
    const bool tree = st.kind == TableKind::tasks && vs && vs->tree;
    const bool tree_ppid = tree && !column_position(st, ColumnId::ppid);
    auto is_id = [](const ColumnSpec& c) {
        return c.id == static_cast<std::uint8_t>(ColumnId::id);
    };
    // After the id, or last when the id is not shown.
    const bool tree_last = tree && !column_position(st, ColumnId::id);
    auto tree_fields = [&] {
        if (tree_ppid) t.fields.push_back("ppid");
        t.fields.push_back("depth");
    };
    for (std::size_t i = 0; i < st.columns.size(); ++i) {
        t.fields.push_back(st.columns[i].field);
        if (thread_pids && is_id(st.columns[i])) t.fields.push_back("pid");
        if (tree && is_id(st.columns[i])) tree_fields();
    }
    if (tree_last) tree_fields();
    t.rows.reserve(st.rows.size());
    for (std::size_t r = 0; r < st.rows.size(); ++r) {
        const std::vector<Cell>& cells = st.rows[r];
        std::vector<Value> row;
        row.reserve(t.fields.size());
        const RowRef* ref = r < st.refs.size() ? &st.refs[r] : nullptr;
        auto tree_values = [&](std::vector<Value>& out) {
            if (tree_ppid)
                out.push_back(number(ref ? std::optional<double>(ref->ppid) : std::nullopt));
            out.push_back(
                number(ref && ref->depth ? std::optional<double>(*ref->depth) : std::nullopt));
        };
        for (std::size_t i = 0; i < st.columns.size(); ++i) {
            const ColumnSpec& c = st.columns[i];
            static const Cell kEmpty;
            const Cell& cell = i < cells.size() ? cells[i] : kEmpty;
            if (c.format == CellFormat::text)
                row.push_back(text(cell.text));
            else
                row.push_back(number(cell.num, c.to_base));
            if (thread_pids && is_id(c))
                row.push_back(number(ref ? std::optional<double>(ref->pid) : std::nullopt));
            if (tree && is_id(c)) tree_values(row);
        }
        if (tree_last) tree_values(row);
        t.rows.push_back(std::move(row));
    }
    return t;
}

StructuredTable structure_summary(const Table& st) {
    StructuredTable t;
    // A table that is a summary only (the Tasks header) goes by its own name.
    t.name = std::string(table_name(st.kind));
    if (!table_columns(st.kind).empty() || st.kind == TableKind::tasks) t.name += "_summary";
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
