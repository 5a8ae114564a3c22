#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "vigil/core/memory.hpp"
#include "vigil/model/task_deltas.hpp"

using namespace vigil;

TEST_CASE("ShrinkGuard: due only after kRuns oversized calls in a row", "[memory]") {
    ShrinkGuard g;
    const std::size_t big = ShrinkGuard::kMinBytes;  // bytes, elements of 1 byte
    for (unsigned i = 1; i < ShrinkGuard::kRuns; ++i) CHECK_FALSE(g.due(10, big, 1));
    CHECK(g.due(10, big, 1));
    // A call that is not oversized starts the count again: a short dip keeps the buffer.
    CHECK_FALSE(g.due(big, big, 1));
    for (unsigned i = 1; i < ShrinkGuard::kRuns; ++i) CHECK_FALSE(g.due(10, big, 1));
    CHECK(g.due(10, big, 1));
}

TEST_CASE("ShrinkGuard: small or well-filled buffers are kept", "[memory]") {
    ShrinkGuard g;
    for (int i = 0; i < 20; ++i) {
        // Under kMinBytes.
        CHECK_FALSE(g.due(0, ShrinkGuard::kMinBytes / 8 - 1, 8));
    }
    for (int i = 0; i < 20; ++i) {
        // A quarter full or more.
        CHECK_FALSE(g.due(ShrinkGuard::kMinBytes / 4, ShrinkGuard::kMinBytes, 1));
    }
}

TEST_CASE("shrink_when_due shrinks a vector after a peak and notes it", "[memory]") {
    ShrinkGuard g;
    std::vector<std::uint64_t> v(100'000);
    const std::uint64_t before = memory_released_count();
    v.resize(100);
    for (unsigned i = 1; i < ShrinkGuard::kRuns; ++i) {
        CHECK_FALSE(shrink_when_due(v, g));
        CHECK(v.capacity() >= 100'000);
    }
    CHECK(shrink_when_due(v, g));
    CHECK(v.capacity() < 1000);
    CHECK(v.size() == 100);
    CHECK(memory_released_count() == before + 1);
    CHECK(return_released_memory());
    CHECK_FALSE(return_released_memory());  // nothing shrunk since
    // Shrunk, it is not due again.
    for (int i = 0; i < 10; ++i) CHECK_FALSE(shrink_when_due(v, g));
}

TEST_CASE("task_deltas gives back the room of a peak of tasks", "[memory]") {
    Snapshot big, small;
    big.steady_s = 1;
    small.steady_s = 2;
    big.tasks.resize(20'000);
    for (std::size_t i = 0; i < big.tasks.size(); ++i)
        big.tasks[i].tid = big.tasks[i].tgid = static_cast<pid_t>(i + 1);
    small.tasks.assign(big.tasks.begin(), big.tasks.begin() + 100);
    TaskDeltas d = task_deltas(big, big);
    REQUIRE(d.size() == 20'000);
    for (unsigned i = 0; i < ShrinkGuard::kRuns; ++i) d = task_deltas(big, small, std::move(d));
    CHECK(d.size() == 100);
    CHECK(d.capacity() < 1000);
}
