#include "vigil/ui/batch/inspect_writer.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vigil/core/text.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kIdKinds[] = {"real", "effective", "saved", "fs"};

// ---- text ----

class Text {
  public:
    Text(bool utf8, ByteUnits units) : utf8_(utf8), units_(units) {}

    std::string esc(std::string_view raw) const {
        return escape_text(raw, TextEscape::terminal, utf8_);
    }
    template <typename T>
    std::string opt(const std::optional<T>& v) const {
        return v ? fmt::format("{}", *v) : std::string("?");
    }
    std::string bytes(const std::optional<std::uint64_t>& v) const {
        if (!v) return "?";
        return fmt::format("{} ({} bytes)", format_bytes(static_cast<double>(*v), units_), *v);
    }
    std::string seconds(const std::optional<double>& v) const {
        return v ? fmt::format("{:.2f} s", *v) : std::string("?");
    }
    std::string text(const std::optional<std::string>& v) const { return v ? esc(*v) : "?"; }

    void title(std::string_view t, const SectionStatus& s) {
        out += fmt::format("== {} ==\n", t);
        if (s.state() == SectionStatus::State::unavailable) out += "  (nothing could be read)\n";
        for (const ReadProblem& p : s.problems)
            out += fmt::format("  ! {}: {} ({})\n", esc(p.item), esc(p.detail),
                               read_failure_name(p.why));
    }
    void line(std::string_view label, std::string_view value) {
        out += fmt::format("  {:<18} {}\n", label, value);
    }

    std::string out;

  private:
    bool utf8_;
    ByteUnits units_;
};

std::string age_text(double s) {
    const auto total = static_cast<std::int64_t>(s);
    const std::int64_t d = total / 86400, h = total / 3600 % 24, m = total / 60 % 60,
                       sec = total % 60;
    return d ? fmt::format("{}d {:02}:{:02}:{:02}", d, h, m, sec)
             : fmt::format("{:02}:{:02}:{:02}", h, m, sec);
}

std::string limit_text(const std::optional<LimitValue>& v) {
    if (!v) return "?";
    return v->unlimited ? "unlimited" : std::to_string(v->value);
}

