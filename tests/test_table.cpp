#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "fixture_util.hpp"
#include "vigil/core/format.hpp"
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
        make_rows(f, ranked, ranked.keys, details, vs, t);
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

namespace {
TaskSample busy_task(pid_t tid, pid_t tgid, std::uint64_t user_us, std::uint64_t system_us,
                     char state = 'R') {
    TaskSample t;
    t.tid = tid;
    t.tgid = tgid;
    t.ppid = 1;
    t.state = state;
    t.nice = 5;
    t.start_ticks = 50;  // 0.5 s after boot
    t.io = TaskIoCounters{};
    t.io->delays_tracked = true;
    t.io->blkio_delay_ns = 0;
    t.io->swapin_delay_ns = 0;
    TaskActivity a;
    a.user_us = user_us;
    a.system_us = system_us;
    a.cpu_delay_ns = user_us * 10;  // 1 % of the user time, in ns: 1/100 of it as a share
    a.major_faults = user_us / 1000;
    a.known = TaskActivity::kCpuDelay | TaskActivity::kSwitches;
    t.activity = a;
    return t;
}

Snapshot at(double steady, std::vector<TaskSample> tasks) {
    Snapshot s;
    s.steady_s = steady;
    s.boot_s = 100 + steady;
    s.wall_ns = 1'714'532'400'000'000'000 + static_cast<std::int64_t>(steady * 1e9);
    s.clk_tck = 100;
    s.tasks = std::move(tasks);
    return s;
}
}  // namespace

