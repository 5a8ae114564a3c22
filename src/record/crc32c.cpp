// CRC-32C, reflected, polynomial 0x82F63B78, one table lookup per byte: a few hundred MB/s,
// far more than a recording needs, and no dependency for 20 lines. crc32c_shift is zlib's
// crc32_combine (multiplication by x^(8n) modulo the polynomial), for this polynomial.
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

// a * b modulo the polynomial, in the CRC's reflected bit order (bit 31 is x^0).
constexpr std::uint32_t mult_mod_p(std::uint32_t a, std::uint32_t b) {
    std::uint32_t p = 0;
    for (std::uint32_t m = 1u << 31; m != 0 && a != 0; m >>= 1) {
        if (a & m) {
            p ^= b;
            a &= ~m;
        }
        b = (b & 1) ? (b >> 1) ^ 0x82F63B78u : b >> 1;
    }
    return p;
}

// x^(2^k) modulo the polynomial, k = 0..63.
constexpr std::array<std::uint32_t, 64> make_powers() {
    std::array<std::uint32_t, 64> t{};
    t[0] = 1u << 30;  // x^1
    for (std::size_t k = 1; k < t.size(); ++k) t[k] = mult_mod_p(t[k - 1], t[k - 1]);
    return t;
}
constexpr auto kPowers = make_powers();

}  // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
    crc = ~crc;
    for (char ch : data) crc = kTable[(crc ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

std::uint32_t crc32c_shift(std::uint32_t crc, std::uint64_t n) {
    std::uint32_t p = 1u << 31;                                          // x^0
    for (std::size_t k = 3; n != 0 && k < kPowers.size(); n >>= 1, ++k)  // x^(8n): k from 3
        if (n & 1) p = mult_mod_p(kPowers[k], p);
    return mult_mod_p(p, crc);
}

}  // namespace vigil
