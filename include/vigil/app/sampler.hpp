// Sampler: owns the collectors and produces one Snapshot per tick, and fetches the details of
// the tasks a front end shows (command lines, I/O priorities, user names) on request.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/machine_collector.hpp"
#include "vigil/collect/task_collector.hpp"
#include "vigil/collect/task_io_source.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/memory.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

class Sampler {
  public:
    // live: roots.proc is the running kernel's /proc. clock stamps every snapshot (and
    // gives USER_HZ); it must outlive the sampler.
    Sampler(const Roots& roots, std::unique_ptr<TaskIoSource> io, bool live,
            const Clock& clock = system_clock());

    // Replaces out with the machine's state now (reusing out's buffers).
    void sample(Snapshot& out);
    // A first look for a first frame, which has no rates and so shows the lowest ids: the
    // task fields are known only for about `rows` rows (TaskCollector::collect_first), the
    // rest is a full sample. Not a baseline for rates: sample() next.
    void sample_first(Snapshot& out, std::size_t rows);

    const TaskIoSource& io_source() const { return *io_; }
    // What the last taskstats sweep did (benchmarks, tests); null on the /proc path.
    const TaskSweep::Stats* sweep_stats() const { return tasks_.sweep_stats(); }
    // Fetch the state letter of shown rows too: free on the /proc path, a /proc stat read
    // per shown row with taskstats, so off unless a front end shows it.
    void set_row_state(bool on) { tasks_.set_row_state(on); }
    // Fill the state of every process leader (the Tasks header): free on the /proc path, a
    // /proc stat read per process with taskstats, so off unless a front end shows it.
    void set_process_states(bool on) { tasks_.set_process_states(on); }
    // Keep every thread's CPU and activity counters (TaskSample::activity) current: free on
    // the /proc path; with taskstats, a query per thread of every process that ran, where
    // without it only the threads of processes whose I/O or delays moved are asked (and
    // TaskSample::activity is unset). On by default; off unless a front end uses it
    // (view_needs_thread_activity).
    void set_thread_activity(bool on) { tasks_.set_thread_activity(on); }

    // The machine overview sections to collect with every sample (Snapshot::machine). Off
    // (null) by default, so the task-only path costs nothing extra.
    void set_machine_collector(std::unique_ptr<MachineCollector> m) { machine_ = std::move(m); }
    MachineCollector* machine_collector() { return machine_.get(); }

    // Fetches the parts of the details of these tasks of s (indices into s.tasks; s must be
    // the last sample taken) that out does not have yet, with their users' names (kDetailRow).
    void fetch_details(const Snapshot& s, std::span<const std::size_t> tasks, TaskDetails& out,
                       DetailParts parts = kDetailRow);
    const std::string& user_name(uid_t uid) { return users_.name(uid); }
    // Forgets the I/O priority and nice kept for a task (every thread of process id with
    // whole_process), so the next fetch_details reads them now: after an ionice or renice.
    void forget_prio(pid_t id, bool whole_process) { tasks_.forget_prio(id, whole_process); }
    // The kept I/O priorities and nice values (tests, benchmarks).
    const PrioCache& prio_cache() const { return tasks_.prio_cache(); }

    // What sampling (and fetching details) could not do as it should since the last call,
    // one line each, each kind said once in a run: files a tree holds that were refused, an
    // open file limit too low to keep a descriptor per process, descriptors running out.
    std::vector<std::string> take_notices();

  private:
    void sample(Snapshot& out, std::size_t first_rows);
    void note_refusals(const FsRoot& root);
    void note_fd_limit();

    const Roots& roots_;
    const Clock& clock_;
    TaskCollector tasks_;
    std::unique_ptr<TaskIoSource> io_;
    UserNames users_;
    std::string buf_;
    bool delayacct_at_boot_ = false;              // "delayacct" on the kernel command line
    bool delayacct_seen_off_ = false;             // kernel.task_delayacct was 0 in a sample
    std::optional<double> delayacct_on_since_s_;  // see Snapshot::delayacct_on_since_s
    std::optional<std::uint64_t> mem_total_kib_;  // MemTotal, read at the start
    std::unique_ptr<MachineCollector> machine_;   // null: no machine sections wanted
    std::vector<std::string> notices_;            // not taken yet
    ShrinkGuard tasks_guard_;  // the snapshots' task lists, after a peak (both in turn)
    bool said_refusals_ = false;
    bool said_unkept_ = false;
    bool said_ran_out_ = false;
};

}  // namespace vigil
