// The generic overview table: cell formats, sorting, the batch text writer (golden output
// of the fixture machine) and the --show options.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "machine_fixture.hpp"
#include "options_util.hpp"
#include "vigil/app/options.hpp"
#include "vigil/ui/batch/section_writer.hpp"

using namespace vigil;
using vigil::test::MachinePair;
using vigil::test::parse_args;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Same convention as the task table's golden files: VIGIL_UPDATE_GOLDEN=1 rewrites them.
void check_golden(const std::string& name, const std::string& actual) {
    std::string path = std::string(VIGIL_FIXTURES) + "/../golden/" + name;
    if (std::getenv("VIGIL_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << actual;
    CHECK(actual == slurp(path));
}

std::string render_all(TextOptions opts, int samples = 1, ByteUnits units = ByteUnits::human) {
    MachinePair m;
    SectionWriter w(opts);
    std::string out;
    for (int i = 0; i < samples; ++i)
        for (Section s : kAllSections)
            for (const Table& t : build_section_tables(s, m.t1, m.rates, MachineView{}))
                w.write(t, 0, units, out);
    return out;
}

}  // namespace

TEST_CASE("cell formats; unknown is '?', not-applicable is '-'", "[section]") {
    const ByteUnits h = ByteUnits::human;
    CHECK(format_cell(CellFormat::fixed2, Cell{1.005, {}}, h) == "1.00");
    CHECK(format_cell(CellFormat::fixed2, Cell{}, h) == "?");
    CHECK(format_cell(CellFormat::fixed2, Cell{std::nullopt, "-"}, h) == "-");
    CHECK(format_cell(CellFormat::integer, Cell{65536, {}}, h) == "65536");
    CHECK(format_cell(CellFormat::percent_up, Cell{64, {}}, h) == "64%");
    CHECK(format_cell(CellFormat::percent, Cell{76, {}}, h) == "76.00 %");
    CHECK(format_cell(CellFormat::bytes, Cell{1536, {}}, h) == "1.50 K");
    CHECK(format_cell(CellFormat::bytes, Cell{1536, {}}, ByteUnits::kib) == "1.50 K");
    CHECK(format_cell(CellFormat::celsius, Cell{-5.25, {}}, h) == "-5.2°C");
    CHECK(format_cell(CellFormat::rpm, Cell{2900, {}}, h) == "2900 RPM");
    CHECK(format_cell(CellFormat::watts, Cell{9.5, {}}, h) == "9.50 W");
    CHECK(format_cell(CellFormat::duration, Cell{3599, {}}, h) == "0:59");
    CHECK(format_cell(CellFormat::duration, Cell{90061, {}}, h) == "1d 01:01");
    CHECK(format_cell(CellFormat::text, Cell{3, "cpu3"}, h) == "cpu3");
}

TEST_CASE("every registry has unique keys and a help text", "[section]") {
    for (TableKind k : {TableKind::cpu, TableKind::mem, TableKind::psi, TableKind::disks,
                        TableKind::fs, TableKind::net, TableKind::temps, TableKind::fans,
                        TableKind::batteries, TableKind::cgroups}) {
        auto cols = table_columns(k);
        REQUIRE_FALSE(cols.empty());
        for (std::size_t i = 0; i < cols.size(); ++i) {
            CHECK_FALSE(cols[i].help.empty());
            CHECK(find_column(cols, cols[i].key) == i);
        }
    }
    CHECK(find_column(table_columns(TableKind::disks), "AQU-SZ") ==
          find_column(table_columns(TableKind::disks), "aqu_sz"));
    CHECK_FALSE(find_column(table_columns(TableKind::disks), "nope").has_value());
}

TEST_CASE("sorting: any column, unknown values last in both directions", "[section]") {
    MachinePair m;
    Table t = build_disk_table(m.t1, m.rates, MachineView{});
    auto util = *find_column(t.columns, "%util");
    sort_rows(t, util);  // descending by default
    CHECK(t.rows[0][0].text == "sda");
    CHECK_FALSE(t.rows[t.rows.size() - 1][util].num.has_value());
    CHECK_FALSE(t.rows[t.rows.size() - 2][util].num.has_value());
    sort_rows(t, util, true);
    CHECK(t.rows[0][util].num.has_value());
    CHECK(*t.rows[0][util].num <= *t.rows[1][util].num);
    CHECK_FALSE(t.rows.back()[util].num.has_value());
    sort_rows(t, 0);  // text, ascending
    CHECK(t.rows[0][0].text == "cciss/c0d0");

    Table c = build_cpu_table(m.t1, m.rates);
    sort_rows(c, 0, true);  // CPU numbers sort as numbers, "all" (-1) with them
    CHECK(c.rows[0][0].text == "2");
    CHECK(c.rows[2][0].text == "all");
}

TEST_CASE("golden: every overview section of the fixture machine", "[section][golden]") {
    check_golden("overview_all.txt", render_all(TextOptions{}));
}

TEST_CASE("overview text: -t stamps every line, -q prints column names once", "[section]") {
    TextOptions t;
    t.timestamps = true;
    std::string out = render_all(t);
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        bool stamped = line.rfind("    TIME ", 0) == 0 ||
                       (line.size() > 9 && line[2] == ':' && line[5] == ':');
        CHECK(stamped);
    }
    TextOptions q;
    q.quiet = 1;
    std::string twice = render_all(q, 2);
    auto count = [](const std::string& s, const std::string& what) {
        std::size_t n = 0;
        for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
        return n;
    };
    CHECK(count(twice, "DEVICE ") == 1);
    CHECK(count(twice, "Disks\n") == 2);
    TextOptions qqq;
    qqq.quiet = 3;
    std::string rows = render_all(qqq);
    CHECK(rows.find("Disks") == std::string::npos);
    CHECK(rows.find("DEVICE") == std::string::npos);
    CHECK(rows.find("sda ") != std::string::npos);
}

TEST_CASE("--show picks sections in order; bad names are named", "[section][options]") {
    auto d = parse_args({"-b"});
    REQUIRE(d);
    CHECK(d->sections == std::vector<Section>{Section::tasks});
    auto o = parse_args({"--show", "disks,cpu", "--show=net,cpu", "--partitions", "--all-devices"});
    REQUIRE(o);
    CHECK(o->sections == std::vector<Section>{Section::disks, Section::cpu, Section::net});
    CHECK(o->machine.partitions);
    CHECK(o->machine.all_devices);
    auto all = parse_args({"--show", "tasks,all"});
    REQUIRE(all);
    CHECK(all->sections == std::vector<Section>{Section::tasks, Section::cpu, Section::mem,
                                                Section::psi, Section::disks, Section::fs,
                                                Section::net, Section::sensors, Section::cgroups});
    auto bad = parse_args({"--show", "cpu,dsks"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("'dsks'") != std::string::npos);
    CHECK(bad.error().message.find('\n') == std::string::npos);
    CHECK_FALSE(parse_args({"--show", ","}));
    CHECK_FALSE(parse_args({"--show", "CPU"}));  // names are lower case, as documented
}
