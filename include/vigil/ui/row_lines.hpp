// The text lines of a task table's rows, kept from one sample to the next by task (id and
// start time), for batch text output: a cell whose value is the one its line was made from
// is not formatted and measured again, and a row none of whose cells changed is its kept
// line, so a row that did not change costs a comparison per cell and a copy to the output.
// At 10 000 sleeping threads, every row printed each refresh, that is most of the text's
// cost gone.
//
// The output is byte for byte append_row's (table_text.hpp): a number is compared by its
// bits (-0 and 0 print apart), a text by its bytes against those in the kept line.
//
// Memory: the lines live in one store, with each cell's value and end (12 bytes a cell); a
// changed row's new line goes at its end and the old one becomes garbage, reclaimed by a
// compaction once the store is twice what the rows shown need (or a quarter more, near the
// cap). So it holds one to two times the last sample's lines (about 250 bytes a row at
// iotop's columns), no more than kMaxKeptBytes of them, and gives a peak's room back
// (ShrinkGuard).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/core/memory.hpp"
#include "vigil/model/table.hpp"

namespace vigil {

class RowLines {
  public:
    // A sample's rows begin. The lines of the last sample are kept for it when they were
    // written with the same columns, widths and units; else none is.
    void begin(std::span<const ColumnSpec> columns, std::span<const std::size_t> widths,
               ByteUnits units);
    // Appends the line of t's row r to out (no newline): t's columns are those of begin().
    // A row without a RowRef (not a task table) is formatted and not kept.
    void append(std::string& out, const Table& t, std::size_t r);

    // The bytes of the lines' store at most (kept lines and stale ones not yet compacted):
    // a changed row without room is written and not kept (4 KiB command lines on
    // thousands of rows). 10 000 rows of iotop's columns keep about 1.2 MB of lines.
    static constexpr std::size_t kMaxKeptBytes = 16 * 1024 * 1024;

    // Since begin(): the rows kept, their cells, and how many of those were not formatted
    // again (tests, benchmarks); the bytes of the store (lines and cells).
    std::size_t rows() const { return entries_.size(); }
    std::size_t cells_copied() const { return copied_; }
    std::size_t store_bytes() const { return lines_.size() + values_.size() * 12; }

  private:
    struct Entry {
        pid_t id = 0;
        std::uint32_t cells = 0;  // its first cell in values_ and ends_
        std::uint64_t start_ticks = 0;
        std::uint32_t line = 0;  // its line in lines_
        std::uint32_t length = 0;
    };
    const Entry* find_old(pid_t id, std::uint64_t start_ticks);
    // Whether cell c of a row shows what the kept line old shows there (its part of the
    // line begins at old_start).
    bool cell_kept(const Entry& old, std::size_t c, const Cell& cell,
                   std::uint32_t old_start) const;
    void compact();

    std::vector<ColumnSpec> columns_;
    std::vector<std::size_t> widths_;
    ByteUnits units_{};
    // The store: lines, and per cell what its text depends on (the number's bits, or the
    // text's length) and where its part of the line ends, the top bit set for a text.
    std::string lines_;
    std::vector<std::uint64_t> values_;
    std::vector<std::uint32_t> ends_;
    // This sample's rows, and the last sample's (old_), with a lookup by id built the
    // first time a row is not where it was (old_by_id_).
    std::vector<Entry> entries_, old_entries_;
    std::vector<std::uint32_t> old_by_id_;
    bool old_indexed_ = false;
    // A row being made: its line and cells, before they go to the store.
    std::string row_;
    std::vector<std::uint64_t> row_values_;
    std::vector<std::uint32_t> row_ends_;
    std::vector<char> kept_;  // per cell of the row: as in the kept line
    std::size_t copied_ = 0;
    ShrinkGuard lines_guard_, cells_guard_;
};

}  // namespace vigil
