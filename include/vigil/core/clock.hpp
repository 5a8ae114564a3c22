// Clocks. Intervals are double seconds from CLOCK_MONOTONIC; never whole seconds.
//
// Code that stamps samples or paces a loop takes a Clock, so tests can set the time: the
// sampler, the task sweep, the machine collector, the recorder and the view's event loop.
#pragma once

#include <cstdint>

namespace vigil {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual double steady_s() const = 0;  // CLOCK_MONOTONIC seconds
    // CLOCK_MONOTONIC in whole nanoseconds, for comparisons with the kernel's own readings
    // (a double loses nanoseconds after about 104 days of uptime).
    virtual std::int64_t steady_ns() const = 0;
    virtual double boot_s() const = 0;  // CLOCK_BOOTTIME seconds (the clock of /proc start times)
    virtual std::int64_t wall_ns() const = 0;  // CLOCK_REALTIME nanoseconds
    // USER_HZ, the unit of /proc start times (sysconf(_SC_CLK_TCK)); 100 if unknown.
    virtual std::uint64_t ticks_per_s() const = 0;
};

// The system's clocks.
const Clock& system_clock();

// The system's clocks read directly (what system_clock() returns).
double steady_now_s();       // CLOCK_MONOTONIC
double boot_now_s();         // CLOCK_BOOTTIME
std::int64_t wall_now_ns();  // CLOCK_REALTIME

}  // namespace vigil
