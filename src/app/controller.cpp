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
#include "vigil/core/time_spec.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/model/cgroup_pane.hpp"
#include "vigil/model/columns.hpp"

namespace vigil {
namespace {

std::string describe_prio(IoPrio p) {
    return format_ioprio(p, 0);
}

// The inspector pane's Threads section: the task table of the inspected process's threads,
// made from the pipeline's current frame like the view's table (the details fetched for
// those rows only), at most kInspectorThreadRows of them.
void show_inspector_threads(InspectorPane& pane, Pipeline& pipeline, const ViewState& vs) {
    const ViewState tv = inspector_thread_view(vs, pane.pid);
    pane.set_threads(pipeline.tasks(tv, kInspectorThreadRows), tv);
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
      top_when_wide_(setup.top_when_wide) {
    st_.delay_s = setup.delay_s;
    st_.paused = replay_ != nullptr;  // a replay opens on its first sample, paused
    st_.replay = replay_ != nullptr;
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
    if (std::equal(set.begin(), set.end(), shown_columns(vs_).begin(), shown_columns(vs_).end()))
        return;
    vs_.columns.assign(set.begin(), set.end());
    if (fall_back_sort(vs_)) back_to_top(st_);
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
    const Pane pane = st_.pane;
    const bool needed_cgroups = view_needs_cgroups(vs_);
    while (term_.read_event(ev)) {
        Effect e = dispatch(ev);
        if (e.quit) return false;
        if (e.action) act(*e.action);
        if (e.rebuild || e.action) rebuild();
        dirty_ = dirty_ || e.redraw || e.rebuild || e.action.has_value();
    }
    // A new pane, or a cgroup filter (\, Enter on a cgroup), may need a section not read.
    if ((st_.pane != pane || needed_cgroups != view_needs_cgroups(vs_)) && open_pane_section()) {
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

// The machine sections the screen shows: the overview's, and the pane's. A recording keeps
// every one.
SectionMask Controller::wanted_sections() const {
    SectionMask m =
        section_bit(Section::cpu) | section_bit(Section::mem) | section_bit(Section::psi);
    if (recorder_ || exporter_) {
        for (Section sec : kAllSections)
            if (sec != Section::tasks) m |= section_bit(sec);
    }
    if (view_needs_cgroups(vs_)) m |= section_bit(Section::cgroups);  // CGROUP, --cgroup
    switch (st_.pane) {
        case Pane::tasks:
            break;
        case Pane::disks:
            m |= section_bit(Section::disks);
            break;
        case Pane::fs:
            m |= section_bit(Section::fs);
            break;
        case Pane::net:
            m |= section_bit(Section::net);
            break;
        case Pane::sensors:
            m |= section_bit(Section::sensors);
            break;
        case Pane::cgroups:
            m |= section_bit(Section::cgroups);
            break;
    }
    return m;
}

// After the pane changed: whether its section must now be read, and is from now on.
bool Controller::open_pane_section() {
    if (!live_) return false;
    const bool missing = live_->want_sections(wanted_sections());
    if (!missing || !st_.paused) return missing;
    // Paused: the pane's figures as they are now, without new task rows, and without
    // counting the interval twice in the -a sums.
    live_->resample_machine();
    pipeline_.redo();
    rebuild();
    return false;
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
        ClickTarget t = hit_test(layout_, st_, ev.x, ev.y);
        return apply_click(t, vs_, st_, row_ids());
    }
    const double delay = st_.delay_s;
    Effect e = handle_event(ev, vs_, st_, row_ids());
    if (ev.key == Key::resize) choose_columns_by_width();
    if (st_.delay_s != delay) st_.notice = fmt::format("refresh every {:g} s", st_.delay_s);
    if (e.replay && replay_) move_in_recording(*e.replay);
    if (e.users) set_users(*e.users, e);
    if (e.inspect) open_inspector();
    return e;
}

// Enter: the selected task's process (its TGID in thread mode), read now; the pane opens
// only on a process that could be read.
void Controller::open_inspector() {
    if (!reader_ || !st_.selected) {
        st_.notice = "the inspector is not available here";
        return;
    }
    const pid_t id = *st_.selected;
    pid_t tgid = id;
    for (const TaskSample& t : source_.cur().tasks)
        if (t.tid == id) {
            tgid = t.tgid;
            break;
        }
    auto info = reader_->read(tgid);
    if (!info) {
        st_.notice = info.error().message;
        return;
    }
    inspector_.utf8 = vs_.utf8;
    inspector_.units = vs_.units;
    inspector_.open_on(tgid, tgid != id ? std::optional<pid_t>(id) : std::nullopt, std::move(*info),
                       clock_.steady_s());
    show_inspector_threads(inspector_, pipeline_, vs_);
    inspector_.page_rows = inspector_page_rows(term_.height());
    st_.mode = Mode::inspector;
    st_.notice.clear();
}

// At each refresh while the pane is open (never while paused: no refresh then): the same PID
// again, its rates from the last read; a process gone keeps its last state, marked so.
void Controller::refresh_inspector() {
    if (st_.mode != Mode::inspector || !reader_ || inspector_.exited) return;
    auto info = reader_->read(inspector_.pid);
    if (!info) {
        inspector_.mark_exited();
        return;
    }
    // The same PID, but another process: the one inspected has exited.
    const auto& was = inspector_.info->identity.start_since_boot_s;
    const auto& now = info->identity.start_since_boot_s;
    if (was && now && *was != *now) {
        inspector_.mark_exited();
        return;
    }
    inspector_.update(std::move(*info), clock_.steady_s());
    show_inspector_threads(inspector_, pipeline_, vs_);
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

// Shows the replay's sample. continuing: it follows the one shown (playing), so -a sums go
// on; after a jump they start again.
void Controller::show_replayed(bool continuing) {
    pipeline_.advance(continuing);
    rebuild();
}

void Controller::move_in_recording(const ReplayMove& m) {
    bool moved = false;
    switch (m.kind) {
        case ReplayMove::Kind::samples:
            moved = replay_->step(m.samples);
            if (!moved)
                st_.notice = m.samples < 0 ? "start of the recording" : "end of the recording";
            break;
        case ReplayMove::Kind::seconds:
            moved = replay_->go_to_time(offset_time_ns(replay_->wall_ns(), m.seconds));
            break;
        case ReplayMove::Kind::time: {
            const std::int64_t ref =
                m.at.kind == TimeSpec::Kind::offset ? replay_->wall_ns() : replay_->start_wall_ns();
            moved = replay_->go_to_time(resolve_time(m.at, ref));
            break;
        }
    }
    if (moved) show_replayed(m.kind == ReplayMove::Kind::samples && m.samples == 1);
}

void Controller::sample() {
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
    if (replay_)
        in.time_label = fmt::format("replay {} ({}/{})", format_date_time(cur.wall_ns),
                                    replay_->position() + 1, replay_->count());
    else if (cur.wall_ns)
        in.time_label = format_clock(cur.wall_ns);
    overview_.machine = &cur.machine;
    overview_.rates = &pipeline_.frame().machine;
    overview_.per_core = st_.per_core;
    overview_.sample = &cur;
    in.overview = &overview_;
    if (st_.pane != Pane::tasks) in.pane = &pane_tables_;
    return in;
}

void Controller::build_pane() {
    pane_tables_.clear();
    cgroup_paths_.clear();
    Section sec = Section::disks;
    switch (st_.pane) {
        case Pane::tasks:
            return;
        case Pane::disks:
            sec = Section::disks;
            break;
        case Pane::fs:
            sec = Section::fs;
            break;
        case Pane::net:
            sec = Section::net;
            break;
        case Pane::sensors:
            sec = Section::sensors;
            break;
        case Pane::cgroups:
            build_cgroup_pane();
            return;
    }
    // The options that shape the tables (--partitions, --all-devices) as in batch mode.
    pane_tables_ = pipeline_.section(sec, mv_);
    const TableSort& ps = st_.pane_sort[static_cast<std::size_t>(st_.pane)];
    if (ps.set && !pane_tables_.empty()) sort_rows(pane_tables_.front(), ps.column, ps.reverse);
}

// The cgroup pane: the section's table in the pane's order (flat or tree, by the arrows'
// column), with each row's path for its selection and Enter.
void Controller::build_cgroup_pane() {
    cgroup_paths_.clear();
    std::vector<Table> tables = pipeline_.section(Section::cgroups, mv_);
    if (tables.empty()) return;
    const TableSort& ps = st_.pane_sort[static_cast<std::size_t>(Pane::cgroups)];
    CgroupPaneOrder order;
    order.tree = st_.cgroup_pane.tree;
    if (ps.set) order.column = ps.column;
    order.reverse = ps.reverse;
    order.utf8 = vs_.utf8;
    static const std::vector<CgroupSample> kNone;
    const Frame& f = pipeline_.frame();
    CgroupPane pane =
        order_cgroup_pane(std::move(tables.front()), f.cur ? f.cur->machine.cgroups : kNone, order);
    pane_tables_.push_back(std::move(pane.table));
    cgroup_paths_ = std::move(pane.paths);
}

void Controller::rebuild() {
    // What the shown columns need fetched per row (the state letter), from now on.
    if (live_) live_->want_row_state(view_needs_row_state(vs_));
    // The cgroup walk while CGROUP is shown (from the next sample on).
    if (live_ && view_needs_cgroups(vs_)) live_->want_sections(wanted_sections());
    build_pane();
    const ScreenPlan plan = plan_screen(screen_input(), term_.width(), term_.height());
    st_.page_rows = std::max<std::size_t>(plan.task_rows, 1);
    st_.help_page = help_page_rows(term_.height());
    if (st_.pane == Pane::cgroups) {
        st_.cgroup_pane.page_rows =
            std::max<std::size_t>(pane_first_table_rows(pane_tables_, plan.pane_lines), 1);
        follow_cgroup_selection(st_.cgroup_pane, cgroup_paths_);
    }
    auto take = [&](Table t) {
        table_ = std::move(t);
        ids_.clear();
        starts_.clear();
        for (const RowRef& r : table_.refs) {
            ids_.push_back(r.id);
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

namespace {

// Blocks the signals the loop handles and delivers them through a file descriptor, so no
// handler ever runs in the middle of curses. Restores the old mask when destroyed.
class SignalFd {
  public:
    SignalFd() {
        sigemptyset(&set_);
        for (int s : {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT}) sigaddset(&set_, s);
        sigprocmask(SIG_BLOCK, &set_, &old_);
        fd_ = UniqueFd(signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC));
    }
    ~SignalFd() {
        fd_.reset();
        sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;
    int fd() const { return fd_.get(); }
    // The next pending signal, or 0.
    int next() {
        signalfd_siginfo si{};
        if (read(fd_.get(), &si, sizeof si) != static_cast<ssize_t>(sizeof si)) return 0;
        return static_cast<int>(si.ssi_signo);
    }

  private:
    sigset_t set_{}, old_{};
    UniqueFd fd_;
};

// The top set by width, unless --columns chose the columns or --sort a column the top set
// lacks (then iotop's eight, sorted as asked).
bool top_when_wide(const Options& o) {
    if (!o.view.columns.empty()) return false;
    const std::span<const ColumnId> top = column_set(ColumnSet::top);
    return !o.sort_given || std::find(top.begin(), top.end(), o.view.sort) != top.end();
}

// ionice, renice and kill on the live system.
class LiveTaskActions final : public TaskActions {
  public:
    explicit LiveTaskActions(const FsRoot& proc) : proc_(proc) {}
    std::string ionice(pid_t id, bool whole_process, IoPrio prio) override {
        return set_task_ioprio(proc_, id, whole_process, prio);
    }
    std::string renice(pid_t id, bool whole_process, int nice) override {
        return set_task_nice(proc_, id, whole_process, nice);
    }
    std::string signal(pid_t id, int sig) override { return send_task_signal(id, sig); }

  private:
    const FsRoot& proc_;
};

// The inspector pane's reads: inspect_process() on the live /proc (or --proc-root's tree).
class LiveProcessReader final : public ProcessReader {
  public:
    LiveProcessReader(const FsRoot& proc, bool live) : proc_(proc), live_(live) {}
    Result<ProcessInfo> read(pid_t pid) override {
        // Not the threads' /proc files: the pane shows the task table's rows of them.
        const InspectContext ctx{proc_, live_, system_clock(), users_, false};
        return inspect_process(ctx, pid);
    }

  private:
    const FsRoot& proc_;
    bool live_;
    UserNames users_;
};

int run_view(ControllerSetup setup, bool color) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        say("the full-screen view needs a terminal on stdin and stdout; use -b for batch mode");
        return kExitUsage;
    }
    SignalFd sigs;
    if (sigs.fd() < 0) {
        say("cannot create a signalfd");
        return kExitRuntime;
    }
    auto term = open_curses_terminal(color);
    if (!term) {
        const std::string& ignored = ignored_terminal_environment();
        say(term.error().message +
            (ignored.empty() ? std::string()
                             : "; " + ignored +
                                   " ignored: vigil runs with privileges, so it reads only the "
                                   "system's terminal descriptions"));
        return kExitUsage;
    }
    std::unique_ptr<Terminal> owned = std::move(*term);  // restored on every way out
    setup.terminal = owned.get();
    Controller c(setup);
    c.start();
    for (;;) {
        pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sigs.fd(), POLLIN, 0}};
        const int n = poll(fds, 2, c.timeout_ms());
        if (n < 0 && errno != EINTR) return kExitRuntime;
        if (fds[1].revents & POLLIN) {
            // SIGINT, SIGTERM, SIGHUP: 128 + N once the terminal is restored (vigil(8)).
            while (int sig = sigs.next())
                if (!c.signal(sig)) return kExitSignal + sig;
        }
        if (fds[0].revents & (POLLHUP | POLLERR)) return kExitOk;  // the terminal went away
        if ((fds[0].revents & POLLIN) && !c.input()) return kExitOk;
        if (!c.tick()) return kExitOk;
    }
}

// --replay FILE without -b: the view over the recording.
int run_replay_view(const Options& o) {
    int opened = kExitOk;
    std::unique_ptr<RecordReader> reader = open_replay(o, opened);
    if (!reader) return opened;
    RecordReader& r = *reader;
    const ReplaySpan span = replay_span(o, r);
    if (auto bad = check_replay_span(o, span)) return *bad;
    ReplaySource source(r, span.from_ns, span.to_ns);
    if (!source.go(0)) return say_nothing_to_replay(o, r, span);
    ControllerSetup setup;
    setup.replay = &source;
    setup.view = view_from_options(o);
    setup.machine = o.machine;
    setup.iterations = o.iterations;
    for (const RecordDamage& d : r.damage()) setup.notices.push_back(r.describe(d));
    // Played at the pace it was recorded at, unless -d says otherwise.
    setup.delay_s = replay_delay_s(o, r);
    setup.top_when_wide = top_when_wide(o);
    int status = run_view(setup, !o.no_color);
    // The damage again where it stays readable, after the screen is restored.
    for (const RecordDamage& d : r.damage()) say(r.describe(d));
    if (status == kExitOk && !r.damage().empty()) status = kExitDamaged;
    return status;
}

}  // namespace

int run_interactive(const Options& o) {
    if (!o.replay_path.empty()) return run_replay_view(o);
    auto session = open_session(o);
    if (!session) {
        say(session.error().message);
        return kExitUsage;
    }
    std::unique_ptr<RecordWriter> recorder;
    std::vector<std::string> record_notices;
    int status = kExitOk;
    if (!open_recording(o, record_notices, recorder, status)) return status;
    for (const auto& n : record_notices) session->notices.push_back(n);
    Sampler& sampler = *session->sampler;
    // The sections are narrowed to what the screen shows once the view starts.
    sampler.set_machine_collector(std::make_unique<MachineCollector>(
        *session->roots, overview_mask({kAllSections.begin(), kAllSections.end()}), session->live));
    std::unique_ptr<MetricsServer> server;
    if (o.listen) {
        server = start_metrics_server(o);
        if (!server) return kExitRuntime;
        session->notices.push_back("serving metrics at " + server->url());
    }
    LiveSource source(sampler);
    std::optional<Exporter> exporter;
    if (server) exporter.emplace(*server, session->roots->proc, o.export_top);
    LiveTaskActions actions(session->roots->proc);
    LiveProcessReader inspector(session->roots->proc, session->roots->live());
    ControllerSetup setup;
    setup.live = &source;
    setup.view = session->view;
    setup.machine = o.machine;
    setup.notices = session->notices;
    setup.delay_s = o.delay_s;
    setup.iterations = o.iterations;
    setup.recorder = recorder.get();
    setup.actions = &actions;
    setup.inspector = &inspector;
    setup.exporter = exporter ? &*exporter : nullptr;
    setup.top_when_wide = top_when_wide(o);
    return run_view(setup, !o.no_color);
}

}  // namespace vigil
