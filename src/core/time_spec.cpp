#include "vigil/core/time_spec.hpp"

#include <fmt/format.h>

#include "vigil/core/parse.hpp"

#include <cctype>
#include <cmath>
#include <ctime>
#include <limits>
#include <string>
#include <utility>

namespace vigil {
namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;

std::tm local_tm(std::int64_t wall_ns, std::int64_t& sub_ns) {
    // Floor division, so times before 1970 do not round towards zero.
    std::int64_t s = wall_ns / kNsPerS;
    sub_ns = wall_ns % kNsPerS;
    if (sub_ns < 0) {
        sub_ns += kNsPerS;
        --s;
    }
    std::time_t t = static_cast<std::time_t>(s);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
}

// Reads exactly n digits at text[pos...]; advances pos.
bool digits(std::string_view text, std::size_t& pos, std::size_t n, int& out) {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = text[pos + i];
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        v = v * 10 + (c - '0');
    }
    pos += n;
    out = v;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

// "HH:MM[:SS]" at pos; the whole rest of text.
bool clock_time(std::string_view text, std::size_t pos, int& second_of_day) {
    int h = 0, m = 0, s = 0;
    if (!digits(text, pos, 2, h) || !expect(text, pos, ':') || !digits(text, pos, 2, m))
        return false;
    if (pos < text.size() && (!expect(text, pos, ':') || !digits(text, pos, 2, s))) return false;
    if (pos != text.size() || h > 23 || m > 59 || s > 60) return false;
    second_of_day = h * 3600 + m * 60 + s;
    return true;
}

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

std::int64_t local_to_wall_ns(std::tm tm) {
    tm.tm_isdst = -1;  // let mktime find out whether DST applies then
    std::time_t t = std::mktime(&tm);
    return static_cast<std::int64_t>(t) * kNsPerS;
}

}  // namespace

std::string format_rfc3339(std::int64_t wall_ns) {
    std::int64_t sub = 0;
    std::tm tm = local_tm(wall_ns, sub);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    off = std::labs(off);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}{:02}:{:02}", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sub / 1'000'000,
                       sign, off / 3600, off / 60 % 60);
}

std::string format_date_time(std::int64_t wall_ns) {
    std::int64_t sub = 0;
    std::tm tm = local_tm(wall_ns, sub);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

Result<TimeSpec> parse_time_spec(std::string_view text) {
    auto bad = [&] {
        return make_error("invalid time '" + std::string(text) +
                          "': expected YYYY-MM-DD[ HH:MM[:SS]], HH:MM[:SS], or +/-DURATION "
                          "such as +10m");
    };
    TimeSpec spec;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        auto d = parse_duration_s(text.substr(1));
        if (!d) return bad();
        spec.kind = TimeSpec::Kind::offset;
        spec.offset_s = text[0] == '-' ? -*d : *d;
        return spec;
    }
    if (text.size() >= 5 && text[2] == ':') {
        spec.kind = TimeSpec::Kind::time_of_day;
        if (!clock_time(text, 0, spec.second_of_day)) return bad();
        return spec;
    }
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0;
    if (!digits(text, pos, 4, y) || !expect(text, pos, '-') || !digits(text, pos, 2, mo) ||
        !expect(text, pos, '-') || !digits(text, pos, 2, d) || mo < 1 || mo > 12 || d < 1 ||
        d > days_in_month(y, mo))
        return bad();
    int sod = 0;
    if (pos < text.size()) {
        if (text[pos] != ' ' && text[pos] != 'T') return bad();
        if (!clock_time(text, pos + 1, sod)) return bad();
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = sod / 3600;
    tm.tm_min = sod / 60 % 60;
    tm.tm_sec = sod % 60;
    spec.kind = TimeSpec::Kind::absolute;
    spec.wall_ns = local_to_wall_ns(tm);
    return spec;
}

std::int64_t offset_time_ns(std::int64_t t_ns, double seconds) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    const double ns = seconds * 1e9;
    if (std::isnan(ns)) return t_ns;
    if (ns >= 9.2e18) return kMax;
    if (ns <= -9.2e18) return kMin;
    std::int64_t out = 0;
    if (__builtin_add_overflow(t_ns, static_cast<std::int64_t>(std::llround(ns)), &out))
        return ns > 0 ? kMax : kMin;
    return out;
}

