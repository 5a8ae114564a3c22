// The view's process inspector pane: its state, keys, rates and screen lines. The sections'
// text is vigil --inspect's (inspect_section_lines) but for the Threads section, the task
// table's rows; this file adds the rates, the scrolling, the search and the frame around
// them, and lays out again at each refresh only the sections that changed.
#include "vigil/ui/inspector_pane.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <iterator>

#include "line_builder.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/filter.hpp"
#include "vigil/ui/batch/text_writer.hpp"
#include "vigil/ui/table_text.hpp"

namespace vigil {
namespace {

// Lines around the content: the title bar, the status line, the hint line.
constexpr int kFrameLines = 3;
// Left / Right: columns per key, and how far (a command line is cut at 4 KiB, escaped).
constexpr std::size_t kSideStep = 16;
constexpr std::size_t kMaxSideScroll = 64 * 1024;

// A counter's rate; absent when either read lacks it or it went backwards.
std::optional<double> rate(const std::optional<std::uint64_t>& prev,
                           const std::optional<std::uint64_t>& cur, double elapsed_s) {
    if (!prev || !cur || *cur < *prev) return std::nullopt;
    return static_cast<double>(*cur - *prev) / elapsed_s;
}

std::optional<double> cpu_pct(const std::optional<double>& prev, const std::optional<double>& cur,
                              double elapsed_s) {
    if (!prev || !cur || *cur < *prev) return std::nullopt;
    return (*cur - *prev) / elapsed_s * 100;
}

bool is_problem(std::string_view line) {
    return line.starts_with("  ! ") || line == "  (nothing could be read)";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::size_t max_scroll(const InspectorPane& p) {
    const std::size_t page = std::max<std::size_t>(p.page_rows, 1);
    return p.lines.size() > page ? p.lines.size() - page : 0;
}

void scroll_to(InspectorPane& p, long to) {
    p.scroll = static_cast<std::size_t>(std::clamp<long>(to, 0, static_cast<long>(max_scroll(p))));
}

// Brings line i into view (at the top when it was off screen).
void show_line(InspectorPane& p, std::size_t i) {
    const std::size_t page = std::max<std::size_t>(p.page_rows, 1);
    if (i < p.scroll || i >= p.scroll + page) scroll_to(p, static_cast<long>(i));
}

// The next line (after `from`, wrapping) that holds the search text, case-insensitive.
void find_next(InspectorPane& p, int step) {
    p.notice.clear();
    if (p.search.empty()) {
        p.notice = "no search yet: / asks for the text";
        return;
    }
    const std::size_t n = p.lines.size();
    if (n == 0) return;
    const std::string needle = lower(p.search);
    const std::size_t start = p.match ? *p.match : (step > 0 ? p.scroll + n - 1 : p.scroll);
    for (std::size_t k = 1; k <= n; ++k) {
        const std::size_t i = step > 0 ? (start + k) % n : (start + n * 2 - k) % n;
        if (lower(p.lines[i].text).find(needle) != std::string::npos) {
            p.match = i;
            show_line(p, i);
            return;
        }
    }
    p.match.reset();
    p.notice = fmt::format("not found: {}", p.search);
}

Effect search_key(const Event& ev, InspectorPane& p) {
    Effect e;
    e.redraw = true;
    switch (ev.key) {
        case Key::escape:
            p.searching = false;
            p.input.clear();
            return e;
        case Key::enter:
            p.searching = false;
            if (!p.input.empty()) {
                p.search = std::move(p.input);
                p.match.reset();
            }
            p.input.clear();
            find_next(p, 1);
            return e;
        case Key::backspace:
            if (!p.input.empty()) {
                std::size_t n = p.input.size() - 1;
                while (n > 0 && (static_cast<unsigned char>(p.input[n]) & 0xC0) == 0x80) --n;
                p.input.resize(n);
            }
            return e;
        case Key::character:
            if (ev.ch >= 0x20 && ev.ch != 0x7F && p.input.size() < 256) append_utf8(p.input, ev.ch);
            return e;
        default:
            e.redraw = false;
            return e;
    }
}

std::string interval_text(double s) {
    return fmt::format("{:g} s", s);
}

// Whether a section's data is the same in two reads (the rates aside).
bool same_section(const ProcessInfo& a, const ProcessInfo& b, InspectSection s) {
    switch (s) {
        case InspectSection::identity:
            return a.identity == b.identity;
        case InspectSection::cpu:
            return a.cpu == b.cpu;
        case InspectSection::memory:
            return a.memory == b.memory;
        case InspectSection::io:
            return a.io == b.io;
        case InspectSection::limits:
            return a.limits == b.limits;
        case InspectSection::files:
            return a.files == b.files;
        case InspectSection::environment:
            return a.environment == b.environment;
        case InspectSection::threads:
            return a.threads == b.threads;
    }
    return false;
}

// Puts fresh lines in place of section s's. The lines after it move by the difference, and
// the scroll position and the search match with them, so the lines shown stay in place.
void replace_section(InspectorPane& p, std::size_t s, std::vector<InspectorLine> fresh) {
    ++p.sections_laid_out;
    const std::size_t begin = p.section_start[s], end = p.section_start[s + 1];
    const std::size_t old = end - begin;
    const auto at = p.lines.begin() + static_cast<long>(begin);
    if (fresh.size() == old) {
        std::move(fresh.begin(), fresh.end(), at);
        return;
    }
    p.lines.erase(at, p.lines.begin() + static_cast<long>(end));
    p.lines.insert(p.lines.begin() + static_cast<long>(begin),
                   std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    auto moved = [&](std::size_t i) { return i - old + fresh.size(); };
    for (std::size_t k = s + 1; k < p.section_start.size(); ++k)
        p.section_start[k] = moved(p.section_start[k]);
    if (p.match) {
        if (*p.match >= end)
            p.match = moved(*p.match);
        else if (*p.match >= begin + fresh.size())
            p.match.reset();  // its line is gone
    }
    if (p.scroll >= end) p.scroll = moved(p.scroll);
    p.scroll = std::min(p.scroll, max_scroll(p));
}

Style line_style(InspectorLine::Kind k) {
    switch (k) {
        case InspectorLine::Kind::title:
            return Style::sorted_header;
        case InspectorLine::Kind::problem:
            return Style::warn;
        case InspectorLine::Kind::header:
            return Style::column_header;
        case InspectorLine::Kind::hot:
            return Style::hot;
        case InspectorLine::Kind::text:
            break;
    }
    return Style::row;
}

}  // namespace

InspectorRates inspector_rates(const ProcessInfo* prev, const ProcessInfo& cur, double elapsed_s) {
    InspectorRates r;
    if (!prev || !(elapsed_s > 0) || prev->identity.pid != cur.identity.pid) return r;
    // A PID reused by another process between the reads: nothing to compare.
    const auto& a = prev->identity.start_since_boot_s;
    const auto& b = cur.identity.start_since_boot_s;
    if (!a || !b || *a != *b) return r;
    r.user_pct = cpu_pct(prev->cpu.user_s, cur.cpu.user_s, elapsed_s);
    r.system_pct = cpu_pct(prev->cpu.system_s, cur.cpu.system_s, elapsed_s);
    if (r.user_pct && r.system_pct) r.cpu_pct = *r.user_pct + *r.system_pct;
    r.read_bps = rate(prev->io.read_bytes, cur.io.read_bytes, elapsed_s);
    r.write_bps = rate(prev->io.write_bytes, cur.io.write_bytes, elapsed_s);
    r.rchar_bps = rate(prev->io.rchar, cur.io.rchar, elapsed_s);
    r.wchar_bps = rate(prev->io.wchar, cur.io.wchar, elapsed_s);
    return r;
}

std::vector<InspectorLine> inspector_section_lines(const ProcessInfo& info, InspectSection section,
                                                   const InspectorRates& rates, bool utf8,
                                                   ByteUnits units) {
    auto labelled = [](std::string_view label, std::string value) {
        return InspectorLine{InspectorLine::Kind::text, fmt::format("  {:<18} {}", label, value)};
    };
    std::vector<std::string> text = inspect_section_lines(info, section, utf8, units);
    std::vector<InspectorLine> out;
    out.reserve(text.size() + 4);
    for (std::string& t : text) {
        const InspectorLine::Kind kind = t.starts_with("== ") ? InspectorLine::Kind::title
                                         : is_problem(t)      ? InspectorLine::Kind::problem
                                                              : InspectorLine::Kind::text;
        out.push_back({kind, std::move(t)});
    }
    if (section != InspectSection::cpu && section != InspectSection::io) return out;
    // The rates go after the title and what could not be read.
    std::size_t at = 1;
    while (at < out.size() && out[at].kind == InspectorLine::Kind::problem) ++at;
    std::vector<InspectorLine> added;
    if (section == InspectSection::cpu) {
        added.push_back(labelled(
            "CPU%", fmt::format("{} (user {}, system {})", format_percent(rates.cpu_pct),
                                format_percent(rates.user_pct), format_percent(rates.system_pct))));
    } else {
        added.push_back(labelled("read rate", format_byte_rate(rates.read_bps, units)));
        added.push_back(labelled("write rate", format_byte_rate(rates.write_bps, units)));
        added.push_back(labelled("rchar rate", format_byte_rate(rates.rchar_bps, units)));
        added.push_back(labelled("wchar rate", format_byte_rate(rates.wchar_bps, units)));
    }
    out.insert(out.begin() + static_cast<long>(std::min(at, out.size())),
               std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
    return out;
}

std::vector<InspectorLine> inspector_lines(const ProcessInfo& info, const InspectorRates& rates,
                                           bool utf8, ByteUnits units) {
    std::vector<InspectorLine> out;
    for (std::size_t s = 0; s < kInspectSectionCount; ++s) {
        std::vector<InspectorLine> part =
            inspector_section_lines(info, static_cast<InspectSection>(s), rates, utf8, units);
        out.insert(out.end(), std::make_move_iterator(part.begin()),
                   std::make_move_iterator(part.end()));
    }
    return out;
}

ViewState inspector_thread_view(const ViewState& vs, pid_t tgid) {
    ViewState tv = vs;  // the columns, the sort, -a, -k, the command line or the name
    tv.processes = false;
    tv.pids = {tgid};
    tv.uids.clear();
    tv.only_active = false;
    tv.hide_kernel_threads = false;
    tv.filter = TextFilter{};
    return tv;
}

std::vector<InspectorLine> inspector_thread_lines(const Table& t, const ViewState& tv) {
    constexpr std::string_view kIndent = "  ";
    std::vector<InspectorLine> out;
    out.reserve(t.rows.size() + 3 + t.notes.size());
    out.push_back({InspectorLine::Kind::title, "== Threads =="});
    for (const std::string& note : t.notes)
        out.push_back({InspectorLine::Kind::problem, fmt::format("  ! {}", note)});
    if (t.rows.empty()) {
        out.push_back({InspectorLine::Kind::text, "  (no thread of it in the last sample)"});
        return out;
    }
    // The column titles and the rows as the view's table lays them out (fixed widths, the
    // sorted column marked).
    std::string header(kIndent);
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        if (c) header += ' ';
        append_padded(header, task_header_title(t.columns[c], tv),
                      static_cast<std::size_t>(std::max(t.columns[c].width, 0)), t.columns[c].align,
                      c + 1 == t.columns.size());
    }
    out.push_back({InspectorLine::Kind::header, std::move(header)});
    for (std::size_t r = 0; r < t.rows.size(); ++r)
        out.push_back({row_is_active(t, r) ? InspectorLine::Kind::hot : InspectorLine::Kind::text,
                       std::string(kIndent) + format_task_row(t, r, tv)});
    if (t.matched_rows > t.rows.size())
        out.push_back({InspectorLine::Kind::text,
                       fmt::format("  ... {} more threads", t.matched_rows - t.rows.size())});
    return out;
}

void InspectorPane::open_on(pid_t tgid, std::optional<pid_t> tid, ProcessInfo first, double now_s) {
    const bool keep_utf8 = utf8;  // the view's, set before
    const ByteUnits keep_units = units;
    *this = InspectorPane{};
    utf8 = keep_utf8;
    units = keep_units;
    open = true;
    pid = tgid;
    thread = tid;
    info = std::move(first);
    read_at_s = now_s;
    relayout();
}

void InspectorPane::update(ProcessInfo next, double now_s) {
    InspectorRates r =
        inspector_rates(info ? &*info : nullptr, next, read_at_s ? now_s - *read_at_s : 0);
    const bool rates_changed = !(r == rates);
    std::optional<ProcessInfo> prev = std::move(info);
    info = std::move(next);
    rates = r;
    read_at_s = now_s;
    exited = false;
    if (!prev || lines.empty()) {
        relayout();
        return;
    }
    for (std::size_t s = 0; s < kInspectSectionCount; ++s) {
        const auto section = static_cast<InspectSection>(s);
        if (section == InspectSection::threads && thread_rows) continue;
        const bool rated = section == InspectSection::cpu || section == InspectSection::io;
        if (same_section(*prev, *info, section) && !(rated && rates_changed)) continue;
        replace_section(*this, s, inspector_section_lines(*info, section, rates, utf8, units));
    }
}

void InspectorPane::set_threads(const Table& threads, const ViewState& tv) {
    if (lines.empty()) return;  // not open
    thread_rows = true;
    replace_section(*this, static_cast<std::size_t>(InspectSection::threads),
                    inspector_thread_lines(threads, tv));
}

void InspectorPane::mark_exited() {
    exited = true;
}

void InspectorPane::close() {
    const bool keep_utf8 = utf8;
    const ByteUnits keep_units = units;
    *this = InspectorPane{};
    utf8 = keep_utf8;
    units = keep_units;
}

void InspectorPane::relayout() {
    if (!info) return;
    std::vector<InspectorLine> fresh;
    std::array<std::size_t, kInspectSectionCount + 1> start{};
    for (std::size_t s = 0; s < kInspectSectionCount; ++s) {
        start[s] = fresh.size();
        const auto section = static_cast<InspectSection>(s);
        std::vector<InspectorLine> part;
        if (section == InspectSection::threads && thread_rows && !lines.empty()) {
            // The rows of the last sample stay until the next.
            part.assign(
                std::make_move_iterator(lines.begin() + static_cast<long>(section_start[s])),
                std::make_move_iterator(lines.begin() + static_cast<long>(section_start[s + 1])));
        } else {
            part = inspector_section_lines(*info, section, rates, utf8, units);
            ++sections_laid_out;
        }
        fresh.insert(fresh.end(), std::make_move_iterator(part.begin()),
                     std::make_move_iterator(part.end()));
    }
    start[kInspectSectionCount] = fresh.size();
    lines = std::move(fresh);
    section_start = start;
    scroll = std::min(scroll, max_scroll(*this));
    if (match && *match >= lines.size()) match.reset();
}

std::size_t inspector_page_rows(int height) {
    return static_cast<std::size_t>(std::max(height - kFrameLines, 1));
}

Effect handle_inspector_key(const Event& ev, InspectorPane& p, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    if (ev.key == Key::resize) {
        e.rebuild = true;
        return e;
    }
    if (p.searching) return search_key(ev, p);
    const bool ch = ev.key == Key::character;
    if (ch) {
        p.notice.clear();
        st.notice.clear();
    }
    const long page = static_cast<long>(std::max<std::size_t>(p.page_rows, 1));
    const long at = static_cast<long>(p.scroll);
    switch (ev.key) {
        case Key::escape:
        case Key::backspace:
            p.close();
            st.mode = Mode::normal;
            e.rebuild = true;  // back to the table, the selection where it was
            return e;
        case Key::up:
            scroll_to(p, at - 1);
            return e;
        case Key::down:
            scroll_to(p, at + 1);
            return e;
        case Key::page_up:
            scroll_to(p, at - page);
            return e;
        case Key::page_down:
            scroll_to(p, at + page);
            return e;
        case Key::home:
            scroll_to(p, 0);
            return e;
        case Key::left:  // long lines (command lines, environment values) scroll sideways
            p.hscroll = p.hscroll > kSideStep ? p.hscroll - kSideStep : 0;
            return e;
        case Key::right:
            p.hscroll = std::min(p.hscroll + kSideStep, kMaxSideScroll);
            return e;
        case Key::end:
            scroll_to(p, static_cast<long>(max_scroll(p)));
            return e;
        case Key::function:
            if (ev.ch == 10)
                e.quit = true;
            else
                e.redraw = false;
            return e;
        case Key::character:
            break;
        default:
            e.redraw = false;
            return e;
    }
    switch (ev.ch) {
        case 'q':
        case 'Q':
            e.quit = true;
            return e;
        case '\t': {  // the next section's title, from the top after the last
            for (std::size_t i = p.scroll + 1; i < p.lines.size(); ++i)
                if (p.lines[i].kind == InspectorLine::Kind::title) {
                    // A title on the last page: that page, unless it is shown already.
                    if (i > max_scroll(p) && p.scroll >= max_scroll(p)) break;
                    scroll_to(p, static_cast<long>(i));
                    return e;
                }
            scroll_to(p, 0);
            return e;
        }
        case '/':
            p.searching = true;
            p.input.clear();
            return e;
        case 'n':
            find_next(p, 1);
            return e;
        case 'N':
            find_next(p, -1);
            return e;
        case ' ':
            st.paused = !st.paused;
            return e;
        case '+':
        case '=':
            st.delay_s = slower_delay(st.delay_s);
            return e;
        case '-':
        case '_':
            st.delay_s = faster_delay(st.delay_s);
            return e;
        case 0x0C:  // Ctrl-L
            return e;
        default:
            e.redraw = false;
            return e;
    }
}

ScreenLayout layout_inspector(const InspectorPane& p, const InteractiveState& st, int width,
                              int height) {
    ScreenLayout out;
    out.width = width;
    out.height = height;
    LineBuilder b(width);
    std::string title = fmt::format("Inspector: process {}", p.pid);
    if (p.info && !p.info->identity.name.empty())
        title += " " + escape_text(p.info->identity.name, TextEscape::terminal, p.utf8);
    if (p.thread) title += fmt::format(" (thread {} selected)", *p.thread);
    title += fmt::format(" | every {}", interval_text(st.delay_s));
    if (st.paused) title += " | PAUSED";
    b.bar(title, Style::column_header);

    const std::size_t page = inspector_page_rows(height);
    if (p.exited) {
        b.line(fmt::format("process {} exited: the last state read is shown", p.pid), Style::alert);
    } else if (!p.notice.empty() || !st.notice.empty()) {
        b.line(p.notice.empty() ? st.notice : p.notice, Style::notice);
    } else {
        const std::size_t last = std::min(p.scroll + page, p.lines.size());
        std::string status = fmt::format("lines {}-{} of {}", p.lines.empty() ? 0 : p.scroll + 1,
                                         last, p.lines.size());
        if (p.hscroll) status += fmt::format(" | from column {}", p.hscroll + 1);
        if (!p.search.empty()) status += " | search: " + p.search;
        b.line(std::move(status), Style::status);
    }
    for (std::size_t i = p.scroll; i < p.lines.size() && i - p.scroll < page; ++i) {
        const InspectorLine& l = p.lines[i];
        // Scrolled sideways: the columns before hscroll are left out (a wide character
        // across the edge shows whole).
        std::string text =
            p.hscroll ? l.text.substr(truncate_to_width(l.text, p.hscroll).size()) : l.text;
        if (p.match && *p.match == i) {
            b.bar(std::move(text), Style::selected_row);
            continue;
        }
        b.line(std::move(text), line_style(l.kind));
    }
    while (static_cast<int>(b.count()) < height - 1) b.line("", Style::normal);
    if (p.searching)
        b.bar("Search (Enter finds, Esc cancels): " + p.input, Style::prompt);
    else
        b.bar(
            // What matters most first: a narrow screen cuts the end.
            "Esc back  / search  n/N next/previous match  Tab next section  Up/Down PgUp/PgDn "
            "Home/End Left/Right scroll  Space pause  q quit",
            Style::hint);
    out.lines = b.take();
    if (static_cast<int>(out.lines.size()) > height)
        out.lines.resize(static_cast<std::size_t>(height));
    return out;
}

}  // namespace vigil
