// JSON Lines: one object per sample. nlohmann/json does the escaping: hand-written escaping
// is where JSON writers go wrong (control characters, quotes, lone surrogates), and the
// library is packaged by Debian and well tested. Text values are in the reversible data
// escape (escape_for_data: valid UTF-8 with \xHH for bytes that are not), so the dump never
// meets invalid UTF-8; the replace handler is a second guard that cannot throw.
#include <nlohmann/json.hpp>

#include "structured.hpp"
#include "structured_writers.hpp"
#include "vigil/core/time_spec.hpp"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;  // fields in registry order, as CSV has them

Json to_json(const Value& v) {
    switch (v.kind) {
        case Value::Kind::null:
            return nullptr;
        case Value::Kind::number:
            if (std::trunc(v.num) == v.num && std::fabs(v.num) < 9007199254740992.0)
                return static_cast<std::int64_t>(v.num);
            return v.num;
        case Value::Kind::text:
            return std::string(v.text);
    }
    return nullptr;
}

Json rows(const StructuredTable& t) {
    Json arr = Json::array();
    for (const auto& row : t.rows) {
        Json obj = Json::object();
        for (std::size_t i = 0; i < t.fields.size(); ++i)
            obj[std::string(t.fields[i])] = to_json(row[i]);
        arr.push_back(std::move(obj));
    }
    return arr;
}

Json single_row(const StructuredTable& t) {
    Json obj = Json::object();
    for (std::size_t i = 0; i < t.fields.size(); ++i)
        obj[std::string(t.fields[i])] = t.rows.empty() ? Json(nullptr) : to_json(t.rows[0][i]);
    return obj;
}

class JsonWriter final : public BatchWriter {
  public:
    void begin_sample(const SampleInfo& info, std::string&) override {
        obj_ = Json::object();
        notes_ = Json::array();
        obj_["time"] = format_rfc3339(info.wall_ns);
        obj_["interval_s"] = info.interval_s;
        obj_["schema_version"] = kSchemaVersion;
    }
    void tasks(const Table& t, const ViewState& vs, std::string&) override {
        obj_["tasks"] = rows(structure_table(t, &vs));
        obj_["tasks_summary"] = single_row(structure_summary(t));
    }
    void section(Section s, std::span<const Table> tables, std::string&) override {
        // Every table of the section is there, empty when the sample has no rows for it
        // (a machine without fans), so consumers need not test for the key.
        if (s == Section::sensors)
            for (TableKind k : {TableKind::temps, TableKind::fans, TableKind::batteries})
                obj_[std::string(table_name(k))] = Json::array();
        for (const Table& t : tables) {
            // A summary-only table (the Tasks header) is one object under its name.
            if (!table_columns(t.kind).empty())
                obj_[std::string(table_name(t.kind))] = rows(structure_table(t));
            StructuredTable summary = structure_summary(t);
            if (!summary.fields.empty()) obj_[summary.name] = single_row(summary);
            for (const std::string& n : t.notes)
                notes_.push_back(Json{{"about", table_name(t.kind)}, {"text", n}});
        }
    }
    void end_sample(std::string& out) override {
        obj_["notes"] = std::move(notes_);
        out += obj_.dump(-1, ' ', false, Json::error_handler_t::replace);
        out += '\n';
    }

  private:
    Json obj_;
    Json notes_;
};

}  // namespace

std::unique_ptr<BatchWriter> make_json_writer() {
    return std::make_unique<JsonWriter>();
}

}  // namespace vigil
