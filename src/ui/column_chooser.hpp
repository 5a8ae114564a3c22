// The view's column chooser and column sets, for the key bindings (keymap.cpp): private to
// the ui layer.
#pragma once

#include "vigil/model/columns.hpp"
#include "vigil/ui/keymap.hpp"

namespace vigil {

// Opens the chooser on the columns shown now.
void open_chooser(const ViewState& vs, InteractiveState& st);
// A set key: shows the set, says so (and how the sort fell back when its column went).
void show_column_set(ViewState& vs, InteractiveState& st, ColumnSet which);
// The chooser's keys (Mode::columns). Nothing here quits vigil: Esc and q close it.
Effect handle_chooser(const Event& ev, ViewState& vs, InteractiveState& st);

}  // namespace vigil
