// The process tree (--tree): the order of the rows, their glyphs, orphans, filters, the cut,
// collapsed subtrees and their sums, on snapshots written out here.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "src/ui/batch/structured.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/ui/batch/batch_writer.hpp"

using namespace vigil;

namespace {

// A task: its ids, parent, start and what it read (cumulative) and ran (µs, cumulative).
struct T {
    pid_t tid, tgid, ppid;
    std::uint64_t start;
    std::optional<std::uint64_t> read;  // absent: its I/O is unknown
    std::uint64_t cpu_us = 0;
};

TaskSample sample_of(const T& t) {
    TaskSample s;
    s.tid = t.tid;
    s.tgid = t.tgid;
    s.ppid = t.ppid;
    s.start_ticks = t.start;
    s.comm = "c" + std::to_string(t.tid);
    if (t.read) {
        TaskIoCounters io;
        io.read_bytes = *t.read;
        s.io = io;
    }
    TaskActivity a;
    a.user_us = t.cpu_us;
    s.activity = a;
    return s;
}

// Two samples one second apart: before, every counter at 0 (the same tasks); after, as
// given. Details: each task's command line is "cmd<tid>".
struct World {
    Snapshot t0, t1;
    Frame f;
    TaskDetails details;

    explicit World(const std::vector<T>& tasks) {
        t0.steady_s = 0;
        t1.steady_s = 1;
        t0.boot_s = 1000;
        t1.boot_s = 1001;
        for (const T& t : tasks) {
            T zero = t;
            if (zero.read) zero.read = 0;
            zero.cpu_us = 0;
            t0.tasks.push_back(sample_of(zero));
            t1.tasks.push_back(sample_of(t));
        }
        f = advance(t0, t1);
        details.reset(t1.tasks.size());
        for (std::size_t i = 0; i < t1.tasks.size(); ++i) {
            TaskDetail& d = details.set(i);
            d.cmdline =
                std::make_shared<const std::string>("cmd" + std::to_string(t1.tasks[i].tid));
            d.fetched = kDetailRow;
        }
    }
    Table table(const ViewState& vs, std::size_t max_rows = kAllRows) {
        RankedTasks ranked = rank_tasks(f, details, vs, max_rows);
        Table t = ranked.head;
        make_rows(f, ranked, ranked.keys, details, vs, t);
        return t;
    }
};

std::vector<pid_t> ids(const Table& t) {
    std::vector<pid_t> out;
    for (const RowRef& r : t.refs) out.push_back(r.id);
    return out;
}

std::vector<std::string> commands(const Table& t) {
    std::vector<std::string> out;
    for (std::size_t r = 0; r < t.rows.size(); ++r)
        out.push_back(task_cell(t, r, ColumnId::command)->text);
    return out;
}

std::optional<double> cell(const Table& t, pid_t id, ColumnId c) {
    for (std::size_t r = 0; r < t.refs.size(); ++r)
        if (t.refs[r].id == id) return task_cell(t, r, c)->num;
    FAIL("no row " << id);
    return std::nullopt;
}

// 1 ── 10 ── 11
//  │    ├── 12
//  │    └── 13 ── 14
//  └── 20
// 2 (another root)
std::vector<T> nested() {
    return {
        {1, 1, 0, 1, 5},      {2, 2, 0, 1, 1},     {10, 10, 1, 10, 100}, {11, 11, 10, 20, 10},
        {12, 12, 10, 20, 50}, {13, 13, 10, 20, 0}, {14, 14, 13, 30, 7},  {20, 20, 1, 10, 300},
    };
}

ViewState tree_view() {
    ViewState vs;
    vs.processes = true;
    vs.tree = true;
    vs.sort = ColumnId::disk_read;
    return vs;
}

}  // namespace

