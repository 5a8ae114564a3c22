// The event loop of the full-screen view: one thread, ppoll on the terminal and a signalfd,
// with the time left to the next sample as timeout. Keys re-render at once from the last
// sample; only the clock triggers a new sample.
#include "vigil/app/controller.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "vigil/ui/terminal.hpp"
#include "vigil/app/app.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/replay_cursor.hpp"
#include "vigil/collect/task_actions.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/format.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/ui/overview_layout.hpp"
#include "vigil/model/rates.hpp"
#include "vigil/model/table_model.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

namespace vigil {
namespace {

// Blocks the signals the loop handles and delivers them through a file descriptor, so no
// handler ever runs in the middle of curses. Restores the old mask when destroyed.
class SignalFd {
public:
    SignalFd() {
        sigemptyset(&set_);
        for (int s : {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT}) sigaddset(&set_, s);
        sigprocmask(SIG_BLOCK, &set_, &old_);
        fd_ = signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC);
    }
    ~SignalFd() {
        if (fd_ >= 0) close(fd_);
        sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;
    int fd() const { return fd_; }
    // The next pending signal, or 0.
    int next() {
        signalfd_siginfo si{};
        if (read(fd_, &si, sizeof si) != static_cast<ssize_t>(sizeof si)) return 0;
        return static_cast<int>(si.ssi_signo);
    }

private:
    sigset_t set_{}, old_{};
    int fd_ = -1;
};

std::string describe_prio(IoPrio p) { return format_ioprio(p, 0); }

class View {
public:
    // replay: the recording to show instead of the live system (s then has no sampler).
    // recorder: where live samples are also written (--record), or null.
    View(Session& s, const Options& o, ReplayCursor* replay = nullptr,
         RecordWriter* recorder = nullptr)
        : s_(s), o_(o), vs_(s.view), replay_(replay), recorder_(recorder) {
        st_.delay_s = o.delay_s;
        st_.paused = replay != nullptr;  // a replay opens on its first sample, paused
        st_.replay = replay != nullptr;
        if (replay) replay_details_.emplace(replay->reader());
    }

    int run() {
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
            fmt::print(stderr, "vigil: the full-screen view needs a terminal on stdin and stdout; "
                               "use -b for batch mode\n");
            return kExitUsage;
        }
        SignalFd sigs;
        if (sigs.fd() < 0) {
            fmt::print(stderr, "vigil: cannot create a signalfd\n");
            return kExitRuntime;
        }
        auto term = open_curses_terminal(!o_.no_color);
        if (!term) {
            fmt::print(stderr, "vigil: {}\n", term.error().message);
            return kExitUsage;
        }
        term_ = term->get();
        auto owned = std::move(*term);  // destroyed (terminal restored) on every return path

        // The overview above the tasks, and the pane shown: only those sections are read
        // (a recording keeps them all).
        if (s_.sampler)
            s_.sampler->set_machine_collector(
                std::make_unique<MachineCollector>(*s_.roots, wanted_sections(), s_.live));

        // First frame at once from a baseline sample; the first rates after a short
        // interval, then every delay.
        if (replay_) {
            show_replayed(false);
        } else {
            // The first frame has no rates: every row reads '?' and they come in id order.
            // At 10 000 threads a full sweep is most of its time, so it asks taskstats only
            // about the rows a screen holds; the baseline for the first rates follows at once.
            const bool first_look = quick_first_frame();
            if (first_look) {
                s_.sampler->sample_first(cur_, 2 * (static_cast<std::size_t>(term_->height()) + 1));
                mrates_ = compute_machine_rates(cur_.machine, cur_.machine);
                rates_ = compute_rates(cur_, cur_);
                rebuild();
                paint();
            }
            s_.sampler->sample(cur_);
            mrates_ = compute_machine_rates(cur_.machine, cur_.machine);
            rates_ = compute_rates(cur_, cur_);
            rebuild();
            record(nullptr);
        }
        paint();
        double next = steady_now_s() + std::min(st_.delay_s, 0.5);
        bool soon = false;  // the sample after next comes early (a pane was just opened)
        long refreshes = 0;

        for (;;) {
            double now = steady_now_s();
            int timeout_ms = -1;
            if (!st_.paused) timeout_ms = std::max(0, static_cast<int>(std::ceil((next - now) * 1000)));
            pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sigs.fd(), POLLIN, 0}};
            int n = poll(fds, 2, timeout_ms);
            if (n < 0 && errno != EINTR) return kExitRuntime;
            bool dirty = false;

