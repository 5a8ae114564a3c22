#include "vigil/app/replay_source.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vigil {

ReplaySource::ReplaySource(RecordReader& r, std::int64_t from_ns, std::int64_t to_ns)
    : r_(&r), from_ns_(from_ns), to_ns_(to_ns), first_path_(r.path()) {
    add_shown(1);
}

ReplaySource::ReplaySource(std::unique_ptr<RecordReader> r, std::int64_t from_ns,
                           std::int64_t to_ns)
    : owned_(std::move(r)),
      r_(owned_.get()),
      from_ns_(from_ns),
      to_ns_(to_ns),
      first_path_(r_->path()) {
    add_shown(1);
}

// The samples from index from on that can be shown.
void ReplaySource::add_shown(std::size_t from) {
    const auto& s = r_->samples();
    for (std::size_t i = std::max<std::size_t>(from, 1); i < s.size(); ++i)
        if (s[i].wall_ns >= from_ns_ && s[i].wall_ns <= to_ns_ && s[i].decodable &&
            s[i - 1].decodable && s[i - 1].session == s[i].session)
            shown_.push_back(i);
    indexed_ = s.size();
}

FollowStep ReplaySource::follow() {
    FollowStep out;
    RecordReader& r = *r_;
    auto say_damage = [&] {
        for (; damage_said_ < r_->settled_damage(); ++damage_said_) {
            const RecordDamage& d = r_->damage()[damage_said_];
            out.lines.push_back(r_->describe(d));
            (d.newer_version ? out.newer_version : out.damaged) = true;
        }
    };
    if (!rotated_) {
        auto st = r.follow();
        if (!st) {
            out.state = FollowStep::State::ended;
            out.failed = true;
            out.lines.push_back(st.error().message);
            return out;
        }
        say_damage();
        const std::size_t before = shown_.size();
        add_shown(indexed_);
        switch (*st) {
            case FollowState::waiting:
                break;
            case FollowState::grown:
                break;
            case FollowState::rotated:
                rotated_ = true;
                next_path_ = r.next_file();
                out.lines.push_back(r.follow_note());
                break;
            case FollowState::closed:
            case FollowState::gone:
                out.lines.push_back(r.follow_note());
                out.state = FollowStep::State::ended;
                return out;
        }
        if (shown_.size() > before) out.state = FollowStep::State::more;
        if (!rotated_ || !at_end()) return out;
    } else if (!at_end()) {
        return out;
    }
    // Every sample of the rotated file was shown: on to the new one.
    bool format_error = false;
    auto next = RecordReader::open(next_path_, &format_error, kMaxDecodedSampleBytes, true);
    if (!next) {
        // Created, its header not written yet: try again at the next poll.
        if (format_error && ++reopen_tries_ < 3) return out;
        out.state = FollowStep::State::ended;
        out.failed = true;
        out.lines.push_back(next.error().message + "; following stops here");
        return out;
    }
    reopen_tries_ = 0;
    owned_ = std::move(*next);  // the old file is closed (a reader given by reference stays)
    r_ = owned_.get();
    rotated_ = false;
    switched_ = true;  // the pair shown is the old file's: the next step loads the new one's
    shown_.clear();
    pos_ = 0;
    damage_said_ = 0;
    add_shown(1);
    say_damage();
    out.state = FollowStep::State::more;
    out.lines.push_back(fmt::format("{}: following the new file, {}", first_path_, r_->path()));
    // Positions count in this file now; it is followed as the recording (its own rotation
    // is told by the path, which the writer keeps writing).
    r_->follow_as(first_path_);
    return out;
}

std::size_t ReplaySource::sample_index() const {
    return shown_.empty() ? 0 : shown_[pos_];
}

std::int64_t ReplaySource::start_wall_ns() const {
    return r_->samples().empty() ? 0 : r_->samples().front().wall_ns;
}

std::int64_t ReplaySource::wall_ns() const {
    return shown_.empty() ? 0 : r_->samples()[shown_[pos_]].wall_ns;
}

std::int64_t ReplaySource::first_wall_ns() const {
    return shown_.empty() ? 0 : r_->samples()[shown_.front()].wall_ns;
}

std::int64_t ReplaySource::last_wall_ns() const {
    return shown_.empty() ? 0 : r_->samples()[shown_.back()].wall_ns;
}

std::optional<double> ReplaySource::recorded_interval_s() const {
    if (!loaded_) return std::nullopt;
    const auto& sessions = r_->sessions();
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
    if (!r_->read(i - 1, next_prev_, next_prev_details_) || !r_->read(i, next_cur_, next_details_))
        return false;
    std::swap(prev_, next_prev_);
    std::swap(prev_details_, next_prev_details_);
    std::swap(cur_, next_cur_);
    std::swap(details_, next_details_);
    const std::uint32_t session = r_->samples()[i].session;
    same_session_ = loaded_ && !switched_ && session == session_;
    session_ = session;
    loaded_ = true;
    switched_ = false;
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
    // After a rotation nothing of the new file is shown yet: forward goes to its first.
    if (switched_)
        return n >= 1 && go(std::min(static_cast<std::size_t>(n - 1), shown_.size() - 1));
    const long target = static_cast<long>(pos_) + n;
    if (target < 0 || target >= static_cast<long>(shown_.size())) return false;
    if (n == 1 && loaded_ && shown_[pos_ + 1] == shown_[pos_] + 1) {
        // The common case while playing: the shown sample becomes the previous one.
        std::swap(prev_, cur_);
        std::swap(prev_details_, details_);
        if (r_->read(shown_[pos_ + 1], cur_, details_)) {
            ++pos_;
            const std::uint32_t session = r_->samples()[shown_[pos_]].session;
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
    const auto& s = r_->samples();
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