void text_identity(Text& t, const IdentityInfo& id) {
    t.title("Identity", id.status);
    t.line("pid", std::to_string(id.pid));
    t.line("name", t.esc(id.name));
    std::string chain;
    for (const ChainEntry& e : id.ppid_chain)
        chain += fmt::format("{}{} ({})", chain.empty() ? "" : " < ", e.pid,
                             e.name.empty() ? "?" : t.esc(e.name));
    t.line("parents", chain.empty() ? "none" : chain);
    auto ids = [&](std::string_view label, const std::optional<IdSet>& s) {
        if (!s) return t.line(label, "?");
        std::string v;
        for (std::size_t i = 0; i < 4; ++i)
            v += fmt::format("{}{} {} ({})", i ? ", " : "", kIdKinds[i], s->ids[i],
                             t.esc(s->names[i]));
        t.line(label, v);
    };
    ids("uids", id.uids);
    ids("gids", id.gids);
    if (!id.cmdline)
        t.line("command line", "?");
    else if (id.cmdline->empty())
        t.line("command line", "(none: a kernel thread or a zombie)");
    else
        t.line("command line", escape_text_capped(*id.cmdline, id.cmdline_unread,
                                                  TextEscape::terminal, true, kCommandMaxBytes));
    t.line("exe", t.text(id.exe));
    t.line("cwd", t.text(id.cwd));
    t.line("root", t.text(id.root));
    if (id.start_wall_s && id.age_s)
        t.line("started",
               fmt::format("{} ({} ago)", format_date_time(*id.start_wall_s * 1'000'000'000),
                           age_text(*id.age_s)));
    else
        t.line("started", id.start_since_boot_s
                              ? fmt::format("{:.2f} s after boot", *id.start_since_boot_s)
                              : "?");
    t.line("tty", id.tty ? (id.tty->empty() ? "none" : t.esc(*id.tty)) : "?");
    t.line("session", t.opt(id.session));
    t.line("process group", t.opt(id.pgrp));
    for (const std::string& c : id.cgroups) t.line("cgroup", t.esc(c));
    std::string differing;
    bool unknown = false;
    for (const Namespace& ns : id.namespaces) {
        if (!ns.differs_from_init) unknown = true;
        // pid_for_children and time_for_children name a pid or time namespace.
        const std::string shown = ns.id.starts_with(ns.type + ":") ? ns.id : ns.type + "=" + ns.id;
        if (ns.differs_from_init.value_or(true))
            differing += (differing.empty() ? "" : ", ") + t.esc(shown);
    }
    if (unknown)
        t.line("namespaces", differing + " (PID 1's unknown: all listed)");
    else
        t.line("namespaces",
               differing.empty() ? "all as PID 1's" : differing + " (differ from PID 1's)");
}

void text_cpu(Text& t, const CpuInfo& c) {
    t.title("CPU", c.status);
    t.line("state", std::string(1, c.state));
    t.line("wchan", c.wchan ? (c.wchan->empty() ? "-" : t.esc(*c.wchan)) : "?");
    t.line("user time", t.seconds(c.user_s));
    t.line("system time", t.seconds(c.system_s));
    t.line("children user", t.seconds(c.children_user_s));
    t.line("children system", t.seconds(c.children_system_s));
    t.line("ctx switches", fmt::format("{} voluntary, {} involuntary", t.opt(c.voluntary_switches),
                                       t.opt(c.involuntary_switches)));
    t.line("affinity", t.text(c.cpus_allowed));
    t.line("last CPU", t.opt(c.last_cpu));
    t.line("policy", t.text(c.policy));
    t.line("nice", t.opt(c.nice));
    t.line("rt priority", t.opt(c.rt_priority));
    t.line("I/O priority", t.text(c.ioprio));
    t.line("threads", t.opt(c.threads));
    for (const std::string& s : c.kernel_stack) t.line("kernel stack", t.esc(s));
}

void text_memory(Text& t, const MemoryInfo& m) {
    t.title("Memory", m.status);
    t.line("VIRT", t.bytes(m.virt_bytes));
    t.line("RSS", t.bytes(m.rss_bytes));
    t.line("PSS", t.bytes(m.pss_bytes));
    t.line("USS", t.bytes(m.uss_bytes));
    t.line("shared", t.bytes(m.shared_bytes));
    t.line("swap", t.bytes(m.swap_bytes));
    t.line("swap PSS", t.bytes(m.swap_pss_bytes));
    t.line("anon / file / shm", fmt::format("{} / {} / {}", t.bytes(m.anon_bytes),
                                            t.bytes(m.file_bytes), t.bytes(m.shmem_bytes)));
    t.line("peak RSS", t.bytes(m.peak_rss_bytes));
    t.line("locked", t.bytes(m.locked_bytes));
    t.line("data", t.bytes(m.data_bytes));
    if (!m.top_mappings.empty())
        t.line("top mappings",
               fmt::format("by RSS, {} of {}{}", m.top_mappings.size(), m.mappings_seen,
                           m.mappings_cut ? " (smaps read in part)" : ""));
    for (const Mapping& map : m.top_mappings)
        t.out += fmt::format("    {:>10} RSS {:>10} size  {} {} {}\n",
                             format_bytes(static_cast<double>(map.rss_bytes), ByteUnits::human),
                             format_bytes(static_cast<double>(map.size_bytes), ByteUnits::human),
                             t.esc(map.range), t.esc(map.perms),
                             map.path.empty() ? "[anon]" : t.esc(map.path));
}

void text_io(Text& t, const IoInfo& io) {
    t.title("I/O", io.status);
    t.line("read bytes", t.bytes(io.read_bytes));
    t.line("write bytes", t.bytes(io.write_bytes));
    t.line("cancelled writes", t.bytes(io.cancelled_write_bytes));
    t.line("rchar", t.bytes(io.rchar));
    t.line("wchar", t.bytes(io.wchar));
    t.line("read syscalls", t.opt(io.syscr));
    t.line("write syscalls", t.opt(io.syscw));
    t.line("block I/O delay", t.seconds(io.blkio_delay_s));
}

void text_limits(Text& t, const LimitsInfo& l) {
    t.title("Limits", l.status);
    if (l.limits.empty()) return;
    t.out += fmt::format("    {:<26}{:>21}{:>21}{:>14}  {}\n", "LIMIT", "SOFT", "HARD", "CURRENT",
                         "UNITS");
    for (const Limit& lim : l.limits)
        t.out += fmt::format("    {:<26}{:>21}{:>21}{:>14}  {}\n", t.esc(lim.name),
                             limit_text(lim.soft), limit_text(lim.hard),
                             lim.current ? std::to_string(*lim.current) : "-", t.esc(lim.units));
}

void text_files(Text& t, const FilesInfo& f) {
    t.title("Open files", f.status);
    if (f.count) t.line("open", std::to_string(*f.count));
    for (const OpenFile& o : f.fds) {
        std::string what = t.esc(o.target);
        if (o.socket)
            what = fmt::format("{} {} {}{}{}", t.esc(o.socket->protocol), t.esc(o.socket->state),
                               o.socket->local.empty() ? "-" : t.esc(o.socket->local),
                               o.socket->remote.empty() ? "" : " -> ", t.esc(o.socket->remote));
        t.out += fmt::format("    {:>5} {:<10} {}\n", o.fd, o.type, what);
    }
    if (f.count && *f.count > f.fds.size())
        t.out += fmt::format("    ... {} more\n", *f.count - f.fds.size());
}

void text_environment(Text& t, const EnvironmentInfo& e) {
    t.title("Environment", e.status);
    for (const auto& [name, value] : e.vars)
        t.out += fmt::format("    {}={}\n", t.esc(name), t.esc(value));
}

void text_threads(Text& t, const ThreadsInfo& th) {
    t.title("Threads", th.status);
    if (th.threads.empty()) return;
    t.out += fmt::format("    {:>8} {:1} {:>10} {:>10} {:>4}  {}\n", "TID", "S", "USER", "SYSTEM",
                         "CPU", "NAME");
    for (const ThreadInfo& x : th.threads)
        t.out += fmt::format("    {:>8} {:1} {:>10} {:>10} {:>4}  {}\n", x.tid,
                             std::string(1, x.state), t.seconds(x.user_s), t.seconds(x.system_s),
                             t.opt(x.last_cpu), t.esc(x.name));
    if (th.count > th.threads.size())
        t.out += fmt::format("    ... {} more\n", th.count - th.threads.size());
}

// ---- JSON ----

std::string dtext(std::string_view raw) {
    return escape_for_data(raw);
}

template <typename T>
Json opt(const std::optional<T>& v) {
    if (!v) return nullptr;
    if constexpr (std::is_same_v<T, std::string>)
        return dtext(*v);
    else
        return *v;
}

Json status_json(const SectionStatus& s) {
    Json errors = Json::array();
    for (const ReadProblem& p : s.problems)
        errors.push_back(Json{{"item", dtext(p.item)},
                              {"reason", std::string(read_failure_name(p.why))},
                              {"detail", dtext(p.detail)}});
    return Json{{"status", std::string(section_state_name(s.state()))},
                {"errors", std::move(errors)}};
}

Json limit_json(const std::optional<LimitValue>& v) {
    if (!v) return nullptr;
    if (v->unlimited) return "unlimited";
    return v->value;
}

Json ids_json(const std::optional<IdSet>& s) {
    if (!s) return nullptr;
    Json o = Json::object();
    for (std::size_t i = 0; i < 4; ++i) o[std::string(kIdKinds[i])] = s->ids[i];
    return o;
}

Json names_json(const std::optional<IdSet>& s) {
    if (!s) return nullptr;
    Json o = Json::object();
    for (std::size_t i = 0; i < 4; ++i) o[std::string(kIdKinds[i])] = dtext(s->names[i]);
    return o;
}

}  // namespace

