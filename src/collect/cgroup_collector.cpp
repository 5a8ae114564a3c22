#include "vigil/collect/cgroup_collector.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <fmt/format.h>
#include "cgroup_carry.hpp"
#include "cgroup_files.hpp"

// The walk: the kept directories and files of each group (the reads are cgroup_files.cpp's,
// the carrying over cgroup_carry.cpp's, the parsers cgroup_parsers.cpp's).

namespace vigil {

using namespace cgroup_walk;

struct CgroupCollector::Group {
    std::string name;  // the path component ("" for the root)
    std::uint64_t inode = 0;
    UniqueFd dir;
    std::array<UniqueFd, kFiles> files;
    // Files found absent (looked for again on the group's turn).
    std::array<bool, kFiles> absent{};
    UniqueFd v1_mem, v1_cpuacct;
    bool v1_absent = false;
    std::vector<std::unique_ptr<Group>> children;  // sorted by name
    // Its figures at the last sample (its identity unused), whether there was one, and
    // whether its last two whole reads gave the same counters (nothing moved in between).
    CgroupSample last;
    bool have_last = false;
    bool settled = false;
    // Which sample of every kFullReadEvery is its turn to be read whole.
    std::uint64_t turn = 0;
    // What its runtime calls it, and whether to stop asking (see ContainerNames).
    std::string runtime_name;
    bool name_done = false;

    std::size_t fds() const {
        std::size_t n = dir ? 1 : 0;
        for (const UniqueFd& f : files) n += f ? 1 : 0;
        n += (v1_mem ? 1 : 0) + (v1_cpuacct ? 1 : 0);
        for (const auto& c : children) n += c->fds();
        return n;
    }
};

namespace {

// A file the group lacked is looked for again every this many samples (a controller may be
// enabled for it later); in between it costs nothing.
constexpr std::uint64_t kRetryAbsentEvery = 10;

// The share of the kept-descriptor budget the walk may use; the task sweep needs the rest.
constexpr std::size_t kBudgetShareDivisor = 4;

// A group whose files are carried over from its last sample (see CgroupCollector) is read
// whole again at least this often; groups take their turns on different samples.
constexpr std::uint64_t kFullReadEvery = 10;

struct Walk {
    const FsRoot& sys;
    std::size_t max_groups;
    std::uint64_t sample;
    std::size_t budget;
    std::size_t cold_limit;
    std::size_t kept;
    bool carry;
    const std::string& v1_memory_rel;
    const std::string& v1_cpuacct_rel;
    std::string& buf;
    std::vector<std::byte>& dents;
    MachineSample& out;
    std::vector<std::uint32_t>& carried;  // indices of the groups carried over, ascending
    ContainerNames* names;                // null: no runtime state directory
    ParseNotes io_notes;
    bool truncated = false;
    std::size_t unreadable = 0;

    // Reads file f of g into buf; false if the group lacks it (or it cannot be read).
    bool read(CgroupCollector::Group& g, File f) {
        UniqueFd& fd = g.files[f];
        if (!fd) {
            // Known absent: looked for again on the group's turn only (turns are spread
            // over the samples, so thousands of groups are not all retried at once).
            if (g.absent[f] && (sample + g.turn) % kRetryAbsentEvery != 0) return false;
            UniqueFd opened = open_in(g.dir.get(), kFileNames[f], sys.kernel_files());
            if (!opened) {
                if (!out_of_fds(errno)) g.absent[f] = true;
                return false;
            }
            g.absent[f] = false;
            if (kept < (is_hot(f) ? budget : cold_limit)) {
                fd = std::move(opened);
                ++kept;
            } else {
                return pread_all(opened.get(), buf);  // closed on return
            }
        }
        return pread_all(fd.get(), buf);
    }

