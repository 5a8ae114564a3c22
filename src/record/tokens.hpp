// A sample flattened into tokens: 64-bit numbers and strings, in the order the field lists
// of sample_fields.hpp give. A sample is stored as the difference between its tokens and a
// base's (the previous sample, the same task a sample ago, or the task before it): most
// tokens repeat, and a repeat costs nothing.
//
// Structure tokens (an optional's presence, a vector's size) always hold the truth. The
// value tokens of an absent optional "don't care": the writer repeats the base's tokens
// there, so a command line that is known, then not, then known again costs one presence
// token each time, not the whole string again.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sample_fields.hpp"
#include "vigil/record/byte_io.hpp"
#include "vigil/record/record_file.hpp"

namespace vigil {

template <class T>
inline constexpr bool is_vector_v = false;
template <class T, class A>
inline constexpr bool is_vector_v<std::vector<T, A>> = true;
template <class T>
inline constexpr bool is_array_v = false;
template <class T, std::size_t N>
inline constexpr bool is_array_v<std::array<T, N>> = true;

// Strings whose buffers are kept from sample to sample: assigning reuses the capacity.
class StringArena {
  public:
    void clear() { used_ = 0; }
    // Frees the strings past the used ones and the spare room.
    void shrink_to_fit() {
        strs_.resize(used_);
        strs_.shrink_to_fit();
    }
    std::size_t capacity() const { return strs_.capacity(); }
    std::size_t size() const { return used_; }
    void push(std::string_view s) {
        if (used_ == strs_.size()) strs_.emplace_back();
        strs_[used_++].assign(s);
    }
    void set(std::size_t i, std::string_view s) { strs_[i].assign(s); }
    std::span<const std::string> all() const { return {strs_.data(), used_}; }
    std::span<const std::string> range(std::size_t from, std::size_t to) const {
        return {strs_.data() + from, to - from};
    }

  private:
    std::vector<std::string> strs_;
    std::size_t used_ = 0;
};

// Doubles as two tokens: a tag and a payload. Values that are exact hundredths (the
// kernel's load averages and pressure figures) or exact nanoseconds (clock readings) are
// stored as those integers, so a small change is a small delta; anything else (NaN, -0.0,
// a value that does not survive the round trip) keeps its 64 bits.
enum DoubleTag : std::uint64_t { kHundredths = 1, kNanoseconds = 2, kRawBits = 3 };

inline bool double_via(double d, double scale, std::int64_t& k) {
    const double x = d * scale;
    if (!(std::fabs(x) < 4.0e18)) return false;  // also false for NaN
    k = std::llround(x);
    return std::bit_cast<std::uint64_t>(static_cast<double>(k) / scale) ==
           std::bit_cast<std::uint64_t>(d);
}

inline void encode_double(double d, std::uint64_t& tag, std::uint64_t& payload) {
    std::int64_t k = 0;
    if (double_via(d, 100.0, k)) {
        tag = kHundredths;
        payload = zigzag(k);
    } else if (double_via(d, 1e9, k)) {
        tag = kNanoseconds;
        payload = zigzag(k);
    } else {
        tag = kRawBits;
        payload = std::bit_cast<std::uint64_t>(d);
    }
}

inline bool decode_double(std::uint64_t tag, std::uint64_t payload, double& d) {
    switch (tag) {
        case kHundredths:
            d = static_cast<double>(unzigzag(payload)) / 100.0;
            return true;
        case kNanoseconds:
            d = static_cast<double>(unzigzag(payload)) / 1e9;
            return true;
        case kRawBits:
            d = std::bit_cast<double>(payload);
            return true;
        default:
            return false;
    }
}

// Appends the tokens of a value to nums and strs. base: the tokens the result will be
// diffed against, for the values of absent optionals.
class TokenWriter {
  public:
    // layout: the record format version whose field lists to write (sample_fields.hpp).
    TokenWriter(std::vector<std::uint64_t>& nums, StringArena& strs,
                std::span<const std::uint64_t> base_nums, std::span<const std::string> base_strs,
                std::uint32_t layout = kRecordFormatVersion)
        : layout(layout),
          nums_(nums),
          strs_(strs),
          base_nums_(base_nums),
          base_strs_(base_strs),
          num0_(nums.size()),
          str0_(strs.size()) {}
    const std::uint32_t layout;

