// ReplaySource: a recording as a SnapshotSource, and a position in it. The sample shown
// comes with the one before it (its rates need both), so only samples that have a previous
// sample of the same session can be shown, as in a live run; their details (command lines,
// I/O priorities, user names) are the ones recorded with them.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/app/source.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

// What ReplaySource::follow() found.
struct FollowStep {
    // more: new samples can be shown (or the file moved on to a new one after rotation);
    // waiting: nothing new yet; ended: the writer closed the file, or it went (see lines).
    enum class State : std::uint8_t { waiting, more, ended } state = State::waiting;
    bool failed = false;             // ended by an error (the file cannot be read)
    bool damaged = false;            // lines say damage
    bool newer_version = false;      // lines say a session of a newer vigil
    std::vector<std::string> lines;  // to tell the user: damage found, a rotation, the end
};

class ReplaySource final : public SnapshotSource {
  public:
    // The samples whose wall-clock time lies in [from_ns, to_ns] can be shown (--from, --to).
    explicit ReplaySource(RecordReader& r,
                          std::int64_t from_ns = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t to_ns = std::numeric_limits<std::int64_t>::max());
    // The same, owning the reader (a followed recording: a rotation replaces it).
    explicit ReplaySource(std::unique_ptr<RecordReader> r,
                          std::int64_t from_ns = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t to_ns = std::numeric_limits<std::int64_t>::max());

    bool empty() const { return shown_.empty(); }
    std::size_t count() const { return shown_.size(); }
    std::size_t position() const { return pos_; }  // among the showable samples
    std::size_t sample_index() const;              // of the sample shown, in the file
    std::int64_t start_wall_ns() const;
    std::int64_t wall_ns() const;  // of the sample shown
    // Of the first and last samples that can be shown (0 when none can).
    std::int64_t first_wall_ns() const;
    std::int64_t last_wall_ns() const;
    // The interval the sample shown was recorded at: its session's -d, else (a session that
    // names none) the time between it and the one before it; nullopt when neither is known.
    std::optional<double> recorded_interval_s() const;
    // Whether --from or --to narrowed the samples that can be shown.
    bool from_given() const { return from_ns_ != std::numeric_limits<std::int64_t>::min(); }
    bool to_given() const { return to_ns_ != std::numeric_limits<std::int64_t>::max(); }
    // Whether the sample shown is of the same session as the one shown before it (the
    // -a sums of a live run went on between them).
    bool same_session() const { return same_session_; }
    RecordReader& reader() { return *r_; }
    // The last showable sample is shown (or none can be).
    bool at_end() const { return shown_.empty() || (!switched_ && pos_ + 1 >= shown_.size()); }

    // Following a recording being written (the reader was opened to follow): indexes what
    // was appended (RecordReader::follow) and makes its samples showable. When the writer
    // rotated the file and every sample of it was shown (at_end), opens the new file at the
    // path and goes on there, from its second sample (its first is the last one of the old
    // file): the old file is closed, and positions count in the new one. Damage is said
    // (lines) once its place is settled.
    FollowStep follow();

    // Shows the showable sample at position p (clamped); a sample that turns out to be
    // damaged is skipped in the direction of travel. False when nothing can be shown.
    bool go(std::size_t p, int direction = 1);
    // By n showable samples; false (staying put) past either end.
    bool step(long n);
    // The first showable sample at or after wall_ns (the last one if none).
    bool go_to_time(std::int64_t wall_ns);

    const Snapshot& prev() const override { return prev_; }
    const Snapshot& cur() const override { return cur_; }
    const TaskDetails& details() const override { return details_; }
    // Recorded with the sample.
    void enrich(std::span<const std::size_t>, DetailParts) override {}
    void forget_details(pid_t, bool) override {}
    const std::string& user_name(uid_t uid) override;

  private:
    bool load(std::size_t p);
    void add_shown(std::size_t from);

    std::unique_ptr<RecordReader> owned_;
    RecordReader* r_;
    std::int64_t from_ns_, to_ns_;
    std::vector<std::size_t> shown_;  // sample indices that can be shown
    std::size_t indexed_ = 0;         // samples of the reader shown_ was made from
    std::size_t damage_said_ = 0;     // follow(): damage entries already said
    bool rotated_ = false;            // follow(): the writer moved on to a new file
    bool switched_ = false;           // the pair shown is the old file's (after a rotation)
    int reopen_tries_ = 0;            // the new file was not a recording yet (being created)
    std::string first_path_;          // the recording followed (its files rotate away from it)
    std::string next_path_;           // after a rotation: the file to go on in
    std::size_t pos_ = 0;
    bool loaded_ = false;
    std::uint32_t session_ = 0;  // of the sample shown
    bool same_session_ = false;
    Snapshot prev_, cur_;
    TaskDetails prev_details_, details_;
    Snapshot next_prev_, next_cur_;  // a jump's pair, before it is known to be readable
    TaskDetails next_prev_details_, next_details_;
    std::unordered_map<uid_t, std::string> unknown_users_;  // uid in decimal
};

}  // namespace vigil
