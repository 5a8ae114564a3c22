// Every field of a Snapshot, once, in the order a recording stores them. The encoder and the
// decoder both walk these lists, so they cannot disagree, and the field counts below stop
// the build when a struct gains a member that is not listed here: a recording must never
// silently drop a field. After adding one: list it here (at the end of its struct, so
// older recordings still read), and bump kRecordFormatVersion if old readers would
// misread the new layout.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

// Counts the members of an aggregate: the largest N for which T{f1, ..., fN} compiles.
// AnyField converts to every member type; optionals are left to their converting
// constructor, since a conversion function as well would make the choice ambiguous.
template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

struct AnyField {
    template <class T>
    requires(!is_optional_v<T>) operator T() const;  // declared only: used in unevaluated contexts
};

template <class T, class... Fields>
consteval std::size_t field_count() {
    if constexpr (requires { T{Fields{}..., AnyField{}}; })
        return field_count<T, Fields..., AnyField>();
    else
        return sizeof...(Fields);
}

template <class S, class T>
concept SameAs = std::is_same_v<std::remove_const_t<S>, T>;

#define VIGIL_RECORD_FIELDS(Type, count)          \
    static_assert(field_count<Type>() == (count), \
                  #Type " gained or lost a member: list it in src/record/sample_fields.hpp")

VIGIL_RECORD_FIELDS(IoPrio, 2);
template <class V, SameAs<IoPrio> S>
void record_fields(V& v, S& s) {
    v(s.cls);
    v(s.level);
}

VIGIL_RECORD_FIELDS(TaskActivity, 12);
template <class V, SameAs<TaskActivity> S>
void record_fields(V& v, S& s) {
    v(s.user_us);
    v(s.system_us);
    v(s.minor_faults);
    v(s.major_faults);
    v(s.cpu_delay_ns);
    v(s.read_chars);
    v(s.write_chars);
    v(s.read_syscalls);
    v(s.write_syscalls);
    v(s.voluntary_switches);
    v(s.involuntary_switches);
    v(s.known);
}

VIGIL_RECORD_FIELDS(TaskMemory, 3);
template <class V, SameAs<TaskMemory> S>
void record_fields(V& v, S& s) {
    v(s.rss_bytes);
    v(s.virt_bytes);
    v(s.shared_bytes);
}

VIGIL_RECORD_FIELDS(TaskIoCounters, 6);
template <class V, SameAs<TaskIoCounters> S>
void record_fields(V& v, S& s) {
    v(s.read_bytes);
    v(s.write_bytes);
    v(s.cancelled_write_bytes);
    v(s.blkio_delay_ns);
    v(s.swapin_delay_ns);
    v(s.delays_tracked);
}

// A task as a recording stores it: what was sampled, with the details fetched for it
// (TaskDetail) merged in. A fetched nice, state, priority or name is the task's nice,
// state, priority and comm from then on; the command line, I/O priority and memory are
// details only. This is the task
// layout of record format 1 (it was TaskSample's before details were kept apart).
//
// A command line read only in part (TaskDetail::cmdline_unread) is stored as its text, a
// NUL and the decimal count of bytes not read: a command line's text never holds a NUL
// (they are its separators, stored as spaces), so the layout stays that of format 1, and a
// vigil that does not know the count shows it after the text as "\x00" and digits.
struct RecordedTask {
    pid_t tid = 0;
    pid_t tgid = 0;
    pid_t ppid = 0;
    uid_t uid = 0;
    char state = '?';
    int nice = 0;
    std::uint64_t start_ticks = 0;
    std::string comm;
    std::optional<TaskIoCounters> io;
    std::optional<std::string> cmdline;
    std::optional<IoPrio> ioprio;
    std::optional<TaskActivity> activity;     // record format 2 on
    std::optional<int> priority;              // record format 3 on
    std::optional<TaskMemory> memory;         // 3 on: the process's, when fetched
    std::optional<std::uint64_t> swap_bytes;  // 3 on: likewise
};

// Both lists below must change when either struct does: RecordedTask carries every field.
VIGIL_RECORD_FIELDS(TaskSample, 11);
VIGIL_RECORD_FIELDS(TaskDetail, 10);
VIGIL_RECORD_FIELDS(RecordedTask, 15);
template <class V, SameAs<RecordedTask> S>
void record_fields(V& v, S& s) {
    v(s.tid);
    v(s.tgid);
    v(s.ppid);
    v(s.uid);
    v(s.state);
    v(s.nice);
    v(s.start_ticks);
    v(s.comm);
    v(s.io);
    v(s.cmdline);
    v(s.ioprio);
    // The layout of the session being read or written (v.layout, its format version):
    // format 1 ended here.
    if (v.layout >= 2) v(s.activity);
    // Format 2 ended here.
    if (v.layout >= 3) {
        v(s.priority);
        v(s.memory);
        v(s.swap_bytes);
    }
}

// t with its details d (may be null) as recorded, into out (reusing its strings' buffers).
inline void to_recorded(const TaskSample& t, const TaskDetail* d, RecordedTask& out) {
    out.tid = t.tid;
    out.tgid = t.tgid;
    out.ppid = t.ppid;
    out.uid = t.uid;
    out.state = d && d->state ? d->state : t.state;
    out.nice = d && d->nice ? *d->nice : t.nice;
    out.start_ticks = t.start_ticks;
    out.comm.assign(d && !d->name.empty() ? d->name : t.comm);
    out.io = t.io;
    if (d && d->cmdline) {
        if (!out.cmdline) out.cmdline.emplace();
        out.cmdline->assign(*d->cmdline);
        if (d->cmdline_unread) {
            out.cmdline->push_back('\0');
            out.cmdline->append(std::to_string(d->cmdline_unread));
        }
    } else {
        out.cmdline.reset();
    }
    out.ioprio = d ? d->ioprio : std::nullopt;
    out.activity = t.activity;
    const std::optional<std::int8_t> priority = d && d->priority ? d->priority : t.priority;
    out.priority = priority ? std::optional<int>(*priority) : std::nullopt;
    out.memory = d ? d->memory : std::nullopt;
    out.swap_bytes = d ? d->swap_bytes : std::nullopt;
}

// The sampled part of a recorded task.
inline void to_sample(const RecordedTask& r, TaskSample& out) {
    out.tid = r.tid;
    out.tgid = r.tgid;
    out.ppid = r.ppid;
    out.uid = r.uid;
    out.state = r.state;
    out.nice = r.nice;
    out.start_ticks = r.start_ticks;
    out.comm = r.comm;
    out.io = r.io;
    out.activity = r.activity;
    // A priority no kernel gives (a crafted file) is unknown, not wrapped.
    out.priority = r.priority && *r.priority >= -128 && *r.priority <= 127
                       ? std::optional<std::int8_t>(static_cast<std::int8_t>(*r.priority))
                       : std::nullopt;
}

// A recorded command line: its text, and the count of bytes not read after a NUL (see
// RecordedTask); a count that does not parse is left in the text, escaped when shown.
inline std::string_view recorded_cmdline_text(std::string_view stored, std::uint64_t& unread) {
    unread = 0;
    const std::size_t nul = stored.find('\0');
    if (nul == std::string_view::npos) return stored;
    const std::string_view digits = stored.substr(nul + 1);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return stored;
    unread = v;
    return stored.substr(0, nul);
}

// The longest string of a task a decoded sample holds: a command line's first
// kCommandMaxBytes, a NUL and the count of bytes cut.
inline constexpr std::size_t kMaxRecordedStringBytes = kCommandMaxBytes + 1 + 20;

// A string of a task as a recording stores it, kept to kMaxRecordedStringBytes: a longer text (from
// a recording made before command lines were cut, or crafted) keeps its first kCommandMaxBytes, and
// the bytes cut join the count of bytes not read.
inline std::string cap_recorded_string(std::string_view stored) {
    if (stored.size() <= kMaxRecordedStringBytes) return std::string(stored);
    std::uint64_t unread = 0;
    const std::string_view text = recorded_cmdline_text(stored, unread);
    const std::size_t keep = std::min(text.size(), kCommandMaxBytes);
    const std::uint64_t cut = text.size() - keep;
    unread = unread > UINT64_MAX - cut ? UINT64_MAX : unread + cut;  // a crafted count
    std::string out(text.substr(0, keep));
    if (unread) {
        out.push_back('\0');
        out.append(std::to_string(unread));
    }
    return out;
}

// Whether a recorded task carries details (a command line, an I/O priority, memory).
inline bool has_details(const RecordedTask& r) {
    return r.cmdline || r.ioprio || r.memory || r.swap_bytes;
}

VIGIL_RECORD_FIELDS(CpuTicks, 2);
template <class V, SameAs<CpuTicks> S>
void record_fields(V& v, S& s) {
    v(s.ticks);
    v(s.fields);
}

VIGIL_RECORD_FIELDS(CpuLine, 2);
template <class V, SameAs<CpuLine> S>
void record_fields(V& v, S& s) {
    v(s.cpu);
    v(s.times);
}

VIGIL_RECORD_FIELDS(CpuStat, 7);
template <class V, SameAs<CpuStat> S>
void record_fields(V& v, S& s) {
    v(s.total);
    v(s.cpus);
    v(s.ctxt);
    v(s.intr);
    v(s.forks);
    v(s.procs_running);
    v(s.procs_blocked);
}

VIGIL_RECORD_FIELDS(LoadAvg, 5);
template <class V, SameAs<LoadAvg> S>
void record_fields(V& v, S& s) {
    v(s.load1);
    v(s.load5);
    v(s.load15);
    v(s.runnable);
    v(s.entities);
}

VIGIL_RECORD_FIELDS(MemInfo, 11);
template <class V, SameAs<MemInfo> S>
void record_fields(V& v, S& s) {
    v(s.total_kib);
    v(s.free_kib);
    v(s.available_kib);
    v(s.buffers_kib);
    v(s.cached_kib);
    v(s.sreclaimable_kib);
    v(s.shmem_kib);
    v(s.swap_total_kib);
    v(s.swap_free_kib);
    v(s.active_file_kib);
    v(s.inactive_file_kib);
}

VIGIL_RECORD_FIELDS(VmCounters, 3);
template <class V, SameAs<VmCounters> S>
void record_fields(V& v, S& s) {
    v(s.pswpin_pages);
    v(s.pswpout_pages);
    v(s.pgmajfault);
}

VIGIL_RECORD_FIELDS(PressureLine, 4);
template <class V, SameAs<PressureLine> S>
void record_fields(V& v, S& s) {
    v(s.avg10_pct);
    v(s.avg60_pct);
    v(s.avg300_pct);
    v(s.total_us);
}

VIGIL_RECORD_FIELDS(Pressure, 3);
template <class V, SameAs<Pressure> S>
void record_fields(V& v, S& s) {
    v(s.resource);
    v(s.some);
    v(s.full);
}

VIGIL_RECORD_FIELDS(DiskStats, 7);
template <class V, SameAs<DiskStats> S>
void record_fields(V& v, S& s) {
    v(s.major);
    v(s.minor);
    v(s.name);
    v(s.stats);
    v(s.fields);
    v(s.whole_disk);
    v(s.parent);
}

VIGIL_RECORD_FIELDS(MountEntry, 5);
template <class V, SameAs<MountEntry> S>
void record_fields(V& v, S& s) {
    v(s.major);
    v(s.minor);
    v(s.mount_point);
    v(s.fs_type);
    v(s.source);
}

VIGIL_RECORD_FIELDS(FsUsage, 6);
template <class V, SameAs<FsUsage> S>
void record_fields(V& v, S& s) {
    v(s.block_bytes);
    v(s.blocks);
    v(s.blocks_free);
    v(s.blocks_avail);
    v(s.files);
    v(s.files_free);
}

VIGIL_RECORD_FIELDS(FilesystemSample, 3);
template <class V, SameAs<FilesystemSample> S>
void record_fields(V& v, S& s) {
    v(s.mount);
    v(s.usage);
    v(s.timed_out);
}

VIGIL_RECORD_FIELDS(NetDevStats, 11);
template <class V, SameAs<NetDevStats> S>
void record_fields(V& v, S& s) {
    v(s.name);
    v(s.rx_bytes);
    v(s.rx_packets);
    v(s.rx_errs);
    v(s.rx_drop);
    v(s.tx_bytes);
    v(s.tx_packets);
    v(s.tx_errs);
    v(s.tx_drop);
    v(s.operstate);
    v(s.speed_mbps);
}

VIGIL_RECORD_FIELDS(TempSensor, 5);
template <class V, SameAs<TempSensor> S>
void record_fields(V& v, S& s) {
    v(s.chip);
    v(s.label);
    v(s.input_mc);
    v(s.high_mc);
    v(s.crit_mc);
}

VIGIL_RECORD_FIELDS(FanSensor, 3);
template <class V, SameAs<FanSensor> S>
void record_fields(V& v, S& s) {
    v(s.chip);
    v(s.label);
    v(s.rpm);
}

VIGIL_RECORD_FIELDS(Battery, 10);
template <class V, SameAs<Battery> S>
void record_fields(V& v, S& s) {
    v(s.name);
    v(s.status);
    v(s.capacity_pct);
    v(s.energy_now_uwh);
    v(s.energy_full_uwh);
    v(s.power_now_uw);
    v(s.charge_now_uah);
    v(s.charge_full_uah);
    v(s.current_now_ua);
    v(s.voltage_now_uv);
}

VIGIL_RECORD_FIELDS(SensorSample, 3);
template <class V, SameAs<SensorSample> S>
void record_fields(V& v, S& s) {
    v(s.temps);
    v(s.fans);
    v(s.batteries);
}

VIGIL_RECORD_FIELDS(MachineNote, 2);
template <class V, SameAs<MachineNote> S>
void record_fields(V& v, S& s) {
    v(s.section);
    v(s.text);
}

VIGIL_RECORD_FIELDS(CgroupIoStat, 8);
template <class V, SameAs<CgroupIoStat> S>
void record_fields(V& v, S& s) {
    v(s.major);
    v(s.minor);
    v(s.rbytes);
    v(s.wbytes);
    v(s.rios);
    v(s.wios);
    v(s.dbytes);
    v(s.dios);
}

VIGIL_RECORD_FIELDS(CgroupPressureLine, 2);
template <class V, SameAs<CgroupPressureLine> S>
void record_fields(V& v, S& s) {
    v(s.avg10_pct);
    v(s.total_us);
}

VIGIL_RECORD_FIELDS(CgroupSample, 21);
template <class V, SameAs<CgroupSample> S>
void record_fields(V& v, S& s) {
    v(s.path);
    v(s.inode);
    v(s.parent);
    v(s.cpu_usage_usec);
    v(s.cpu_user_usec);
    v(s.cpu_system_usec);
    v(s.nr_throttled);
    v(s.throttled_usec);
    v(s.memory_current);
    v(s.memory_anon);
    v(s.memory_file);
    v(s.memory_max);
    v(s.oom);
    v(s.oom_kill);
    v(s.io);
    v(s.some);
    v(s.full);
    v(s.procs);
    v(s.v1_memory_usage);
    v(s.v1_cpuacct_usage_ns);
    if (v.layout >= 5) v(s.runtime_name);
}

VIGIL_RECORD_FIELDS(MachineSample, 16);
template <class V, SameAs<MachineSample> S>
void record_fields(V& v, S& s) {
    v(s.collected);
    v(s.steady_s);
    v(s.cpu);
    v(s.load);
    v(s.uptime_s);
    v(s.mem);
    v(s.vm);
    v(s.min_free_kib);
    v(s.pressure);
    v(s.disks);
    v(s.filesystems);
    v(s.net);
    v(s.sensors);
    v(s.notes);
    if (v.layout >= 4) {  // record format 4 on
        v(s.cgroups);
        v(s.cgroup_root);
    }
}

// The snapshot without its tasks, which are stored one by one (see sample_codec.cpp).
VIGIL_RECORD_FIELDS(Snapshot, 11);
template <class V, SameAs<Snapshot> S>
void record_header_fields(V& v, S& s) {
    v(s.steady_s);
    v(s.boot_s);
    v(s.wall_ns);
    v(s.clk_tck);
    // s.tasks: per task, keyed by tid
    v(s.pgpgin_kib);
    v(s.pgpgout_kib);
    v(s.delayacct_enabled);
    v(s.delayacct_on_since_s);
    v(s.machine);
    if (v.layout >= 3) v(s.mem_total_kib);
}

#undef VIGIL_RECORD_FIELDS

}  // namespace vigil
