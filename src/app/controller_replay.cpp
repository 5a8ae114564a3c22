// The controller in a replay: moving in the recording (, . [ ] g) and following one that is
// still being written (F, --follow). The rest of the Controller is in controller.cpp.
#include <fmt/format.h>
#include <string>
#include <utility>

#include "vigil/app/controller.hpp"
#include "vigil/app/replay_source.hpp"
#include "vigil/core/time_spec.hpp"

namespace vigil {

// Shows the replay's sample. continuing: it follows the one shown (playing), so -a sums go
// on; after a jump they start again.
void Controller::show_replayed(bool continuing) {
    pipeline_.advance(continuing);
    rebuild();
}

void Controller::move_in_recording(const ReplayMove& m) {
    bool moved = false;
    if (m.kind == ReplayMove::Kind::follow) {
        if (!following_) {
            following_ = true;
            st_.paused = false;
            st_.notice = "following the recording as it is written (, [ g Space leave)";
            follow_recording();
            next_s_ = clock_.steady_s() + st_.delay_s;
        }
        return;
    }
    // Any other move leaves the end: no longer following.
    if (following_) stop_following("not following the recording any more");
    switch (m.kind) {
        case ReplayMove::Kind::follow:
            break;
        case ReplayMove::Kind::samples:
            moved = replay_->step(m.samples);
            if (!moved)
                st_.notice = m.samples < 0 ? "start of the recording" : "end of the recording";
            break;
        case ReplayMove::Kind::seconds:
            moved = go_to_time(offset_time_ns(replay_->wall_ns(), m.seconds));
            break;
        case ReplayMove::Kind::time:
            moved = go_to_time(resolve_time_in_span(
                m.at, replay_->wall_ns(), replay_->first_wall_ns(), replay_->last_wall_ns()));
            break;
    }
    if (moved) show_replayed(m.kind == ReplayMove::Kind::samples && m.samples == 1);
}

// The first sample at or after t; a time outside the samples that can be shown goes to the
// nearer end, and the notice line says so, naming that end's time.
bool Controller::go_to_time(std::int64_t t) {
    const std::int64_t first = replay_->first_wall_ns(), last = replay_->last_wall_ns();
    if (t < first)
        st_.notice = fmt::format("before the {}, which starts at {}: at its first sample",
                                 replay_->from_given() ? "replayed span (--from)" : "recording",
                                 format_date_time(first));
    else if (t > last)
        st_.notice = fmt::format("after the {}, which ends at {}: at its last sample",
                                 replay_->to_given() ? "replayed span (--to)" : "recording",
                                 format_date_time(last));
    return replay_->go_to_time(t);
}

void Controller::stop_following(std::string why) {
    following_ = false;
    st_.paused = true;
    st_.notice = std::move(why);
    dirty_ = true;
}

void Controller::follow_recording() {
    FollowStep f = replay_->follow();
    for (std::string& line : f.lines) {
        // Damage stays on the notice line; the rest (a rotation) is said once.
        if (f.damaged || f.newer_version)
            notices_.push_back(line);
        else
            st_.notice = line;
    }
    if (f.state == FollowStep::State::ended) {
        stop_following(f.lines.empty() ? "the recording ended" : f.lines.back());
        return;
    }
    if (replay_->at_end()) return;
    // The next sample goes on from the one shown (the -a sums too); after several (a poll
    // slower than the writer), the last one is shown, as a live view shows the newest.
    const std::size_t last = replay_->count() - 1;
    if (replay_->position() + 1 == last && replay_->step(1))
        show_replayed(true);
    else if (replay_->go(last))
        show_replayed(false);
    dirty_ = true;
}

}  // namespace vigil
