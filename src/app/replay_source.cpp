#include "vigil/app/replay_source.hpp"

#include <algorithm>

namespace vigil {

ReplaySource::ReplaySource(RecordReader& r, std::int64_t from_ns, std::int64_t to_ns)
    : r_(r), from_ns_(from_ns), to_ns_(to_ns) {
    const auto& s = r_.samples();
    for (std::size_t i = 1; i < s.size(); ++i)
        if (s[i].wall_ns >= from_ns && s[i].wall_ns <= to_ns && s[i].decodable &&
            s[i - 1].decodable && s[i - 1].session == s[i].session)
            shown_.push_back(i);
}

std::size_t ReplaySource::sample_index() const {
    return shown_.empty() ? 0 : shown_[pos_];
}

std::int64_t ReplaySource::start_wall_ns() const {
    return r_.samples().empty() ? 0 : r_.samples().front().wall_ns;
}

std::int64_t ReplaySource::wall_ns() const {
    return shown_.empty() ? 0 : r_.samples()[shown_[pos_]].wall_ns;
}

std::int64_t ReplaySource::first_wall_ns() const {
    return shown_.empty() ? 0 : r_.samples()[shown_.front()].wall_ns;
}

std::int64_t ReplaySource::last_wall_ns() const {
    return shown_.empty() ? 0 : r_.samples()[shown_.back()].wall_ns;
}

std::optional<double> ReplaySource::recorded_interval_s() const {
    if (!loaded_) return std::nullopt;
    const auto& sessions = r_.sessions();
    if (session_ < sessions.size() && valid_interval(sessions[session_].info.interval_s))
        return sessions[session_].info.interval_s;
    const double gap = cur_.steady_s - prev_.steady_s;
    return gap > 0 ? std::optional<double>(gap) : std::nullopt;
}

bool ReplaySource::load(std::size_t p) {
    const std::size_t i = shown_[p];
    // Reading i-1 then i keeps the decoder sequential; from the sample after, i-1 is prev.
    // Both are read aside first: a sample that turns out to be damaged leaves the pair
    // shown (which a Frame points at) as it was.
    if (!r_.read(i - 1, next_prev_, next_prev_details_) || !r_.read(i, next_cur_, next_details_))
        return false;
    std::swap(prev_, next_prev_);
    std::swap(prev_details_, next_prev_details_);
    std::swap(cur_, next_cur_);
    std::swap(details_, next_details_);
    const std::uint32_t session = r_.samples()[i].session;
    same_session_ = loaded_ && session == session_;
    session_ = session;
    loaded_ = true;
    pos_ = p;
    return true;
}

bool ReplaySource::go(std::size_t p, int direction) {
    if (shown_.empty()) return false;
    p = std::min(p, shown_.size() - 1);
    for (;;) {
        if (load(p)) return true;
        if (direction >= 0 ? p + 1 >= shown_.size() : p == 0) return false;
        p = direction >= 0 ? p + 1 : p - 1;
    }
}

bool ReplaySource::step(long n) {
    if (shown_.empty()) return false;
    const long target = static_cast<long>(pos_) + n;
    if (target < 0 || target >= static_cast<long>(shown_.size())) return false;
    if (n == 1 && loaded_ && shown_[pos_ + 1] == shown_[pos_] + 1) {
        // The common case while playing: the shown sample becomes the previous one.
        std::swap(prev_, cur_);
        std::swap(prev_details_, details_);
        if (r_.read(shown_[pos_ + 1], cur_, details_)) {
            ++pos_;
            const std::uint32_t session = r_.samples()[shown_[pos_]].session;
            same_session_ = session == session_;
            session_ = session;
            return true;
        }
        std::swap(prev_, cur_);
        std::swap(prev_details_, details_);
    }
    return go(static_cast<std::size_t>(target), n >= 0 ? 1 : -1);
}

bool ReplaySource::go_to_time(std::int64_t wall_ns) {
    const auto& s = r_.samples();
    if (shown_.empty()) return false;
    auto it = std::find_if(shown_.begin(), shown_.end(),
                           [&](std::size_t i) { return s[i].wall_ns >= wall_ns; });
    const std::size_t p =
        it == shown_.end() ? shown_.size() - 1 : static_cast<std::size_t>(it - shown_.begin());
    return go(p);
}

const std::string& ReplaySource::user_name(uid_t uid) {
    if (const std::string* name = details_.user_name(uid)) return *name;
    // Not recorded: the uid in decimal, as a live run shows a uid without a name.
    auto [it, inserted] = unknown_users_.try_emplace(uid);
    if (inserted) it->second = std::to_string(uid);
    return it->second;
}

}  // namespace vigil