TEST_CASE("tree: children under their parent, each level by the sort column", "[tree]") {
    World w(nested());
    ViewState vs = tree_view();
    const Table t = w.table(vs);
    CHECK(ids(t) == std::vector<pid_t>{1, 20, 10, 12, 11, 13, 14, 2});
    CHECK(commands(t) == std::vector<std::string>{
                             "cmd1",
                             "\u251c\u2500 cmd20",
                             "\u2514\u2500 cmd10",
                             "   \u251c\u2500 cmd12",
                             "   \u251c\u2500 cmd11",
                             "   \u2514\u2500 cmd13",
                             "      \u2514\u2500 cmd14",
                             "cmd2",
                         });
    std::vector<std::uint32_t> depths;
    for (const RowRef& r : t.refs) depths.push_back(r.depth.value_or(99));
    CHECK(depths == std::vector<std::uint32_t>{0, 1, 1, 2, 2, 2, 3, 0});
    CHECK(t.refs[3].ppid == 10);
    CHECK(t.matched_rows == 8);

    SECTION("reverse: smallest first within each level") {
        vs.reverse = true;
        CHECK(ids(w.table(vs)) == std::vector<pid_t>{2, 1, 10, 13, 14, 11, 12, 20});
    }
    SECTION("a vertical line for an ancestor with siblings below") {
        // 10 first among 1's children (sorted by id): 10's subtree is drawn under "│  ".
        vs.sort = ColumnId::id;
        const Table by_id = w.table(vs);
        CHECK(ids(by_id) == std::vector<pid_t>{1, 10, 11, 12, 13, 14, 20, 2});
        CHECK(commands(by_id)[5] == "\u2502     \u2514\u2500 cmd14");
        CHECK(commands(by_id)[6] == "\u2514\u2500 cmd20");
    }
    SECTION("ASCII glyphs outside a UTF-8 locale") {
        vs.sort = ColumnId::id;
        vs.utf8 = false;
        const auto c = commands(w.table(vs));
        CHECK(c[1] == "|- cmd10");
        CHECK(c[5] == "|     `- cmd14");
        CHECK(c[6] == "`- cmd20");
    }
    SECTION("no glyphs in CSV and JSON text") {
        vs.escape = TextEscape::data;
        CHECK(commands(w.table(vs))[2] == "cmd10");
    }
    SECTION("the cut to the rows shown comes after the tree order") {
        const Table cut = w.table(vs, 4);
        CHECK(ids(cut) == std::vector<pid_t>{1, 20, 10, 12});
        CHECK(cut.matched_rows == 8);
    }
    SECTION("a text sort orders each level by its text") {
        vs.sort = ColumnId::command;
        vs.reverse = true;  // command sorts A to Z by default; reversed, Z to A
        CHECK(ids(w.table(vs)) == std::vector<pid_t>{2, 1, 20, 10, 13, 14, 12, 11});
    }
}

TEST_CASE("tree: orphans, filtered parents and reused PIDs make roots", "[tree]") {
    std::vector<T> tasks = nested();
    tasks.push_back({30, 30, 99, 40, 1});  // its parent exited
    tasks.push_back({40, 40, 50, 20, 2});  // its parent's PID was reused after it started
    tasks.push_back({50, 50, 1, 500, 3});
    World w(tasks);
    ViewState vs = tree_view();
    vs.sort = ColumnId::id;
    CHECK(ids(w.table(vs)) == std::vector<pid_t>{1, 10, 11, 12, 13, 14, 20, 50, 2, 30, 40});

    // -p keeps the rows listed, as roots when their parent is not among them (htop's way).
    vs.pids = {11, 13, 14};
    const Table t = w.table(vs);
    CHECK(ids(t) == std::vector<pid_t>{11, 13, 14});
    CHECK(commands(t) == std::vector<std::string>{"cmd11", "cmd13", "\u2514\u2500 cmd14"});
    CHECK(t.refs[0].depth == 0u);
    CHECK(t.refs[0].ppid == 10);  // the real parent, though it is not shown
}

