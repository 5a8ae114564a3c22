// The controller's panes: the machine sections the screen reads (wanted_sections), the device
// and cgroup panes' tables (build_pane), and the process inspector (Enter) read and refreshed.
// The rest of the Controller is in controller.cpp (and controller_replay.cpp).
#include <utility>
#include <vector>

#include "vigil/app/app.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/model/cgroup_pane.hpp"

namespace vigil {
namespace {

// The inspector pane's Threads section: the task table of the inspected process's threads,
// made from the pipeline's current frame like the view's table (the details fetched for
// those rows only), at most kInspectorThreadRows of them.
void show_inspector_threads(InspectorPane& pane, Pipeline& pipeline, const ViewState& vs) {
    const ViewState tv = inspector_thread_view(vs, pane.pid);
    pane.set_threads(pipeline.tasks(tv, kInspectorThreadRows), tv);
}

}  // namespace

namespace {

// The section a device pane shows (the tasks: none, cpu returned).
Section pane_section(Pane p) {
    switch (p) {
        case Pane::tasks:
            break;
        case Pane::disks:
            return Section::disks;
        case Pane::fs:
            return Section::fs;
        case Pane::net:
            return Section::net;
        case Pane::sensors:
            return Section::sensors;
        case Pane::cgroups:
            return Section::cgroups;
    }
    return Section::cpu;
}

}  // namespace

// The machine sections the screen shows: the overview's, and the open panes'. A recording
// keeps every one.
SectionMask Controller::wanted_sections() const {
    SectionMask m =
        section_bit(Section::cpu) | section_bit(Section::mem) | section_bit(Section::psi);
    if (recorder_ || exporter_) {
        for (Section sec : kAllSections)
            if (sec != Section::tasks) m |= section_bit(sec);
    }
    if (view_needs_cgroups(vs_)) m |= section_bit(Section::cgroups);  // CGROUP, --cgroup
    for (std::size_t i = 0; i < kPaneCount; ++i) {
        const auto p = static_cast<Pane>(i);
        if (p != Pane::tasks && pane_open(st_, p)) m |= section_bit(pane_section(p));
    }
    return m;
}

// After a pane opened: whether its section must now be read, and is from now on.
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

// The open panes' tables; the closed ones' are dropped (a pane opened again is made anew).
void Controller::build_pane() {
    for (std::size_t i = 0; i < kPaneCount; ++i) {
        const auto p = static_cast<Pane>(i);
        std::vector<Table>& tables = pane_tables_[i];
        tables.clear();
        if (p == Pane::tasks || !pane_open(st_, p)) continue;
        if (p == Pane::cgroups) {
            build_cgroup_pane();
            continue;
        }
        // The options that shape the tables (--partitions, --all-devices) as in batch mode.
        tables = pipeline_.section(pane_section(p), mv_);
        const TableSort& ps = st_.pane_sort[i];
        if (ps.set && !tables.empty()) sort_rows(tables.front(), ps.column, ps.reverse);
    }
    if (!pane_open(st_, Pane::cgroups)) cgroup_paths_.clear();
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
    pane_tables_[static_cast<std::size_t>(Pane::cgroups)].push_back(std::move(pane.table));
    cgroup_paths_ = std::move(pane.paths);
}

}  // namespace vigil
