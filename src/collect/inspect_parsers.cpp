#include "vigil/collect/inspect_parsers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "parse_util.hpp"
#include "vigil/core/text.hpp"

namespace vigil {
namespace {

using parse::for_each_line;
using parse::Tokens;

bool hex_u32(std::string_view s, std::uint32_t& out) {
    if (s.empty() || s.size() > 8) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc() && end == s.data() + s.size();
}

bool hex_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 16) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc() && end == s.data() + s.size();
}

// "Key:\tvalue" lines: the value of key, trimmed; nullopt when there is no such line.
std::optional<std::string_view> field(std::string_view text, std::string_view key) {
    std::optional<std::string_view> found;
    for_each_line(text, [&](std::string_view line) {
        if (found || line.size() <= key.size() || line[key.size()] != ':' ||
            line.substr(0, key.size()) != key)
            return;
        found = parse::trim(line.substr(key.size() + 1));
    });
    return found;
}

std::optional<std::uint64_t> kib_field(std::string_view text, std::string_view key) {
    auto v = field(text, key);
    if (!v) return std::nullopt;
    Tokens t(*v);
    std::uint64_t n = 0;
    if (!t.next_u64(n) || n > (std::numeric_limits<std::uint64_t>::max() >> 10))
        return std::nullopt;
    return n << 10;
}

std::optional<std::uint64_t> u64_field(std::string_view text, std::string_view key) {
    auto v = field(text, key);
    std::uint64_t n = 0;
    if (!v || !parse_u64(*v, n)) return std::nullopt;
    return n;
}

