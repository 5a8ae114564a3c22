// CSV and JSON output: what the formats promise (RFC 4180, JSON Lines, base units, null for
// unknown, hostile strings escaped) and the schema, pinned by golden files and checked
// against the man page, so a field cannot change name silently.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "fixture_util.hpp"
#include "machine_fixture.hpp"
#include "record_util.hpp"
#include "scripted_source.hpp"
#include "src/ui/batch/structured.hpp"
#include "utc_zone.hpp"
#include "vigil/app/app.hpp"
#include "vigil/app/batch_output.hpp"
#include "vigil/app/options.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/machine_tables.hpp"

using namespace vigil;
using vigil::test::UtcZone;

namespace {

Options options(std::vector<std::string> args) {
    std::vector<char*> argv{const_cast<char*>("vigil")};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    auto o = parse_options(static_cast<int>(argv.size() - 1), argv.data());
    REQUIRE(o);
    return *o;
}

// The fixture machine (tasks of tests/fixtures/proc, overview of tests/fixtures/machine),
// t0 then t1, rendered as batch mode renders it.
std::string render_fixture(const Options& o) {
    Snapshot t0 = test::load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = test::load_snapshot("t1", 2.0, 1002.0);
    t0.machine = test::collect_machine("t0", 10.0);
    t1.machine = test::collect_machine("t1", 12.0);
    t1.wall_ns = 1714532402'500000000;
    test::FixtureDetails details("t1");
    test::ScriptedSource source({test::Sample{t0, {}}, test::Sample{t1, {}}},
                                [&](const Snapshot& s, std::span<const std::size_t> tasks,
                                    TaskDetails& d) { details.fetch(s, tasks, d); });
    Pipeline p(source);
    BatchOutput output(o, o.view);
    REQUIRE(output.open_files() == kExitOk);
    p.keep_totals(output.wants_totals());
    source.next();
    p.advance();
    source.next();
    p.advance();
    output.prepare(p);
    std::string out;
    output.write(p, out);
    REQUIRE(output.finish());
    return out;
}

void check_golden(const std::string& name, const std::string& actual) {
    std::string path = std::string(VIGIL_FIXTURES) + "/../golden/" + name;
    if (std::getenv("VIGIL_UPDATE_GOLDEN")) test::write_file(path, actual);
    CHECK(actual == test::read_file(path));
}

// Undoes the data escape of text values (vigil(8), FORMATS): \\, \n, \t, \e and \xHH.
std::string unescape_data(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        REQUIRE(i + 1 < s.size());
        const char c = s[++i];
        if (c == '\\')
            out += '\\';
        else if (c == 'n')
            out += '\n';
        else if (c == 't')
            out += '\t';
        else if (c == 'e')
            out += '\x1b';
        else {
            REQUIRE(c == 'x');
            REQUIRE(i + 2 < s.size());
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        }
    }
    return out;
}

// Splits RFC 4180 CSV (quoted fields, "" for a quote, CRLF rows).
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < s.size() && s[i + 1] == '"')
                rows.back().back() += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                rows.back().back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().emplace_back();
        } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            ++i;
            rows.emplace_back(1);
        } else {
            REQUIRE(c != '\n');  // a bare LF is not a row end in RFC 4180
            rows.back().back() += c;
        }
    }
    if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
    return rows;
}

}  // namespace

