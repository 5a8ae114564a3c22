// The token diffs of tokens.hpp: a sample's header as a dense diff (a bit mask per 64
// tokens), a task as a sparse one (the changed tokens by index).
#include <algorithm>

#include "tokens.hpp"

namespace vigil {
namespace {
constexpr std::int64_t kPage = 4096;
}  // namespace

void write_token_diff(ByteWriter& w, std::span<const std::uint64_t> base_nums,
                      std::span<const std::string> base_strs, std::span<const std::uint64_t> nums,
                      std::span<const std::string> strs) {
    w.varint(nums.size());
    for (std::size_t b = 0; b < nums.size(); b += 64) {
        const std::size_t end = std::min(b + 64, nums.size());
        std::uint64_t mask = 0;
        for (std::size_t i = b; i < end; ++i) {
            const std::uint64_t base = i < base_nums.size() ? base_nums[i] : 0;
            if (nums[i] != base) mask |= std::uint64_t{1} << (i - b);
        }
        w.varint(mask);
        for (std::size_t i = b; i < end; ++i) {
            if (!(mask >> (i - b) & 1)) continue;
            const std::uint64_t base = i < base_nums.size() ? base_nums[i] : 0;
            w.svarint(static_cast<std::int64_t>(nums[i] - base));  // wraps: any value works
        }
    }
    w.varint(strs.size());
    for (std::size_t b = 0; b < strs.size(); b += 64) {
        const std::size_t end = std::min(b + 64, strs.size());
        std::uint64_t mask = 0;
        for (std::size_t i = b; i < end; ++i) {
            std::string_view base = i < base_strs.size() ? std::string_view(base_strs[i]) : "";
            if (strs[i] != base) mask |= std::uint64_t{1} << (i - b);
        }
        w.varint(mask);
        for (std::size_t i = b; i < end; ++i)
            if (mask >> (i - b) & 1) w.bytes(strs[i]);
    }
}

void write_sparse_diff(ByteWriter& w, std::span<const std::uint64_t> base_nums,
                       std::span<const std::string> base_strs, std::span<const std::uint64_t> nums,
                       std::span<const std::string> strs) {
    auto num_base = [&](std::size_t i) { return i < base_nums.size() ? base_nums[i] : 0; };
    auto str_base = [&](std::size_t i) {
        return i < base_strs.size() ? std::string_view(base_strs[i]) : std::string_view();
    };
    std::size_t changed = 0, changed_strs = 0;
    for (std::size_t i = 0; i < nums.size(); ++i) changed += nums[i] != num_base(i);
    for (std::size_t i = 0; i < strs.size(); ++i) changed_strs += strs[i] != str_base(i);
    const bool shape = nums.size() != base_nums.size() || strs.size() != base_strs.size();
    w.varint(static_cast<std::uint64_t>(changed) << 2 | (changed_strs ? 2u : 0u) |
             (shape ? 1u : 0u));
    if (shape) {
        w.varint(nums.size());
        w.varint(strs.size());
    }
    std::size_t last = 0;
    for (std::size_t i = 0; i < nums.size(); ++i) {
        if (nums[i] == num_base(i)) continue;
        // Storage I/O moves whole pages: such deltas are stored in pages (a flag in the
        // index gap's low bit), which saves a byte or two on every busy task.
        const auto delta = static_cast<std::int64_t>(nums[i] - num_base(i));
        const bool pages = delta % kPage == 0;
        w.varint((i - last) << 1 | (pages ? 1 : 0));
        w.svarint(pages ? delta / kPage : delta);
        last = i;
    }
    if (!changed_strs) return;
    w.varint(changed_strs);
    last = 0;
    for (std::size_t i = 0; i < strs.size(); ++i) {
        if (strs[i] == str_base(i)) continue;
        w.varint(i - last);
        w.bytes(strs[i]);
        last = i;
    }
}

bool read_sparse_diff(ByteReader& r, std::span<const std::uint64_t> base_nums,
                      std::span<const std::string> base_strs, std::vector<std::uint64_t>& nums,
                      StringArena& strs, std::size_t max_tokens) {
    const std::uint64_t head = r.varint();
    std::uint64_t n = base_nums.size(), m = base_strs.size();
    if (head & 1) {
        n = r.varint();
        m = r.varint();
    }
    const std::uint64_t changed = head >> 2;
    if (!r.ok() || n > max_tokens || m > max_tokens || changed > n) return false;
    const std::size_t start = nums.size();
    for (std::size_t i = 0; i < n; ++i) nums.push_back(i < base_nums.size() ? base_nums[i] : 0);
    std::uint64_t idx = 0;
    for (std::uint64_t k = 0; k < changed; ++k) {
        const std::uint64_t word = r.varint();
        const std::uint64_t gap = word >> 1;
        idx += gap;
        if (!r.ok() || (k > 0 && gap == 0) || idx >= n) return false;
        std::uint64_t delta = static_cast<std::uint64_t>(r.svarint());
        if (word & 1) delta *= kPage;  // wraps as the encoder's division did not
        nums[start + idx] += delta;
    }
    const std::size_t sstart = strs.size();
    for (std::size_t i = 0; i < m; ++i)
        strs.push(i < base_strs.size() ? std::string_view(base_strs[i]) : std::string_view());
    if (head & 2) {
        const std::uint64_t changed_strs = r.varint();
        if (!r.ok() || changed_strs == 0 || changed_strs > m) return false;
        idx = 0;
        for (std::uint64_t k = 0; k < changed_strs; ++k) {
            const std::uint64_t gap = r.varint();
            idx += gap;
            if (!r.ok() || (k > 0 && gap == 0) || idx >= m) return false;
            std::string_view v = r.bytes();
            if (!r.ok()) return false;
            if (v.size() > kMaxRecordedStringBytes)
                strs.set(sstart + idx, cap_recorded_string(v));
            else
                strs.set(sstart + idx, v);
        }
    }
    return r.ok();
}

bool read_token_diff(ByteReader& r, std::span<const std::uint64_t> base_nums,
                     std::span<const std::string> base_strs, std::vector<std::uint64_t>& nums,
                     StringArena& strs, std::size_t max_tokens, DecodeBudget& budget) {
    // Every block of 64 tokens costs at least its mask byte: a count the bytes left cannot
    // hold is damage, found before it is spent on (up to max_tokens) allocations.
    auto fits = [&](std::uint64_t count) {
        return count <= max_tokens && count / 64 <= r.remaining();
    };
    const std::uint64_t n = r.varint();
    if (!r.ok() || !fits(n) || !budget.take(2 * n * sizeof(std::uint64_t))) return false;
    for (std::size_t b = 0; b < n; b += 64) {
        const std::size_t end = std::min<std::size_t>(b + 64, n);
        const std::uint64_t mask = r.varint();
        if (!r.ok() || (end - b < 64 && (mask >> (end - b)) != 0)) return false;
        for (std::size_t i = b; i < end; ++i) {
            std::uint64_t v = i < base_nums.size() ? base_nums[i] : 0;
            if (mask >> (i - b) & 1) v += static_cast<std::uint64_t>(r.svarint());
            nums.push_back(v);
        }
    }
    const std::uint64_t m = r.varint();
    if (!r.ok() || !fits(m) || !budget.take(2 * m * sizeof(std::string))) return false;
    for (std::size_t b = 0; b < m; b += 64) {
        const std::size_t end = std::min<std::size_t>(b + 64, m);
        const std::uint64_t mask = r.varint();
        if (!r.ok() || (end - b < 64 && (mask >> (end - b)) != 0)) return false;
        for (std::size_t i = b; i < end; ++i) {
            const std::string_view v = mask >> (i - b) & 1    ? r.bytes()
                                       : i < base_strs.size() ? std::string_view(base_strs[i])
                                                              : "";
            if (!budget.take(2 * v.size())) return false;
            strs.push(v);
        }
    }
    return r.ok();
}

}  // namespace vigil
