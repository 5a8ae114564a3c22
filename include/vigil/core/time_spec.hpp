// Wall-clock times as users write them (--from, --to, the replay view's 'g' prompt) and as
// CSV and JSON print them, plus the duration and size arguments of the recording options.
// Local time zone throughout: set TZ to read a recording in another one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/core/result.hpp"

namespace vigil {

// "2024-05-01T03:00:01.250+02:00": RFC 3339 in local time with its UTC offset, to the
// millisecond (truncated, as the text output's HH:MM:SS is).
std::string format_rfc3339(std::int64_t wall_ns);
// "2024-05-01 03:00:01" in local time, for the replay view's header and messages.
std::string format_date_time(std::int64_t wall_ns);

// A point in time as given on the command line, before it is resolved against a recording.
struct TimeSpec {
    enum class Kind : std::uint8_t {
        absolute,     // "2024-05-01 03:00[:05]", "2024-05-01T03:00", "2024-05-01"
        time_of_day,  // "03:00[:05]": the first such time at or after the reference
        offset,       // "+10m", "-90s": from the reference
    } kind = Kind::absolute;
    std::int64_t wall_ns = 0;  // absolute
    int second_of_day = 0;     // time_of_day
    double offset_s = 0;       // offset
};

Result<TimeSpec> parse_time_spec(std::string_view text);
// The wall time a spec names; reference_ns is the start of the recording for --from and
// --to, and the shown sample in the replay view.
std::int64_t resolve_time(const TimeSpec& spec, std::int64_t reference_ns);
// The wall time a spec names in the replay view, whose samples span [first_ns, last_ns]: an
// offset counts from shown_ns (the sample shown); a time of day is the first one at or after
// first_ns, unless that is past last_ns and the same time of day before first_ns is nearer
// (01:00 in a recording of 03:00 to 04:00 is before it, not in the night after it).
std::int64_t resolve_time_in_span(const TimeSpec& spec, std::int64_t shown_ns,
                                  std::int64_t first_ns, std::int64_t last_ns);

// t_ns moved by seconds, saturated at the ends of the int64 range: the times come from
// recordings (any value a file holds) and from users, and must not overflow.
std::int64_t offset_time_ns(std::int64_t t_ns, double seconds);

// "90", "90s", "15m", "1.5h", "1d": seconds (> 0); nullopt if malformed.
std::optional<double> parse_duration_s(std::string_view text);
// "4096", "512K", "100M", "2G", "1T" (powers of 1024, an optional trailing B or iB): bytes
// (> 0); nullopt if malformed or too large.
std::optional<std::uint64_t> parse_size_bytes(std::string_view text);

}  // namespace vigil
