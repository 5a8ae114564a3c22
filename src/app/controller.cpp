// The full-screen view: the controller (keys, clock, pipeline, layout) and its event loop,
// one thread: poll on the terminal and a signalfd, with the time left to the next sample as
// timeout. Keys re-render at once from the last sample; only the clock takes a new sample.
#include "vigil/app/controller.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>

#include "vigil/app/app.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/collect/process_inspector.hpp"
#include "vigil/collect/task_actions.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/model/cgroup_pane.hpp"
#include "vigil/model/columns.hpp"

namespace vigil {
namespace {

std::string describe_prio(IoPrio p) {
    return format_ioprio(p, 0);
}

// "REC x.rec 1.2 M": the recording's file name (not its directories) and its size now.
std::string recording_label(const RecordWriter& w, const ViewState& vs) {
    const std::string& path = w.path();
    const std::size_t slash = path.find_last_of('/');
    const std::string_view name = slash == std::string::npos
                                      ? std::string_view(path)
                                      : std::string_view(path).substr(slash + 1);
    return fmt::format("REC {} {}", escape_for_terminal(name, vs.utf8),
                       format_bytes(static_cast<double>(w.file_bytes()), vs.units));
}

}  // namespace

Controller::Controller(const ControllerSetup& setup)
    : term_(*setup.terminal),
      clock_(*setup.clock),
      live_(setup.live),
      replay_(setup.replay),
      source_(setup.replay ? static_cast<SnapshotSource&>(*setup.replay)
                           : static_cast<SnapshotSource&>(*setup.live)),
      pipeline_(source_),
      vs_(setup.view),
      mv_(setup.machine),
      notices_(setup.notices),
      iterations_(setup.iterations),
      recorder_(setup.replay ? nullptr : setup.recorder),
      exporter_(setup.replay ? nullptr : setup.exporter),
      actions_(setup.actions),
      reader_(setup.replay ? nullptr : setup.inspector),
      top_when_wide_(setup.top_when_wide),
      delays_reported_(setup.replay ? true : setup.delays_reported) {
    st_.delay_s = setup.delay_s;
    st_.paused = replay_ != nullptr;  // a replay opens on its first sample, paused
    st_.replay = replay_ != nullptr;
    // --follow: at the last sample, the timer polling for the next ones.
    following_ = replay_ != nullptr && setup.follow;
    if (following_) st_.paused = false;
    st_.columns_chosen = !vs_.columns.empty();  // --columns: picked, as with C, 2 or 3
    mv_.escape = TextEscape::terminal;
    // The 'a' key may show the sums at any time.
    pipeline_.keep_totals(true);
}

// Without --columns, a wide terminal shows the top set and a narrow one iotop's eight, until
// the user picks columns; the sort falls back if its column is not shown (CPU% for the top
// set, IO for iotop's eight, unless --sort named another).
void Controller::choose_columns_by_width() {
    if (!top_when_wide_ || st_.columns_chosen) return;
    const bool wide = term_.width() >= wide_view_width();
    const std::span<const ColumnId> set = column_set(wide ? ColumnSet::top : ColumnSet::io);
    // While the delay columns are hidden, the set in force is the one they were hidden from.
    const std::span<const ColumnId> now = delay_hidden_from_.empty()
                                              ? shown_columns(vs_)
                                              : std::span<const ColumnId>(delay_hidden_from_);
    if (std::equal(set.begin(), set.end(), now.begin(), now.end())) return;
    // Another set: the hiding is undone first (its sort too), and done again for the new set
    // by the next rebuild if it has delay columns.
    restore_sort_after_hiding();
    delay_hidden_from_.clear();
    vs_.columns.assign(set.begin(), set.end());
    if (fall_back_sort(vs_)) back_to_top(st_);
}

// SWAPIN, IO and CPUDLY need delay accounting: with it off (the sample says so) or without
// taskstats they are '?' for every task, so the view leaves them out, and the sort with them
// (to DISK WRITE from IO), and says so once on the notice line, which the next key clears.
// When accounting comes on they come back where they were, with the sort if the user kept
// it. Columns the user picked (--columns, C, 2, 3) are left as picked.
void Controller::hide_unknown_delay_columns() {
    const Snapshot* cur = pipeline_.frame().cur;
    if (!cur) return;
    const bool unknown = !delays_reported_ || cur->delayacct_enabled == false;
    const bool hide = unknown && !st_.columns_chosen;
    auto needs_delays = [](ColumnId id) {
        return id == ColumnId::swapin || id == ColumnId::io || id == ColumnId::cpu_delay;
    };
    const std::span<const ColumnId> shown = shown_columns(vs_);
    if (hide && std::any_of(shown.begin(), shown.end(), needs_delays)) {
        // (Again after a resize chose a column set: the set is what comes back.)
        delay_hidden_from_.assign(shown.begin(), shown.end());
        std::vector<ColumnId> kept;
        std::string titles;
        for (ColumnId id : shown) {
            if (!needs_delays(id))
                kept.push_back(id);
            else
                titles += (titles.empty() ? "" : ", ") +
                          std::string(
                              task_columns(vs_.processes, vs_.accumulated)[column_index(id)].title);
        }
        const std::pair<ColumnId, bool> sort{vs_.sort, vs_.reverse};
        vs_.columns = std::move(kept);
        if (fall_back_sort(vs_)) {
            sort_before_hiding_ = sort;
            sort_while_hidden_ = {vs_.sort, vs_.reverse};
            back_to_top(st_);
        }
        hidden_titles_ = titles;
        if (!told_delays_hidden_) {
            st_.notice = fmt::format("{} hidden: unknown for every task {}", titles,
                                     delays_reported_ ? "(delay accounting is off: sysctl "
                                                        "kernel.task_delayacct=1; C shows them)"
                                                      : "(no taskstats; C shows them)");
            told_delays_hidden_ = true;
        }
    } else if (!hide && !delay_hidden_from_.empty()) {
        if (!st_.columns_chosen) {
            vs_.columns = delay_hidden_from_;
            restore_sort_after_hiding();
            if (!unknown) st_.notice = "delay accounting is on: " + hidden_titles_ + " back";
        }
        delay_hidden_from_.clear();
        sort_before_hiding_.reset();
        told_delays_hidden_ = false;
    }
}

// Ctrl-T: kernel.task_delayacct the other way from what the last sample read. The columns
// follow from the next sample, which comes at once.
void Controller::switch_delay_accounting() {
    const Snapshot* cur = pipeline_.frame().cur;
    if (!actions_) {
        st_.notice = "delay accounting cannot be switched here";
        return;
    }
    if (!delays_reported_) {
        st_.notice = "no taskstats here (it needs CAP_NET_ADMIN): delay accounting would not show";
        return;
    }
    if (!cur || !cur->delayacct_enabled) {
        st_.notice = "this kernel has no kernel.task_delayacct: delay accounting is as booted";
        return;
    }
    const bool on = !*cur->delayacct_enabled;
    if (std::string err = actions_->delay_accounting(on); !err.empty()) {
        st_.notice = std::move(err);
        return;
    }
    st_.notice = on ? "delay accounting on: SWAPIN, IO and CPUDLY for the tasks started from "
                      "now on (the kernel never accounts those started while it was off: '?')"
                    : "delay accounting off (kernel.task_delayacct=0)";
    next_s_ = clock_.steady_s();  // the next sample now: the columns follow
}

// The sort the hiding fell back from, if the user kept the one it fell back to (column and
// direction: an r or a new column while hidden is theirs to keep).
void Controller::restore_sort_after_hiding() {
    if (sort_before_hiding_ && std::pair(vs_.sort, vs_.reverse) == sort_while_hidden_) {
        vs_.sort = sort_before_hiding_->first;
        vs_.reverse = sort_before_hiding_->second;
        back_to_top(st_);
    }
    sort_before_hiding_.reset();
}

void Controller::start() {
    choose_columns_by_width();
    // The overview above the tasks, and the pane shown: only those sections are read (a
    // recording keeps them all).
    if (live_) live_->want_sections(wanted_sections());
    if (replay_) {
        show_replayed(false);
    } else {
        // The first frame has no rates: every row reads '?' and they come in id order. At
        // 10 000 threads a full sweep is most of its time, so it asks taskstats only about
        // the rows a screen holds; the baseline for the first rates follows at once.
        if (quick_first_frame()) {
            live_->sample_first(2 * (static_cast<std::size_t>(std::max(term_.height(), 0)) + 1));
            pipeline_.advance();
            rebuild();
            paint();
        }
        live_sample();
        rebuild();
        record();
        take_notices();
    }
    paint();
    next_s_ = clock_.steady_s() + std::min(st_.delay_s, 0.5);
}

int Controller::timeout_ms() const {
    if (st_.paused) return -1;
    // Saturated: a sample due in more than 24 days (a long -d after a suspend, a clock that
    // jumped) must not overflow the int poll takes into a negative or zero timeout.
    const double ms = std::ceil((next_s_ - clock_.steady_s()) * 1000);
    if (ms >= static_cast<double>(std::numeric_limits<int>::max()))
        return std::numeric_limits<int>::max();
    return ms > 0 ? static_cast<int>(ms) : 0;
}

bool Controller::input() {
    Event ev;
    const std::array<bool, kPaneCount> open = st_.open_panes;
    const bool needed_cgroups = view_needs_cgroups(vs_);
    while (term_.read_event(ev)) {
        Effect e = dispatch(ev);
        if (e.quit) return false;
        if (e.action) act(*e.action);
        if (e.delay_accounting) switch_delay_accounting();
        if (e.rebuild || e.action) rebuild();
        dirty_ = dirty_ || e.redraw || e.rebuild || e.action.has_value();
    }
    // A pane opened, or a cgroup filter (\, Enter on a cgroup), may need a section not read.
    if ((st_.open_panes != open || needed_cgroups != view_needs_cgroups(vs_)) &&
        open_pane_section()) {
        // The pane's section was not read: a sample now, its rates soon after.
        next_s_ = clock_.steady_s();
        soon_ = true;
    }
    return true;
}

bool Controller::signal(int sig) {
    if (sig == SIGWINCH) {
        term_.resize_from_tty();
        choose_columns_by_width();
        rebuild();
        dirty_ = true;
    } else if (sig == SIGTSTP) {
        term_.suspend();
        dirty_ = true;
    } else if (sig == SIGCONT) {
        term_.resize_from_tty();
        dirty_ = true;
    } else {
        return false;  // SIGINT, SIGTERM, SIGHUP: leave cleanly
    }
    return true;
}

bool Controller::tick() {
    const double now = clock_.steady_s();
    if (!st_.paused && now >= next_s_) {
        sample();
        ++refreshes_;
        dirty_ = true;
        // Keep the cadence; if sampling fell behind (a suspended terminal), restart it.
        next_s_ += soon_ ? std::min(st_.delay_s, 0.5) : st_.delay_s;
        if (next_s_ <= now) next_s_ = now + st_.delay_s;
        soon_ = false;
    }
    if (dirty_) paint();
    return !(iterations_ && refreshes_ >= *iterations_);
}

// Whether the rows of a first frame (no rates yet) are the lowest ids, which is what
// Sampler::sample_first knows: not when filters need every task's user or command, or the
// sort is by a text column.
bool Controller::quick_first_frame() const {
    return vs_.pids.empty() && vs_.uids.empty() && !vs_.filter.active() &&
           !vs_.cgroup_filter.active() && vs_.cgroup_subtree.empty() && !vs_.only_active &&
           !vs_.hide_kernel_threads && is_numeric(vs_.sort) && !recorder_;
}

Effect Controller::dispatch(const Event& ev) {
    if (st_.mode == Mode::inspector) {
        const double delay = st_.delay_s;
        inspector_.page_rows = inspector_page_rows(term_.height());
        Effect e = handle_inspector_key(ev, inspector_, st_);
        if (st_.delay_s != delay) st_.notice = fmt::format("refresh every {:g} s", st_.delay_s);
        return e;
    }
    if (ev.key == Key::mouse) {
        // A prompt (or help, or the chooser) has no clickable rows: a click must not change
        // the task an i / N / k prompt names.
        if (st_.mode != Mode::normal) return Effect{};
        ClickTarget t = hit_test(layout_, st_, ev.x, ev.y);
        return apply_click(t, vs_, st_, row_ids());
    }
    const double delay = st_.delay_s;
    Effect e = handle_event(ev, vs_, st_, row_ids());
    if (ev.key == Key::resize) choose_columns_by_width();
    if (st_.delay_s != delay && replay_) {
        // The speed apart from the recorded interval: the samples stay 1 s apart at 8x.
        const std::string speed = playback_speed(replay_->recorded_interval_s(), st_.delay_s);
        st_.notice = fmt::format("{}a sample every {:g} s",
                                 speed.empty() ? "" : "played at " + speed + ": ", st_.delay_s);
    } else if (st_.delay_s != delay) {
        st_.notice = fmt::format("refresh every {:g} s", st_.delay_s);
    }
    if (following_ && st_.paused) stop_following("paused: not following the recording any more");
    if (e.replay && replay_) move_in_recording(*e.replay);
    if (e.users) set_users(*e.users, e);
    if (e.inspect) open_inspector();
    return e;
}

// 'u': the user database is asked here, not in the key map (NSS may be remote).
void Controller::set_users(const std::vector<std::string>& names, Effect& e) {
    std::vector<uid_t> uids;
    for (const std::string& name : names) {
        auto uid = resolve_user(name);
        if (!uid) {
            st_.notice = uid.error().message;
            return;
        }
        uids.push_back(*uid);
    }
    vs_.uids = std::move(uids);
    back_to_top(st_);
    e.rebuild = true;
}

// Appends the live sample to --record FILE; an error ends the recording, not the view.
void Controller::record() {
    if (!recorder_) return;
    auto ok = pipeline_.record(*recorder_);
    for (std::string& n : recorder_->take_notices()) st_.notice = std::move(n);
    if (!ok) {
        st_.notice = "recording stopped: " + ok.error().message;
        recorder_ = nullptr;
    }
}

void Controller::sample() {
    if (replay_ && following_) {
        follow_recording();
        return;
    }
    if (replay_) {
        // Playing: the next recorded sample every interval, until the end.
        if (replay_->step(1)) {
            show_replayed(true);
        } else {
            st_.paused = true;
            st_.notice = "end of the recording";
        }
        return;
    }
    live_sample();
    rebuild();
    record();
    take_notices();
    refresh_inspector();
}

void Controller::live_sample() {
    const double began = exporter_ ? steady_now_s() : 0;
    live_->sample();
    pipeline_.advance();
    if (exporter_) exporter_->publish(pipeline_, steady_now_s() - began);
}

// What the live source could not do as it should joins the standing notices.
void Controller::take_notices() {
    for (std::string& n : live_->take_notices()) notices_.push_back(std::move(n));
}

ScreenInput Controller::screen_input() {
    const Snapshot& cur = source_.cur();
    ScreenInput in;
    in.tasks = &table_;
    in.view = &vs_;
    in.state = &st_;
    in.threads = cur.tasks.size();
    in.processes = static_cast<std::size_t>(std::count_if(
        cur.tasks.begin(), cur.tasks.end(), [](const TaskSample& t) { return t.tid == t.tgid; }));
    in.notices = notices_;
    for (uid_t uid : vs_.uids) in.user_names.push_back(source_.user_name(uid));
    if (replay_) {
        in.time_label =
            fmt::format("replay {} ({}/{}){}", format_date_time(cur.wall_ns),
                        replay_->position() + 1, replay_->count(), following_ ? " FOLLOW" : "");
        in.recorded_interval_s = replay_->recorded_interval_s();
    } else if (cur.wall_ns) {
        in.time_label = format_clock(cur.wall_ns);
    }
    if (recorder_) in.recording_label = recording_label(*recorder_, vs_);
    overview_.machine = &cur.machine;
    overview_.rates = &pipeline_.frame().machine;
    overview_.per_core = st_.per_core;
    overview_.sample = &cur;
    in.overview = &overview_;
    for (std::size_t i = 0; i < kPaneCount; ++i)
        if (static_cast<Pane>(i) != Pane::tasks && pane_open(st_, static_cast<Pane>(i)))
            in.panes[i] = &pane_tables_[i];
    return in;
}

void Controller::rebuild() {
    hide_unknown_delay_columns();
    // What the shown columns need fetched per row (the state letter), from now on.
    if (live_) live_->want_row_state(view_needs_row_state(vs_));
    // Every thread's CPU and activity counters, while something reads them: the columns,
    // a recording (it keeps every field), the exporter, the inspector's thread table.
    if (live_)
        live_->want_thread_activity(view_needs_thread_activity(vs_) || recorder_ || exporter_ ||
                                    st_.mode == Mode::inspector);
    // The cgroup walk while CGROUP is shown (from the next sample on).
    if (live_ && view_needs_cgroups(vs_)) live_->want_sections(wanted_sections());
    build_pane();
    const ScreenPlan plan = plan_screen(screen_input(), term_.width(), term_.height());
    st_.page_rows = std::max<std::size_t>(plan.task_rows, 1);
    st_.help_page = help_page_rows(term_.height());
    if (pane_open(st_, Pane::cgroups)) {
        constexpr auto kGroups = static_cast<std::size_t>(Pane::cgroups);
        st_.cgroup_pane.page_rows = std::max<std::size_t>(
            pane_first_table_rows(pane_tables_[kGroups], plan.pane_share[kGroups]), 1);
        follow_cgroup_selection(st_.cgroup_pane, cgroup_paths_);
    }
    auto take = [&](Table t) {
        table_ = std::move(t);
        ids_.clear();
        pids_.clear();
        starts_.clear();
        for (const RowRef& r : table_.refs) {
            ids_.push_back(r.id);
            pids_.push_back(r.pid);
            starts_.push_back(r.start_ticks);
        }
    };
    for (int pass = 0; pass < 2; ++pass) {
        const std::size_t want = std::max(st_.scroll, st_.selected_index) + st_.page_rows + 1;
        take(pipeline_.tasks(vs_, want));
        const std::size_t before = st_.scroll;
        // The selected task moved past the rows built: build them all once to find it.
        const bool lost = st_.selected && table_.rows.size() < table_.matched_rows &&
                          std::find(ids_.begin(), ids_.end(), *st_.selected) == ids_.end();
        if (lost && pass == 0) take(pipeline_.tasks(vs_));
        follow_selection(st_, row_ids());
        if (st_.scroll == before) break;  // else the rows wanted moved: build once more
    }
    // { } scroll COMMAND no further than its widest text among the rows built.
    if (st_.command_scroll > 0) {
        std::size_t widest = 0;
        for (std::size_t i = 0; i < table_.rows.size(); ++i)
            if (const Cell* c = task_cell(table_, i, ColumnId::command))
                widest = std::max(widest, display_width(c->text));
        const std::size_t last = widest > 0 ? (widest - 1) / kCommandScrollStep : 0;
        st_.command_scroll = std::min(st_.command_scroll, last * kCommandScrollStep);
    }
    st_.target_label.clear();
    for (std::size_t i = 0; i < table_.refs.size(); ++i) {
        if (st_.selected && table_.refs[i].id == *st_.selected) {
            const Cell* command = task_cell(table_, i, ColumnId::command);
            st_.target_label = command ? command->text.substr(table_.refs[i].glyph_bytes, 40)
                                       : std::to_string(table_.refs[i].id);
            break;
        }
    }
}

void Controller::act(const TaskAction& a) {
    if (replay_) {
        st_.notice = "this is a recording: ionice, renice and signals act on live tasks only";
        return;
    }
    if (!actions_) {
        st_.notice = "ionice, renice and signals are not available here";
        return;
    }
    std::string err;
    if (a.kind == TaskAction::Kind::ionice) {
        err = actions_->ionice(a.pid, a.whole_process, a.prio);
        if (err.empty()) {
            st_.notice =
                fmt::format("ionice {} set for {} {}", describe_prio(a.prio), a.pid, a.label);
            // Show the new priority at once: fetched again for the rows shown.
            source_.forget_details(a.pid, a.whole_process);
        }
    } else if (a.kind == TaskAction::Kind::renice) {
        err = actions_->renice(a.pid, a.whole_process, a.nice);
        if (err.empty()) {
            st_.notice = fmt::format("renice {} set for {} {}", a.nice, a.pid, a.label);
            // NI shows the new value at once: fetched again for the rows shown.
            source_.forget_details(a.pid, a.whole_process);
        }
    } else {
        err = actions_->signal(a.pid, a.signal);
        if (err.empty())
            st_.notice = fmt::format("signal {} sent to {} {}", a.signal, a.pid, a.label);
    }
    if (!err.empty()) st_.notice = err;
}

void Controller::paint() {
    layout_ = st_.mode == Mode::inspector
                  ? layout_inspector(inspector_, st_, term_.width(), term_.height())
                  : layout_screen(screen_input(), term_.width(), term_.height());
    term_.paint(layout_);
    dirty_ = false;
}

}  // namespace vigil
