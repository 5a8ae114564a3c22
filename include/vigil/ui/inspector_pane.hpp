// The view's process inspector (Enter on a task row): a full-screen pane over ONE process's
// ProcessInfo, read again at every refresh while it is open. This is its terminal-free part:
// the state, its keys (a pure state machine), the rates between two reads, and the screen
// lines. The controller (app) owns a pane, calls inspect_process() and hands it the result
// (InspectorPane::update / exited); the text of the sections is the one of vigil --inspect
// (inspect_section_lines), with the rates added to the CPU and I/O sections. The Threads
// section is the task table of the process's threads, which the controller builds from the
// sample it has (InspectorPane::set_threads).
//
// A refresh lays out again only the sections whose data changed: a process with thousands
// of open files keeps the lines of its open-files list until one of them changes.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/sample/process_info.hpp"
#include "vigil/ui/batch/inspect_writer.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

namespace vigil {

// What two reads of a process give that one cannot: rates over the time between them.
// Absent (shown as ?) on the first read, across a reused PID, or for a counter that was
// not read or went backwards.
struct InspectorRates {
    std::optional<double> cpu_pct, user_pct, system_pct;  // 100 = one CPU busy
    std::optional<double> read_bps, write_bps, rchar_bps, wchar_bps;
    bool operator==(const InspectorRates&) const = default;
};
// prev may be null (the first read); elapsed_s is the real time between the two reads.
InspectorRates inspector_rates(const ProcessInfo* prev, const ProcessInfo& cur, double elapsed_s);

// One line of the pane's content.
struct InspectorLine {
    // header: the thread table's column titles; hot: a thread row that did I/O.
    enum class Kind : std::uint8_t { text, title, problem, header, hot } kind = Kind::text;
    std::string text;
};

// The pane's content: the sections of vigil --inspect's text, with the rates after the
// CPU and I/O titles (and their problems).
std::vector<InspectorLine> inspector_lines(const ProcessInfo& info, const InspectorRates& rates,
                                           bool utf8, ByteUnits units);
// One section of it.
std::vector<InspectorLine> inspector_section_lines(const ProcessInfo& info, InspectSection section,
                                                   const InspectorRates& rates, bool utf8,
                                                   ByteUnits units);

// The Threads section: at most this many rows of the process's threads ("... N more").
inline constexpr std::size_t kInspectorThreadRows = 200;
// What the Threads section's task table shows: the view's columns, sort and units, one row
// per thread of process tgid, and no other filter.
ViewState inspector_thread_view(const ViewState& vs, pid_t tgid);
// The Threads section's lines from that table: its title, the column titles as the view's
// table has them, a row per thread (padded as the view's), and how many rows were left out.
std::vector<InspectorLine> inspector_thread_lines(const Table& threads, const ViewState& tv);

struct InspectorPane {
    bool open = false;
    pid_t pid = 0;                    // the process inspected (the TGID)
    std::optional<pid_t> thread;      // the thread selected in thread mode, if not the leader
    std::optional<ProcessInfo> info;  // the last read
    std::optional<double> read_at_s;  // steady clock of the last read
    InspectorRates rates;
    bool exited = false;  // the last read found the process gone: the content is the last state
    std::vector<InspectorLine> lines;
    // Where each section's lines start in `lines`, in kInspectSections' order; the last
    // entry is the end.
    std::array<std::size_t, kInspectSectionCount + 1> section_start{};
    // The Threads section shows the task table's rows (set_threads) instead of --inspect's.
    bool thread_rows = false;
    // Sections laid out since the pane opened (tests and bench/bench_inspector count them).
    std::size_t sections_laid_out = 0;
    std::size_t scroll = 0;            // first content line shown
    std::size_t hscroll = 0;           // screen columns of each line left out (Left / Right)
    std::size_t page_rows = 1;         // content lines the screen shows (set by the controller)
    bool searching = false;            // '/': typing the search text
    std::string input;                 // the text typed
    std::string search;                // the last search
    std::optional<std::size_t> match;  // the line found
    std::string notice;                // one line: "not found", ...
    bool utf8 = true;
    ByteUnits units = ByteUnits::human;

    // Opens the pane on a first read (taken at steady time now_s); utf8 and units stay.
    void open_on(pid_t tgid, std::optional<pid_t> tid, ProcessInfo first, double now_s);
    // A new read of the same PID at steady time now_s: the rates from the previous read.
    // Only the sections whose data (or rates) differ from the last read's are laid out again.
    void update(ProcessInfo next, double now_s);
    // The Threads section from a task table of the process's threads (inspector_thread_view's
    // rows, at most kInspectorThreadRows), at each refresh.
    void set_threads(const Table& threads, const ViewState& tv);
    // The process is gone: the last content stays, marked so.
    void mark_exited();
    void close();
    // Lays every section out again (after utf8 or units changed); the thread rows stay.
    void relayout();
};

// Content lines a screen of this height shows (title, status, hint lines taken off).
std::size_t inspector_page_rows(int height);

// A key while the pane is open. Esc and Backspace close it (Esc never quits); q and F10 quit
// vigil; the arrows, PgUp / PgDn and Home / End scroll (Left / Right sideways); Tab goes to
// the next section; / searches, n / N find the next / previous match; Space pauses; + and -
// change the interval; Ctrl-L redraws.
Effect handle_inspector_key(const Event& ev, InspectorPane& pane, InteractiveState& st);

// The pane on the whole screen: a title bar, a status line, the content from the scroll
// position, and a key hint (or the search prompt) at the bottom.
ScreenLayout layout_inspector(const InspectorPane& pane, const InteractiveState& st, int width,
                              int height);

}  // namespace vigil
