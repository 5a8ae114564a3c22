#include "vigil/sample/task_details.hpp"

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

}  // namespace vigil
