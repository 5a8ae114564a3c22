// A clock a test sets by hand, for the code that takes a Clock (the sampler, the controller).
#pragma once

#include <cmath>
#include <cstdint>

#include "vigil/core/clock.hpp"

namespace vigil::test {

class FakeClock final : public Clock {
  public:
    FakeClock(double steady_s = 100.0, double boot_s = 1000.0, std::int64_t wall_ns = 0)
        : steady_s_(steady_s), boot_s_(boot_s), wall_ns_(wall_ns) {}
    double steady_s() const override { return steady_s_; }
    std::int64_t steady_ns() const override { return std::llround(steady_s_ * 1e9); }
    double boot_s() const override { return boot_s_; }
    std::int64_t wall_ns() const override { return wall_ns_; }
    std::uint64_t ticks_per_s() const override { return ticks_; }

    // Moves every clock on by s seconds.
    void advance(double s) {
        steady_s_ += s;
        boot_s_ += s;
        wall_ns_ += static_cast<std::int64_t>(s * 1e9);
    }
    void set(double steady_s, double boot_s) {
        steady_s_ = steady_s;
        boot_s_ = boot_s;
    }

  private:
    double steady_s_, boot_s_;
    std::int64_t wall_ns_;
    std::uint64_t ticks_ = 100;
};

}  // namespace vigil::test
