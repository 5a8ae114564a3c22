#include "vigil/collect/proc_parsers.hpp"

#include <fmt/format.h>

#include <limits>

#include "parse_util.hpp"
#include "vigil/core/text.hpp"

namespace vigil {
namespace {

// Next space-separated token of s starting at pos; advances pos.
std::string_view next_token(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] != ' ' && s[pos] != '\t' && s[pos] != '\n') ++pos;
    return s.substr(start, pos - start);
}

bool parse_i64(std::string_view s, std::int64_t& out) {
    bool neg = !s.empty() && s[0] == '-';
    std::uint64_t v = 0;
    if (!parse_u64(neg ? s.substr(1) : s, v)) return false;
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    out = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return true;
}

// The first line of s, shortened and escaped for an error message.
std::string first_line(std::string_view s) {
    auto nl = s.find('\n');
    return escape_for_terminal(parse::excerpt(nl == std::string_view::npos ? s : s.substr(0, nl)));
}

// Finds "key" at the start of a line followed by one of the separators; returns the rest
// of that line after the separator and any spaces/tabs.
bool find_field(std::string_view text, std::string_view key, std::string_view& value) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
            (line[key.size()] == ':' || line[key.size()] == ' ' || line[key.size()] == '\t')) {
            std::size_t v = key.size() + 1;
            while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
            value = line.substr(v);
            return true;
        }
        pos = end + 1;
    }
    return false;
}

bool field_u64(std::string_view text, std::string_view key, std::uint64_t& out) {
    std::string_view v;
    if (!find_field(text, key, v)) return false;
    std::size_t p = 0;
    return parse_u64(next_token(v, p), out);
}

}  // namespace

char parse_stat_state(std::string_view text) {
    const std::size_t close = text.rfind(')');
    if (close == std::string_view::npos || close + 3 >= text.size() || text[close + 1] != ' ' ||
        text[close + 3] != ' ')
        return '?';
    const char c = text[close + 2];
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? c : '?';
}

bool parse_pid_stat_into(std::string_view text, PidStat& out) {
    const auto head = parse::parse_stat_head(text);
    if (!head) return false;
    out.pid = head->pid;
    out.comm.assign(head->comm);

    // Fields after the comm, numbered from 3 (state) as in proc(5).
    std::size_t pos = head->rest;
    std::string_view tok;
    std::int64_t iv = 0;
    std::uint64_t uv = 0;
    out.priority.reset();
    for (int field = 3; field <= 22; ++field) {
        tok = next_token(text, pos);
        if (tok.empty()) return false;
        switch (field) {
            case 3:
                if (tok.size() != 1) return false;
                out.state = tok[0];
                break;
            case 4:
                if (!parse_i64(tok, iv) || iv < 0 || iv > 0x3FFFFFFF) return false;
                out.ppid = static_cast<pid_t>(iv);
                break;
            case 10:
                if (!parse_u64(tok, out.minflt)) return false;
                break;
            case 12:
                if (!parse_u64(tok, out.majflt)) return false;
                break;
            case 14:
                if (!parse_u64(tok, out.utime)) return false;
                break;
            case 15:
                if (!parse_u64(tok, out.stime)) return false;
                break;
            case 18:
                // A value no kernel gives leaves the priority unknown, not the line bad.
                if (parse_i64(tok, iv) && iv >= -101 && iv <= 39)
                    out.priority = static_cast<int>(iv);
                else if (!parse_i64(tok, iv))
                    return false;
                break;
            case 19:
                if (!parse_i64(tok, iv) || iv < -20 || iv > 19) return false;
                out.nice = static_cast<int>(iv);
                break;
            case 22:
                if (!parse_u64(tok, uv)) return false;
                out.start_ticks = uv;
                break;
            default:
                break;
        }
    }
    return true;
}

Result<PidStat> parse_pid_stat(std::string_view text) {
    PidStat s;
    if (!parse_pid_stat_into(text, s)) {
        return make_error(fmt::format("stat: cannot parse line '{}'", first_line(text)));
    }
    return s;
}