    template <class T>
    void operator()(const T& x) {
        if constexpr (std::is_same_v<T, bool>) {
            value(x ? 1 : 0);
        } else if constexpr (std::is_same_v<T, char>) {
            value(static_cast<std::uint8_t>(x));
        } else if constexpr (std::is_enum_v<T>) {
            value(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<T>>(x)));
        } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
            value(zigzag(static_cast<std::int64_t>(x)));
        } else if constexpr (std::is_integral_v<T>) {
            value(static_cast<std::uint64_t>(x));
        } else if constexpr (std::is_same_v<T, double>) {
            std::uint64_t tag = 0, payload = 0;
            encode_double(x, tag, payload);
            value(tag);
            value(payload);
        } else if constexpr (std::is_same_v<T, std::string>) {
            text(x);
        } else if constexpr (is_optional_v<T>) {
            structure(x.has_value() ? 1 : 0);
            if (x) {
                (*this)(*x);
            } else {
                const bool outer = dont_care_;
                dont_care_ = true;
                (*this)(typename T::value_type{});
                dont_care_ = outer;
            }
        } else if constexpr (is_vector_v<T>) {
            structure(x.size());
            for (const auto& e : x) (*this)(e);
        } else if constexpr (is_array_v<T>) {
            for (const auto& e : x) (*this)(e);
        } else {
            record_fields(*this, x);
        }
    }

  private:
    void structure(std::uint64_t v) { nums_.push_back(v); }
    void value(std::uint64_t v) {
        if (dont_care_) {
            const std::size_t i = nums_.size() - num0_;
            v = i < base_nums_.size() ? base_nums_[i] : 0;
        }
        nums_.push_back(v);
    }
    void text(std::string_view s) {
        if (dont_care_) {
            const std::size_t i = strs_.size() - str0_;
            s = i < base_strs_.size() ? std::string_view(base_strs_[i]) : std::string_view();
        }
        strs_.push(s);
    }

    std::vector<std::uint64_t>& nums_;
    StringArena& strs_;
    std::span<const std::uint64_t> base_nums_;
    std::span<const std::string> base_strs_;
    std::size_t num0_, str0_;
    bool dont_care_ = false;
};

// Rebuilds a value from its tokens. Running out of tokens or meeting an impossible one
// (a size larger than what is left, an unknown double tag) sets ok() to false.
class TokenReader {
  public:
    // layout: the record format version the tokens were written in.
    TokenReader(std::span<const std::uint64_t> nums, std::span<const std::string> strs,
                std::uint32_t layout = kRecordFormatVersion)
        : layout(layout), nums_(nums), strs_(strs) {}
    const std::uint32_t layout;
    bool ok() const { return ok_; }
    bool finished() const { return ni_ == nums_.size() && si_ == strs_.size(); }