TEST_CASE("CPU columns: a share of one CPU over the interval, per thread and per process",
          "[table]") {
    // Over 2 s: thread 10 used 1.5 s of user and 0.5 s of system time (100 %), thread 11
    // of the same process 0.4 s (20 %), process 20 nothing. TIME+ is what they used so far.
    Snapshot s0 = at(0, {busy_task(10, 10, 1'000'000, 0), busy_task(11, 10, 0, 0),
                         busy_task(20, 20, 7'000'000, 0, 'S')});
    Snapshot s1 = at(2, {busy_task(10, 10, 2'500'000, 500'000), busy_task(11, 10, 400'000, 0),
                         busy_task(20, 20, 7'000'000, 0, 'S')});
    Frame f = advance(s0, s1);
    TaskDetails details;
    details.reset(s1.tasks.size());
    ViewState vs;
    vs.columns = {ColumnId::id,         ColumnId::cpu,          ColumnId::user_cpu,
                  ColumnId::system_cpu, ColumnId::cpu_delay,    ColumnId::cpu_time,
                  ColumnId::state,      ColumnId::nice,         ColumnId::threads,
                  ColumnId::start,      ColumnId::major_faults, ColumnId::read_chars,
                  ColumnId::command};
    vs.sort = ColumnId::cpu;
    auto table = [&](const ViewState& v) {
        RankedTasks ranked = rank_tasks(f, details, v, kAllRows);
        Table t = ranked.head;
        make_rows(f, ranked, ranked.keys, details, v, t);
        return t;
    };
    const Table t = table(vs);
    REQUIRE(t.columns.size() == vs.columns.size());
    CHECK(t.columns[1].title == "CPU%");
    REQUIRE(t.rows.size() == 3);
    // Sorted by CPU%, busiest first.
    CHECK(t.refs[0].id == 10);
    CHECK(t.refs[1].id == 11);
    auto num = [&](std::size_t r, ColumnId c) { return task_cell(t, r, c)->num; };
    CHECK(*num(0, ColumnId::cpu) == Approx(100.0));
    CHECK(*num(0, ColumnId::user_cpu) == Approx(75.0));
    CHECK(*num(0, ColumnId::system_cpu) == Approx(25.0));
    CHECK(*num(0, ColumnId::cpu_delay) == Approx(0.75));
    CHECK(*num(0, ColumnId::cpu_time) == Approx(3.0));
    CHECK(*num(0, ColumnId::major_faults) == Approx(750.0));
    CHECK(*num(0, ColumnId::nice) == 5);
    CHECK(*num(1, ColumnId::cpu) == Approx(20.0));
    CHECK(*num(2, ColumnId::cpu) == Approx(0.0));
    // Started 0.5 s after boot, 101.5 s before the sample.
    CHECK(*num(0, ColumnId::start) == Approx(1'714'532'402.0 - 101.5));
    // Unknown stays unknown: no chars from this source.
    CHECK_FALSE(num(0, ColumnId::read_chars).has_value());
    CHECK(format_cell(t.columns[5], *task_cell(t, 0, ColumnId::cpu_time), ByteUnits::human) ==
          "0:03.00");
    CHECK(task_cell(t, 0, ColumnId::state)->text == "R");
    CHECK(task_cell(t, 2, ColumnId::state)->text == "S");

    // -P: one row per process, the sum of its threads (120 %: more than one CPU), its
    // thread count, and TIME+ summed.
    ViewState p = vs;
    p.processes = true;
    const Table pt = table(p);
    REQUIRE(pt.rows.size() == 2);
    CHECK(pt.refs[0].id == 10);
    CHECK(*task_cell(pt, 0, ColumnId::cpu)->num == Approx(120.0));
    CHECK(*task_cell(pt, 0, ColumnId::threads)->num == 2);
    CHECK(*task_cell(pt, 0, ColumnId::cpu_time)->num == Approx(3.4));
    CHECK(*task_cell(pt, 1, ColumnId::threads)->num == 1);

    // Reversed: the idle process first; a column not shown has no cell.
    ViewState r = vs;
    r.reverse = true;
    const Table rt = table(r);
    CHECK(rt.refs[0].id == 20);
    CHECK(task_cell(rt, 0, ColumnId::disk_read) == nullptr);
}

TEST_CASE("memory and PRI columns: the process's, per thread and once per process", "[table]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    ViewState vs;
    vs.columns = *parse_column_list("pid,priority,rss,virt,shared,mem,swap,command");
    vs.sort = ColumnId::rss;
    const Table t = details.table(f, vs);
    REQUIRE(t.rows.size() == 7);
    auto num = [&](const Table& tb, std::size_t r, ColumnId c) { return task_cell(tb, r, c)->num; };
    // Process 100's leader first, with the process's 200 MiB (4 KiB pages): the process's
    // memory, not a third of it. Its two other threads do not repeat it ("-", no number),
    // so they sort last; PRI is per thread and on every row.
    CHECK(t.refs[0].id == 100);
    CHECK(*num(t, 0, ColumnId::rss) == 51200 * page);
    CHECK(*num(t, 0, ColumnId::virt) == 100000 * page);
    CHECK(*num(t, 0, ColumnId::shared) == 1024 * page);
    CHECK(*num(t, 0, ColumnId::swap) == 2048 * 1024);
    // MemTotal is 1 GiB.
    CHECK(*num(t, 0, ColumnId::mem) == Approx(51200 * page / (1 << 30) * 100));
    CHECK(*num(t, 0, ColumnId::priority) == 25);  // nice 5
    int others = 0;
    for (std::size_t r = 1; r < t.rows.size(); ++r) {
        if (t.refs[r].pid != 100) continue;
        ++others;
        CHECK(r >= 5);  // after every row with a number
        for (ColumnId c :
             {ColumnId::rss, ColumnId::virt, ColumnId::shared, ColumnId::mem, ColumnId::swap}) {
            CHECK_FALSE(num(t, r, c).has_value());
            CHECK(task_cell(t, r, c)->text == "-");
            CHECK(format_cell(t.columns[*column_position(t, c)], *task_cell(t, r, c),
                              ByteUnits::human) == "-");
        }
        CHECK(*num(t, r, ColumnId::priority) == 25);
    }
    CHECK(others == 2);
    CHECK(t.refs[1].id == 1);
    CHECK(t.refs[2].id == 300);
    // kthreadd and the zombie: no address space, 0.
    CHECK(*num(t, 3, ColumnId::rss) == 0);
    CHECK(*num(t, 4, ColumnId::rss) == 0);
    CHECK(*num(t, 4, ColumnId::swap) == 0);
    CHECK(format_cell(t.columns[2], *task_cell(t, 0, ColumnId::rss), ByteUnits::human) ==
          format_bytes(51200 * page, ByteUnits::human));

    // -P: once per process, not summed over its threads.
    ViewState p = vs;
    p.processes = true;
    const Table pt = details.table(f, p);
    REQUIRE(pt.rows.size() == 5);
    CHECK(pt.refs[0].id == 100);
    CHECK(*num(pt, 0, ColumnId::rss) == 51200 * page);
    CHECK(*num(pt, 0, ColumnId::swap) == 2048 * 1024);

    // By SWAP, then reversed by PRI: the unknown last either way, the rest by number.
    ViewState sw = p;
    sw.sort = ColumnId::swap;
    const Table st = details.table(f, sw);
    CHECK(st.refs[0].id == 100);
    CHECK(st.refs[1].id == 1);  // 128 kB
    ViewState pr = p;
    pr.sort = ColumnId::priority;
    const Table prt = details.table(f, pr);
    CHECK(*num(prt, 0, ColumnId::priority) == 20);
    CHECK(prt.refs.back().id == 100);  // 25: the lowest priority sorts last

    // Without MemTotal, MEM% is unknown; a screenful sorted by RES fetches the memory of
    // every row, and the rest only for the rows shown.
    Snapshot no_total = t1;
    no_total.mem_total_kib.reset();
    Frame nf = advance(t0, no_total);
    const Table nt = details.table(nf, vs, 2);
    REQUIRE(nt.rows.size() == 2);
    CHECK(nt.refs[0].pid == 100);
    CHECK_FALSE(num(nt, 0, ColumnId::mem).has_value());
    CHECK(format_cell(nt.columns[5], *task_cell(nt, 0, ColumnId::mem), ByteUnits::human) == "?");
}

TEST_CASE("PRI reads as top's PR: rt above real-time 98", "[table]") {
    auto pri = [](double v) {
        return format_cell(CellFormat::priority, Cell{v, {}}, ByteUnits::human);
    };
    CHECK(pri(20) == "20");
    CHECK(pri(39) == "39");
    CHECK(pri(-51) == "-51");
    CHECK(pri(-99) == "-99");
    CHECK(pri(-100) == "rt");
    CHECK(pri(-101) == "rt");  // a deadline task
    CHECK(format_cell(CellFormat::priority, Cell{}, ByteUnits::human) == "?");
}

TEST_CASE("detail parts: a sort by memory fetches memory only, the rows their columns'",
          "[table]") {
    ViewState vs;
    CHECK(row_details(vs) == kDetailRow);
    CHECK_FALSE(ranking_needs_details(vs));
    vs.sort = ColumnId::rss;
    CHECK(ranking_needs_details(vs));
    CHECK(ranking_details(vs, false) == kDetailMemory);
    CHECK(row_details(vs) == (kDetailRow | kDetailMemory));
    vs.sort = ColumnId::swap;
    CHECK(ranking_details(vs, false) == kDetailSwap);
    vs.sort = ColumnId::priority;
    CHECK(ranking_details(vs, true) == kDetailStat);
    vs.sort = ColumnId::cpu;
    vs.columns = {ColumnId::id, ColumnId::mem, ColumnId::swap, ColumnId::priority,
                  ColumnId::command};
    CHECK_FALSE(ranking_needs_details(vs));
    CHECK(row_details(vs) == (kDetailRow | kDetailMemory | kDetailSwap | kDetailStat));
    vs.filter.set("app");
    CHECK(ranking_details(vs, false) == kDetailRow);
}

TEST_CASE("--hide-kernel-threads leaves out kthreadd and its threads", "[table]") {
    TaskSample kthreadd = busy_task(2, 2, 0, 0, 'S');
    kthreadd.ppid = 0;
    TaskSample kworker = busy_task(30, 30, 0, 0, 'I');
    kworker.ppid = 2;
    TaskSample init = busy_task(1, 1, 0, 0, 'S');
    init.ppid = 0;
    TaskSample user = busy_task(40, 40, 0, 0, 'S');
    Snapshot s0 = at(0, {init, kthreadd, kworker, user});
    Snapshot s1 = at(1, {init, kthreadd, kworker, user});
    Frame f = advance(s0, s1);
    ViewState vs;
    vs.sort = ColumnId::id;  // ascending
    TaskDetails none;
    none.reset(s1.tasks.size());
    auto ids = [&](const ViewState& v) {
        std::vector<pid_t> out;
        for (const RowKey& k : rank_tasks(f, none, v).keys) out.push_back(k.id);
        return out;
    };
    CHECK(ids(vs) == std::vector<pid_t>{1, 2, 30, 40});
    vs.hide_kernel_threads = true;
    CHECK(ids(vs) == std::vector<pid_t>{1, 40});
}

TEST_CASE("--columns: ids, titles, sets, and errors that name the column", "[table][options]") {
    auto cols = parse_column_list("pid,user,CPU%,s,time,command");
    REQUIRE(cols);
    CHECK(*cols == std::vector<ColumnId>{ColumnId::id, ColumnId::user, ColumnId::cpu,
                                         ColumnId::state, ColumnId::cpu_time, ColumnId::command});
    auto top = parse_column_list("top");
    REQUIRE(top);
    CHECK(top->front() == ColumnId::id);
    CHECK(top->back() == ColumnId::command);
    auto all = parse_column_list("all");
    REQUIRE(all);
    CHECK(all->size() == kColumnCount);
    CHECK(all->back() == ColumnId::command);
    auto io = parse_column_list("io");
    REQUIRE(io);
    CHECK(io->size() == 8);
    auto unknown = parse_column_list("pid,rsz");
    REQUIRE_FALSE(unknown);
    CHECK_THAT(unknown.error().message, Catch::Contains("'rsz'"));
    // top's set, as top shows it.
    CHECK(*top == std::vector<ColumnId>{ColumnId::id, ColumnId::user, ColumnId::priority,
                                        ColumnId::nice, ColumnId::virt, ColumnId::rss,
                                        ColumnId::shared, ColumnId::state, ColumnId::cpu,
                                        ColumnId::mem, ColumnId::cpu_time, ColumnId::disk_read,
                                        ColumnId::disk_write, ColumnId::command});
    auto mem = parse_column_list("pid,user,cpu,rss,state,command");
    REQUIRE(mem);
    CHECK((*mem)[3] == ColumnId::rss);
    auto titles = parse_column_list("PRI,RES,VIRT,SHR,MEM%,SWAP,pr,%mem");
    REQUIRE_FALSE(titles);  // MEM% and %mem are one column
    auto ids = parse_column_list("priority,res,virt,shr,mem,swap");
    REQUIRE(ids);
    CHECK(*ids == std::vector<ColumnId>{ColumnId::priority, ColumnId::rss, ColumnId::virt,
                                        ColumnId::shared, ColumnId::mem, ColumnId::swap});
    auto twice = parse_column_list("cpu,CPU%");
    REQUIRE_FALSE(twice);
    CHECK_THAT(twice.error().message, Catch::Contains("twice"));
    CHECK_FALSE(parse_column_list(","));
}

TEST_CASE("process rows: threads whose leader is not listed still make one row", "[table]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    // Without 100's leader, its threads 101 and 103 are grouped by tgid (the slower path).
    for (Snapshot* s : {&t0, &t1})
        std::erase_if(s->tasks, [](const TaskSample& t) { return t.tid == 100; });
    Frame f = advance(t0, t1);
    vigil::test::FixtureDetails details("t1");
    ViewState threads;
    threads.pids = {100};
    const Table per_thread = details.table(f, threads);
    REQUIRE(per_thread.rows.size() == 2);
    double read = 0, write = 0;
    for (const std::vector<Cell>& r : per_thread.rows) {
        read += *task_cell(r, ColumnId::disk_read).num;
        write += *task_cell(r, ColumnId::disk_write).num;
    }
    ViewState vs = threads;
    vs.processes = true;
    const Table m = details.table(f, vs);
    REQUIRE(m.rows.size() == 1);
    CHECK(m.refs[0].id == 100);
    CHECK(*task_cell(m.rows[0], ColumnId::disk_read).num == Approx(read));
    CHECK(*task_cell(m.rows[0], ColumnId::disk_write).num == Approx(write));
    CHECK(write > 0);
}

TEST_CASE("KeyOrderCache gives the full sort's order after random changes", "[table][order]") {
    // Many seeds: keys of a few values (so ties go to traffic, then id), some unknown;
    // each round changes some keys, drops rows and adds new ids, sometimes turns the
    // direction or cuts the rows; the cache's order must be exactly std::sort's.
    for (unsigned seed = 1; seed <= 200; ++seed) {
        std::mt19937 rng(seed);
        auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        auto random_key = [&](pid_t id) {
            RowKey k;
            k.id = id;
            k.task = static_cast<std::size_t>(id);
            if (pick(5) != 0) k.sort = static_cast<double>(pick(6));
            k.traffic = pick(3) == 0 ? static_cast<double>(pick(4)) : 0.0;
            return k;
        };
        std::vector<RowKey> rows;  // by id
        for (pid_t id = 1; id <= 40 + pick(200); ++id)
            if (pick(4) != 0) rows.push_back(random_key(id));
        pid_t next_id = 300;
        KeyOrderCache cache;
        bool descending = true;
        for (int round = 0; round < 12; ++round) {
            if (round > 0) {
                const int changes = pick(4) == 0 ? static_cast<int>(rows.size()) : pick(6);
                for (int c = 0; c < changes && !rows.empty(); ++c) {
                    RowKey& k = rows[static_cast<std::size_t>(pick(static_cast<int>(rows.size())))];
                    k = random_key(k.id);
                }
                if (pick(3) == 0 && !rows.empty())
                    rows.erase(rows.begin() + pick(static_cast<int>(rows.size())));
                if (pick(3) == 0) rows.push_back(random_key(next_id += 1 + pick(3)));
                if (pick(6) == 0) descending = !descending;
            }
            const std::size_t max_rows =
                pick(4) == 0 ? static_cast<std::size_t>(pick(50)) : kAllRows;
            std::vector<RowKey> expect = rows;
            std::sort(expect.begin(), expect.end(), [&](const RowKey& a, const RowKey& b) {
                return key_before(a, b, descending);
            });
            if (max_rows < expect.size()) expect.resize(max_rows);
            std::vector<RowKey> got = rows;
            cache.sort(got, descending, max_rows);
            INFO("seed " << seed << " round " << round);
            REQUIRE(got.size() == expect.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                INFO("row " << i);
                REQUIRE(got[i].id == expect[i].id);
            }
            // The rows whose keys did not move were not sorted again.
            if (round > 0 && pick(2) == 0) {
                std::vector<RowKey> same = rows;
                cache.sort(same, descending);
                CHECK(cache.last_changed() == 0);
            }
        }
    }
}

TEST_CASE("rank_tasks with a KeyOrderCache orders as without it", "[table][order]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    Frame f = advance(t0, t1);
    TaskDetails none;
    KeyOrderCache cache;
    for (ColumnId sort : {ColumnId::disk_read, ColumnId::io, ColumnId::id, ColumnId::cpu}) {
        for (bool processes : {false, true}) {
            for (bool reverse : {false, true}) {
                ViewState vs;
                vs.sort = sort;
                vs.processes = processes;
                vs.reverse = reverse;
                std::vector<pid_t> plain, cached;
                for (const RowKey& k : rank_tasks(f, none, vs).keys) plain.push_back(k.id);
                for (int twice = 0; twice < 2; ++twice) {
                    cached.clear();
                    for (const RowKey& k : rank_tasks(f, none, vs, kAllRows, &cache).keys)
                        cached.push_back(k.id);
                    CHECK(cached == plain);
                }
            }
        }
    }
}
