#include "vigil/ui/row_lines.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "vigil/core/text.hpp"
#include "vigil/ui/table_text.hpp"

namespace vigil {
namespace {

constexpr std::uint32_t kText = 0x80000000u;  // in an end: the cell shows a text

bool same_columns(std::span<const ColumnSpec> a, std::span<const ColumnSpec> b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].key != b[i].key || a[i].format != b[i].format || a[i].align != b[i].align)
            return false;
    return true;
}

std::uint64_t bits_of(double v) {
    return std::bit_cast<std::uint64_t>(v);
}

// The text a cell shows when it does not show a number: format_cell's.
std::string_view shown_text(CellFormat f, const Cell& c) {
    if (f == CellFormat::text || !c.text.empty()) return c.text;
    return "?";
}

}  // namespace

void RowLines::begin(std::span<const ColumnSpec> columns, std::span<const std::size_t> widths,
                     ByteUnits units) {
    const bool same = same_columns(columns, columns_) &&
                      std::equal(widths.begin(), widths.end(), widths_.begin(), widths_.end()) &&
                      units == units_;
    entries_.swap(old_entries_);
    entries_.clear();
    if (!same) {
        columns_.assign(columns.begin(), columns.end());
        widths_.assign(widths.begin(), widths.end());
        units_ = units;
        old_entries_.clear();
        lines_.clear();
        values_.clear();
        ends_.clear();
    }
    old_indexed_ = false;
    copied_ = 0;
    compact();
}

void RowLines::compact() {
    std::size_t live = 0;
    for (const Entry& e : old_entries_) live += e.length;
    const std::size_t live_cells = old_entries_.size() * columns_.size();
    // Garbage (lines of rows gone or changed) up to what is live, and 64 KiB, is left; near
    // the cap, a quarter of what is live, so that changed rows still find room.
    const bool near_cap = lines_.size() > kMaxKeptBytes / 2 && lines_.size() > live + live / 4;
    if (!near_cap && lines_.size() <= 2 * live + 64 * 1024 &&
        values_.size() <= 2 * live_cells + 4096) {
        // A peak's room goes back once far less is held.
        if (lines_guard_.due(lines_.size(), lines_.capacity(), 1)) {
            lines_.shrink_to_fit();
            note_memory_released();
        }
        if (cells_guard_.due(values_.size(), values_.capacity(), 12)) {
            values_.shrink_to_fit();
            ends_.shrink_to_fit();
            std::vector<Entry>(old_entries_).swap(old_entries_);
            std::vector<Entry>().swap(entries_);
            std::vector<std::uint32_t>().swap(old_by_id_);
            note_memory_released();
        }
        return;
    }
    std::string lines;
    std::vector<std::uint64_t> values;
    std::vector<std::uint32_t> ends;
    lines.reserve(live);
    values.reserve(live_cells);
    ends.reserve(live_cells);
    const std::size_t n = columns_.size();
    for (Entry& e : old_entries_) {
        const auto line = static_cast<std::uint32_t>(lines.size());
        const auto cells = static_cast<std::uint32_t>(values.size());
        lines.append(lines_, e.line, e.length);
        values.insert(values.end(), values_.begin() + e.cells, values_.begin() + e.cells + n);
        ends.insert(ends.end(), ends_.begin() + e.cells, ends_.begin() + e.cells + n);
        e.line = line;
        e.cells = cells;
    }
    // The heap gets room back (malloc_trim) only when the store shrank by half or more.
    const bool shrank = lines.capacity() * 2 <= lines_.capacity();
    lines_.swap(lines);
    values_.swap(values);
    ends_.swap(ends);
    if (shrank) note_memory_released();
}

const RowLines::Entry* RowLines::find_old(pid_t id, std::uint64_t start_ticks) {
    // Rows mostly keep their places (KeyOrderCache): the old entry at this row's place.
    const std::size_t at = entries_.size();
    if (at < old_entries_.size() && old_entries_[at].id == id)
        return old_entries_[at].start_ticks == start_ticks ? &old_entries_[at] : nullptr;
    if (!old_indexed_) {
        old_by_id_.resize(old_entries_.size());
        for (std::size_t i = 0; i < old_by_id_.size(); ++i)
            old_by_id_[i] = static_cast<std::uint32_t>(i);
        std::sort(old_by_id_.begin(), old_by_id_.end(), [&](std::uint32_t a, std::uint32_t b) {
            return old_entries_[a].id < old_entries_[b].id;
        });
        old_indexed_ = true;
    }
    auto it = std::lower_bound(old_by_id_.begin(), old_by_id_.end(), id,
                               [&](std::uint32_t i, pid_t v) { return old_entries_[i].id < v; });
    for (; it != old_by_id_.end() && old_entries_[*it].id == id; ++it)
        if (old_entries_[*it].start_ticks == start_ticks) return &old_entries_[*it];
    return nullptr;
}

