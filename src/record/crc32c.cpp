// CRC-32C, reflected, polynomial 0x82F63B78, one table lookup per byte: a few hundred MB/s,
// far more than a recording needs, and no dependency for 20 lines.
#include <array>

#include "vigil/record/byte_io.hpp"

namespace vigil {
namespace {

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto kTable = make_table();

}  // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
    crc = ~crc;
    for (char ch : data) crc = kTable[(crc ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

}  // namespace vigil
