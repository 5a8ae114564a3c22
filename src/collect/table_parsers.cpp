// Parsers of the one-row-per-device /proc tables: diskstats, net/dev, mountinfo.
#include "parse_util.hpp"
#include "vigil/collect/machine_parsers.hpp"

namespace vigil {
namespace {

using parse::for_each_line;
using parse::Tokens;

bool parse_u32(std::string_view s, std::uint32_t& out) {
    std::uint64_t v = 0;
    if (!parse_u64(s, v) || v > 0xFFFFFFFFu) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
}

bool parse_diskstats_line(std::string_view line, DiskStats& d) {
    Tokens t(line);
    if (!parse_u32(t.next(), d.major) || !parse_u32(t.next(), d.minor)) return false;
    std::string_view name = t.next();
    if (name.empty()) return false;
    d.name = std::string(name);
    std::uint64_t v[DiskStats::kStats];
    std::size_t n = 0;
    for (std::string_view tok = t.next(); !tok.empty(); tok = t.next()) {
        if (n == DiskStats::kStats) break;  // a future kernel's extra columns
        if (!parse_u64(tok, v[n])) return false;
        ++n;
    }
    d.stats = {};
    if (n == 4) {
        // Partitions before 2.6.25: reads, sectors read, writes, sectors written.
        d.stats[DiskStats::reads] = v[0];
        d.stats[DiskStats::sectors_read] = v[1];
        d.stats[DiskStats::writes] = v[2];
        d.stats[DiskStats::sectors_written] = v[3];
    } else if (n >= 11) {
        for (std::size_t i = 0; i < n; ++i) d.stats[i] = v[i];
    } else {
        return false;
    }
    d.fields = static_cast<std::uint8_t>(n);
    return true;
}

}  // namespace

std::vector<DiskStats> parse_diskstats(std::string_view text, ParseNotes& notes) {
    std::vector<DiskStats> out;
    for_each_line(text, [&](std::string_view line) {
        if (parse::trim(line).empty()) return;
        DiskStats d;
        if (parse_diskstats_line(line, d))
            out.push_back(std::move(d));
        else
            notes.bad_line("diskstats", line);
    });
    return out;
}

std::vector<NetDevStats> parse_net_dev(std::string_view text, ParseNotes& notes) {
    std::vector<NetDevStats> out;
    for_each_line(text, [&](std::string_view line) {
        if (line.find('|') != std::string_view::npos || parse::trim(line).empty()) return;
        // Interface names cannot hold ':' or spaces; old kernels glue the first number to
        // the colon ("eth0:123"), so split there rather than at a space.
        auto colon = line.find(':');
        std::string_view name = colon == std::string_view::npos
                                    ? std::string_view()
                                    : parse::trim(line.substr(0, colon));
        if (name.empty()) {
            notes.bad_line("net/dev", line);
            return;
        }
        Tokens t(line.substr(colon + 1));
        std::uint64_t v[16];
        for (auto& x : v) {
            if (!t.next_u64(x)) {
                notes.bad_line("net/dev", line);
                return;
            }
        }
        NetDevStats n;
        n.name = std::string(name);
        n.rx_bytes = v[0];
        n.rx_packets = v[1];
        n.rx_errs = v[2];
        n.rx_drop = v[3];
        n.tx_bytes = v[8];
        n.tx_packets = v[9];
        n.tx_errs = v[10];
        n.tx_drop = v[11];
        out.push_back(std::move(n));
    });
    return out;
}

std::string unescape_mount_field(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            char a = s[i + 1], b = s[i + 2], c = s[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text, ParseNotes& notes) {
    std::vector<MountEntry> out;
    for_each_line(text, [&](std::string_view line) {
        if (parse::trim(line).empty()) return;
        Tokens t(line);
        MountEntry m;
        t.next();  // mount id
        t.next();  // parent id
        std::string_view dev = t.next();
        t.next();  // root of the mount within its file system
        std::string_view mount_point = t.next();
        t.next();  // per-mount options
        // Optional fields ("shared:1", "master:2") end with a lone "-".
        std::string_view tok = t.next();
        while (!tok.empty() && tok != "-") tok = t.next();
        std::string_view type = t.next();
        std::string_view source = t.next();
        auto colon = dev.find(':');
        if (tok != "-" || type.empty() || mount_point.empty() || colon == std::string_view::npos ||
            !parse_u32(dev.substr(0, colon), m.major) ||
            !parse_u32(dev.substr(colon + 1), m.minor)) {
            notes.bad_line("mountinfo", line);
            return;
        }
        m.mount_point = unescape_mount_field(mount_point);
        m.fs_type = unescape_mount_field(type);
        m.source = unescape_mount_field(source);
        out.push_back(std::move(m));
    });
    return out;
}

}  // namespace vigil
