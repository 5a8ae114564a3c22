#include "vigil/app/source.hpp"

#include <utility>

#include "vigil/app/sampler.hpp"
#include "vigil/core/memory.hpp"

namespace vigil {

void LiveSource::sample() {
    // What the last round shrank after a peak (buffers of the sampler, the frame, the
    // recorder) goes back to the kernel; nothing to do, and no call, in the steady state.
    return_released_memory();
    if (has_cur_ && !first_look_) {
        std::swap(prev_, cur_);
        has_prev_ = true;
    } else {
        has_prev_ = false;
    }
    sampler_.sample(cur_);
    has_cur_ = true;
    first_look_ = false;
    details_.reset(cur_.tasks.size());
}

void LiveSource::sample_first(std::size_t rows) {
    sampler_.sample_first(cur_, rows);
    has_cur_ = true;
    has_prev_ = false;
    first_look_ = true;
    details_.reset(cur_.tasks.size());
}

bool LiveSource::want_sections(SectionMask sections) {
    MachineCollector* mc = sampler_.machine_collector();
    if (!mc) return false;
    const bool missing = (sections & ~mc->sections()) != 0;
    mc->set_sections(sections);
    return missing;
}

void LiveSource::resample_machine() {
    MachineCollector* mc = sampler_.machine_collector();
    if (!mc || !has_cur_) return;
    // The source replaces the machine part of its current snapshot with a new reading; the
    // caller remakes the frame at once (Pipeline::redo), so nothing holds figures of the old.
    mc->collect(cur_.machine);
}

void LiveSource::want_row_state(bool on) {
    if (row_state_ == on) return;
    const bool was_on = row_state_.value_or(false);
    row_state_ = on;
    sampler_.set_row_state(on);
    // The rows shown so far were fetched without it: fetch them again, with it.
    if (on && !was_on && has_cur_) details_.reset(cur_.tasks.size());
}

void LiveSource::want_thread_activity(bool on) {
    sampler_.set_thread_activity(on);
}

void LiveSource::enrich(std::span<const std::size_t> tasks, DetailParts parts) {
    sampler_.fetch_details(cur_, tasks, details_, parts);
}

void LiveSource::forget_details(pid_t id, bool whole_process) {
    // The kept values too: the next fetch reads the new ones, not those kept for the bound.
    sampler_.forget_prio(id, whole_process);
    for (std::size_t i = 0; i < cur_.tasks.size(); ++i) {
        const TaskSample& t = cur_.tasks[i];
        if (t.tid == id || (whole_process && t.tgid == id)) details_.forget(i);
    }
}

std::vector<std::string> LiveSource::take_notices() {
    return sampler_.take_notices();
}

const std::string& LiveSource::user_name(uid_t uid) {
    return sampler_.user_name(uid);
}

}  // namespace vigil
