#include "vigil/core/clock.hpp"

#include <ctime>

namespace vigil {
namespace {
double read_s(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

double steady_now_s() { return read_s(CLOCK_MONOTONIC); }
double boot_now_s() { return read_s(CLOCK_BOOTTIME); }
std::int64_t wall_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace vigil