    bool read_v1(const std::string& root_rel, const std::string& path, const char* file,
                 UniqueFd& fd) {
        if (root_rel.empty()) return false;
        if (!fd) {
            std::string rel = root_rel;
            if (path != "/") rel += path;
            rel += '/';
            rel += file;
            UniqueFd opened = sys.open_file(rel);
            if (!opened) return false;
            if (kept < budget) {
                fd = std::move(opened);
                ++kept;
            } else {
                return pread_all(opened.get(), buf);
            }
        }
        return pread_all(fd.get(), buf);
    }

    // parent_v1_absent: the parent has neither v1 file, so this group cannot have them.
    void fill(CgroupCollector::Group& g, CgroupSample& s, bool parent_v1_absent) {
        // What is read every sample: what says whether anything in the group moved.
        if (read(g, f_cpu_stat)) parse_cgroup_cpu_stat(buf, s);
        if (read(g, f_mem_current)) s.memory_current = parse_cgroup_u64(buf);
        if (read(g, f_io_stat)) s.io = parse_cgroup_io_stat(buf, io_notes);
        // v1 hierarchies: looked for again only now and then once missing.
        if (parent_v1_absent) {
            if (g.v1_mem || g.v1_cpuacct) kept -= (g.v1_mem ? 1 : 0) + (g.v1_cpuacct ? 1 : 0);
            g.v1_mem.reset();
            g.v1_cpuacct.reset();
            g.v1_absent = true;
        } else if (!v1_memory_rel.empty() || !v1_cpuacct_rel.empty()) {
            if (!g.v1_absent || (sample + g.turn) % kRetryAbsentEvery == 0) {
                bool any = false;
                if (read_v1(v1_memory_rel, s.path, "memory.usage_in_bytes", g.v1_mem)) {
                    s.v1_memory_usage = parse_cgroup_u64(buf);
                    any = true;
                }
                if (read_v1(v1_cpuacct_rel, s.path, "cpuacct.usage", g.v1_cpuacct)) {
                    s.v1_cpuacct_usage_ns = parse_cgroup_u64(buf);
                    any = true;
                }
                g.v1_absent = !any;
            }
        }

        // Nothing ran in the group (CPU time, memory, I/O and v1 figures as they were), it
        // was settled, and no pressure average is decaying: its other files are as they
        // were. Its turn for a whole read comes every kFullReadEvery samples.
        if (carry && g.have_last && g.settled && (sample + g.turn) % kFullReadEvery != 0 &&
            averages_zero(g.last) && same_hot(g.last, s)) {
            copy_cold(g.last, s);
            carried.push_back(static_cast<std::uint32_t>(out.cgroups.size() - 1));
            return;
        }

        if (kept > cold_limit) {  // give the cold files' descriptors back
            for (std::size_t f = 0; f < kFiles; ++f)
                if (!is_hot(static_cast<File>(f)) && g.files[f]) {
                    g.files[f].reset();
                    --kept;
                }
        }
        if (read(g, f_mem_stat)) {
            s.memory_anon = keyed_u64(buf, "anon");
            s.memory_file = keyed_u64(buf, "file");
        }
        if (read(g, f_mem_max)) s.memory_max = parse_cgroup_u64(buf, true);
        if (read(g, f_mem_events)) {
            s.oom = keyed_u64(buf, "oom");
            s.oom_kill = keyed_u64(buf, "oom_kill");
        }
        constexpr std::array<File, 3> pressure{f_cpu_pressure, f_io_pressure, f_mem_pressure};
        for (std::size_t r = 0; r < pressure.size(); ++r)
            if (read(g, pressure[r])) parse_cgroup_pressure(buf, s.some[r], s.full[r]);
        if (read(g, f_procs)) {
            s.procs.emplace();
            parse_cgroup_procs(buf, *s.procs);
        }
        g.settled = g.have_last && same_hot(g.last, s) && same_cold(g.last, s);
        g.last = s;  // reuses g.last's memory
        g.have_last = true;
    }

