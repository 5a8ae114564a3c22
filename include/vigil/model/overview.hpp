// The summary above the view's tables, in the manner of glances: what its CPU and memory
// bars and the figures beside them show, computed here from the machine sample and its
// rates (the view only lays them out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/sample/machine.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

struct CoreBusy {
    int cpu = -1;
    std::optional<double> busy_pct;
};

struct PressureAvg10 {
    std::string resource;                      // cpu, io, memory, irq
    std::optional<double> some_pct, full_pct;  // full is absent for cpu before Linux 5.13
};

struct OverviewFigures {
    // CPU: the busy share (all but idle and iowait, as top counts iowait as idle time) and
    // mpstat's columns of the "all" line; unknown before a second sample.
    std::optional<double> cpu_busy_pct;
    std::optional<CpuPercent> cpu;
    std::vector<CoreBusy> cores;  // one per CPU line, in /proc/stat order
    std::optional<LoadAvg> load;
    std::optional<double> uptime_s;
    MemoryFigures mem;
    std::optional<double> swapin_pages_per_s, majflt_per_s;
    std::vector<PressureAvg10> pressure;  // empty: the kernel has no PSI
};

// rates may be null (no interval yet).
OverviewFigures overview_figures(const MachineSample& m, const MachineRates* rates);

// The Tasks header, as top's "Tasks:" line counts without -H: each process by the state of
// its leader thread (TaskSample::state of the task whose tid is its tgid, which is also the
// state /proc/PID/stat shows), and the machine's threads as the kernel counts them.
struct TaskStateCounts {
    std::size_t processes = 0;  // every process of the sample (its leader thread is there)
    // Processes by state letter: running R; uninterruptible D; stopped T (and t, stopped
    // by a tracer); zombie Z; sleeping: every other letter (S, I for an idle kernel thread,
    // and the rare X, P, W), so top's "sleeping" is sleeping + uninterruptible. Absent when
    // no process's state is known (taskstats, with the per-process stat reads off).
    std::optional<std::size_t> running, sleeping, uninterruptible, stopped, zombie;
    // Processes whose state is unknown although others' are (ended while being read): in
    // processes, in none of the states.
    std::size_t unknown = 0;
    // Every thread of the machine, user and kernel (/proc/loadavg: nr_threads); runnable
    // ones (/proc/stat procs_running: on a run queue, running or waiting for a CPU); and
    // those blocked in I/O wait (/proc/stat procs_blocked: the kernel's nr_iowait, threads
    // asleep in io_schedule(); a thread in D for another reason, a lock or a vfork, is not
    // in it). Absent without the cpu section.
    std::optional<std::uint64_t> threads, threads_running, threads_blocked;
};
TaskStateCounts task_state_counts(const Snapshot& s);

// The same as a table of the cpu section (TableKind::task_states): a title line and
// summary values, no rows. Batch text prints "Tasks: 245 total, 1 running, ...".
Table build_task_states_table(const Snapshot& s);

// The busy share of a CPU (100 - idle - iowait), clamped to 0..100; unknown without idle.
std::optional<double> busy_pct(const CpuPercent& c);

}  // namespace vigil