std::int64_t resolve_time(const TimeSpec& spec, std::int64_t reference_ns) {
    switch (spec.kind) {
        case TimeSpec::Kind::absolute:
            return spec.wall_ns;
        case TimeSpec::Kind::offset:
            return offset_time_ns(reference_ns, spec.offset_s);
        case TimeSpec::Kind::time_of_day: {
            std::int64_t sub = 0;
            std::tm tm = local_tm(reference_ns, sub);
            tm.tm_hour = spec.second_of_day / 3600;
            tm.tm_min = spec.second_of_day / 60 % 60;
            tm.tm_sec = spec.second_of_day % 60;
            std::int64_t t = local_to_wall_ns(tm);
            if (t < reference_ns - sub) {
                tm.tm_mday += 1;  // mktime normalises the day past the month's end
                t = local_to_wall_ns(tm);
            }
            return t;
        }
    }
    return reference_ns;
}

std::int64_t resolve_time_in_span(const TimeSpec& spec, std::int64_t shown_ns,
                                  std::int64_t first_ns, std::int64_t last_ns) {
    if (spec.kind == TimeSpec::Kind::offset) return resolve_time(spec, shown_ns);
    const std::int64_t t = resolve_time(spec, first_ns);
    if (spec.kind != TimeSpec::Kind::time_of_day || t <= last_ns) return t;
    // The same time of day, a calendar day earlier (mktime keeps it right across DST).
    std::int64_t sub = 0;
    std::tm tm = local_tm(t, sub);
    tm.tm_mday -= 1;
    const std::int64_t before = local_to_wall_ns(tm);
    if (before >= first_ns) return t;
    // Both miss the span: the nearer one (saturated differences: any times a file holds).
    std::int64_t gap_before = 0, gap_after = 0;
    if (__builtin_sub_overflow(first_ns, before, &gap_before))
        gap_before = std::numeric_limits<std::int64_t>::max();
    if (__builtin_sub_overflow(t, last_ns, &gap_after))
        gap_after = std::numeric_limits<std::int64_t>::max();
    return gap_before < gap_after ? before : t;
}

namespace {

// A positive decimal number such as "1.5" (parse_decimal: no sign, exponent or hex).
std::optional<double> positive_number(std::string_view text) {
    const auto v = parse_decimal(text);
    if (!v || *v <= 0) return std::nullopt;
    return v;
}

// Removes a one-letter unit suffix listed in units (letter, factor) and returns its
// factor; 1 when text ends in none of them.
template <std::size_t N>
double take_unit(std::string_view& text, const std::pair<char, double> (&units)[N]) {
    if (text.empty()) return 1;
    const char last = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
    for (const auto& [letter, factor] : units) {
        if (last != letter) continue;
        text.remove_suffix(1);
        return factor;
    }
    return 1;
}

}  // namespace

std::optional<double> parse_duration_s(std::string_view text) {
    static constexpr std::pair<char, double> kUnits[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    if (text.empty() || std::isupper(static_cast<unsigned char>(text.back()))) return std::nullopt;
    const double unit = take_unit(text, kUnits);
    const auto v = positive_number(text);
    if (!v) return std::nullopt;
    const double out = *v * unit;
    if (out > 100.0 * 365 * 86400) return std::nullopt;
    return out;
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text) {
    if (!text.empty() && (text.back() == 'B' || text.back() == 'b')) {
        text.remove_suffix(1);
        if (!text.empty() && text.back() == 'i') text.remove_suffix(1);
    }
    static constexpr std::pair<char, double> kUnits[] = {
        {'k', 0x1p10}, {'m', 0x1p20}, {'g', 0x1p30}, {'t', 0x1p40}};
    const double unit = take_unit(text, kUnits);
    const auto v = positive_number(text);
    if (!v) return std::nullopt;
    const double bytes = *v * unit;
    if (bytes < 1 || bytes > std::ldexp(1.0, 60)) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
}

}  // namespace vigil
