// CSV after RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or a line
// break. One table per file, so that any CSV reader (pandas.read_csv, a spreadsheet) reads
// it: the route says which output each table goes to, and a header row comes before the
// first row of each. Every row starts with the sample's time and its table's name. Text
// fields are in the reversible data escape (escape_for_data, vigil(8) FORMATS), so they never
// hold a raw line break whatever the command line holds, and are neutralised for
// spreadsheets.
#include <set>

#include "structured.hpp"
#include "structured_writers.hpp"
#include "vigil/core/time_spec.hpp"

namespace vigil {
namespace {

// A text cell that a spreadsheet would read as a formula (=, +, -, @; tab and CR, which
// some strip first) gets a leading apostrophe, as OWASP recommends against CSV injection; so
// does one that starts with an apostrophe, so that removing one leading apostrophe from a
// text cell always gives back its text. Numbers, negative ones too, are never text cells.
std::string_view neutralised(std::string_view s, std::string& buf) {
    if (s.empty() || std::string_view("=+-@\t\r'").find(s.front()) == std::string_view::npos)
        return s;
    buf = "'";
    buf += s;
    return buf;
}

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
    explicit CsvWriter(CsvRoute route) : route_(std::move(route)) {}
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
            if (!table_columns(t.kind).empty()) write(structure_table(t), out);
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
    void write(const StructuredTable& t, std::string& stdout_buf) {
        if (t.rows.empty()) return;
        std::string* to =
            route_ ? route_(t.name, stdout_buf) : (t.name == "tasks" ? &stdout_buf : nullptr);
        if (!to) return;
        std::string& out = *to;
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
                    append_field(out, neutralised(v.text, cell_));
            }
            out += "\r\n";
        }
    }

    CsvRoute route_;
    std::string time_;
    std::string cell_;              // a neutralised text cell
    std::set<std::string> headed_;  // tables whose header row is out
};

}  // namespace

std::unique_ptr<BatchWriter> make_csv_writer(CsvRoute route) {
    return std::make_unique<CsvWriter>(std::move(route));
}

}  // namespace vigil
