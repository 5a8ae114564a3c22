// The view's prompts, for the key bindings (keymap.cpp): private to the ui layer.
#pragma once

#include "vigil/ui/keymap.hpp"

namespace vigil {

// A key in an input mode: edits the text, or on Enter applies it (Esc cancels).
Effect handle_input_mode(const Event& ev, ViewState& vs, InteractiveState& st);

}  // namespace vigil