    template <class T>
    void operator()(T& x) {
        if (!ok_) return;
        if constexpr (std::is_same_v<T, bool>) {
            x = value() != 0;
        } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
            const std::uint64_t v = value();
            if constexpr (std::is_same_v<T, char>)
                x = static_cast<char>(static_cast<std::uint8_t>(v));
            else if constexpr (std::is_enum_v<T>)
                x = static_cast<T>(static_cast<std::underlying_type_t<T>>(v));
            else if constexpr (std::is_signed_v<T>)
                x = static_cast<T>(unzigzag(v));
            else
                x = static_cast<T>(v);
        } else if constexpr (std::is_same_v<T, double>) {
            const std::uint64_t tag = value(), payload = value();
            if (!dont_care_ && !decode_double(tag, payload, x)) ok_ = false;
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (si_ >= strs_.size()) {
                ok_ = false;
                return;
            }
            if (!dont_care_) x = strs_[si_];
            ++si_;
        } else if constexpr (is_optional_v<T>) {
            if (structure() != 0) {
                x.emplace();
                (*this)(*x);
            } else {
                x.reset();
                const bool outer = dont_care_;
                dont_care_ = true;
                typename T::value_type ignored{};
                (*this)(ignored);
                dont_care_ = outer;
            }
        } else if constexpr (is_vector_v<T>) {
            const std::uint64_t n = structure();
            // Every element takes at least one token: a larger size is damage, and must
            // not become a huge allocation.
            if (n > (nums_.size() - ni_) + (strs_.size() - si_)) {
                ok_ = false;
                return;
            }
            // Elements one by one, stopping at the first that runs out of tokens: sizing
            // the vector first would let a few bytes of damage claim n elements of
            // hundreds of bytes each (the fuzzer found 800 MB).
            x.clear();
            for (std::uint64_t i = 0; i < n && ok_; ++i) {
                x.emplace_back();
                (*this)(x.back());
            }
        } else if constexpr (is_array_v<T>) {
            for (auto& e : x) (*this)(e);
        } else {
            record_fields(*this, x);
        }
    }

  private:
    std::uint64_t structure() { return next(); }
    std::uint64_t value() { return next(); }
    std::uint64_t next() {
        if (ni_ >= nums_.size()) {
            ok_ = false;
            return 0;
        }
        return nums_[ni_++];
    }

    std::span<const std::uint64_t> nums_;
    std::span<const std::string> strs_;
    std::size_t ni_ = 0, si_ = 0;
    bool ok_ = true;
    bool dont_care_ = false;
};

// The memory a sample being decoded may still take (see kMaxDecodedSampleBytes): what is
// decoded is taken from it before it is allocated, or just after for what only the
// decoding tells (a changed string's length).
class DecodeBudget {
  public:
    explicit DecodeBudget(std::size_t bytes) : limit_(bytes), left_(bytes) {}
    // False (and nothing left: exhausted()) when fewer than n bytes are left.
    bool take(std::size_t n) {
        if (n > left_) {
            left_ = 0;
            exhausted_ = true;
            return false;
        }
        left_ -= n;
        return true;
    }
    bool exhausted() const { return exhausted_; }
    std::size_t used() const { return limit_ - left_; }

  private:
    std::size_t limit_, left_;
    bool exhausted_ = false;
};

// Writes cur as its difference from base: the number of tokens, then per block of 64 a
// bit mask of the tokens that differ and their zigzag deltas; the same for strings, with
// the changed strings in full.
void write_token_diff(ByteWriter& w, std::span<const std::uint64_t> base_nums,
                      std::span<const std::string> base_strs, std::span<const std::uint64_t> nums,
                      std::span<const std::string> strs);

// The same for a few changes among few tokens (one task): a header varint (changed
// numbers << 2 | strings changed << 1 | counts differ from the base's), then per changed
// number its index gap and zigzag delta; per changed string its index gap and bytes.
void write_sparse_diff(ByteWriter& w, std::span<const std::uint64_t> base_nums,
                       std::span<const std::string> base_strs, std::span<const std::uint64_t> nums,
                       std::span<const std::string> strs);
bool read_sparse_diff(ByteReader& r, std::span<const std::uint64_t> base_nums,
                      std::span<const std::string> base_strs, std::vector<std::uint64_t>& nums,
                      StringArena& strs, std::size_t max_tokens);

// Appends the tokens write_token_diff wrote. max_tokens bounds what damage can allocate;
// the tokens, and as much again for the values decoded from them, are taken from budget.
bool read_token_diff(ByteReader& r, std::span<const std::uint64_t> base_nums,
                     std::span<const std::string> base_strs, std::vector<std::uint64_t>& nums,
                     StringArena& strs, std::size_t max_tokens, DecodeBudget& budget);

}  // namespace vigil
