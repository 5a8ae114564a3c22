// A SnapshotSource that plays a list of samples, for tests of the pipeline, the batch output
// and the controller: next() moves to the next sample, enrich() "fetches" details the way
// the live system would (a command line and I/O priority when the sample has none, and nice
// as it is now), so a test can tell fetched details from recorded ones.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "record_util.hpp"
#include "vigil/app/source.hpp"

namespace vigil::test {

class ScriptedSource final : public SamplingSource {
  public:
    // How details are fetched, if not as described above (a fixture tree's, say).
    using Fetch = std::function<void(const Snapshot&, std::span<const std::size_t>, TaskDetails&)>;

    explicit ScriptedSource(std::vector<Sample> samples, Fetch fetch = {})
        : samples_(std::move(samples)), fetch_(std::move(fetch)) {}

    // Moves to the next sample; false past the last. The first next() shows the first
    // sample with no previous one (a first frame).
    bool next() {
        if (pos_ + 1 >= samples_.size() && started_) return false;
        if (started_) ++pos_;
        has_prev_ = started_;
        started_ = true;
        reload();
        return true;
    }
    std::size_t position() const { return pos_; }
    // As a live source: the next sample (the last one again past the end). After a first
    // look, the first sample again, as the baseline.
    void sample() override {
        if (first_look_) {
            first_look_ = false;
            reload();
            return;
        }
        if (!next()) reload();
    }
    void sample_first(std::size_t) override {
        next();
        first_look_ = true;
    }
    // The machine sections asked for, as the live source keeps them.
    bool want_sections(SectionMask sections) override {
        const bool missing = (sections & ~sections_) != 0;
        sections_ = sections;
        return missing;
    }
    void resample_machine() override { ++resamples; }
    int resamples = 0;
    // How many tasks enrich() fetched, over the whole run.
    std::size_t fetches() const { return fetches_; }

    const Snapshot& prev() const override { return samples_[has_prev_ ? pos_ - 1 : pos_].snap; }
    const Snapshot& cur() const override { return samples_[pos_].snap; }
    const TaskDetails& details() const override { return details_; }
    // Only the row's part is made up; the other parts are what the sample's details hold.
    void enrich(std::span<const std::size_t> tasks, DetailParts parts) override {
        const Snapshot& s = cur();
        if (fetch_) {
            fetch_(s, tasks, details_);
            return;
        }
        if (!(parts & kDetailRow)) return;
        for (std::size_t i : tasks) {
            if (i >= s.tasks.size() || fetched_[i]) continue;
            fetched_[i] = true;
            ++fetches_;
            const TaskSample& t = s.tasks[i];
            TaskDetail& d = details_.set(i);
            if (!d.cmdline)
                d.cmdline = std::make_shared<const std::string>(
                    "/usr/bin/app-" + std::to_string(t.tgid) + " --flag \"x, y\"");
            if (!d.ioprio)
                d.ioprio = IoPrio{t.tgid % 2 ? IoPrio::Class::be : IoPrio::Class::none, 3};
            d.nice = static_cast<int>(t.tid % 7) - 3;  // as getpriority() would see it now
            if (!details_.has_user_name(t.uid)) details_.set_user_name(t.uid, user_name(t.uid));
        }
    }
    void forget_details(pid_t id, bool whole_process) override {
        const Snapshot& s = cur();
        for (std::size_t i = 0; i < s.tasks.size(); ++i)
            if (s.tasks[i].tid == id || (whole_process && s.tasks[i].tgid == id)) {
                details_.forget(i);
                fetched_[i] = false;
            }
    }
    const std::string& user_name(uid_t uid) override { return test_user_name(uid); }

  private:
    void reload() {
        details_ = samples_[pos_].details;
        fetched_.assign(samples_[pos_].snap.tasks.size(), false);
    }

    std::vector<Sample> samples_;
    Fetch fetch_;
    std::size_t pos_ = 0;
    bool started_ = false;
    bool has_prev_ = false;
    bool first_look_ = false;
    SectionMask sections_ = 0;
    TaskDetails details_;
    std::vector<bool> fetched_;
    std::size_t fetches_ = 0;
};

}  // namespace vigil::test
