// Clocks. Intervals are double seconds from CLOCK_MONOTONIC; never whole seconds.
#pragma once

#include <cstdint>

namespace vigil {

double steady_now_s();      // CLOCK_MONOTONIC
double boot_now_s();        // CLOCK_BOOTTIME (the clock /proc start times count in)
std::int64_t wall_now_ns();  // CLOCK_REALTIME

}  // namespace vigil
