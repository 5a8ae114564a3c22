// The view's prompts: the text typed in an input mode (filter, user, PID, delay, ionice,
// renice, signal) and what it does once confirmed. The rest of the keys are in keymap.cpp.
#include "key_prompts.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>

#include "vigil/core/parse.hpp"
#include "vigil/ui/line_edit.hpp"

namespace vigil {
namespace {

// An action on the selected task (with -P, on its whole process), as its prompt named it.
TaskAction on_selected(TaskAction::Kind kind, const ViewState& vs, const InteractiveState& st) {
    TaskAction a;
    a.kind = kind;
    a.pid = *st.selected;
    a.whole_process = vs.processes;
    a.label = st.target_label;
    return a;
}

// Enter on an action's prompt whose task has left the list (follow_selection closes such
// a prompt; this is the guard behind it): nothing is done, and the notice says so.
Effect no_target(InteractiveState& st, Effect e) {
    st.notice = "the task left the list: nothing was done";
    return e;
}

// Applies the text typed in an input mode; returns what must happen.
Effect finish_input(ViewState& vs, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    std::string text(trim(st.input));
    Mode mode = st.mode;
    st.mode = Mode::normal;
    st.input.clear();
    switch (mode) {
        case Mode::filter_input:
            vs.filter.set(text);
            back_to_top(st);
            e.rebuild = true;
            break;
        case Mode::cgroup_input:  // as --cgroup; empty: every group
            vs.cgroup_filter.set(text);
            back_to_top(st);
            e.rebuild = true;
            break;
        case Mode::user_input: {
            // Names are looked up by the caller (the user database may be remote).
            std::vector<std::string> users;
            for (std::string_view item : split_list(text, ", ")) users.emplace_back(item);
            e.users = std::move(users);
            break;
        }
        case Mode::pid_input: {
            std::vector<pid_t> pids;
            for (std::string_view item : split_list(text, ", ")) {
                std::uint64_t v = 0;
                if (!parse_u64(item, v) || v == 0 || v > 0x3FFFFFFF) {
                    st.notice = fmt::format("invalid PID '{}'", item);
                    return e;
                }
                pids.push_back(static_cast<pid_t>(v));
            }
            vs.pids = std::move(pids);
            back_to_top(st);
            e.rebuild = true;
            break;
        }
        case Mode::ionice_input: {
            auto prio = parse_ioprio(text);
            if (!prio) {
                st.notice =
                    fmt::format("invalid I/O priority '{}': use be/0-7, rt/0-7 or idle", text);
                return e;
            }
            if (!st.selected) return no_target(st, e);
            TaskAction a = on_selected(TaskAction::Kind::ionice, vs, st);
            a.prio = *prio;
            e.action = a;
            break;
        }
        case Mode::nice_input: {
            auto nice = parse_nice(text);
            if (!nice) {
                st.notice = fmt::format("not a nice value: '{}' (use -20 to 19)", text);
                return e;
            }
            if (!st.selected) return no_target(st, e);
            TaskAction a = on_selected(TaskAction::Kind::renice, vs, st);
            a.nice = *nice;
            e.action = a;
            break;
        }
        case Mode::kill_input: {
            auto sig = parse_signal(text.empty() ? "TERM" : text);
            if (!sig) {
                st.notice = fmt::format("unknown signal '{}'", text);
                return e;
            }
            if (!st.selected) return no_target(st, e);
            TaskAction a = on_selected(TaskAction::Kind::signal, vs, st);
            a.signal = *sig;
            e.action = a;
            break;
        }
        case Mode::time_input: {
            auto at = parse_time_spec(text);
            if (!at) {
                st.notice = at.error().message;
                return e;
            }
            ReplayMove m;
            m.kind = ReplayMove::Kind::time;
            m.at = *at;
            e.replay = m;
            break;
        }
        case Mode::normal:
        case Mode::help:
        case Mode::columns:
        case Mode::inspector:
            break;
    }
    return e;
}

}  // namespace

Effect handle_input_mode(const Event& ev, ViewState& vs, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    // / and \ filter as you type (htop's F4): every edit applies; Esc puts back the filter
    // the prompt opened with, Enter keeps it.
    const bool live = st.mode == Mode::filter_input || st.mode == Mode::cgroup_input;
    auto apply_live = [&](const std::string& text) {
        if (!live) return;
        (st.mode == Mode::filter_input ? vs.filter : vs.cgroup_filter).set(std::string(trim(text)));
        back_to_top(st);
        e.rebuild = true;
    };
    // Enter and Esc as the table binds them; a character is text here, whatever it is bound
    // to in the view.
    if (const KeyTrigger* t = find_trigger(ev); t && ev.key != Key::character) {
        if (t->action == Action::confirm) {
            history_add(st.history, st.mode, std::string(trim(st.input)));
            return finish_input(vs, st);
        }
        if (t->action == Action::cancel) {
            apply_live(st.input_before);
            // An action not taken: the selection goes on as before the prompt (on top).
            if (acting_on_selection(st)) st.selection_on_top = st.top_before_prompt;
            st.mode = Mode::normal;
            st.input.clear();
            return e;
        }
    }
    if (ev.key == Key::up || ev.key == Key::down) {
        if (history_move(st.history, st.mode, ev.key == Key::up, st.input, st.input_cursor))
            apply_live(st.input);
        return e;
    }
    const std::string before = st.input;
    if (!edit_line(st.input, st.input_cursor, ev)) {
        e.redraw = false;
        return e;
    }
    if (st.input != before) apply_live(st.input);
    return e;
}

std::optional<IoPrio> parse_ioprio(std::string_view text) {
    std::string t(trim(text));
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "idle" || t == "3") return IoPrio{IoPrio::Class::idle, 0};
    if (t == "none") return IoPrio{IoPrio::Class::none, 0};
    IoPrio::Class cls;
    std::string_view rest;
    if (t.rfind("be", 0) == 0) {
        cls = IoPrio::Class::be;
        rest = std::string_view(t).substr(2);
    } else if (t.rfind("rt", 0) == 0) {
        cls = IoPrio::Class::rt;
        rest = std::string_view(t).substr(2);
    } else {
        return std::nullopt;
    }
    while (!rest.empty() && (rest.front() == '/' || rest.front() == ' ')) rest.remove_prefix(1);
    if (rest.empty()) return IoPrio{cls, 4};
    std::uint64_t level = 0;
    if (!parse_u64(rest, level) || level > 7) return std::nullopt;
    return IoPrio{cls, static_cast<std::uint8_t>(level)};
}

std::optional<int> parse_nice(std::string_view text) {
    std::string_view t = trim(text);
    bool negative = false;
    if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
        negative = t.front() == '-';
        t.remove_prefix(1);
    }
    std::uint64_t v = 0;
    if (t.empty() || !parse_u64(t, v) || v > (negative ? 20U : 19U)) return std::nullopt;
    return negative ? -static_cast<int>(v) : static_cast<int>(v);
}

std::optional<int> parse_signal(std::string_view text) {
    std::string t(trim(text));
    if (t.empty()) return std::nullopt;
    std::uint64_t num = 0;
    if (parse_u64(t, num)) {
        if (num == 0 || num > 64) return std::nullopt;
        return static_cast<int>(num);
    }
    for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (t.rfind("SIG", 0) == 0) t.erase(0, 3);
    static constexpr std::pair<std::string_view, int> names[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
        {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CONT", SIGCONT},
        {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    };
    for (const auto& [name, sig] : names)
        if (t == name) return sig;
    return std::nullopt;
}

}  // namespace vigil