            if (fds[1].revents & POLLIN) {
                while (int sig = sigs.next()) {
                    if (sig == SIGWINCH) {
                        term_->resize_from_tty();
                        rebuild();
                        dirty = true;
                    } else if (sig == SIGTSTP) {
                        term_->suspend();
                        dirty = true;
                    } else if (sig == SIGCONT) {
                        term_->resize_from_tty();
                        dirty = true;
                    } else {
                        return kExitOk;  // SIGINT, SIGTERM, SIGHUP: leave cleanly
                    }
                }
            }
            if (fds[0].revents & (POLLHUP | POLLERR)) return kExitOk;  // the terminal went away
            if (fds[0].revents & POLLIN) {
                Event ev;
                const Pane pane = st_.pane;
                while (term_->read_event(ev)) {
                    Effect e = dispatch(ev);
                    if (e.quit) return kExitOk;
                    if (e.action) act(*e.action);
                    if (e.rebuild || e.action) rebuild();
                    dirty = dirty || e.redraw || e.rebuild || e.action.has_value();
                }
                if (st_.pane != pane && show_pane()) {
                    // The pane's section was not read: a sample now, its rates soon after.
                    next = steady_now_s();
                    soon = true;
                }
            }
            now = steady_now_s();
            if (!st_.paused && now >= next) {
                sample();
                ++refreshes;
                dirty = true;
                // Keep the cadence; if sampling fell behind (a suspended terminal), restart it.
                next += soon ? std::min(st_.delay_s, 0.5) : st_.delay_s;
                if (next <= now) next = now + st_.delay_s;
                soon = false;
            }
            if (dirty) paint();
            if (o_.iterations && refreshes >= *o_.iterations) return kExitOk;
        }
    }

