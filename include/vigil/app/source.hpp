// SnapshotSource: where the pipeline's snapshots come from: the live system (LiveSource) or
// a recording (ReplaySource). A source holds the two snapshots of the current interval and
// the details fetched for the current one's tasks; both stay unchanged until the source
// moves on, so a Frame may point at them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/sample/sections.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

class Sampler;

class SnapshotSource {
  public:
    virtual ~SnapshotSource() = default;

    // The snapshots of the current interval. Before a second snapshot, both are the same
    // one (a first frame: no interval, every rate unknown).
    virtual const Snapshot& prev() const = 0;
    virtual const Snapshot& cur() const = 0;
    // What has been fetched for cur()'s tasks.
    virtual const TaskDetails& details() const = 0;
    // Fetches the parts of the details of these tasks of cur() (indices into cur().tasks)
    // that are not known yet: the live system reads them now, a recording has them already.
    virtual void enrich(std::span<const std::size_t> tasks, DetailParts parts) = 0;
    // Forgets the details of a task (its whole process with whole_process), so the next
    // enrich() reads them again: after an ionice changed them.
    virtual void forget_details(pid_t id, bool whole_process) = 0;
    // The name of a user as the source knows it (for a recording's user list).
    virtual const std::string& user_name(uid_t uid) = 0;
};

// A source that takes a sample when asked: the live system, or a test's script.
class SamplingSource : public SnapshotSource {
  public:
    // Takes a sample: the current one becomes the previous (unless it was a first look).
    virtual void sample() = 0;
    // A first look for a first frame, cheaper than a sample; it is no baseline for rates,
    // so the sample() after it has no previous snapshot either.
    virtual void sample_first(std::size_t) { sample(); }
    // The machine overview sections to read from the next sample on; true when one of
    // them was not read before (its rates need two samples).
    virtual bool want_sections(SectionMask) { return false; }
    // Reads the machine overview again into a new current snapshot with the same tasks
    // (the view, paused, opening a pane whose section was not read).
    virtual void resample_machine() {}
    // Whether the rows shown need their state letter fetched (the view's columns changed);
    // a change forgets the details fetched so far, so the rows shown get it at once.
    virtual void want_row_state(bool) {}
    // Whether every thread's CPU and activity counters are needed from the next sample on
    // (Sampler::set_thread_activity): a column shows or sorts them, a filter, the tree...
    virtual void want_thread_activity(bool) {}
    // What the source could not do as it should since the last call, one line each and
    // each said once in a run (files a tree holds that were refused, ...): the front end
    // shows them as it shows the notices of the start.
    virtual std::vector<std::string> take_notices() { return {}; }
};

// The live system through a Sampler (which must outlive it).
class LiveSource final : public SamplingSource {
  public:
    explicit LiveSource(Sampler& sampler) : sampler_(sampler) {}

    void sample() override;
    // Sampler::sample_first: taskstats is asked only about the first `rows` rows.
    void sample_first(std::size_t rows) override;
    bool want_sections(SectionMask sections) override;
    void resample_machine() override;
    void want_row_state(bool on) override;
    void want_thread_activity(bool on) override;
    std::vector<std::string> take_notices() override;
    bool has_prev() const { return has_prev_; }
    Sampler& sampler() { return sampler_; }

    const Snapshot& prev() const override { return has_prev_ ? prev_ : cur_; }
    const Snapshot& cur() const override { return cur_; }
    const TaskDetails& details() const override { return details_; }
    void enrich(std::span<const std::size_t> tasks, DetailParts parts) override;
    void forget_details(pid_t id, bool whole_process) override;
    const std::string& user_name(uid_t uid) override;

  private:
    Sampler& sampler_;
    Snapshot prev_, cur_;  // buffers reused from sample to sample
    TaskDetails details_;
    bool has_cur_ = false;
    bool has_prev_ = false;
    bool first_look_ = false;        // cur_ is a first look, not a baseline
    std::optional<bool> row_state_;  // unknown until the front end says
};

}  // namespace vigil