std::optional<std::array<std::uint32_t, 4>> id_field(std::string_view text, std::string_view key) {
    auto v = field(text, key);
    if (!v) return std::nullopt;
    Tokens t(*v);
    std::array<std::uint32_t, 4> ids{};
    for (auto& id : ids) {
        std::uint64_t n = 0;
        if (!t.next_u64(n) || n > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
        id = static_cast<std::uint32_t>(n);
    }
    return ids;
}

// "0100007F:0050" (IPv4) or 32 hex digits and a port (IPv6) as /proc/net/tcp{,6} print them:
// the address is the kernel's in-memory bytes, printed as host-order 32-bit words.
std::optional<std::string> inet_address(std::string_view s, bool v6) {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view addr = s.substr(0, colon), port_text = s.substr(colon + 1);
    std::uint32_t port = 0;
    if (!hex_u32(port_text, port) || port > 0xFFFF) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    if (!v6) {
        std::uint32_t word = 0;
        if (addr.size() != 8 || !hex_u32(addr, word)) return std::nullopt;
        in_addr a{};
        std::memcpy(&a, &word, sizeof word);
        if (!::inet_ntop(AF_INET, &a, buf, sizeof buf)) return std::nullopt;
        return fmt::format("{}:{}", buf, port);
    }
    if (addr.size() != 32) return std::nullopt;
    in6_addr a{};
    for (int i = 0; i < 4; ++i) {
        std::uint32_t word = 0;
        if (!hex_u32(addr.substr(static_cast<std::size_t>(i) * 8, 8), word)) return std::nullopt;
        std::memcpy(reinterpret_cast<unsigned char*>(&a) + i * 4, &word, sizeof word);
    }
    if (!::inet_ntop(AF_INET6, &a, buf, sizeof buf)) return std::nullopt;
    return fmt::format("[{}]:{}", buf, port);
}

std::string tcp_state(std::uint32_t st, bool udp) {
    if (udp) {
        if (st == 1) return "ESTABLISHED";
        if (st == 7) return "UNCONN";
    }
    static constexpr std::string_view kNames[] = {
        "?",     "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};
    if (st < std::size(kNames)) return std::string(kNames[st]);
    return fmt::format("{:02X}", st);
}

// The inode inside "socket:[123]" or "pipe:[5]".
std::optional<std::uint64_t> bracketed_inode(std::string_view target, std::string_view prefix) {
    if (!target.starts_with(prefix) || !target.ends_with("]")) return std::nullopt;
    std::uint64_t n = 0;
    if (!parse_u64(target.substr(prefix.size(), target.size() - prefix.size() - 1), n))
        return std::nullopt;
    return n;
}

}  // namespace

Result<FullStat> parse_full_stat(std::string_view text) {
    auto bad = [&] {
        return make_error(
            fmt::format("stat: cannot parse '{}'", escape_for_terminal(parse::excerpt(text))));
    };
    const auto head = parse::parse_stat_head(text);
    if (!head) return bad();
    FullStat s;
    s.pid = head->pid;
    s.comm.assign(head->comm);
    Tokens t(text.substr(head->rest));
    // Fields 3 onwards; the first 22 must be there, later ones are newer kernels'.
    std::vector<std::string_view> f{"", "", ""};
    for (std::string_view tok = t.next(); !tok.empty(); tok = t.next()) f.push_back(tok);
    if (f.size() < 23) return bad();
    auto i64 = [&](std::size_t n, std::int64_t& out) { return parse::parse_i64(f[n], out); };
    auto u64 = [&](std::size_t n, std::uint64_t& out) { return parse_u64(f[n], out); };
    std::int64_t ppid = 0, pgrp = 0, session = 0, nice = 0;
    if (f[3].size() != 1 || !i64(4, ppid) || !i64(5, pgrp) || !i64(6, session) ||
        !i64(7, s.tty_nr) || !u64(14, s.utime) || !u64(15, s.stime) || !i64(16, s.cutime) ||
        !i64(17, s.cstime) || !i64(19, nice) || !u64(20, s.num_threads) || !u64(22, s.start_ticks))
        return bad();
    s.state = f[3][0];
    s.ppid = static_cast<pid_t>(ppid);
    s.pgrp = static_cast<pid_t>(pgrp);
    s.session = static_cast<pid_t>(session);
    s.nice = static_cast<int>(nice);
    std::uint64_t v = 0;
    if (f.size() > 23 && u64(23, v)) s.vsize = v;
    std::int64_t cpu = 0;
    if (f.size() > 39 && i64(39, cpu) && cpu >= 0 && cpu < (1 << 20))
        s.processor = static_cast<int>(cpu);
    if (f.size() > 40 && u64(40, v)) s.rt_priority = v;
    if (f.size() > 41 && u64(41, v)) s.policy = v;
    if (f.size() > 42 && u64(42, v)) s.blkio_ticks = v;
    return s;
}

StatusInfo parse_status(std::string_view text) {
    StatusInfo s;
    s.uid = id_field(text, "Uid");
    s.gid = id_field(text, "Gid");
    s.vm_size = kib_field(text, "VmSize");
    s.vm_rss = kib_field(text, "VmRSS");
    s.rss_anon = kib_field(text, "RssAnon");
    s.rss_file = kib_field(text, "RssFile");
    s.rss_shmem = kib_field(text, "RssShmem");
    s.vm_swap = kib_field(text, "VmSwap");
    s.vm_hwm = kib_field(text, "VmHWM");
    s.vm_lck = kib_field(text, "VmLck");
    s.vm_data = kib_field(text, "VmData");
    s.voluntary_switches = u64_field(text, "voluntary_ctxt_switches");
    s.involuntary_switches = u64_field(text, "nonvoluntary_ctxt_switches");
    if (auto v = field(text, "Cpus_allowed_list")) s.cpus_allowed_list = std::string(*v);
    if (auto v = field(text, "SigQ")) {
        std::uint64_t n = 0;
        if (parse_u64(v->substr(0, v->find('/')), n)) s.sigq_pending = n;
    }
    return s;
}

Result<SmapsRollup> parse_smaps_rollup(std::string_view text) {
    SmapsRollup r;
    auto rss = kib_field(text, "Rss");
    if (!rss) return make_error("smaps_rollup: no Rss line");
    r.rss = *rss;
    r.pss = kib_field(text, "Pss");
    r.shared_clean = kib_field(text, "Shared_Clean");
    r.shared_dirty = kib_field(text, "Shared_Dirty");
    r.private_clean = kib_field(text, "Private_Clean");
    r.private_dirty = kib_field(text, "Private_Dirty");
    r.swap = kib_field(text, "Swap");
    r.swap_pss = kib_field(text, "SwapPss");
    return r;
}

std::vector<Mapping> parse_smaps_top(std::string_view text, std::size_t keep, bool complete,
                                     std::size_t& seen) {
    std::vector<Mapping> all;
    seen = 0;
    bool open = false;  // a mapping header was read and its fields follow
    for_each_line(text, [&](std::string_view line) {
        // A header starts with the range "start-end"; field lines with "Name:".
        const auto first_space = line.find(' ');
        const std::string_view head = line.substr(0, first_space);
        const auto dash = head.find('-');
        std::uint64_t lo = 0, hi = 0;
        if (dash != std::string_view::npos && hex_u64(head.substr(0, dash), lo) &&
            hex_u64(head.substr(dash + 1), hi) && hi >= lo) {
            Tokens t(line);
            Mapping m;
            m.range = std::string(t.next());
            m.perms = std::string(t.next());
            t.next();  // offset
            t.next();  // device
            t.next();  // inode
            m.path = std::string(t.rest());
            m.size_bytes = hi - lo;
            all.push_back(std::move(m));
            open = true;
            return;
        }
        if (!open) return;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return;
        const std::string_view key = line.substr(0, colon);
        Tokens t(line.substr(colon + 1));
        std::uint64_t kib = 0;
        if (!t.next_u64(kib) || t.next() != "kB") return;
        if (kib > (std::numeric_limits<std::uint64_t>::max() >> 10)) return;  // not a size
        Mapping& m = all.back();
        if (key == "Rss")
            m.rss_bytes = kib << 10;
        else if (key == "Pss")
            m.pss_bytes = kib << 10;
        else if (key == "Swap")
            m.swap_bytes = kib << 10;
    });
    if (!complete && !all.empty()) all.pop_back();
    seen = all.size();
    const std::size_t n = std::min(keep, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                      [](const Mapping& a, const Mapping& b) { return a.rss_bytes > b.rss_bytes; });
    all.resize(n);
    return all;
}

Result<std::vector<Limit>> parse_limits(std::string_view text) {
    static constexpr std::pair<std::string_view, std::string_view> kIds[] = {
        {"Max cpu time", "cpu"},
        {"Max file size", "fsize"},
        {"Max data size", "data"},
        {"Max stack size", "stack"},
        {"Max core file size", "core"},
        {"Max resident set", "rss"},
        {"Max processes", "nproc"},
        {"Max open files", "nofile"},
        {"Max locked memory", "memlock"},
        {"Max address space", "as"},
        {"Max file locks", "locks"},
        {"Max pending signals", "sigpending"},
        {"Max msgqueue size", "msgqueue"},
        {"Max nice priority", "nice"},
        {"Max realtime priority", "rtprio"},
        {"Max realtime timeout", "rttime"}};
    std::vector<Limit> out;
    bool header = false;
    bool bad = false;
    std::string bad_line;
    for_each_line(text, [&](std::string_view line) {
        if (bad || parse::trim(line).empty()) return;
        if (!header) {
            header = line.starts_with("Limit");
            if (!header) {
                bad = true;
                bad_line = std::string(line);
            }
            return;
        }
        // The name is the words before the first value ("unlimited" or a number): names
        // hold spaces, values never do.
        Tokens t(line);
        std::vector<std::string_view> words;
        for (std::string_view w = t.next(); !w.empty(); w = t.next()) words.push_back(w);
        std::size_t v = 0;
        while (v < words.size() && words[v] != "unlimited" &&
               !(words[v][0] >= '0' && words[v][0] <= '9'))
            ++v;
        if (v == 0 || v + 2 > words.size()) {
            bad = true;
            bad_line = std::string(line);
            return;
        }
        Limit l;
        for (std::size_t i = 0; i < v; ++i) l.name += (i ? " " : "") + std::string(words[i]);
        for (const auto& [name, id] : kIds)
            if (name == l.name) l.id = id;
        auto value = [](std::string_view w) -> std::optional<LimitValue> {
            if (w == "unlimited") return LimitValue{true, 0};
            std::uint64_t n = 0;
            if (!parse_u64(w, n)) return std::nullopt;
            return LimitValue{false, n};
        };
        l.soft = value(words[v]);
        l.hard = value(words[v + 1]);
        if (!l.soft || !l.hard) {
            bad = true;
            bad_line = std::string(line);
            return;
        }
        if (v + 2 < words.size()) l.units = std::string(words[v + 2]);
        out.push_back(std::move(l));
    });
    if (!header || bad)
        return make_error(fmt::format("limits: cannot parse line '{}'",
                                      escape_for_terminal(parse::excerpt(bad_line))));
    return out;
}

void parse_inet_table(std::string_view text, std::string_view protocol,
                      std::unordered_map<std::uint64_t, SocketInfo>& out, ParseNotes& notes) {
    const bool v6 = protocol.ends_with("6");
    const bool udp = protocol.starts_with("udp");
    bool first = true;
    for_each_line(text, [&](std::string_view line) {
        if (std::exchange(first, false) || parse::trim(line).empty()) return;  // the header
        Tokens t(line);
        t.next();  // "sl:"
        const std::string_view local = t.next(), remote = t.next(), st = t.next();
        for (int i = 0; i < 5; ++i) t.next();  // queues, timer, retransmits, uid, timeout
        std::uint64_t inode = 0;
        std::uint32_t state = 0;
        auto l = inet_address(local, v6), r = inet_address(remote, v6);
        if (!l || !r || !hex_u32(st, state) || !t.next_u64(inode)) {
            notes.bad_line(protocol, line);
            return;
        }
        if (inode == 0) return;  // TIME_WAIT and the like: no socket of any process
        out[inode] =
            SocketInfo{std::string(protocol), std::move(*l), std::move(*r), tcp_state(state, udp)};
    });
}

void parse_unix_table(std::string_view text, std::unordered_map<std::uint64_t, SocketInfo>& out,
                      ParseNotes& notes) {
    bool first = true;
    for_each_line(text, [&](std::string_view line) {
        if (std::exchange(first, false) || parse::trim(line).empty()) return;
        Tokens t(line);
        t.next();  // "Num:"
        t.next();  // RefCount
        t.next();  // Protocol
        std::uint32_t flags = 0, type = 0, st = 0;
        std::uint64_t inode = 0;
        if (!hex_u32(t.next(), flags) || !hex_u32(t.next(), type) || !hex_u32(t.next(), st) ||
            !t.next_u64(inode)) {
            notes.bad_line("unix", line);
            return;
        }
        static constexpr std::string_view kTypes[] = {"?", "stream", "dgram",
                                                      "?", "?",      "seqpacket"};
        SocketInfo s;
        s.protocol = "unix";
        if (type < std::size(kTypes) && kTypes[type] != "?")
            s.protocol += "/" + std::string(kTypes[type]);
        s.local = std::string(t.rest());
        constexpr std::uint32_t accepting = 0x10000;  // __SO_ACCEPTCON
        static constexpr std::string_view kStates[] = {"FREE", "UNCONNECTED", "CONNECTING",
                                                       "CONNECTED", "DISCONNECTING"};
        s.state = (flags & accepting)       ? "LISTEN"
                  : st < std::size(kStates) ? std::string(kStates[st])
                                            : fmt::format("{:02X}", st);
        out[inode] = std::move(s);
    });
}

OpenFile classify_fd(int fd, std::string target) {
    OpenFile f;
    f.fd = fd;
    if (auto ino = bracketed_inode(target, "socket:[")) {
        f.type = "socket";
        f.inode = ino;
    } else if (auto pino = bracketed_inode(target, "pipe:[")) {
        f.type = "pipe";
        f.inode = pino;
    } else if (target.starts_with("anon_inode:")) {
        f.type = "anon_inode";
    } else if (target.starts_with("/memfd:")) {
        f.type = "memfd";
    } else if (target.starts_with("/dev/")) {
        f.type = "device";
    } else if (target.starts_with("/")) {
        f.type = "file";
    } else {
        f.type = "other";
    }
    f.target = std::move(target);
    return f;
}

std::vector<std::pair<std::string, std::string>> parse_environ(std::string_view raw) {
    std::vector<std::pair<std::string, std::string>> vars;
    std::size_t pos = 0;
    while (pos < raw.size()) {
        std::size_t end = raw.find('\0', pos);
        if (end == std::string_view::npos) end = raw.size();
        const std::string_view entry = raw.substr(pos, end - pos);
        pos = end + 1;
        if (entry.empty()) continue;
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos)
            vars.emplace_back(std::string(entry), std::string());
        else
            vars.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return vars;
}

std::string tty_name(std::int64_t tty_nr) {
    if (tty_nr == 0) return "";
    // new_encode_dev(): minor's low byte in bits 0-7, major in 8-19, minor's rest in 20-31.
    const auto dev = static_cast<std::uint64_t>(tty_nr);
    const std::uint64_t major = (dev >> 8) & 0xFFF;
    const std::uint64_t minor = (dev & 0xFF) | ((dev >> 12) & 0xFFF00);
    if (major >= 136 && major <= 143) return fmt::format("pts/{}", (major - 136) * 256 + minor);
    if (major == 4 && minor < 64) return fmt::format("tty{}", minor);
    if (major == 4) return fmt::format("ttyS{}", minor - 64);
    return fmt::format("{}:{}", major, minor);
}

std::string sched_policy_name(std::uint64_t policy) {
    static constexpr std::string_view kNames[] = {"normal", "fifo", "rr",      "batch",
                                                  "iso",    "idle", "deadline"};
    if (policy < std::size(kNames)) return std::string(kNames[policy]);
    return std::to_string(policy);
}

}  // namespace vigil