TEST_CASE("tree: a cycle of parents (a damaged recording) still shows every row", "[tree]") {
    World w({{40, 40, 41, 5, 1}, {41, 41, 40, 5, 1}, {42, 42, 42, 5, 1}});
    ViewState vs = tree_view();
    vs.sort = ColumnId::id;
    const Table t = w.table(vs);
    CHECK(t.rows.size() == 3);
    CHECK(t.matched_rows == 3);
}

TEST_CASE("tree: a deep chain draws at most 64 levels of glyphs", "[tree]") {
    std::vector<T> chain;
    for (pid_t i = 1; i <= 300; ++i) chain.push_back({i, i, i - 1, 1, 1});
    World w(chain);
    ViewState vs = tree_view();
    const Table t = w.table(vs);
    REQUIRE(t.rows.size() == 300);
    CHECK(t.refs.back().depth == 299u);
    CHECK(commands(t).back() == std::string(63 * 3, ' ') + "\u2514\u2500 cmd300");
}

TEST_CASE("tree: a collapsed row hides its subtree and shows its sums", "[tree]") {
    World w(nested());
    ViewState vs = tree_view();
    vs.collapsed = {TreeNode{10, 10}};
    Table t = w.table(vs);
    // 10's subtree read 100 + 10 + 50 + 0 + 7 = 167 B/s: still after 20's 300.
    CHECK(ids(t) == std::vector<pid_t>{1, 20, 10, 2});
    CHECK(t.matched_rows == 4);
    CHECK(cell(t, 10, ColumnId::disk_read) == Approx(167));
    CHECK(commands(t)[2] == "\u2514+ cmd10");

    SECTION("sorted among its siblings by its sums") {
        vs.reverse = true;
        CHECK(ids(w.table(vs)) == std::vector<pid_t>{2, 1, 10, 20});
    }
    SECTION("a start time that does not match is another process") {
        vs.collapsed = {TreeNode{10, 11}};
        CHECK(w.table(vs).rows.size() == 8);
    }
    SECTION("a collapsed leaf shows as itself") {
        vs.collapsed = {TreeNode{20, 10}};
        const Table leaf = w.table(vs);
        CHECK(leaf.rows.size() == 8);
        CHECK(cell(leaf, 20, ColumnId::disk_read) == Approx(300));
    }
    SECTION("a collapsed root") {
        vs.collapsed = {TreeNode{1, 1}};
        const Table root = w.table(vs);
        CHECK(ids(root) == std::vector<pid_t>{1, 2});
        CHECK(commands(root)[0] == "+ cmd1");
        CHECK(cell(root, 1, ColumnId::disk_read) == Approx(5 + 167 + 300));
    }
}

TEST_CASE("tree: a collapsed subtree with an unknown part sums to unknown", "[tree]") {
    std::vector<T> tasks = nested();
    tasks[6].read.reset();  // 14: its I/O could not be read
    for (T& t : tasks) t.cpu_us = 1000;
    World w(tasks);
    ViewState vs = tree_view();
    vs.columns = {ColumnId::id, ColumnId::disk_read, ColumnId::cpu, ColumnId::command};
    vs.collapsed = {TreeNode{10, 10}};
    const Table t = w.table(vs);
    CHECK_FALSE(cell(t, 10, ColumnId::disk_read).has_value());
    CHECK(cell(t, 10, ColumnId::cpu) == Approx(5 * 0.1));  // 5 rows at 1 ms per second each
    // Collapsed on 13 instead: 13 and 14, one of them unknown.
    vs.collapsed = {TreeNode{13, 20}};
    CHECK_FALSE(cell(w.table(vs), 13, ColumnId::disk_read).has_value());
    vs.collapsed = {TreeNode{12, 20}};  // a leaf: its own value
    CHECK(cell(w.table(vs), 12, ColumnId::disk_read) == Approx(50));
}