namespace {

void text_section(Text& t, const ProcessInfo& info, InspectSection section) {
    switch (section) {
        case InspectSection::identity:
            return text_identity(t, info.identity);
        case InspectSection::cpu:
            return text_cpu(t, info.cpu);
        case InspectSection::memory:
            return text_memory(t, info.memory);
        case InspectSection::io:
            return text_io(t, info.io);
        case InspectSection::limits:
            return text_limits(t, info.limits);
        case InspectSection::files:
            return text_files(t, info.files);
        case InspectSection::environment:
            return text_environment(t, info.environment);
        case InspectSection::threads:
            return text_threads(t, info.threads);
    }
}

void split_lines(const std::string& text, std::vector<std::string>& lines) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        lines.emplace_back(text, pos, end - pos);
        pos = end + 1;
    }
}

}  // namespace

std::string format_inspect_text(const ProcessInfo& info, bool utf8, ByteUnits units) {
    Text t(utf8, units);
    for (std::size_t s = 0; s < kInspectSectionCount; ++s)
        text_section(t, info, static_cast<InspectSection>(s));
    return std::move(t.out);
}

std::vector<std::string> inspect_text_lines(const ProcessInfo& info, bool utf8, ByteUnits units) {
    std::vector<std::string> lines;
    split_lines(format_inspect_text(info, utf8, units), lines);
    return lines;
}

