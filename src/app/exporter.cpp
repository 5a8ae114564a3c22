#include "vigil/app/exporter.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <ctime>
#include <unordered_map>

#include "vigil/app/app.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/options.hpp"
#include "vigil/app/recording.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/cgroups.hpp"
#include "vigil/ui/export/metrics_writer.hpp"

namespace vigil {

namespace {

double seconds_of(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// The task with this tid in a sample (sorted by tid), or null.
const TaskSample* task_by_tid(const Snapshot& s, pid_t tid) {
    auto it = std::lower_bound(s.tasks.begin(), s.tasks.end(), tid,
                               [](const TaskSample& t, pid_t v) { return t.tid < v; });
    return it != s.tasks.end() && it->tid == tid ? &*it : nullptr;
}

struct Activity {
    std::size_t leader = 0;
    std::uint64_t io_bytes = 0;
    std::uint64_t cpu_us = 0;
};

// The processes of the interval with the most storage I/O, then CPU; those that did
// neither are left out. Indices of their leaders in f.cur->tasks, with their activity.
std::vector<Activity> most_active(const Frame& f, std::size_t top) {
    std::vector<Activity> all;
    const Snapshot& cur = *f.cur;
    if (top == 0 || f.tasks.size() != cur.tasks.size()) return all;
    const std::vector<std::size_t> leaders = leader_indices(cur);
    std::unordered_map<pid_t, Activity> by_process;
    for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
        const TaskDelta d = f.tasks.at(i);
        std::uint64_t io = d.valid ? d.read_bytes + d.write_bytes : 0;
        std::uint64_t cpu = d.has_activity ? d.activity.user_us + d.activity.system_us : 0;
        if (io == 0 && cpu == 0) continue;
        Activity& a = by_process[cur.tasks[i].tgid];
        a.leader = leaders[i];
        a.io_bytes += io;
        a.cpu_us += cpu;
    }
    all.reserve(by_process.size());
    for (const auto& [pid, a] : by_process)
        if (cur.tasks[a.leader].tid == pid) all.push_back(a);  // its leader is listed
    const std::size_t n = std::min(top, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                      [](const Activity& a, const Activity& b) {
                          if (a.io_bytes != b.io_bytes) return a.io_bytes > b.io_bytes;
                          return a.cpu_us > b.cpu_us;
                      });
    all.resize(n);
    return all;
}

}  // namespace

Exporter::Exporter(MetricsServer& server, const FsRoot& proc, std::size_t top)
    : server_(server), proc_(proc), top_(top) {}

std::vector<std::size_t> Exporter::choose(const Frame& f) {
    const Snapshot& cur = *f.cur;
    const double now = cur.steady_s;
    std::vector<std::size_t> out;
    for (const Activity& a : most_active(f, top_)) {
        out.push_back(a.leader);
        const TaskSample& t = cur.tasks[a.leader];
        recent_[Recent::Key{t.tid, t.start_ticks}] = now;
    }
    // A process keeps its series a while after it went quiet (kKeepS), in the places the
    // active ones leave, most recently active first: a series that comes and goes with each
    // pause would read as ended to Prometheus.
    std::erase_if(recent_, [&](const auto& kv) { return now - kv.second > kKeepS; });
    if (out.size() < top_ && recent_.size() > out.size()) {
        std::vector<std::pair<double, std::size_t>> quiet;
        for (const auto& [key, when] : recent_) {
            const TaskSample* t = task_by_tid(cur, key.pid);
            if (!t || t->start_ticks != key.start_ticks || t->tid != t->tgid) continue;
            const auto i = static_cast<std::size_t>(t - cur.tasks.data());
            if (std::find(out.begin(), out.end(), i) == out.end()) quiet.emplace_back(when, i);
        }
        std::sort(quiet.begin(), quiet.end(), std::greater<>());
        for (const auto& [when, i] : quiet) {
            if (out.size() >= top_) break;
            out.push_back(i);
        }
    }
    return out;
}

std::vector<ExportedCgroup> CgroupExport::next(const Frame& f) {
    ++frames_;
    const Snapshot& cur = *f.cur;
    const std::vector<CgroupSample>& groups = cur.machine.cgroups;
    std::vector<ExportedCgroup> out;
    for (std::size_t i : select_exported_cgroups(groups)) out.push_back(ExportedCgroup{i, {}, {}});
    // A group without io.stat: its tasks' I/O of the interval (a rate over the interval:
    // times the interval, whole bytes again) added to what they did before.
    std::vector<CgroupRates> rates;
    double dt = 0;
    if (f.prev && f.prev != f.cur) {
        dt = cur.machine.steady_s - f.prev->machine.steady_s;
        if (std::any_of(out.begin(), out.end(),
                        [&](const ExportedCgroup& x) { return !groups[x.index].io; }))
            rates = compute_cgroup_rates(*f.prev, cur, f.tasks);
    }
    for (ExportedCgroup& x : out) {
        const CgroupSample& g = groups[x.index];
        if (g.io) continue;
        auto [it, added] = task_io_.try_emplace(g.path);
        TaskIo& t = it->second;
        if (added || t.inode != g.inode) t = TaskIo{g.inode, 0, 0, 0};
        t.seen = frames_;
        const CgroupRates* r = x.index < rates.size() ? &rates[x.index] : nullptr;
        if (!r || r->io_source != CgroupIoSource::tasks) {
            // No interval yet for this group (first sample, or new): nothing summed, and
            // nothing exported until there is.
            if (added) continue;
        } else {
            auto bytes = [dt](double per_s) {
                return static_cast<std::uint64_t>(std::llround(std::max(per_s * dt, 0.0)));
            };
            if (r->read_bytes_per_s) t.read += bytes(*r->read_bytes_per_s);
            if (r->write_bytes_per_s) t.write += bytes(*r->write_bytes_per_s);
        }
        x.task_read_bytes = t.read;
        x.task_write_bytes = t.write;
    }
    std::erase_if(task_io_, [&](const auto& kv) { return kv.second.seen != frames_; });
    return out;
}

void Exporter::publish(Pipeline& pipeline, double sample_s) {
    ++samples_;
    const Frame& f = pipeline.frame();
    const Snapshot& cur = *f.cur;
    MetricsInput in;
    in.machine = cur.machine.collected ? &cur.machine : nullptr;
    in.clk_tck = cur.clk_tck;
    in.page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    if (cur.machine.collected & section_bit(Section::cgroups)) in.cgroups = cgroups_.next(f);
    const double hz = static_cast<double>(cur.clk_tck ? cur.clk_tck : 100);
    for (std::size_t i : choose(f)) {
        const TaskSample& t = cur.tasks[i];
        auto totals = read_process_totals(proc_, t.tid, t.start_ticks, buf_);
        if (!totals) continue;  // gone, or the PID reused
        ExportedProcess p;
        p.pid = t.tid;
        p.comm = t.comm;
        p.user = pipeline.source().user_name(t.uid);
        p.cgroup = totals->cgroup;
        if (totals->io) {
            p.read_bytes = totals->io->read_bytes;
            p.write_bytes = totals->io->write_bytes;
            p.cancelled_write_bytes = totals->io->cancelled_write_bytes;
            p.read_chars = totals->io->rchar;
            p.write_chars = totals->io->wchar;
        }
        p.user_s = static_cast<double>(totals->utime_ticks) / hz;
        p.system_s = static_cast<double>(totals->stime_ticks) / hz;
        in.processes.push_back(std::move(p));
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    in.self.user_s = seconds_of(ru.ru_utime);
    in.self.system_s = seconds_of(ru.ru_stime);
    in.self.resident_bytes = self_resident_bytes(proc_, buf_);
    in.self.samples = samples_;
    in.self.scrapes = server_.scrapes();
    in.self.sample_time_s = static_cast<double>(cur.wall_ns) / 1e9;
    in.self.sample_duration_s = sample_s;
    std::string prom, om;
    write_metrics(in, MetricsFormat::prometheus, prom);
    write_metrics(in, MetricsFormat::openmetrics, om);
    server_.publish(std::move(prom), std::move(om));
}

std::unique_ptr<MetricsServer> start_metrics_server(const Options& o) {
    auto server = MetricsServer::start(*o.listen, MetricsServer::Limits{}, o.web_config);
    if (!server) {
        say(server.error().message);
        return nullptr;
    }
    return std::move(*server);
}

int run_headless(const Options& o) {
    auto session = open_session(o);
    if (!session) {
        say(session.error().message);
        return kExitUsage;
    }
    // SIGINT, SIGTERM and SIGHUP end the loop between samples (blocked before the server's
    // thread starts, so that it inherits the mask and they come here).
    sigset_t stop;
    sigemptyset(&stop);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, s);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    std::unique_ptr<RecordWriter> recorder;
    std::vector<std::string> record_notices;
    int status = kExitOk;
    if (!open_recording(o, record_notices, recorder, status)) return status;
    for (const auto& n : record_notices) say(n);
    for (const auto& n : session->notices) say(n);
    std::unique_ptr<MetricsServer> server = start_metrics_server(o);
    if (!server) return kExitRuntime;
    say("serving metrics at " + server->url());
    Sampler& sampler = *session->sampler;
    sampler.set_machine_collector(std::make_unique<MachineCollector>(
        *session->roots, overview_mask({kAllSections.begin(), kAllSections.end()}), session->live));
    LiveSource source(sampler);
    Pipeline pipeline(source);
    Exporter exporter(*server, session->roots->proc, o.export_top);
    const Clock& clock = system_clock();
    auto step = [&] {
        const double began = clock.steady_s();
        source.sample();
        pipeline.advance();
        exporter.publish(pipeline, clock.steady_s() - began);
        if (recorder) {
            auto ok = pipeline.record(*recorder);
            for (const std::string& n : recorder->take_notices()) say(n);
            if (!ok) {
                say(ok.error().message);
                return false;
            }
        }
        for (const std::string& n : source.take_notices()) say(n);
        return true;
    };
    if (!step()) return kExitRuntime;
    const double start = source.cur().steady_s;
    for (long i = 1; !o.iterations || i < *o.iterations; ++i) {
        const double deadline = start + static_cast<double>(i) * o.delay_s;
        for (;;) {
            const double left = deadline - clock.steady_s();
            if (left <= 0) break;
            timespec ts{};
            ts.tv_sec = static_cast<time_t>(left);
            ts.tv_nsec = static_cast<long>((left - static_cast<double>(ts.tv_sec)) * 1e9);
            const int sig = sigtimedwait(&stop, nullptr, &ts);
            if (sig > 0) {
                server.reset();
                recorder.reset();
                return kExitSignal + sig;
            }
        }
        if (!step()) return kExitRuntime;
    }
    return kExitOk;
}

}  // namespace vigil
