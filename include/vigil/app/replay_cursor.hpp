// A position in a recording for the replay view: the sample shown and the one before it
// (its rates need both). Only samples that have a previous sample of the same session can
// be shown, as in batch replay.
#pragma once

#include <cstdint>
#include <vector>

#include "vigil/sample/snapshot.hpp"
#include "vigil/record/record_reader.hpp"

namespace vigil {

class ReplayCursor {
public:
    explicit ReplayCursor(RecordReader& r);

    bool empty() const { return shown_.empty(); }
    std::size_t count() const { return shown_.size(); }
    std::size_t position() const { return pos_; }  // among the showable samples
    const Snapshot& prev() const { return prev_; }
    Snapshot& cur() { return cur_; }
    std::int64_t start_wall_ns() const;
    std::int64_t wall_ns() const;  // of the sample shown
    RecordReader& reader() { return r_; }

    // Shows the showable sample at position p (clamped); a sample that turns out to be
    // damaged is skipped in the direction of travel. False when nothing can be shown.
    bool go(std::size_t p, int direction = 1);
    // By n showable samples; false (staying put) past either end.
    bool step(long n);
    // The first showable sample at or after wall_ns (the last one if none).
    bool go_to_time(std::int64_t wall_ns);

private:
    bool load(std::size_t p);

    RecordReader& r_;
    std::vector<std::size_t> shown_;  // sample indices that can be shown
    std::size_t pos_ = 0;
    Snapshot prev_, cur_;
};

}  // namespace vigil
