#include "vigil/collect/process_inspector.hpp"

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "parse_util.hpp"
#include "vigil/collect/inspect_parsers.hpp"
#include "vigil/collect/notes.hpp"
#include "vigil/collect/proc_parsers.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {
namespace {

std::string group_name(std::uint32_t gid) {
    long hint = ::sysconf(_SC_GETGR_R_SIZE_MAX);
    std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    group gr{};
    group* found = nullptr;
    for (int tries = 0; tries < 4; ++tries) {
        const int rc = ::getgrgid_r(gid, &gr, buf.data(), buf.size(), &found);
        if (rc == ERANGE) {
            buf.resize(buf.size() * 4);
            continue;
        }
        if (rc == 0 && found) return found->gr_name;
        break;
    }
    return std::to_string(gid);
}

std::string format_ioprio_text(const IoPrio& p, int nice) {
    switch (p.cls) {
        case IoPrio::Class::none:
            return "be/" + std::to_string((std::clamp(nice, -20, 19) + 20) / 5);
        case IoPrio::Class::rt:
            return "rt/" + std::to_string(p.level);
        case IoPrio::Class::be:
            return "be/" + std::to_string(p.level);
        case IoPrio::Class::idle:
            return "idle";
    }
    return "?";
}

// Reads the files of one process and says, for each that cannot be read, why.
class ProcReader {
  public:
    ProcReader(const FsRoot& proc, pid_t pid) : proc_(proc), pid_(pid), dir_(std::to_string(pid)) {}

    std::string rel(std::string_view name) const { return dir_ + "/" + std::string(name); }
    const FsRoot& proc() const { return proc_; }
    pid_t pid() const { return pid_; }

    // Whether the process's directory is still there.
    bool alive() const {
        const int saved = errno;
        const bool there = proc_.links(dir_) != 0;
        errno = saved;
        return there;
    }

    // The problem of a read of `item` that failed with err.
    ReadProblem problem(std::string_view item, int err) const {
        ReadProblem p;
        p.item = std::string(item);
        switch (err) {
            case EACCES:
            case EPERM:
                p.why = ReadFailure::denied;
                // As root the refusal is the kernel's ptrace check (a process that is not
                // dumpable, or no CAP_SYS_PTRACE), not the file's owner.
                p.detail = ::geteuid() == 0
                               ? "permission denied even to root (the process is not dumpable, "
                                 "or CAP_SYS_PTRACE is missing)"
                               : "permission denied (another user's process; root can read it)";
                break;
            case ENOENT:
            case ESRCH:
                if (!alive()) {
                    p.why = ReadFailure::gone;
                    p.detail = "the process exited";
                } else {
                    p.why = ReadFailure::unsupported;
                    p.detail =
                        "not provided for this process (a kernel thread, or a kernel "
                        "without it)";
                }
                break;
            case EFBIG:
                p.why = ReadFailure::failed;
                p.detail = fmt::format("longer than {} MiB", kMaxFileBytes >> 20);
                break;
            default:
                p.why = ReadFailure::failed;
                p.detail = std::strerror(err);
                break;
        }
        return p;
    }

    // Reads a file of the process; on failure adds the problem to status.
    bool read(std::string_view name, std::string& out, SectionStatus& status) const {
        if (proc_.read_into(rel(name), out)) {
            status.any_read = true;
            return true;
        }
        status.problems.push_back(problem(name, errno));
        return false;
    }

    std::optional<std::string> link(std::string_view name, SectionStatus& status) const {
        std::string out;
        if (proc_.read_link(rel(name), out)) {
            status.any_read = true;
            return out;
        }
        status.problems.push_back(problem(name, errno));
        return std::nullopt;
    }

