#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "vigil/ui/row_lines.hpp"
#include "vigil/ui/table_text.hpp"

using namespace vigil;

namespace {

ColumnSpec spec(std::string_view key, int width, Align align, CellFormat format) {
    ColumnSpec c{};
    c.key = key;
    c.title = key;
    c.width = width;
    c.align = align;
    c.format = format;
    return c;
}

// Columns of every kind a task table has: right-aligned numbers, a left-aligned text, a
// right-aligned text, a number shown as a rate, and the last column taking the line's rest.
const std::vector<ColumnSpec>& test_columns() {
    static const std::vector<ColumnSpec> cols = {
        spec("TID", 7, Align::right, CellFormat::integer),
        spec("USER", 8, Align::left, CellFormat::text),
        spec("S", 3, Align::right, CellFormat::text),
        spec("READ", 11, Align::right, CellFormat::byte_rate),
        spec("IO>", 7, Align::right, CellFormat::percent),
        spec("COMMAND", 0, Align::left, CellFormat::text),
    };
    return cols;
}

// A task table of rows 1..n of test_columns(): the id, a user, a state, two zero rates and
// the command command(id).
template <class Command>
Table farm_table(pid_t n, Command command) {
    Table t;
    t.kind = TableKind::tasks;
    t.columns = test_columns();
    for (pid_t id = 1; id <= n; ++id) {
        t.rows.push_back({Cell{double(id), {}}, Cell{{}, "user"}, Cell{{}, "S"}, Cell{0.0, {}},
                          Cell{0.0, {}}, Cell{{}, command(id)}});
        RowRef ref;
        ref.id = id;
        t.refs.push_back(ref);
    }
    return t;
}

}  // namespace

TEST_CASE("RowLines writes each row as append_row does, whatever changed", "[table][lines]") {
    // Many seeds: rows of a pool of ids (a reused id gets another start time), in a random
    // order each sample, whose cells change at random among values that look alike (0 and
    // -0, NaN, unknown, "-" and "?", texts of one length, wide characters); now and then
    // the units or a width change. Every sample's output must be append_row's, byte for byte.
    const std::vector<double> numbers = {
        0.0, -0.0, 1.5, 1024.0, 1e9, 3.25, std::numeric_limits<double>::quiet_NaN()};
    const std::vector<std::string> texts = {"",
                                            "?",
                                            "-",
                                            "ab",
                                            "ba",
                                            "root",
                                            "中文",
                                            "é",
                                            "/usr/bin/app --flag",
                                            "/usr/bin/app --flah"};
    std::size_t copied = 0, written = 0;
    for (unsigned seed = 1; seed <= 100; ++seed) {
        std::mt19937 rng(seed);
        auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        std::vector<ColumnSpec> cols = test_columns();
        struct Task {
            pid_t id;
            std::uint64_t start;
            std::vector<Cell> cells;
        };
        auto random_cell = [&](std::size_t c) {
            Cell cell;
            if (cols[c].format == CellFormat::text) {
                cell.text = texts[pick(texts.size())];
            } else if (pick(6) == 0) {
                if (pick(2)) cell.text = texts[pick(3)];  // unknown: "", "?" or "-"
            } else {
                cell.num = numbers[pick(numbers.size())];
            }
            return cell;
        };
        std::vector<Task> tasks;
        for (pid_t id = 1; id <= 30; ++id) {
            Task t{id, 100, {}};
            for (std::size_t c = 0; c < cols.size(); ++c) t.cells.push_back(random_cell(c));
            tasks.push_back(t);
        }
        RowLines lines;
        std::vector<std::size_t> widths = min_widths(cols);
        ByteUnits units = ByteUnits::human;
        for (int round = 0; round < 15; ++round) {
            if (round > 0) {
                for (int k = 0, n = static_cast<int>(pick(8)); k < n; ++k) {
                    Task& t = tasks[pick(tasks.size())];
                    t.cells[pick(cols.size())] = random_cell(pick(cols.size()));
                }
                if (pick(6) == 0) tasks[pick(tasks.size())].start += 7;  // the id reused
                if (pick(8) == 0)
                    units = units == ByteUnits::human ? ByteUnits::kib : ByteUnits::human;
                if (pick(10) == 0) widths[3] = widths[3] == 11 ? 12 : 11;
            }
            // The rows shown: most of the tasks, in an order kept or shuffled.
            std::vector<std::size_t> shown;
            for (std::size_t i = 0; i < tasks.size(); ++i)
                if (pick(5) != 0) shown.push_back(i);
            if (pick(2)) std::shuffle(shown.begin(), shown.end(), rng);
            Table t;
            t.kind = TableKind::tasks;
            t.columns = cols;
            for (std::size_t i : shown) {
                t.rows.push_back(tasks[i].cells);
                RowRef ref;
                ref.id = tasks[i].id;
                ref.start_ticks = tasks[i].start;
                t.refs.push_back(ref);
            }
            // Cells a row may lack (a short row): shown empty by both.
            if (!t.rows.empty() && pick(4) == 0) t.rows[0].pop_back();
            lines.begin(cols, widths, units);
            std::string got, want;
            for (std::size_t r = 0; r < t.rows.size(); ++r) {
                lines.append(got, t, r);
                got += '\n';
                append_row(want, t, r, widths, units);
                want += '\n';
            }
            REQUIRE(got == want);
            copied += lines.cells_copied();
            written += t.rows.size() * cols.size();
        }
    }
    // Most cells were not formatted again (the test would not show a cache that never kept).
    CHECK(copied > written / 2);
}