private:
    // Whether the rows of a first frame (no rates yet) are the lowest ids, which is what
    // Sampler::sample_first knows: not when filters need every task's user or command, or
    // the sort is by a text column.
    bool quick_first_frame() const {
        return vs_.pids.empty() && vs_.uids.empty() && !vs_.filter.active() && !vs_.only_active &&
               column(vs_.sort).numeric && !recorder_;
    }

    // The machine sections the screen shows: the overview's, and the pane's. A recording
    // keeps every one.
    SectionMask wanted_sections() const {
        SectionMask m =
            section_bit(Section::cpu) | section_bit(Section::mem) | section_bit(Section::psi);
        if (recorder_) {
            for (Section sec : kAllSections)
                if (sec != Section::tasks) m |= section_bit(sec);
        }
        switch (st_.pane) {
            case Pane::tasks: break;
            case Pane::disks: m |= section_bit(Section::disks); break;
            case Pane::fs: m |= section_bit(Section::fs); break;
            case Pane::net: m |= section_bit(Section::net); break;
            case Pane::sensors: m |= section_bit(Section::sensors); break;
        }
        return m;
    }

    // After the pane changed: whether its section must now be read, and is from now on.
    bool show_pane() {
        if (replay_ || !s_.sampler || !s_.sampler->machine_collector()) return false;
        MachineCollector& mc = *s_.sampler->machine_collector();
        const SectionMask want = wanted_sections();
        const bool missing = (want & ~mc.sections()) != 0;
        mc.set_sections(want);
        if (!missing || !st_.paused) return missing;
        // Paused: the pane's figures as they are now, without new task rows.
        mc.collect(cur_.machine);
        mrates_ = compute_machine_rates(prev_.machine, cur_.machine);
        rebuild();
        return false;
    }

    Effect dispatch(const Event& ev) {
        if (ev.key == Key::mouse) {
            ClickTarget t = hit_test(layout_, st_, ev.x, ev.y);
            return apply_click(t, vs_, st_, row_ids());
        }
        double delay = st_.delay_s;
        Effect e = handle_event(ev, vs_, st_, row_ids());
        if (st_.delay_s != delay) {
            st_.notice = fmt::format("refresh every {:g} s", st_.delay_s);
        }
        if (e.replay && replay_) move_in_recording(*e.replay);
        if (e.users) set_users(*e.users, e);
        return e;
    }

    // 'u': the user database is asked here, not in the key map (NSS may be remote).
    void set_users(const std::vector<std::string>& names, Effect& e) {
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

    RowDetails& details() {
        if (replay_details_) return *replay_details_;
        return *s_.sampler;
    }

    // Appends the live sample to --record FILE; an error ends the recording, not the view.
    void record(const Rates* rates) {
        if (!recorder_) return;
        auto ok = record_sample(*recorder_, cur_, rates, *s_.sampler);
        if (!ok) {
            st_.notice = "recording stopped: " + ok.error().message;
            recorder_ = nullptr;
        }
    }

    // Shows the cursor's sample. continuing: it follows the one shown (playing), so -a
    // sums go on; after a jump they start again.
    void show_replayed(bool continuing) {
        prev_ = replay_->prev();
        cur_ = replay_->cur();
        rates_ = compute_rates(prev_, cur_);
        mrates_ = compute_machine_rates(prev_.machine, cur_.machine);
        if (!continuing) acc_ = Accumulator{};
        acc_.add(cur_, rates_);
        rebuild();
    }

    void move_in_recording(const ReplayMove& m) {
        bool moved = false;
        switch (m.kind) {
            case ReplayMove::Kind::samples:
                moved = replay_->step(m.samples);
                if (!moved) st_.notice = m.samples < 0 ? "start of the recording" : "end of the recording";
                break;
            case ReplayMove::Kind::seconds:
                moved = replay_->go_to_time(replay_->wall_ns() +
                                            static_cast<std::int64_t>(m.seconds * 1e9));
                break;
            case ReplayMove::Kind::time: {
                const std::int64_t ref = m.at.kind == TimeSpec::Kind::offset ? replay_->wall_ns()
                                                                             : replay_->start_wall_ns();
                moved = replay_->go_to_time(resolve_time(m.at, ref));
                break;
            }
        }
        if (moved) show_replayed(m.kind == ReplayMove::Kind::samples && m.samples == 1);
    }

    RowIds row_ids() const { return RowIds{ids_, model_.matched_rows}; }

    void sample() {
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
        std::swap(prev_, cur_);
        s_.sampler->sample(cur_);
        rates_ = compute_rates(prev_, cur_);
        mrates_ = compute_machine_rates(prev_.machine, cur_.machine);
        acc_.add(cur_, rates_);
        rebuild();
        record(&rates_);
    }

    ScreenInput screen_input() {
        ScreenInput in;
        in.model = &model_;
        in.view = &vs_;
        in.state = &st_;
        in.threads = cur_.tasks.size();
        in.processes = static_cast<std::size_t>(std::count_if(
            cur_.tasks.begin(), cur_.tasks.end(), [](const TaskSample& t) { return t.tid == t.tgid; }));
        in.notices = s_.notices;
        if (replay_)
            in.time_label = fmt::format("replay {} ({}/{})", format_date_time(cur_.wall_ns),
                                        replay_->position() + 1, replay_->count());
        else if (cur_.wall_ns)
            in.time_label = format_clock(cur_.wall_ns);
        overview_.machine = &cur_.machine;
        overview_.rates = &mrates_;
        overview_.per_core = st_.per_core;
        in.overview = &overview_;
        if (st_.pane != Pane::tasks) in.pane = &pane_tables_;
        return in;
    }

    void build_pane() {
        pane_tables_.clear();
        Section sec = Section::disks;
        switch (st_.pane) {
            case Pane::tasks: return;
            case Pane::disks: sec = Section::disks; break;
            case Pane::fs: sec = Section::fs; break;
            case Pane::net: sec = Section::net; break;
            case Pane::sensors: sec = Section::sensors; break;
        }
        pane_tables_ = build_section_tables(sec, cur_.machine, mrates_, MachineView{});
        const TableSort& ps = st_.pane_sort[static_cast<std::size_t>(st_.pane)];
        if (ps.set && !pane_tables_.empty()) sort_rows(pane_tables_.front(), ps.column, ps.reverse);
    }

    void rebuild() {
        build_pane();
        st_.page_rows = std::max<std::size_t>(
            plan_screen(screen_input(), term_->width(), term_->height()).task_rows, 1);
        for (int pass = 0; pass < 2; ++pass) {
            std::size_t want = std::max(st_.scroll, st_.selected_index) + st_.page_rows + 1;
            model_ = build_table(cur_, rates_, &acc_, vs_, details(), want);
            ids_.clear();
            for (const Row& r : model_.rows) ids_.push_back(r.id);
            std::size_t before = st_.scroll;
            // The selected task moved past the rows built: build them all once to find it.
            bool lost = st_.selected && model_.rows.size() < model_.matched_rows &&
                        std::find(ids_.begin(), ids_.end(), *st_.selected) == ids_.end();
            if (lost && pass == 0) {
                model_ = build_table(cur_, rates_, &acc_, vs_, details());
                ids_.clear();
                for (const Row& r : model_.rows) ids_.push_back(r.id);
            }
            follow_selection(st_, row_ids());
            if (st_.scroll == before) break;  // else the rows wanted moved: build once more
        }
        st_.target_label.clear();
        for (const Row& r : model_.rows) {
            if (st_.selected && r.id == *st_.selected) {
                st_.target_label = r.cell(ColumnId::command).text.substr(0, 40);
                break;
            }
        }
    }

    void act(const TaskAction& a) {
        if (replay_) {
            st_.notice = "this is a recording: ionice and signals act on live tasks only";
            return;
        }
        std::string err;
        if (a.kind == TaskAction::Kind::ionice) {
            err = set_task_ioprio(s_.roots->proc, a.pid, a.whole_process, a.prio);
            if (err.empty()) {
                st_.notice = fmt::format("ionice {} set for {} {}", describe_prio(a.prio), a.pid, a.label);
                // Show the new priority at once: fetch it again for the rows shown.
                for (TaskSample& t : cur_.tasks) {
                    if (t.tid == a.pid || (a.whole_process && t.tgid == a.pid)) t.ioprio.reset();
                }
            }
        } else {
            err = send_task_signal(a.pid, a.signal);
            if (err.empty()) {
                st_.notice = fmt::format("signal {} sent to {} {}", a.signal, a.pid, a.label);
            }
        }
        if (!err.empty()) st_.notice = err;
    }

    void paint() {
        layout_ = layout_screen(screen_input(), term_->width(), term_->height());
        term_->paint(layout_);
    }

    Session& s_;
    const Options& o_;
    ViewState vs_;
    InteractiveState st_;
    Terminal* term_ = nullptr;
    Snapshot prev_, cur_;
    Rates rates_;
    MachineRates mrates_;
    OverviewInput overview_;
    std::vector<SectionTable> pane_tables_;
    Accumulator acc_;
    TableModel model_;
    std::vector<pid_t> ids_;
    ScreenLayout layout_;
    ReplayCursor* replay_ = nullptr;
    std::optional<ReplayDetails> replay_details_;
    RecordWriter* recorder_ = nullptr;
};