  private:
    const FsRoot& proc_;
    pid_t pid_;
    std::string dir_;
};

void read_identity(const InspectContext& ctx, const ProcReader& r, const FullStat& st,
                   const std::optional<StatusInfo>& status, IdentityInfo& out) {
    SectionStatus& ss = out.status;
    ss.any_read = true;  // stat was read
    out.pid = st.pid;
    out.name = st.comm;
    // The parents, up to PID 1: each hop is one stat read; a chain longer than any real one
    // (a loop in a crafted tree) stops.
    pid_t up = st.ppid;
    std::string buf;
    for (int hops = 0; up > 0 && hops < 256; ++hops) {
        ChainEntry e{up, {}};
        pid_t next = 0;
        if (ctx.proc.read_into(std::to_string(up) + "/stat", buf)) {
            if (auto ps = parse_full_stat(buf)) {
                e.name = ps->comm;
                next = ps->ppid;
            }
        }
        out.ppid_chain.push_back(std::move(e));
        if (up == 1) break;
        up = next;
    }
    if (status) {
        if (status->uid) {
            IdSet s{*status->uid, {}};
            for (std::size_t i = 0; i < 4; ++i) s.names[i] = ctx.users.name(s.ids[i]);
            out.uids = std::move(s);
        }
        if (status->gid) {
            IdSet s{*status->gid, {}};
            for (std::size_t i = 0; i < 4; ++i) s.names[i] = group_name(s.ids[i]);
            out.gids = std::move(s);
        }
    }
    std::string raw;
    std::uint64_t length = 0;
    char last = 0;
    if (ctx.proc.read_prefix(r.rel("cmdline"), kCommandMaxBytes, raw, length, last)) {
        CmdlineText c = parse_cmdline_prefix(raw, length, last);
        out.cmdline = std::move(c.text);
        out.cmdline_unread = c.unread;
    } else {
        ss.problems.push_back(r.problem("cmdline", errno));
    }
    out.exe = r.link("exe", ss);
    out.cwd = r.link("cwd", ss);
    out.root = r.link("root", ss);
    const double hz = static_cast<double>(ctx.clock.ticks_per_s());
    out.start_since_boot_s = static_cast<double>(st.start_ticks) / hz;
    const double age = ctx.clock.boot_s() - *out.start_since_boot_s;
    if (age >= 0) {
        out.age_s = age;
        out.start_wall_s =
            static_cast<std::int64_t>(static_cast<double>(ctx.clock.wall_ns()) / 1e9 - age);
    }
    out.tty = tty_name(st.tty_nr);
    out.session = st.session;
    out.pgrp = st.pgrp;
    if (r.read("cgroup", buf, ss))
        parse::for_each_line(buf, [&](std::string_view l) {
            if (!parse::trim(l).empty()) out.cgroups.emplace_back(l);
        });
    std::vector<std::string> types;
    r.proc().list_names(r.rel("ns"), types);
    if (types.empty()) {
        errno = 0;
        std::string probe;
        if (!r.proc().read_link(r.rel("ns/net"), probe))
            ss.problems.push_back(r.problem("ns", errno ? errno : ENOENT));
    }
    int init_errno = 0;  // why PID 1's namespaces could not be read
    for (const std::string& t : types) {
        Namespace ns;
        ns.type = t;
        if (!r.proc().read_link(r.rel("ns/" + t), ns.id)) {
            ss.problems.push_back(r.problem("ns/" + t, errno));
            continue;
        }
        std::string init;
        if (ctx.proc.read_link("1/ns/" + t, init))
            ns.differs_from_init = init != ns.id;
        else
            init_errno = errno;
        out.namespaces.push_back(std::move(ns));
    }
    if (init_errno && r.pid() != 1) {
        ReadProblem p = r.problem("ns of PID 1", init_errno);
        if (p.why == ReadFailure::denied) p.detail = "permission denied: cannot compare with PID 1";
        ss.problems.push_back(std::move(p));
    }
}

void read_cpu(const InspectContext& ctx, const ProcReader& r, const FullStat& st,
              const std::optional<StatusInfo>& status, CpuInfo& out) {
    SectionStatus& ss = out.status;
    ss.any_read = true;
    const double hz = static_cast<double>(ctx.clock.ticks_per_s());
    out.state = st.state;
    out.user_s = static_cast<double>(st.utime) / hz;
    out.system_s = static_cast<double>(st.stime) / hz;
    out.children_user_s = static_cast<double>(st.cutime) / hz;
    out.children_system_s = static_cast<double>(st.cstime) / hz;
    out.nice = st.nice;
    out.last_cpu = st.processor;
    out.threads = st.num_threads;
    if (st.policy) out.policy = sched_policy_name(*st.policy);
    if (st.rt_priority) out.rt_priority = static_cast<int>(*st.rt_priority);
    if (status) {
        out.voluntary_switches = status->voluntary_switches;
        out.involuntary_switches = status->involuntary_switches;
        out.cpus_allowed = status->cpus_allowed_list;
    }
    std::string buf;
    if (r.read("wchan", buf, ss)) {
        std::string_view w = parse::trim(buf);
        out.wchan = w == "0" ? std::string() : std::string(w);
    }
    if (ctx.live) {
        errno = 0;
        if (auto p = read_ioprio(r.pid()))
            out.ioprio = format_ioprio_text(*p, st.nice);
        else
            ss.problems.push_back(r.problem("ioprio", errno ? errno : ESRCH));
    }
    if (r.read("stack", buf, ss)) {
        parse::for_each_line(buf, [&](std::string_view l) {
            if (out.kernel_stack.size() < kInspectMaxStackLines && !parse::trim(l).empty())
                out.kernel_stack.emplace_back(l);
        });
    }
}

void read_memory(const ProcReader& r, const FullStat& st, const std::optional<StatusInfo>& status,
                 MemoryInfo& out) {
    SectionStatus& ss = out.status;
    ss.any_read = true;
    out.virt_bytes = st.vsize;
    if (status) {
        out.rss_bytes = status->vm_rss;
        out.swap_bytes = status->vm_swap;
        out.anon_bytes = status->rss_anon;
        out.file_bytes = status->rss_file;
        out.shmem_bytes = status->rss_shmem;
        out.peak_rss_bytes = status->vm_hwm;
        out.locked_bytes = status->vm_lck;
        out.data_bytes = status->vm_data;
        if (status->vm_size) out.virt_bytes = status->vm_size;
    }
    std::string buf;
    if (r.read("smaps_rollup", buf, ss)) {
        if (auto roll = parse_smaps_rollup(buf)) {
            out.rss_bytes = roll->rss;
            out.pss_bytes = roll->pss;
            if (roll->private_clean && roll->private_dirty)
                out.uss_bytes = *roll->private_clean + *roll->private_dirty;
            if (roll->shared_clean && roll->shared_dirty)
                out.shared_bytes = *roll->shared_clean + *roll->shared_dirty;
            if (roll->swap) out.swap_bytes = roll->swap;
            out.swap_pss_bytes = roll->swap_pss;
        } else if (!buf.empty()) {
            ss.problems.push_back({"smaps_rollup", ReadFailure::failed, roll.error().message});
        }
        // An empty smaps_rollup: a process without memory (a kernel thread or a zombie).
    }
    // smaps: only its first kInspectSmapsBytes (a process with 100 000 mappings has a
    // 30 MB smaps); the mappings past it are left out, and said to be.
    UniqueFd fd = r.proc().open_file(r.rel("smaps"));
    if (!fd) {
        ss.problems.push_back(r.problem("smaps", errno));
        return;
    }
    buf.assign(kInspectSmapsBytes + 1, '\0');
    std::size_t used = 0;
    while (used < buf.size()) {
        const ssize_t n = ::read(fd.get(), buf.data() + used, buf.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ss.problems.push_back(r.problem("smaps", errno));
            return;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    out.mappings_cut = used > kInspectSmapsBytes;
    buf.resize(std::min(used, kInspectSmapsBytes));
    out.top_mappings =
        parse_smaps_top(buf, kInspectMaxMappings, !out.mappings_cut, out.mappings_seen);
}

void read_io(const ProcReader& r, const FullStat& st, std::uint64_t hz, IoInfo& out) {
    SectionStatus& ss = out.status;
    std::string buf;
    if (r.read("io", buf, ss)) {
        if (auto io = parse_pid_io(buf)) {
            out.read_bytes = io->read_bytes;
            out.write_bytes = io->write_bytes;
            out.cancelled_write_bytes = io->cancelled_write_bytes;
            out.rchar = io->rchar;
            out.wchar = io->wchar;
            out.syscr = io->syscr;
            out.syscw = io->syscw;
        } else {
            ss.problems.push_back({"io", ReadFailure::failed, io.error().message});
        }
    }
    // With delay accounting off the kernel counts nothing, and 0 would read as "never
    // waited": unknown instead, and said why.
    if (read_delayacct(r.proc()) == false) {
        ss.problems.push_back({"blkio_delay", ReadFailure::unsupported,
                               "delay accounting is off (sysctl kernel.task_delayacct=1)"});
    } else if (st.blkio_ticks) {
        out.blkio_delay_s = static_cast<double>(*st.blkio_ticks) / static_cast<double>(hz);
        ss.any_read = true;
    }
}

void read_files(const ProcReader& r, FilesInfo& out) {
    SectionStatus& ss = out.status;
    KeptDir dir(r.proc(), r.rel("fd"));
    if (!dir.valid()) {
        ss.problems.push_back(r.problem("fd", errno));
        return;
    }
    dir.close();
    // Not KeptDir::list_numeric: that one reads PIDs, and fd 0 is no PID.
    std::vector<std::string> names;
    r.proc().list_names(r.rel("fd"), names);
    std::vector<int> fds;
    for (const std::string& n : names) {
        std::uint64_t v = 0;
        if (parse_u64(n, v) && v <= 0x7FFFFFFF) fds.push_back(static_cast<int>(v));
    }
    std::sort(fds.begin(), fds.end());
    ss.any_read = true;
    out.count = fds.size();
    bool sockets = false;
    std::string target;
    std::size_t lost = 0;
    for (int fd : fds) {
        if (out.fds.size() >= kInspectMaxFds) break;
        if (!r.proc().read_link(r.rel("fd/" + std::to_string(fd)), target)) {
            ++lost;  // closed since the listing
            continue;
        }
        out.fds.push_back(classify_fd(fd, target));
        sockets = sockets || out.fds.back().type == "socket";
    }
    if (lost) *out.count -= std::min(lost, *out.count);
    if (!sockets) return;
    // The socket tables of the process's own network namespace.
    std::unordered_map<std::uint64_t, SocketInfo> table;
    std::string buf;
    for (std::string_view proto : {"tcp", "tcp6", "udp", "udp6", "unix"}) {
        const std::string name = "net/" + std::string(proto);
        if (!r.proc().read_into(r.rel(name), buf)) {
            // A kernel without IPv6 has no tcp6: nothing to find there.
            if (errno != ENOENT || !r.alive()) ss.problems.push_back(r.problem(name, errno));
            continue;
        }
        ParseNotes notes;
        if (proto == "unix")
            parse_unix_table(buf, table, notes);
        else
            parse_inet_table(buf, proto, table, notes);
        if (notes.note()) ss.problems.push_back({name, ReadFailure::failed, *notes.note()});
    }
    for (OpenFile& f : out.fds) {
        if (f.type != "socket" || !f.inode) continue;
        if (auto it = table.find(*f.inode); it != table.end()) f.socket = it->second;
    }
}

void read_limits(const ProcReader& r, const FullStat& st, std::uint64_t hz,
                 const std::optional<StatusInfo>& status, const FilesInfo& files, LimitsInfo& out) {
    SectionStatus& ss = out.status;
    std::string buf;
    if (!r.read("limits", buf, ss)) return;
    auto limits = parse_limits(buf);
    if (!limits) {
        ss.problems.push_back({"limits", ReadFailure::failed, limits.error().message});
        ss.any_read = false;
        return;
    }
    out.limits = std::move(*limits);
    for (Limit& l : out.limits) {
        if (l.id == "nofile")
            l.current = files.count;
        else if (l.id == "cpu")
            l.current = (st.utime + st.stime) / std::max<std::uint64_t>(hz, 1);
        else if (status && l.id == "as")
            l.current = status->vm_size;
        else if (status && l.id == "memlock")
            l.current = status->vm_lck;
        else if (status && l.id == "data")
            l.current = status->vm_data;
        else if (status && l.id == "rss")
            l.current = status->vm_rss;
        else if (status && l.id == "sigpending")
            l.current = status->sigq_pending;
    }
}

void read_environment(const ProcReader& r, EnvironmentInfo& out) {
    std::string buf;
    if (r.read("environ", buf, out.status)) out.vars = parse_environ(buf);
}

void read_threads(const InspectContext& ctx, const ProcReader& r, ThreadsInfo& out) {
    SectionStatus& ss = out.status;
    KeptDir dir(r.proc(), r.rel("task"));
    std::vector<pid_t> tids, second;
    std::vector<std::byte> scratch;
    if (!dir.valid() || !dir.list_threads(tids, second, scratch)) {
        ss.problems.push_back(r.problem("task", errno));
        return;
    }
    ss.any_read = true;
    out.count = tids.size();
    const double hz = static_cast<double>(ctx.clock.ticks_per_s());
    std::string buf;
    for (pid_t tid : tids) {
        if (out.threads.size() >= kInspectMaxThreads) break;
        if (!ctx.proc.read_into(r.rel("task/" + std::to_string(tid) + "/stat"), buf)) continue;
        auto st = parse_full_stat(buf);
        if (!st) continue;
        ThreadInfo t;
        t.tid = tid;
        t.name = st->comm;
        t.state = st->state;
        t.user_s = static_cast<double>(st->utime) / hz;
        t.system_s = static_cast<double>(st->stime) / hz;
        t.last_cpu = st->processor;
        out.threads.push_back(std::move(t));
    }
}

}  // namespace

Result<ProcessInfo> inspect_process(const InspectContext& ctx, pid_t pid) {
    ProcReader r(ctx.proc, pid);
    std::string buf;
    if (!ctx.proc.read_into(r.rel("stat"), buf)) {
        const int err = errno;
        if (err == ENOENT || err == ESRCH)
            return make_error(fmt::format("no process with PID {}", pid));
        return make_error(fmt::format("cannot read process {}: {}", pid, std::strerror(err)));
    }
    auto st = parse_full_stat(buf);
    if (!st) return make_error(fmt::format("process {}: {}", pid, st.error().message));

    ProcessInfo info;
    std::optional<StatusInfo> status;
    if (ctx.proc.read_into(r.rel("status"), buf)) {
        status = parse_status(buf);
    } else {
        const ReadProblem p = r.problem("status", errno);
        for (SectionStatus* s : {&info.identity.status, &info.cpu.status, &info.memory.status})
            s->problems.push_back(p);
    }
    const std::uint64_t hz = ctx.clock.ticks_per_s();
    read_identity(ctx, r, *st, status, info.identity);
    read_cpu(ctx, r, *st, status, info.cpu);
    read_memory(r, *st, status, info.memory);
    read_io(r, *st, hz, info.io);
    read_files(r, info.files);
    read_limits(r, *st, hz, status, info.files, info.limits);
    read_environment(r, info.environment);
    if (ctx.threads) read_threads(ctx, r, info.threads);
    return info;
}

}  // namespace vigil
