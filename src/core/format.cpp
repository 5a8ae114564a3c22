#include "vigil/core/format.hpp"

#include <fmt/format.h>

#include <ctime>

namespace vigil {
namespace {

// Picks a 1024-based unit (as iotop does) that keeps the number below 1000 of it, so a
// figure never has four integer digits: 1001.44 K/s reads as 0.98 M/s, and the column's
// width and the reader's eye stay put as a rate crosses 1000.
std::string scaled(double v, ByteUnits units, const char* suffix) {
    static constexpr const char* names[] = {"B", "K", "M", "G", "T", "P"};
    int i = 0;
    if (units == ByteUnits::kib) {
        v /= 1024.0;
        i = 1;
    } else {
        while (v >= 999.995 && i < 5) {  // 999.995 would print as "1000.00"
            v /= 1024.0;
            ++i;
        }
    }
    return fmt::format("{:.2f} {}{}", v, names[i], suffix);
}

}  // namespace

std::string format_byte_rate(std::optional<double> v, ByteUnits units) {
    if (!v) return "?";
    return scaled(*v, units, "/s");
}

std::string format_bytes(std::optional<double> v, ByteUnits units) {
    if (!v) return "?";
    return scaled(*v, units, "");
}

std::string format_percent(std::optional<double> pct) {
    if (!pct) return "?";
    return fmt::format("{:.2f} %", *pct);
}

std::string format_clock(std::int64_t wall_ns) {
    std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000);
    std::tm tm{};
    localtime_r(&t, &tm);
    return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace vigil
