// The full-screen view's controller: keys and the clock change the ViewState and the
// InteractiveState, the pipeline makes the tables from the source's last sample, and the
// screen layout is painted on a Terminal. It never includes curses: run_interactive() hands
// it the curses terminal, and tests a terminal of their own, with a clock they set.
#pragma once

#include <sys/types.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/app/exporter.hpp"
#include "vigil/app/options.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/app/replay_source.hpp"
#include "vigil/app/source.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/result.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/record/record_writer.hpp"
#include "vigil/sample/process_info.hpp"
#include "vigil/ui/inspector_pane.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/overview_layout.hpp"
#include "vigil/ui/screen_layout.hpp"
#include "vigil/ui/terminal.hpp"

namespace vigil {

// What the view does to live tasks (i, N and k). Each returns an empty string on success or
// a one-line reason for the notice line.
class TaskActions {
  public:
    virtual ~TaskActions() = default;
    virtual std::string ionice(pid_t id, bool whole_process, IoPrio prio) = 0;
    virtual std::string renice(pid_t id, bool whole_process, int nice) = 0;
    virtual std::string signal(pid_t id, int sig) = 0;
    // kernel.task_delayacct on or off (Ctrl-T); empty on success, else why not.
    virtual std::string delay_accounting(bool /*on*/) {
        return "delay accounting cannot be switched here";
    }
};

// What the inspector pane (Enter) reads of a process: inspect_process() on the live system,
// a test's script otherwise. An error: the process is not there (or not readable at all).
class ProcessReader {
  public:
    virtual ~ProcessReader() = default;
    virtual Result<ProcessInfo> read(pid_t pid) = 0;
};

// Everything a controller works with; the pointed-to objects must outlive it.
struct ControllerSetup {
    Terminal* terminal = nullptr;
    const Clock* clock = &system_clock();
    // Exactly one source: the live system (or a test's script) or a recording.
    SamplingSource* live = nullptr;
    ReplaySource* replay = nullptr;
    ViewState view;                    // from the options (-p PIDs that exist, utf8)
    MachineView machine;               // --partitions, --all-devices
    std::vector<std::string> notices;  // standing notices (privileges, delay accounting)
    double delay_s = 1.0;              // -d
    std::optional<long> iterations;    // -n: refreshes before it ends by itself
    RecordWriter* recorder = nullptr;  // --record: live samples are appended here
    TaskActions* actions = nullptr;    // null: i, N and k only say they cannot act
    // No --columns: the top set when the terminal is at least wide_view_width() wide, else
    // iotop's eight, until the user picks columns (C, 2, 3); again after a resize.
    bool top_when_wide = false;
    // The live source reports delays (taskstats). False (/proc/PID/io): SWAPIN, IO and
    // CPUDLY are unknown for every task, as with delay accounting off, and hidden alike.
    bool delays_reported = true;
    // Enter's process inspector; null: Enter says the inspector is not available.
    ProcessReader* inspector = nullptr;
    // --listen: each live sample is published to it (every overview section is read).
    Exporter* exporter = nullptr;
    // --replay --follow: start following the recording as it is written (F); the replay
    // source's reader must have been opened to follow (it is, in the view, always).
    bool follow = false;
};

class Controller {
  public:
    explicit Controller(const ControllerSetup& setup);

    // The first frame at once, from a baseline sample (a replay: its first sample).
    void start();
    // Milliseconds until the next sample is due (for poll); -1 while paused.
    int timeout_ms() const;
    // Reads every key and click the terminal has pending and acts on them. False: quit.
    bool input();
    // A signal taken from the loop's signalfd. False: quit (SIGINT, SIGTERM, SIGHUP).
    bool signal(int sig);
    // Takes the sample that is due, if one is; paints what changed. False: -n refreshes done.
    bool tick();

    // For tests: what the view shows.
    const ViewState& view() const { return vs_; }
    const InteractiveState& state() const { return st_; }
    const Table& table() const { return table_; }
    // The focused pane's tables (none while the tasks have the focus), and pane p's.
    const std::vector<Table>& pane() const { return pane(st_.pane); }
    const std::vector<Table>& pane(Pane p) const {
        return pane_tables_[static_cast<std::size_t>(p)];
    }
    const ScreenLayout& layout() const { return layout_; }
    const InspectorPane& inspector() const { return inspector_; }
    long refreshes() const { return refreshes_; }

  private:
    bool quick_first_frame() const;
    void choose_columns_by_width();
    void hide_unknown_delay_columns();
    void switch_delay_accounting();
    void restore_sort_after_hiding();
    SectionMask wanted_sections() const;
    bool open_pane_section();
    Effect dispatch(const Event& ev);
    void set_users(const std::vector<std::string>& names, Effect& e);
    void record();
    void show_replayed(bool continuing);
    void move_in_recording(const ReplayMove& m);
    bool go_to_time(std::int64_t wall_ns);
    // Following: what the writer appended, and the view at its last sample.
    void follow_recording();
    void stop_following(std::string why);
    RowIds row_ids() const {
        return RowIds{ids_, table_.matched_rows, starts_, cgroup_paths_, pids_};
    }
    void sample();
    // A live sample, the frame of it, and --listen's publication.
    void live_sample();
    void take_notices();
    ScreenInput screen_input();
    void build_pane();
    void build_cgroup_pane();
    void rebuild();
    void act(const TaskAction& a);
    void open_inspector();
    void refresh_inspector();
    void paint();

    Terminal& term_;
    const Clock& clock_;
    SamplingSource* live_;
    ReplaySource* replay_;
    SnapshotSource& source_;
    Pipeline pipeline_;
    ViewState vs_;
    MachineView mv_;
    std::vector<std::string> notices_;
    std::optional<long> iterations_;
    RecordWriter* recorder_;
    Exporter* exporter_;
    TaskActions* actions_;
    ProcessReader* reader_;
    bool top_when_wide_;
    bool delays_reported_;
    // While hide_unknown_delay_columns hides the delay columns: the columns as they were
    // (empty: none hidden), and the sort it fell back from and to.
    std::vector<ColumnId> delay_hidden_from_;
    std::optional<std::pair<ColumnId, bool>> sort_before_hiding_;
    std::pair<ColumnId, bool> sort_while_hidden_{ColumnId::io, false};
    bool told_delays_hidden_ = false;
    std::string hidden_titles_;  // "SWAPIN, IO": what the notices name

    InteractiveState st_;
    Table table_;
    std::vector<pid_t> ids_;
    std::vector<pid_t> pids_;            // the rows' processes
    std::vector<std::uint64_t> starts_;  // the rows' start times (a tree node is id + start)
    std::array<std::vector<Table>, kPaneCount> pane_tables_;  // by Pane: the open ones'
    std::vector<std::string> cgroup_paths_;  // the cgroup pane's rows' paths, in its order
    OverviewInput overview_;
    ScreenLayout layout_;
    double next_s_ = 0;   // steady clock: when the next sample is due
    bool soon_ = false;   // the sample after next comes early (a pane was just opened)
    bool dirty_ = false;  // something changed since the last paint
    long refreshes_ = 0;
    // Mode::inspector: the process shown, read at every refresh.
    InspectorPane inspector_;
    // F, --follow: the replay stays at the recording's end as the writer appends to it.
    bool following_ = false;
};

// Runs the interactive view until q, -n refreshes, or SIGINT/SIGTERM/SIGHUP; the terminal
// is restored on every way out. Returns the exit status: kExitSignal + N after signal N
// (main() then ends by it).
int run_interactive(const Options& o);

}  // namespace vigil
