#include "vigil/core/memory.hpp"

#include <malloc.h>

#include <atomic>

namespace vigil {
namespace {
std::atomic<std::uint64_t> released{0};
std::atomic<std::uint64_t> trimmed_at{0};
}  // namespace

bool ShrinkGuard::due(std::size_t size, std::size_t capacity, std::size_t elem_bytes) {
    if (!oversized(size, capacity, elem_bytes)) {
        low_ = 0;
        return false;
    }
    if (low_ < kRuns) ++low_;
    return low_ >= kRuns;
}

void note_memory_released() {
    released.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t memory_released_count() {
    return released.load(std::memory_order_relaxed);
}

bool return_released_memory() {
    const std::uint64_t now = released.load(std::memory_order_relaxed);
    if (trimmed_at.exchange(now, std::memory_order_relaxed) == now) return false;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    return true;
}

}  // namespace vigil