    static UniqueFd open_dir(int parent_dir, const std::string& name) {
        return UniqueFd(::openat(parent_dir, name.c_str(),
                                 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    }

    void visit(CgroupCollector::Group& g, const std::string& path, std::int32_t parent,
               bool parent_v1_absent) {
        if (out.cgroups.size() >= max_groups) {
            truncated = true;
            return;
        }
        const auto index = static_cast<std::int32_t>(out.cgroups.size());
        CgroupSample& s = out.cgroups.emplace_back();
        s.path = path;
        s.inode = g.inode;
        s.parent = parent;
        fill(g, s, parent_v1_absent);  // before the children are pushed: s stays valid until then
        if (names && !g.name_done) g.runtime_name = names->name(path, g.name_done);
        s.runtime_name = g.runtime_name;
        // A directory's link count is 2 + its subdirectories (kernfs, and the file systems
        // a fixture lives on): a leaf, most groups, needs no listing.
        std::vector<Dent> subdirs;
        struct stat st {};
        const bool leaf = ::fstat(g.dir.get(), &st) == 0 && st.st_nlink == 2;
        if (!leaf && !list_subdirs(g.dir.get(), dents, subdirs)) ++unreadable;

        // Match the listing with the kept children: same name and inode, else a new group.
        std::vector<std::unique_ptr<CgroupCollector::Group>> next;
        next.reserve(subdirs.size());
        auto it = g.children.begin();
        auto drop = [&](std::unique_ptr<CgroupCollector::Group>& c) { kept -= c->fds(); };
        for (Dent& d : subdirs) {
            while (it != g.children.end() && (*it)->name < d.name) drop(*it++);
            if (it != g.children.end() && (*it)->name == d.name && (*it)->inode == d.ino) {
                next.push_back(std::move(*it++));
                continue;
            }
            if (it != g.children.end() && (*it)->name == d.name)
                drop(*it++);  // removed and made again: another group, counters from 0
            auto c = std::make_unique<CgroupCollector::Group>();
            c->name = std::move(d.name);
            c->inode = d.ino;
            c->turn = d.ino % kFullReadEvery;
            next.push_back(std::move(c));
        }
        for (; it != g.children.end(); ++it) drop(*it);
        g.children = std::move(next);

        for (auto& c : g.children) {
            // Past the budget a directory is opened for its visit and closed after it.
            const bool was_open = static_cast<bool>(c->dir);
            if (!was_open) {
                c->dir = open_dir(g.dir.get(), c->name);
                struct stat st {};
                if (!c->dir || ::fstat(c->dir.get(), &st) != 0) {
                    if (c->dir) c->dir.reset();
                    if (out_of_fds(errno)) ++unreadable;
                    continue;  // removed since the listing
                }
                if (st.st_ino != c->inode) {  // made again since the listing
                    c->dir.reset();
                    continue;
                }
                ++kept;
            }
            std::string child = path == "/" ? "/" + c->name : path + "/" + c->name;
            visit(*c, child, index, g.v1_absent);
            if (kept > budget && c->children.empty()) {
                kept -= c->fds();
                c->dir.reset();
                for (UniqueFd& f : c->files) f.reset();
                c->v1_mem.reset();
                c->v1_cpuacct.reset();
            }
            if (truncated) return;
        }
    }
};

}  // namespace

CgroupCollector::CgroupCollector(const FsRoot& sys, std::size_t max_groups)
    : sys_(sys), max_groups_(std::max<std::size_t>(max_groups, 1)), carry_(sys.kernel_files()) {
    // The runtimes' state lives beside sys: "/" for /sys, DIR for DIR/sys (a fixture).
    std::string_view root = sys.path();
    while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
    if (root == "/sys" || root == "sys")
        names_ = std::make_unique<ContainerNames>(root == "/sys" ? "/" : ".");
    else if (root.ends_with("/sys"))
        names_ = std::make_unique<ContainerNames>(std::string(root.substr(0, root.size() - 4)));
}

void CgroupCollector::drop_moved_processes(MachineSample& out) {
    // A process listed by a group read now and by one carried over was moved while it slept
    // (nothing else moves a process without it running): the fresh list is right.
    if (carried_.empty()) return;
    fresh_.clear();
    std::size_t next = 0;
    for (std::size_t i = 0; i < out.cgroups.size(); ++i) {
        if (next < carried_.size() && carried_[next] == i) {
            ++next;
            continue;
        }
        if (out.cgroups[i].procs)
            fresh_.insert(fresh_.end(), out.cgroups[i].procs->begin(), out.cgroups[i].procs->end());
    }
    std::sort(fresh_.begin(), fresh_.end());
    for (std::uint32_t i : carried_) {
        std::optional<std::vector<pid_t>>& procs = out.cgroups[i].procs;
        if (!procs) continue;
        std::erase_if(*procs,
                      [&](pid_t p) { return std::binary_search(fresh_.begin(), fresh_.end(), p); });
    }
}

CgroupCollector::~CgroupCollector() = default;

std::size_t CgroupCollector::kept_fds() const {
    return root_ ? root_->fds() : 0;
}

bool CgroupCollector::find_root() {
    // A cgroup2 mount's root holds cgroup.controllers; a v1 or tmpfs one does not.
    for (const char* rel : {"fs/cgroup", "fs/cgroup/unified"}) {
        KeptDir d(sys_, rel);
        if (!d.valid()) continue;
        std::string probe = std::string(rel) + "/cgroup.controllers";
        if (sys_.links(probe) == 0) continue;
        auto g = std::make_unique<Group>();
        g->dir = UniqueFd(::openat(d.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!g->dir) continue;
        struct stat st {};
        if (::fstat(g->dir.get(), &st) != 0) continue;
        g->inode = st.st_ino;
        root_rel_ = rel;
        root_ = std::move(g);
        break;
    }
    if (!root_) return false;
    // v1 controllers of a hybrid (or v1) machine, each mounted alone or co-mounted.
    v1_memory_rel_.clear();
    v1_cpuacct_rel_.clear();
    if (sys_.links("fs/cgroup/memory/memory.usage_in_bytes") != 0)
        v1_memory_rel_ = "fs/cgroup/memory";
    for (const char* rel : {"fs/cgroup/cpuacct", "fs/cgroup/cpu,cpuacct"}) {
        if (sys_.links(std::string(rel) + "/cpuacct.usage") != 0) {
            v1_cpuacct_rel_ = rel;
            break;
        }
    }
    return true;
}

void CgroupCollector::collect(MachineSample& out) {
    out.cgroups.clear();
    out.cgroup_root.clear();
    ++samples_;
    if (!root_ && !find_root()) {
        out.notes.push_back(
            {Section::cgroups, "no cgroup v2 hierarchy under " + sys_.path() + "/fs/cgroup"});
        return;
    }
    out.cgroup_root = root_rel_;
    const std::size_t budget = kept_fd_budget() / kBudgetShareDivisor;
    // Room for each group's directory and cpu.stat (as many groups as last time) first.
    const std::size_t hot = 2 * last_groups_;
    const std::size_t cold_limit = budget > hot ? budget - hot : 0;
    carried_.clear();
    if (names_) names_->next_sample();
    Walk w{sys_,
           max_groups_,
           samples_,
           budget,
           cold_limit,
           root_->fds(),
           carry_,
           v1_memory_rel_,
           v1_cpuacct_rel_,
           buf_,
           dents_,
           out,
           carried_,
           names_.get(),
           {},
           false,
           0};
    w.visit(*root_, "/", -1, false);
    carried_groups_ = carried_.size();
    last_groups_ = out.cgroups.size();
    drop_moved_processes(out);
    if (w.io_notes.note()) out.notes.push_back({Section::cgroups, *w.io_notes.note()});
    if (w.truncated)
        out.notes.push_back(
            {Section::cgroups, fmt::format("walked the first {} cgroups only", max_groups_)});
    if (w.unreadable)
        out.notes.push_back(
            {Section::cgroups,
             fmt::format("{} cgroup directories could not be listed", w.unreadable)});
}

}  // namespace vigil