TEST_CASE("tree: in thread mode threads hang from their process's leader", "[tree]") {
    // Process 10 (threads 10, 15, 16) started 11; process 11 (threads 11, 17).
    World w({{1, 1, 0, 1, 0},
             {10, 10, 1, 10, 5},
             {11, 11, 10, 20, 1},
             {15, 10, 1, 12, 9},
             {16, 10, 1, 12, 3},
             {17, 11, 10, 21, 4}});
    ViewState vs;
    vs.tree = true;
    vs.sort = ColumnId::disk_read;
    const Table t = w.table(vs);
    CHECK(ids(t) == std::vector<pid_t>{1, 10, 15, 16, 11, 17});
    std::vector<std::uint32_t> depths;
    for (const RowRef& r : t.refs) depths.push_back(*r.depth);
    CHECK(depths == std::vector<std::uint32_t>{0, 1, 2, 2, 2, 3});

    SECTION("a collapsed leader sums its threads and its children's") {
        vs.collapsed = {TreeNode{10, 10}};
        const Table c = w.table(vs);
        CHECK(ids(c) == std::vector<pid_t>{1, 10});
        CHECK(cell(c, 10, ColumnId::disk_read) == Approx(5 + 1 + 9 + 3 + 4));
    }
    SECTION("its identity is the process's, as in -P") {
        vs.collapsed = {TreeNode{10, 10}};
        vs.processes = true;
        const Table c = w.table(vs);
        CHECK(ids(c) == std::vector<pid_t>{1, 10});
        // -P: 10's row sums 10, 15 and 16; 11's (hidden) 11 and 17.
        CHECK(cell(c, 10, ColumnId::disk_read) == Approx(5 + 9 + 3 + 1 + 4));
    }
}

TEST_CASE("tree: CSV and JSON rows gain ppid and depth, only with --tree", "[tree][format]") {
    World w(nested());
    ViewState vs = tree_view();
    vs.escape = TextEscape::data;
    auto fields = [&](const ViewState& v) {
        const Table t = w.table(v);
        return structure_table(t, &v);
    };
    const StructuredTable tree = fields(vs);
    REQUIRE(tree.fields.size() >= 3);
    CHECK(tree.fields[0] == "pid");
    CHECK(tree.fields[1] == "ppid");
    CHECK(tree.fields[2] == "depth");
    CHECK(tree.rows[3][1].num == 10);  // 12, under 10
    CHECK(tree.rows[3][2].num == 2);

    ViewState flat = vs;
    flat.tree = false;
    for (std::string_view f : fields(flat).fields) {
        CHECK(f != "ppid");
        CHECK(f != "depth");
    }
    // The PPID column shown: no second ppid field.
    vs.columns = {ColumnId::id, ColumnId::ppid, ColumnId::command};
    CHECK(fields(vs).fields == std::vector<std::string_view>{"pid", "depth", "ppid", "command"});
    // Thread rows: tid, pid, then ppid and depth.
    vs.columns.clear();
    vs.processes = false;
    const StructuredTable threads = fields(vs);
    CHECK(std::vector<std::string_view>(threads.fields.begin(), threads.fields.begin() + 4) ==
          std::vector<std::string_view>{"tid", "pid", "ppid", "depth"});
    // No id column: they come last.
    vs.columns = {ColumnId::command};
    CHECK(fields(vs).fields == std::vector<std::string_view>{"command", "ppid", "depth"});

    // Through the JSON writer: numbers, as the man page says.
    vs = tree_view();
    vs.escape = TextEscape::data;
    auto writer = make_batch_writer(OutputFormat::json, {});
    std::string out;
    writer->begin_sample(SampleInfo{}, out);
    writer->tasks(w.table(vs), vs, out);
    writer->end_sample(out);
    const auto j = nlohmann::json::parse(out);
    CHECK(j["tasks"][6]["pid"] == 14);
    CHECK(j["tasks"][6]["ppid"] == 13);
    CHECK(j["tasks"][6]["depth"] == 3);
    CHECK(j["tasks"][6]["command"] == "cmd14");
}
