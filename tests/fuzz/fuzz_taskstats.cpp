// libFuzzer target: the taskstats reply decoder on arbitrary datagrams. It must never read
// out of bounds, loop forever, or return a record that a shorter payload could not hold.
#include <cstddef>
#include <cstdint>
#include <span>

#include "vigil/collect/netlink/taskstats_decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::byte> buf(reinterpret_cast<const std::byte*>(data), size);
    std::size_t seen = vigil::for_each_taskstats_reply(buf, [](const vigil::TaskstatsReply& r) {
        if (r.kind == vigil::TaskstatsReply::Kind::stats && !r.record) __builtin_trap();
    });
    if (seen > size) __builtin_trap();  // every message consumes at least a header
    (void)vigil::decode_taskstats(buf);
    return 0;
}