TEST_CASE("RowLines copies unchanged rows and keeps its store bounded", "[table][lines]") {
    const std::vector<ColumnSpec>& cols = test_columns();
    const std::vector<std::size_t> widths = min_widths(cols);
    Table t = farm_table(1000, [](pid_t) { return std::string("/usr/bin/farm 500 20"); });
    for (RowRef& ref : t.refs) ref.start_ticks = 5;
    RowLines lines;
    std::string out;
    auto write = [&] {
        out.clear();
        lines.begin(cols, widths, ByteUnits::human);
        for (std::size_t r = 0; r < t.rows.size(); ++r) lines.append(out, t, r);
    };
    write();
    CHECK(lines.cells_copied() == 0);
    const std::size_t first_store = lines.store_bytes();
    write();
    CHECK(lines.cells_copied() == t.rows.size() * cols.size());
    CHECK(lines.store_bytes() == first_store);  // unchanged rows add nothing
    // Every row's rate changes every sample: the old lines become garbage, and the store
    // is compacted before it holds more than twice the live lines (and some slack).
    for (int round = 1; round <= 50; ++round) {
        for (auto& row : t.rows) row[3].num = round * 1000.0;
        write();
        CHECK(lines.cells_copied() == t.rows.size() * (cols.size() - 1));
        CHECK(lines.store_bytes() <= 3 * first_store + 64 * 1024 + 4096 * 12);
    }
    // Another start time for the same id: formatted anew, not copied.
    t.refs[0].start_ticks = 6;
    write();
    CHECK(lines.cells_copied() == (t.rows.size() - 1) * cols.size());
    // Other units: nothing is kept.
    out.clear();
    lines.begin(cols, widths, ByteUnits::kib);
    for (std::size_t r = 0; r < t.rows.size(); ++r) lines.append(out, t, r);
    CHECK(lines.cells_copied() == 0);
}

TEST_CASE("RowLines near its cap: what fits is kept, the rest written, all as append_row",
          "[table][lines]") {
    // 3 000 rows of 4 000-byte command lines (12 MB, three quarters of the cap) whose rate
    // changes every sample: changed lines need room the stale ones hold until compaction.
    const std::vector<ColumnSpec>& cols = test_columns();
    const std::vector<std::size_t> widths = min_widths(cols);
    Table t = farm_table(3000, [](pid_t id) { return std::string(4000, 'a' + id % 26); });
    RowLines lines;
    std::size_t copied = 0;
    for (int round = 0; round < 6; ++round) {
        for (auto& row : t.rows) row[3].num = round * 1000.0;
        lines.begin(cols, widths, ByteUnits::human);
        std::string got, want;
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            lines.append(got, t, r);
            append_row(want, t, r, widths, ByteUnits::human);
        }
        REQUIRE(got == want);
        // The lines within the cap, the cells of live and stale lines beside them.
        CHECK(lines.store_bytes() <= RowLines::kMaxKeptBytes + 2 * 3000 * cols.size() * 12);
        if (round > 0) copied += lines.cells_copied();
    }
    // Most rows still had their unchanged cells copied (the command line above all).
    CHECK(copied >= 5 * t.rows.size() * (cols.size() - 1) / 2);
}