TEST_CASE("RFC 3339 times carry the offset", "[format]") {
    UtcZone utc;
    CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000+00:00");
    CHECK(format_rfc3339(1714532402'999999999) == "2024-05-01T03:00:02.999+00:00");
    ::setenv("TZ", "EST5", 1);
    ::tzset();
    CHECK(format_rfc3339(1714532402'000000000) == "2024-04-30T22:00:02.000-05:00");
    ::setenv("TZ", "IST-5:30", 1);
    ::tzset();
    CHECK(format_rfc3339(0) == "1970-01-01T05:30:00.000+05:30");
}

TEST_CASE("numbers: whole numbers plain, others the shortest exact form", "[format]") {
    CHECK(format_number(0) == "0");
    CHECK(format_number(-3) == "-3");
    CHECK(format_number(1048576) == "1048576");
    CHECK(format_number(0.1) == "0.1");
    CHECK(format_number(2047.5) == "2047.5");
    CHECK(std::stod(format_number(1.0 / 3)) == 1.0 / 3);
}

TEST_CASE("golden: the JSON and CSV schema of every section", "[format][golden]") {
    UtcZone utc;
    const Options all = options({"--show", "all", "--format", "json"});
    const std::string json = render_fixture(all);
    check_golden("schema_all.json", json);
    // CSV: one table per file (--csv-dir), each a golden file of its own.
    test::TempDir dir;
    CHECK(render_fixture(options({"--show", "all", "--csv-dir", dir.path()})).empty());
    std::set<std::string> written;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        const std::string name = e.path().filename();
        written.insert(name);
        INFO(name);
        check_golden("csv_dir/" + name, test::read_file(e.path()));
        // Every file is one table: a header row, then rows of as many fields.
        const auto rows = parse_csv(test::read_file(e.path()));
        REQUIRE(rows.size() >= 2);
        CHECK(rows[0][0] == "time");
        for (const auto& row : rows) CHECK(row.size() == rows[0].size());
    }
    CHECK(written == std::set<std::string>{
                         "batteries.csv", "cpu.csv", "cpu_summary.csv", "disks.csv", "fans.csv",
                         "fs.csv", "mem.csv", "mem_summary.csv", "net.csv", "notes.csv", "psi.csv",
                         "task_states.csv", "tasks.csv", "tasks_summary.csv", "temps.csv"});
    // On stdout, the task table alone (with the CGROUP column that --show cgroups adds).
    const std::string tasks_csv =
        render_fixture(options({"--format", "csv", "--columns",
                                "id,prio,user,disk_read,disk_write,swapin,io,command,cgroup"}));
    CHECK(tasks_csv == test::read_file(dir.file("tasks.csv")));
    check_golden("schema_processes_accumulated.json",
                 render_fixture(options({"-P", "-a", "--format", "json"})));

    // One object per line, every section's array present, base units.
    auto j = nlohmann::json::parse(json);
    CHECK(j["schema_version"] == 1);
    CHECK(j["interval_s"] == 2.0);
    for (const char* k :
         {"cpu", "cpu_summary", "mem", "mem_summary", "psi", "disks", "fs", "net", "temps", "fans",
          "batteries", "tasks", "tasks_summary", "task_states", "notes"})
        CHECK(j.contains(k));
    // The Tasks header: one object, the fixture's processes by state (200 is a zombie).
    REQUIRE(j["task_states"].is_object());
    CHECK(j["task_states"]["total"] == 5);
    CHECK(j["task_states"]["zombie"] == 1);
    CHECK(j["task_states"]["uninterruptible"] == 0);
    CHECK(j["task_states"]["threads_total"].is_number());
    CHECK(j["tasks"][0].contains("tid"));
    CHECK(j["tasks"][0].contains("pid"));
    CHECK(j["tasks"][0].contains("read_bytes_per_s"));
    CHECK(j["time"] == "2024-05-01T03:00:02.500+00:00");
}

TEST_CASE("CSV and JSON carry the text output's numbers in base units", "[format]") {
    UtcZone utc;
    MachineView mv;
    test::MachinePair p;
    Table disks = build_disk_table(p.t1, p.rates, mv);
    StructuredTable st = structure_table(disks);
    const auto kib = find_column(disks.columns, "rkb_s");
    REQUIRE(kib);
    auto field = std::find(st.fields.begin(), st.fields.end(), "read_bytes_per_s");
    REQUIRE(field != st.fields.end());
    const std::size_t f = static_cast<std::size_t>(field - st.fields.begin());
    for (std::size_t r = 0; r < disks.rows.size(); ++r) {
        if (!disks.rows[r][*kib].num) continue;
        CHECK(st.rows[r][f].num == Approx(*disks.rows[r][*kib].num * 1024));
    }
    // Field names are unique within a table and spell their unit.
    for (TableKind k :
         {TableKind::cpu, TableKind::mem, TableKind::psi, TableKind::disks, TableKind::fs,
          TableKind::net, TableKind::temps, TableKind::fans, TableKind::batteries}) {
        std::set<std::string_view> seen;
        for (const ColumnSpec& c : table_columns(k)) {
            CHECK_FALSE(c.field.empty());
            CHECK(seen.insert(c.field).second);
            if (c.format == CellFormat::bytes)
                CHECK(c.field.find("bytes") != std::string_view::npos);
        }
    }
}

TEST_CASE("hostile command lines stay valid CSV and JSON", "[format]") {
    UtcZone utc;
    Snapshot a, b;
    TaskDetails ad;
    const std::string hostile[] = {"say \"hi\", then leave",
                                   "two\nlines\r\nand a tab\there",
                                   std::string("nul\0byte", 8),
                                   "bad utf-8 \xff\xfe\xc3 end",
                                   "\x1b[31mred\x1b[0m",
                                   "emoji \xf0\x9f\x98\x80 ok",
                                   "lone surrogate \xed\xa0\x80",
                                   ",,,",
                                   "\"",
                                   "trailing backslash \\",
                                   "looks escaped \\n \\x41 \\\\",
                                   "C1 \xc2\x9b"
                                   "2J"};
    pid_t tid = 100;
    for (std::size_t i = 0; i < std::size(hostile); ++i) {
        TaskSample t;
        t.tid = t.tgid = tid++;
        t.comm = "x";
        t.io = TaskIoCounters{};
        a.tasks.push_back(t);
    }
    b = a;
    b.steady_s = 1;
    for (TaskSample& t : b.tasks) t.io->read_bytes = 4096;
    TaskDetails bd;
    bd.reset(b.tasks.size());
    for (std::size_t i = 0; i < std::size(hostile); ++i) {
        TaskDetail& d = bd.set(i);
        d.cmdline = std::make_shared<const std::string>(hostile[i]);
        d.ioprio = IoPrio{};
    }
    bd.set_user_name(0, "us,er \"x\"");

    for (const char* fmt : {"json", "csv"}) {
        Options o = options({"--format", fmt});
        test::ScriptedSource source({test::Sample{a, ad}, test::Sample{b, bd}});
        Pipeline p(source);
        BatchOutput output(o, o.view);
        source.next();
        source.next();
        p.advance();
        output.prepare(p);
        std::string out;
        output.write(p, out);
        INFO(out);
        if (std::string(fmt) == "json") {
            // One line per sample, whatever the strings held.
            REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);
            auto j = nlohmann::json::parse(out);  // strict: throws on invalid UTF-8
            REQUIRE(j["tasks"].size() == std::size(hostile));
            CHECK(j["tasks"][0]["command"] == "say \"hi\", then leave");
            CHECK(j["tasks"][1]["command"] == "two\\nlines\\x0d\\nand a tab\\there");
            CHECK(j["tasks"][3]["command"] == "bad utf-8 \\xff\\xfe\\xc3 end");
            CHECK(j["tasks"][0]["user"] == "us,er \"x\"");
            CHECK(j["tasks"][0]["read_bytes_per_s"] == 4096);
            CHECK(j["tasks"][0]["io_pct"].is_null());
            CHECK(j["tasks"][9]["command"] == "trailing backslash \\\\");
            CHECK(j["tasks"][11]["command"] == "C1 \\xc2\\x9b2J");
            // The escape is reversible: every command line comes back byte for byte.
            for (std::size_t i = 0; i < std::size(hostile); ++i)
                CHECK(unescape_data(j["tasks"][i]["command"].get<std::string>()) == hostile[i]);
        } else {
            auto rows = parse_csv(out);
            REQUIRE(rows.size() == 1 + std::size(hostile));  // the header, the tasks
            const auto& header = rows[0];
            for (std::size_t r = 1; r < rows.size(); ++r) CHECK(rows[r].size() == header.size());
            CHECK(rows[1].back() == "say \"hi\", then leave");
            CHECK(rows[1][1] == "tasks");
            CHECK(rows[4].back() == "bad utf-8 \\xff\\xfe\\xc3 end");
            for (std::size_t i = 0; i < std::size(hostile); ++i)
                CHECK(unescape_data(rows[1 + i].back()) == hostile[i]);
        }
    }
}

TEST_CASE("CSV neutralises text fields a spreadsheet would run, never numbers", "[format]") {
    UtcZone utc;
    Table t;
    t.kind = TableKind::temps;
    t.columns = table_columns(TableKind::temps);
    auto row = [&](std::string chip, std::string sensor, double temp) {
        std::vector<Cell> cells(t.columns.size());
        cells[0].text = std::move(chip);
        cells[1].text = std::move(sensor);
        cells[2].num = temp;
        t.rows.push_back(std::move(cells));
    };
    row("=HYPERLINK(\"x\")", "+1", -5);  // a formula, a sign, and a negative number
    row("-2", "@SUM(A1)", -0.5);
    row("'quoted", "plain", 0);
    std::string csv;
    auto w = make_batch_writer(OutputFormat::csv, {},
                               [&](std::string_view, std::string&) { return &csv; });
    std::string out;
    w->begin_sample(SampleInfo{1714532402'500000000, 1, ByteUnits::human}, out);
    w->section(Section::sensors, std::span<const Table>(&t, 1), out);
    w->end_sample(out);
    CHECK(out.empty());
    const auto rows = parse_csv(csv);
    REQUIRE(rows.size() == 4);
    CHECK(rows[1][2] == "'=HYPERLINK(\"x\")");
    CHECK(rows[1][3] == "'+1");
    CHECK(rows[1][4] == "-5");  // a number stays a number
    CHECK(rows[2][2] == "'-2");
    CHECK(rows[2][3] == "'@SUM(A1)");
    CHECK(rows[2][4] == "-0.5");
    CHECK(rows[3][2] == "''quoted");  // so that one leading ' always comes off
    CHECK(rows[3][3] == "plain");
    CHECK(rows[3][4] == "0");
}

TEST_CASE("the man page documents every CSV and JSON field", "[format]") {
    const std::string man = test::read_file(std::string(VIGIL_FIXTURES) + "/../../man/vigil.8");
    REQUIRE_FALSE(man.empty());
    auto documented = [&](std::string_view field) {
        return man.find("\\fB" + std::string(field) + "\\fR") != std::string::npos;
    };
    for (TableKind k : {TableKind::cpu, TableKind::mem, TableKind::psi, TableKind::disks,
                        TableKind::fs, TableKind::net, TableKind::temps, TableKind::fans,
                        TableKind::batteries, TableKind::cgroups, TableKind::task_states}) {
        for (const ColumnSpec& c : table_columns(k)) {
            INFO(table_name(k) << "." << c.field);
            CHECK(documented(c.field));
        }
        for (const SummarySpec& s : summary_fields(k)) CHECK(documented(s.field));
    }
    for (bool processes : {false, true})
        for (bool accumulated : {false, true})
            for (const ColumnSpec& c : task_columns(processes, accumulated))
                CHECK(documented(c.field));
    for (const SummarySpec& s : task_summary_fields()) CHECK(documented(s.field));
    for (const char* f : {"time", "interval_s", "schema_version", "current_read_bytes_per_s",
                          "current_write_bytes_per_s", "about", "text"})
        CHECK(documented(f));
}

TEST_CASE("--tree: batch text, CSV and JSON of the fixture tree", "[format][tree]") {
    UtcZone utc;
    // Text: the zombie 200 right under its parent 100, behind a glyph.
    const std::string text = render_fixture(options({"-b", "-P", "--tree"}));
    const auto line_of = [&](std::string_view pid) {
        std::size_t n = 0;
        for (std::string_view rest = text; !rest.empty(); ++n) {
            const std::size_t end = rest.find('\n');
            std::string_view line = rest.substr(0, end);
            const std::size_t first = line.find_first_not_of(' ');
            if (first != std::string_view::npos && line.substr(first).starts_with(pid) &&
                line.substr(first + pid.size()).starts_with(" "))
                return std::make_pair(n, std::string(line));
            if (end == std::string_view::npos) break;
            rest.remove_prefix(end + 1);
        }
        return std::make_pair(std::size_t{0}, std::string());
    };
    const auto [parent_line, parent] = line_of("100");
    const auto [child_line, child] = line_of("200");
    REQUIRE_FALSE(parent.empty());
    CHECK(child_line == parent_line + 1);
    CHECK_THAT(child, Catch::Contains("\u2514\u2500 [defunct]"));

    // JSON: ppid and depth; no glyphs.
    const auto j =
        nlohmann::json::parse(render_fixture(options({"-P", "--tree", "--format", "json"})));
    std::map<int, nlohmann::json> rows;
    for (const auto& r : j["tasks"]) rows[r["pid"].get<int>()] = r;
    REQUIRE(rows.count(200));
    CHECK(rows[200]["ppid"] == 100);
    CHECK(rows[200]["depth"] == rows[100]["depth"].get<int>() + 1);
    CHECK(rows[1]["depth"] == 0);
    CHECK(rows[200]["command"] == "[defunct]");

    // CSV: the two fields after the id; without --tree the header is as it was.
    const std::string csv = render_fixture(options({"-P", "--tree", "--format", "csv"}));
    CHECK(csv.starts_with("time,table,pid,ppid,depth,prio,"));
    CHECK(render_fixture(options({"-P", "--format", "csv"})).starts_with("time,table,pid,prio,"));
}
