// The order sort_rows() gives a table's rows, for the model's own orders (the cgroup pane's
// tree). Private to src/model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vigil/model/table.hpp"

namespace vigil {

// Whether row a comes before row b by the column, as sort_rows orders them: numbers, then
// text, then unknown values, whatever the direction.
bool row_before(const Table& t, std::size_t column, bool reverse, std::size_t a, std::size_t b);

// Puts the rows in that order (row i becomes the row order[i] was), and the refs too when
// there is one a row.
void reorder_rows(Table& t, std::span<const std::uint32_t> order);

}  // namespace vigil
