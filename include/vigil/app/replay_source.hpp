// ReplaySource: a recording as a SnapshotSource, and a position in it. The sample shown
// comes with the one before it (its rates need both), so only samples that have a previous
// sample of the same session can be shown, as in a live run; their details (command lines,
// I/O priorities, user names) are the ones recorded with them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/app/source.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

class ReplaySource final : public SnapshotSource {
  public:
    // The samples whose wall-clock time lies in [from_ns, to_ns] can be shown (--from, --to).
    explicit ReplaySource(RecordReader& r,
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
    RecordReader& reader() { return r_; }

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

    RecordReader& r_;
    std::int64_t from_ns_, to_ns_;
    std::vector<std::size_t> shown_;  // sample indices that can be shown
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
