// Little-endian fixed-width integers, LEB128 varints and zigzag, for the record format.
// ByteReader never reads past its end: a short or malformed input sets a sticky error and
// yields zeros, so decoders check ok() once instead of after every field.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

constexpr std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t v) {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class ByteWriter {
  public:
    explicit ByteWriter(std::string& out) : out_(out) {}
    void u8(std::uint8_t v) { out_ += static_cast<char>(v); }
    void u16(std::uint16_t v) { fixed(v, 2); }
    void u32(std::uint32_t v) { fixed(v, 4); }
    void u64(std::uint64_t v) { fixed(v, 8); }
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            out_ += static_cast<char>((v & 0x7F) | 0x80);
            v >>= 7;
        }
        out_ += static_cast<char>(v);
    }
    void svarint(std::int64_t v) { varint(zigzag(v)); }
    void bytes(std::string_view s) {
        varint(s.size());
        out_ += s;
    }
    std::string& buffer() { return out_; }

  private:
    void fixed(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out_ += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    std::string& out_;
};

class ByteReader {
  public:
    explicit ByteReader(std::string_view in) : in_(in) {}
    bool ok() const { return ok_; }
    void fail() { ok_ = false; }
    std::size_t remaining() const { return in_.size() - pos_; }
    std::size_t position() const { return pos_; }

    std::uint8_t u8() { return static_cast<std::uint8_t>(fixed(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(fixed(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(fixed(4)); }
    std::uint64_t u64() { return fixed(8); }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= in_.size()) return fail_zero();
            auto b = static_cast<std::uint8_t>(in_[pos_++]);
            if (shift == 63 && b > 1) return fail_zero();  // more than 64 bits
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        return fail_zero();
    }
    std::int64_t svarint() { return unzigzag(varint()); }
    // A length-prefixed byte string; empty (and an error) if it runs past the end.
    std::string_view bytes() {
        std::uint64_t n = varint();
        if (!ok_ || n > remaining()) {
            fail();
            return {};
        }
        std::string_view s = in_.substr(pos_, n);
        pos_ += n;
        return s;
    }

  private:
    std::uint64_t fail_zero() {
        ok_ = false;
        pos_ = in_.size();
        return 0;
    }
    std::uint64_t fixed(int n) {
        if (remaining() < static_cast<std::size_t>(n)) return fail_zero();
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
        pos_ += n;
        return v;
    }
    std::string_view in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

// CRC-32C (Castagnoli), the checksum of every record frame. Chainable: pass the previous
// result as crc to continue over more bytes.
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);
// The checksum of bytes A followed by n bytes B from the two checksums alone:
// crc32c(A + B) == crc32c_shift(crc32c(A), n) ^ crc32c(B). Also the other way round: the
// checksum of a stretch from running checksums before and after it, whatever lies before.
std::uint32_t crc32c_shift(std::uint32_t crc, std::uint64_t n);

}  // namespace vigil
