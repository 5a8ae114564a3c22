#include "vigil/core/clock.hpp"

#include <unistd.h>

#include <ctime>

namespace vigil {
namespace {

double read_s(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

class SystemClock final : public Clock {
  public:
    SystemClock() {
        const long tck = ::sysconf(_SC_CLK_TCK);
        ticks_ = tck > 0 ? static_cast<std::uint64_t>(tck) : 100;
    }
    double steady_s() const override { return steady_now_s(); }
    std::int64_t steady_ns() const override {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
    double boot_s() const override { return boot_now_s(); }
    std::int64_t wall_ns() const override { return wall_now_ns(); }
    std::uint64_t ticks_per_s() const override { return ticks_; }

  private:
    std::uint64_t ticks_ = 100;
};

}  // namespace

const Clock& system_clock() {
    static const SystemClock clock;
    return clock;
}

double steady_now_s() {
    return read_s(CLOCK_MONOTONIC);
}
double boot_now_s() {
    return read_s(CLOCK_BOOTTIME);
}
std::int64_t wall_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace vigil