// --replay FILE without -b: the view over the recording.
int run_replay_view(const Options& o) {
    bool format_error = false;
    auto reader = RecordReader::open(o.replay_path, &format_error);
    if (!reader) {
        fmt::print(stderr, "vigil: {}\n", reader.error().message);
        return format_error ? kExitUsage : kExitRuntime;
    }
    ReplayCursor cursor(**reader);
    if (!cursor.go(0)) {
        fmt::print(stderr, "vigil: {}: no sample to show (a sample needs the one before it)\n",
                   o.replay_path);
        for (const RecordDamage& d : (*reader)->damage())
            fmt::print(stderr, "vigil: {}\n", (*reader)->describe(d));
        return (*reader)->damage().empty() ? kExitRuntime : kExitDamaged;
    }
    Session session;
    session.view = o.view;
    session.live = false;
    for (const RecordDamage& d : (*reader)->damage()) session.notices.push_back((*reader)->describe(d));
    // Played at the pace it was recorded at, unless -d says otherwise.
    Options played = o;
    const auto& sessions = (*reader)->sessions();
    const SampleEntry& first = (*reader)->samples()[0];
    if (!o.delay_given && first.session < sessions.size() && sessions[first.session].info.interval_s > 0)
        played.delay_s = sessions[first.session].info.interval_s;
    View view(session, played, &cursor);
    int status = view.run();
    // The damage again where it stays readable, after the screen is restored.
    for (const RecordDamage& d : (*reader)->damage()) fmt::print(stderr, "vigil: {}\n", (*reader)->describe(d));
    if (status == kExitOk && !(*reader)->damage().empty()) status = kExitDamaged;
    return status;
}

}  // namespace

int run_interactive(const Options& o) {
    if (!o.replay_path.empty()) return run_replay_view(o);
    auto session = open_session(o);
    if (!session) {
        fmt::print(stderr, "vigil: {}\n", session.error().message);
        return kExitUsage;
    }
    std::unique_ptr<RecordWriter> recorder;
    if (!o.record_path.empty()) {
        std::vector<std::string> notices;
        int status = kExitOk;
        auto w = open_recording(o, notices, status);
        for (const auto& n : notices) session->notices.push_back(n);
        if (!w) {
            fmt::print(stderr, "vigil: {}\n", w.error().message);
            return status;
        }
        recorder = std::move(*w);
    }
    View view(*session, o, nullptr, recorder.get());
    return view.run();
}

}  // namespace vigil
