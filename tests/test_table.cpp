#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "fixture_util.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/ui/batch/text_writer.hpp"

using namespace vigil;
using vigil::test::fixture;
using vigil::test::load_snapshot;

namespace {

std::string render(ViewState vs, TextOptions topts = {}) {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    Accumulator acc;
    acc.add(t1, f.tasks);
    f.totals = &acc;
    Table m = details.table(f, vs);
    TextWriter w(topts);
    std::string out;
    w.write(m, vs, 0, out);
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Golden files are the reviewed expected output. Set VIGIL_UPDATE_GOLDEN=1 to rewrite them
// after an intended change, then review the diff.
void check_golden(const std::string& name, const std::string& actual) {
    std::string path = std::string(VIGIL_FIXTURES) + "/../golden/" + name;
    if (std::getenv("VIGIL_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << actual;
    }
    CHECK(actual == slurp(path));
}

}  // namespace

TEST_CASE("golden: thread rows, default sort", "[table][golden]") {
    ViewState vs;
    check_golden("threads.txt", render(vs));
}

TEST_CASE("golden: process rows in KiB, only active, by DISK WRITE", "[table][golden]") {
    ViewState vs;
    vs.processes = true;
    vs.only_active = true;
    vs.units = ByteUnits::kib;
    vs.sort = ColumnId::disk_write;
    check_golden("processes_only_k.txt", render(vs));
}

TEST_CASE("golden: accumulated, quiet levels", "[table][golden]") {
    ViewState vs;
    vs.accumulated = true;
    vs.only_active = true;
    check_golden("accumulated_q1.txt", render(vs, TextOptions{false, 1}));
    std::string qqq = render(vs, TextOptions{false, 3});
    CHECK(qqq.find("Total DISK") == std::string::npos);
    CHECK(qqq.find("COMMAND") == std::string::npos);
}

TEST_CASE("process rows sum their threads; -p and -u filter", "[table]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    ViewState vs;
    vs.processes = true;
    vs.pids = {100};
    Table m = details.table(f, vs);
    REQUIRE(m.rows.size() == 1);
    CHECK(m.refs[0].id == 100);
    CHECK(*task_cell(m.rows[0], ColumnId::disk_read).num == Approx(1024.0 * 1024));
    CHECK(*task_cell(m.rows[0], ColumnId::disk_write).num == Approx(5.0 * 1024 * 1024 / 2));

    ViewState threads;
    threads.pids = {100};
    CHECK(details.table(f, threads).rows.size() == 3);  // 100, 101, 103
    threads.pids = {101};
    CHECK(details.table(f, threads).rows.size() == 1);

    ViewState users;
    users.uids = {0};
    const Table only_root = details.table(f, users);
    CHECK_FALSE(only_root.refs.empty());
    for (const RowRef& row : only_root.refs) CHECK(t1.tasks[row.task].uid == 0);
}

TEST_CASE("unknown values sort last in both directions", "[table]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    for (bool rev : {false, true}) {
        ViewState vs;
        vs.sort = ColumnId::disk_read;
        vs.reverse = rev;
        Table m = details.table(f, vs);
        REQUIRE_FALSE(m.rows.empty());
        CHECK(m.refs.back().id == 1);  // its counter went backwards: '?'
        CHECK_FALSE(task_cell(m.rows.back(), ColumnId::disk_read).num.has_value());
    }
}

TEST_CASE("row limit keeps the top rows of a full sort", "[table]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    ViewState vs;
    vs.sort = ColumnId::disk_write;
    Table full = details.table(f, vs);
    Table top = details.table(f, vs, 2);
    REQUIRE(top.rows.size() == 2);
    CHECK(top.matched_rows == full.rows.size());
    CHECK(top.refs[0].id == full.refs[0].id);
    CHECK(top.refs[1].id == full.refs[1].id);
}

TEST_CASE("ioprio formatting", "[table]") {
    CHECK(format_ioprio(std::nullopt, 0) == "?");
    CHECK(format_ioprio(IoPrio{IoPrio::Class::none, 0}, 0) == "be/4");
    CHECK(format_ioprio(IoPrio{IoPrio::Class::none, 0}, -20) == "be/0");
    CHECK(format_ioprio(IoPrio{IoPrio::Class::none, 0}, 19) == "be/7");
    CHECK(format_ioprio(IoPrio{IoPrio::Class::rt, 0}, 0) == "rt/0");
    CHECK(format_ioprio(IoPrio{IoPrio::Class::be, 7}, 0) == "be/7");
    CHECK(format_ioprio(IoPrio{IoPrio::Class::idle, 0}, 0) == "idle");
}

TEST_CASE("a text sort of a screenful keeps the busiest rows, ordered by text", "[table]") {
    // As the view sorts by COMMAND: the rows shown are the busiest ones (their details are
    // all it fetches), in command-line order; every row, in batch mode, is ordered by text.
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    ViewState vs;
    vs.sort = ColumnId::command;
    const Table all = details.table(f, vs);
    const Table top = details.table(f, vs, 2);
    REQUIRE(all.rows.size() > 2);
    REQUIRE(top.rows.size() == 2);
    CHECK(top.matched_rows == all.rows.size());
    // The two busiest (DISK READ + DISK WRITE), as a sort by traffic ranks them.
    auto traffic = [](const std::vector<Cell>& row) {
        return task_cell(row, ColumnId::disk_read).num.value_or(0) +
               task_cell(row, ColumnId::disk_write).num.value_or(0);
    };
    std::vector<double> by_traffic;
    for (const auto& row : all.rows) by_traffic.push_back(traffic(row));
    std::sort(by_traffic.rbegin(), by_traffic.rend());
    for (const auto& row : top.rows) CHECK(traffic(row) >= by_traffic[1]);
    CHECK(task_cell(top.rows[0], ColumnId::command).text <=
          task_cell(top.rows[1], ColumnId::command).text);
    CHECK(top.refs[0].id == 100);
    CHECK(top.refs[1].id == 103);
    // Every row: ordered by command line throughout.
    for (std::size_t i = 1; i < all.rows.size(); ++i)
        CHECK(task_cell(all.rows[i - 1], ColumnId::command).text <=
              task_cell(all.rows[i], ColumnId::command).text);
}

TEST_CASE("the command cell is capped the same way in every escape", "[table]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    TaskDetails details;
    details.reset(t1.tasks.size());
    // Every task of process 100: a command line read in part, with a newline in it.
    auto text = std::make_shared<const std::string>("run\n" + std::string(kCommandMaxBytes, 'x'));
    for (std::size_t i = 0; i < t1.tasks.size(); ++i) {
        TaskDetail& d = details.set(i);
        d.cmdline = t1.tasks[i].tgid == 100 ? text : std::make_shared<const std::string>("sh");
        if (t1.tasks[i].tgid == 100) d.cmdline_unread = 2'000'000;
    }
    for (TextEscape how : {TextEscape::terminal, TextEscape::data}) {
        ViewState vs;
        vs.escape = how;
        RankedTasks ranked = rank_tasks(f, details, vs, kAllRows);
        Table t = std::move(ranked.head);
        make_rows(f, ranked.keys, details, vs, t);
        const std::size_t col = column_index(ColumnId::command);
        std::size_t capped = 0;
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            const std::string& cell = t.rows[r][col].text;
            if (t.refs[r].pid != 100) {
                CHECK(cell == "sh");
                continue;
            }
            ++capped;
            // 4096 bytes of escaped text ("run\n" escapes to 5 bytes), then the rest counted.
            const std::string want_marker =
                "...[+" + std::to_string(2'000'000 + text->size() - (kCommandMaxBytes - 1)) +
                " bytes]";
            CHECK(cell.size() == kCommandMaxBytes + want_marker.size());
            CHECK(cell.substr(0, 5) == "run\\n");
            CHECK(cell.substr(kCommandMaxBytes) == want_marker);
        }
        CHECK(capped == 3);
    }
}
