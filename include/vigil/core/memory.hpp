// Giving memory back after a peak. Buffers reused from sample to sample keep the capacity of
// the largest sample they held: after a peak of 20 000 threads, tens of MB for a machine
// back at 100. A ShrinkGuard says when a buffer has been far larger than its contents for
// several samples in a row; shrink_when_due() then shrinks it, and return_released_memory(),
// called once per sample by the front end, hands the freed pages back to the kernel
// (malloc_trim) only when something was shrunk since its last call. In the steady state the
// check is a comparison per buffer: nothing is allocated or freed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil {

class ShrinkGuard {
  public:
    // A buffer smaller than this is never shrunk (the gain would not be worth the churn).
    static constexpr std::size_t kMinBytes = 256 * 1024;
    // Shrunk when its contents fill less than a quarter of it ...
    static constexpr std::size_t kSlackFactor = 4;
    // ... in this many calls in a row (one call per sample: a short dip keeps it).
    static constexpr unsigned kRuns = 5;

    // Whether a buffer of `capacity` elements of `elem_bytes`, holding `size`, is worth
    // shrinking now: at least kMinBytes, less than a quarter full.
    static bool oversized(std::size_t size, std::size_t capacity, std::size_t elem_bytes) {
        return capacity * elem_bytes >= kMinBytes && size * kSlackFactor < capacity;
    }
    // Whether a buffer of `capacity` elements of `elem_bytes`, holding `size`, should be
    // shrunk now. One call per sample; a call where it is not oversized starts the count
    // again.
    bool due(std::size_t size, std::size_t capacity, std::size_t elem_bytes);

  private:
    unsigned low_ = 0;
};

// Counts a shrink, so the next return_released_memory() trims the heap.
void note_memory_released();
// How many shrinks so far (tests).
std::uint64_t memory_released_count();
// Returns the heap's free pages to the kernel (malloc_trim) if a shrink happened since the
// last call; true if it trimmed.
bool return_released_memory();

// Shrinks a vector (anything with size, capacity and shrink_to_fit) when g says so.
template <class V>
bool shrink_when_due(V& v, ShrinkGuard& g) {
    if (!g.due(v.size(), v.capacity(), sizeof(typename V::value_type))) return false;
    v.shrink_to_fit();
    note_memory_released();
    return true;
}

}  // namespace vigil