std::vector<std::string> inspect_section_lines(const ProcessInfo& info, InspectSection section,
                                               bool utf8, ByteUnits units) {
    Text t(utf8, units);
    text_section(t, info, section);
    std::vector<std::string> lines;
    split_lines(t.out, lines);
    return lines;
}

std::string format_inspect_json(const ProcessInfo& info) {
    const IdentityInfo& id = info.identity;
    Json o = Json::object();
    o["schema_version"] = 1;
    o["pid"] = id.pid;
    o["name"] = dtext(id.name);
    o["ppid"] = id.ppid_chain.empty() ? Json(nullptr) : Json(id.ppid_chain.front().pid);
    Json chain = Json::array();
    for (const ChainEntry& e : id.ppid_chain)
        chain.push_back(
            Json{{"pid", e.pid}, {"name", e.name.empty() ? Json(nullptr) : Json(dtext(e.name))}});
    o["ppid_chain"] = std::move(chain);
    o["uids"] = ids_json(id.uids);
    o["users"] = names_json(id.uids);
    o["gids"] = ids_json(id.gids);
    o["groups"] = names_json(id.gids);
    o["cmdline"] = id.cmdline ? Json(escape_text_capped(*id.cmdline, id.cmdline_unread,
                                                        TextEscape::data, true, kCommandMaxBytes))
                              : Json(nullptr);
    o["exe"] = opt(id.exe);
    o["cwd"] = opt(id.cwd);
    o["root"] = opt(id.root);
    o["start_time"] =
        id.start_wall_s ? Json(format_rfc3339(*id.start_wall_s * 1'000'000'000)) : Json(nullptr);
    o["start_since_boot_s"] = opt(id.start_since_boot_s);
    o["age_s"] = opt(id.age_s);
    o["tty"] = id.tty && !id.tty->empty() ? Json(dtext(*id.tty)) : Json(nullptr);
    o["session"] = opt(id.session);
    o["pgrp"] = opt(id.pgrp);
    Json cg = Json::array();
    for (const std::string& c : id.cgroups) cg.push_back(dtext(c));
    o["cgroups"] = std::move(cg);
    Json ns = Json::array();
    for (const Namespace& n : id.namespaces)
        ns.push_back(Json{{"type", dtext(n.type)},
                          {"id", dtext(n.id)},
                          {"differs_from_pid1", opt(n.differs_from_init)}});
    o["namespaces"] = std::move(ns);

    const CpuInfo& c = info.cpu;
    o["state"] = std::string(1, c.state);
    o["wchan"] = opt(c.wchan);
    o["user_cpu_s"] = opt(c.user_s);
    o["system_cpu_s"] = opt(c.system_s);
    o["children_user_cpu_s"] = opt(c.children_user_s);
    o["children_system_cpu_s"] = opt(c.children_system_s);
    o["voluntary_ctx_switches"] = opt(c.voluntary_switches);
    o["involuntary_ctx_switches"] = opt(c.involuntary_switches);
    o["cpus_allowed"] = opt(c.cpus_allowed);
    o["last_cpu"] = opt(c.last_cpu);
    o["policy"] = opt(c.policy);
    o["nice"] = opt(c.nice);
    o["rt_priority"] = opt(c.rt_priority);
    o["ioprio"] = opt(c.ioprio);
    o["num_threads"] = opt(c.threads);
    Json stack = Json::array();
    for (const std::string& s : c.kernel_stack) stack.push_back(dtext(s));
    o["kernel_stack"] = std::move(stack);

    const MemoryInfo& m = info.memory;
    o["virt_bytes"] = opt(m.virt_bytes);
    o["rss_bytes"] = opt(m.rss_bytes);
    o["pss_bytes"] = opt(m.pss_bytes);
    o["uss_bytes"] = opt(m.uss_bytes);
    o["shared_bytes"] = opt(m.shared_bytes);
    o["swap_bytes"] = opt(m.swap_bytes);
    o["swap_pss_bytes"] = opt(m.swap_pss_bytes);
    o["anon_bytes"] = opt(m.anon_bytes);
    o["file_bytes"] = opt(m.file_bytes);
    o["shmem_bytes"] = opt(m.shmem_bytes);
    o["peak_rss_bytes"] = opt(m.peak_rss_bytes);
    o["locked_bytes"] = opt(m.locked_bytes);
    o["data_bytes"] = opt(m.data_bytes);
    Json maps = Json::array();
    for (const Mapping& map : m.top_mappings)
        maps.push_back(Json{{"range", dtext(map.range)},
                            {"perms", dtext(map.perms)},
                            {"path", dtext(map.path)},
                            {"size_bytes", map.size_bytes},
                            {"rss_bytes", map.rss_bytes},
                            {"pss_bytes", opt(map.pss_bytes)},
                            {"swap_bytes", opt(map.swap_bytes)}});
    o["top_mappings"] = std::move(maps);
    o["mappings_seen"] = m.mappings_seen;
    o["mappings_cut"] = m.mappings_cut;

    const IoInfo& io = info.io;
    o["read_bytes"] = opt(io.read_bytes);
    o["write_bytes"] = opt(io.write_bytes);
    o["cancelled_write_bytes"] = opt(io.cancelled_write_bytes);
    o["read_chars"] = opt(io.rchar);
    o["write_chars"] = opt(io.wchar);
    o["read_syscalls"] = opt(io.syscr);
    o["write_syscalls"] = opt(io.syscw);
    o["blkio_delay_s"] = opt(io.blkio_delay_s);

    Json limits = Json::object();
    for (const Limit& l : info.limits.limits)
        limits[l.id.empty() ? dtext(l.name) : l.id] = Json{{"name", dtext(l.name)},
                                                           {"soft", limit_json(l.soft)},
                                                           {"hard", limit_json(l.hard)},
                                                           {"units", dtext(l.units)},
                                                           {"current", opt(l.current)}};
    o["limits"] = std::move(limits);

    o["fd_count"] = opt(info.files.count);
    Json fds = Json::array();
    for (const OpenFile& f : info.files.fds) {
        Json j{{"fd", f.fd}, {"target", dtext(f.target)}, {"type", f.type}};
        if (f.inode) j["inode"] = *f.inode;
        if (f.socket) {
            j["protocol"] = dtext(f.socket->protocol);
            j["local"] = dtext(f.socket->local);
            j["remote"] = dtext(f.socket->remote);
            j["state"] = dtext(f.socket->state);
        }
        fds.push_back(std::move(j));
    }
    o["fds"] = std::move(fds);

    // An object by name; a name given twice keeps its first value, as getenv() reads it.
    Json env = Json::object();
    for (const auto& [name, value] : info.environment.vars) {
        std::string key = dtext(name);
        if (!env.contains(key)) env[key] = dtext(value);
    }
    o["environ"] = std::move(env);

    o["thread_count"] = info.threads.count;
    Json threads = Json::array();
    for (const ThreadInfo& t : info.threads.threads)
        threads.push_back(Json{{"tid", t.tid},
                               {"name", dtext(t.name)},
                               {"state", std::string(1, t.state)},
                               {"user_cpu_s", opt(t.user_s)},
                               {"system_cpu_s", opt(t.system_s)},
                               {"last_cpu", opt(t.last_cpu)}});
    o["threads"] = std::move(threads);

    o["sections"] = Json{{"identity", status_json(id.status)},
                         {"cpu", status_json(c.status)},
                         {"memory", status_json(m.status)},
                         {"io", status_json(io.status)},
                         {"limits", status_json(info.limits.status)},
                         {"files", status_json(info.files.status)},
                         {"environment", status_json(info.environment.status)},
                         {"threads", status_json(info.threads.status)}};
    std::string out = o.dump(-1, ' ', false, Json::error_handler_t::replace);
    out += '\n';
    return out;
}

}  // namespace vigil