bool RowLines::cell_kept(const Entry& old, std::size_t c, const Cell& cell,
                         std::uint32_t old_start) const {
    const CellFormat format = columns_[c].format;
    const bool number = format != CellFormat::text && cell.num;
    const std::uint32_t end = ends_[old.cells + c];
    if (number) return (end & kText) == 0 && values_[old.cells + c] == bits_of(*cell.num);
    const std::string_view text = shown_text(format, cell);
    if ((end & kText) == 0 || values_[old.cells + c] != text.size()) return false;
    // The text sits at the start of its part (after the separator) when left aligned, at
    // its end when right aligned.
    const std::size_t at =
        columns_[c].align == Align::right ? (end & ~kText) - text.size() : old_start + (c ? 1 : 0);
    return std::memcmp(lines_.data() + old.line + at, text.data(), text.size()) == 0;
}

void RowLines::append(std::string& out, const Table& t, std::size_t r) {
    const std::size_t n = columns_.size();
    if (r >= t.refs.size() || t.columns.size() != n) {
        // Columns other than begin()'s (no begin() at all): their own widths.
        if (t.columns.size() != n)
            append_row(out, t, r, min_widths(t.columns), units_);
        else
            append_row(out, t, r, widths_, units_);
        return;
    }
    const RowRef& ref = t.refs[r];
    const Entry* old = find_old(ref.id, ref.start_ticks);
    const std::vector<Cell>& cells = t.rows[r];
    static const Cell kEmpty;
    auto cell_at = [&](std::size_t c) -> const Cell& {
        return c < cells.size() ? cells[c] : kEmpty;
    };
    // Which cells are as in the kept line: all of them, and the line is the kept one.
    kept_.assign(n, 0);
    if (old) {
        bool all = true;
        std::uint32_t start = 0;
        for (std::size_t c = 0; c < n; ++c) {
            kept_[c] = cell_kept(*old, c, cell_at(c), start);
            all = all && kept_[c];
            start = ends_[old->cells + c] & ~kText;
        }
        if (all) {
            entries_.push_back(*old);
            out.append(lines_, old->line, old->length);
            copied_ += n;
            return;
        }
    }
    row_.clear();
    row_values_.clear();
    row_ends_.clear();
    std::uint32_t old_start = 0;  // where the old line's part of this cell begins
    for (std::size_t c = 0; c < n; ++c) {
        const Cell& cell = cell_at(c);
        const CellFormat format = columns_[c].format;
        const bool number = format != CellFormat::text && cell.num;
        if (kept_[c]) {
            // Its part of the old line, separator and padding included.
            const std::uint32_t old_end = ends_[old->cells + c] & ~kText;
            row_.append(lines_, old->line + old_start, old_end - old_start);
            row_values_.push_back(values_[old->cells + c]);
            row_ends_.push_back(static_cast<std::uint32_t>(row_.size()) | (number ? 0 : kText));
            old_start = old_end;
            ++copied_;
            continue;
        }
        if (old) old_start = ends_[old->cells + c] & ~kText;
        std::string formatted;
        std::string_view text;
        if (number) {
            formatted = format_cell(format, cell, units_);
            text = formatted;
            row_values_.push_back(bits_of(*cell.num));
        } else {
            text = shown_text(format, cell);
            row_values_.push_back(text.size());
        }
        if (c) row_ += ' ';
        const bool last = c + 1 == n;
        const Align align = columns_[c].align;
        // A last left-aligned column is not padded: no need to measure it.
        const std::size_t w = last && align == Align::left ? 0 : display_width(text);
        const std::size_t fill = widths_[c] > w ? widths_[c] - w : 0;
        if (align == Align::right) row_.append(fill, ' ');
        row_.append(text);
        if (align == Align::left && !last) row_.append(fill, ' ');
        row_ends_.push_back(static_cast<std::uint32_t>(row_.size()) | (number ? 0 : kText));
    }
    if (lines_.size() + row_.size() > kMaxKeptBytes) {
        // No room: written, not kept (its next sample formats it again).
        out += row_;
        return;
    }
    entries_.push_back(Entry{ref.id, static_cast<std::uint32_t>(values_.size()), ref.start_ticks,
                             static_cast<std::uint32_t>(lines_.size()),
                             static_cast<std::uint32_t>(row_.size())});
    lines_ += row_;
    values_.insert(values_.end(), row_values_.begin(), row_values_.end());
    ends_.insert(ends_.end(), row_ends_.begin(), row_ends_.end());
    out += row_;
}

}  // namespace vigil