Result<PidIo> parse_pid_io(std::string_view text) {
    PidIo io;
    if (!field_u64(text, "read_bytes", io.read_bytes) ||
        !field_u64(text, "write_bytes", io.write_bytes) ||
        !field_u64(text, "cancelled_write_bytes", io.cancelled_write_bytes)) {
        return make_error(
            fmt::format("io: missing or bad read_bytes/write_bytes/"
                        "cancelled_write_bytes in '{}'",
                        first_line(text)));
    }
    std::uint64_t rchar = 0, wchar = 0, syscr = 0, syscw = 0;
    if (field_u64(text, "rchar", rchar) && field_u64(text, "wchar", wchar) &&
        field_u64(text, "syscr", syscr) && field_u64(text, "syscw", syscw)) {
        io.rchar = rchar;
        io.wchar = wchar;
        io.syscr = syscr;
        io.syscw = syscw;
    }
    return io;
}

Result<uid_t> parse_status_uid(std::string_view text) {
    std::uint64_t uid = 0;
    if (!field_u64(text, "Uid", uid) || uid > std::numeric_limits<uid_t>::max()) {
        return make_error("status: missing or bad Uid line");
    }
    return static_cast<uid_t>(uid);
}

std::optional<std::uint64_t> parse_status_swap_kib(std::string_view text) {
    std::string_view v;
    if (find_field(text, "VmSwap", v)) {
        std::size_t p = 0;
        std::uint64_t kib = 0;
        if (!parse_u64(next_token(v, p), kib) || next_token(v, p) != "kB") return std::nullopt;
        return kib;
    }
    // No address space, no Vm lines (the kernel prints them only for a task with an mm).
    if (!find_field(text, "Pid", v) || find_field(text, "VmSize", v)) return std::nullopt;
    return 0;
}

std::string_view parse_cgroup_v2_path(std::string_view text) {
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.starts_with("0::")) return line.substr(3);
    }
    return {};
}

std::optional<bool> parse_swaps_in_use(std::string_view text) {
    // "Filename Type Size Used Priority", then one line per area; the file name has its
    // blanks escaped (\040), so the columns split on blanks.
    const std::size_t eol = text.find('\n');
    if (eol == std::string_view::npos || !text.starts_with("Filename")) return std::nullopt;
    bool in_use = false;
    std::size_t at = eol + 1;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.empty()) continue;
        std::size_t p = 0;
        std::uint64_t used = 0;
        for (int skip = 0; skip < 3; ++skip) (void)next_token(line, p);
        if (!parse_u64(next_token(line, p), used)) return std::nullopt;
        in_use = in_use || used > 0;
    }
    return in_use;
}

std::optional<Statm> parse_statm(std::string_view text) {
    Statm m;
    std::size_t p = 0;
    if (!parse_u64(next_token(text, p), m.size_pages) ||
        !parse_u64(next_token(text, p), m.resident_pages) ||
        !parse_u64(next_token(text, p), m.shared_pages))
        return std::nullopt;
    return m;
}

Result<VmstatIo> parse_vmstat_io(std::string_view text) {
    VmstatIo v;
    if (!field_u64(text, "pgpgin", v.pgpgin_kib) || !field_u64(text, "pgpgout", v.pgpgout_kib)) {
        return make_error("vmstat: missing or bad pgpgin/pgpgout line");
    }
    return v;
}

std::string parse_cmdline(std::string_view raw) {
    while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
    std::string out(raw);
    for (char& c : out) {
        if (c == '\0') c = ' ';
    }
    return out;
}

CmdlineText parse_cmdline_prefix(std::string_view raw, std::uint64_t length, char last) {
    if (length <= raw.size()) return CmdlineText{parse_cmdline(raw), 0};
    CmdlineText t{std::string(raw), length - raw.size()};
    for (char& c : t.text) {
        if (c == '\0') c = ' ';
    }
    if (last == '\0') --t.unread;
    return t;
}

}  // namespace vigil
