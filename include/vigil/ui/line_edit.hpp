// The view's prompts as an editable line (readline's keys that a terminal user expects) and
// their history. Pure functions over the text and a cursor; the prompts are in key_prompts.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "vigil/ui/keymap.hpp"

namespace vigil {

// Applies an editing key to text, whose cursor is a byte offset at a character boundary:
// a printable character is inserted at the cursor; Left/Right (Ctrl-B/F) move a character,
// Home/End (Ctrl-A/E) to the ends; Backspace (Ctrl-H, DEL) and Delete (Ctrl-D) delete the
// character before / at the cursor; Ctrl-U and Ctrl-K delete to the start / end; Ctrl-W deletes the
// word before the cursor (and the blanks after it). True if the key was one of these (the
// text or cursor may still be unchanged: Backspace at the start).
bool edit_line(std::string& text, std::size_t& cursor, const Event& ev);

// A prompt opens: browsing starts after its newest entry.
void history_open(PromptHistory& h, Mode mode);
// Up (back) or Down (forward) through mode's list; the text becomes the entry (or, past
// the newest, what was typed), the cursor its end. False when there is nowhere to go.
bool history_move(PromptHistory& h, Mode mode, bool back, std::string& text, std::size_t& cursor);
// Enter: text joins mode's list (not empty, not the newest again), the oldest go past
// kMaxHistory.
void history_add(PromptHistory& h, Mode mode, const std::string& text);

}  // namespace vigil
