#include "vigil/sample/task_details.hpp"

#include <algorithm>

namespace vigil {

void TaskDetails::reset(std::size_t tasks) {
    slot_.assign(tasks, 0);
    shrink_when_due(slot_, slot_guard_);
    // Its size is that of the last sample's (the rows fetched) until it is cleared.
    if (details_guard_.due(count_, details_.capacity(), sizeof(TaskDetail))) {
        std::vector<TaskDetail>().swap(details_);
        note_memory_released();
    }
    details_.clear();
    count_ = 0;
    users_.clear();
}

TaskDetail& TaskDetails::set(std::size_t task) {
    if (task >= slot_.size()) slot_.resize(task + 1, 0);
    if (!slot_[task]) {
        details_.emplace_back();
        slot_[task] = static_cast<std::uint32_t>(details_.size());
        ++count_;
    }
    return details_[slot_[task] - 1];
}

void TaskDetails::forget(std::size_t task) {
    if (task < slot_.size() && slot_[task]) {
        slot_[task] = 0;
        --count_;
    }
}

const std::string* TaskDetails::user_name(uid_t uid) const {
    auto it = users_.find(uid);
    return it == users_.end() ? nullptr : &it->second;
}

void TaskDetails::set_user_name(uid_t uid, std::string name) {
    users_[uid] = std::move(name);
}

void PrioCache::start_sample(double now_s) {
    if (last_s_ && now_s > *last_s_) bound_s_ = std::max(kPrioMaxAgeS, now_s - *last_s_);
    last_s_ = now_s;
    now_s_ = now_s;
    // An entry past the bound would be read again: it goes, and with it those of tasks gone
    // (a task is not looked up in the sample for it: at 30 000 rows that cost more than
    // the entries; a reused tid is told by its start time in get()).
    std::erase_if(entries_, [&](const auto& kv) {
        return !kv.second.fresh || now_s - kv.second.read_at_s > bound_s_;
    });
    // The buckets of a peak of rows shown go back once far fewer are kept.
    if (guard_.due(entries_.size(), entries_.bucket_count(), sizeof(void*))) {
        std::unordered_map<pid_t, Entry>(entries_.begin(), entries_.end()).swap(entries_);
        note_memory_released();
    }
}

void PrioCache::forget(pid_t id, bool whole_process) {
    std::erase_if(entries_, [&](const auto& kv) {
        return kv.first == id || (whole_process && kv.second.tgid == id);
    });
}

}  // namespace vigil
