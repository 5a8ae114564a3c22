// CSV after RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or a line
// break. Every row starts with the sample's time and its table's name, so one file can hold
// several tables: a header row (first field "time") comes before the first row of each
// table, once per output. Text fields are in the reversible data escape (escape_for_data,
// vigil(8) FORMATS), so they never hold a raw line break whatever the command line holds.
#include <set>

#include "structured.hpp"
#include "structured_writers.hpp"
#include "vigil/core/time_spec.hpp"

namespace vigil {
namespace {

void append_field(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

class CsvWriter final : public BatchWriter {
  public:
    void begin_sample(const SampleInfo& info, std::string&) override {
        time_ = format_rfc3339(info.wall_ns);
    }
    void tasks(const Table& t, const ViewState& vs, std::string& out) override {
        write(structure_summary(t), out);
        write(structure_table(t, &vs), out);
    }
    void section(Section, std::span<const Table> tables, std::string& out) override {
        for (const Table& t : tables) {
            StructuredTable summary = structure_summary(t);
            if (!summary.fields.empty()) write(summary, out);
            write(structure_table(t), out);
            if (t.notes.empty()) continue;
            StructuredTable notes;
            notes.name = kNotesTable;
            notes.fields.assign(std::begin(kNoteFields), std::end(kNoteFields));
            for (const std::string& n : t.notes)
                notes.rows.push_back({Value{Value::Kind::text, 0, table_name(t.kind)},
                                      Value{Value::Kind::text, 0, n}});
            write(notes, out);
        }
    }
    void end_sample(std::string&) override {}

  private:
    void write(const StructuredTable& t, std::string& out) {
        if (t.rows.empty()) return;
        if (headed_.insert(t.name).second) {
            out += "time,table";
            for (std::string_view f : t.fields) {
                out += ',';
                append_field(out, f);
            }
            out += "\r\n";
        }
        for (const auto& row : t.rows) {
            out += time_;
            out += ',';
            append_field(out, t.name);
            for (const Value& v : row) {
                out += ',';
                if (v.kind == Value::Kind::number)
                    out += format_number(v.num);
                else if (v.kind == Value::Kind::text)
                    append_field(out, v.text);
            }
            out += "\r\n";
        }
    }

    std::string time_;
    std::set<std::string> headed_;  // tables whose header row is out
};

}  // namespace

std::unique_ptr<BatchWriter> make_csv_writer() {
    return std::make_unique<CsvWriter>();
}

}  // namespace vigil
