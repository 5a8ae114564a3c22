// The tokens of every task of a sample, shared by the sample encoder and decoder
// (sample_codec.cpp, sample_decoder.cpp): each task's numbers and strings, in tid order,
// and the base a new task is diffed against.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tokens.hpp"

namespace vigil {

inline constexpr std::size_t kMaxTaskTokens = 4096;
inline constexpr std::size_t kMaxHeaderTokens = std::size_t{1} << 24;

// The tokens of every task of a sample, in tid order.
struct TaskTokens {
    std::vector<pid_t> tids;
    std::vector<std::uint32_t> num_end, str_end;
    std::vector<std::uint64_t> nums;
    StringArena strs;

    void clear() {
        tids.clear();
        num_end.clear();
        str_end.clear();
        nums.clear();
        strs.clear();
    }
    std::size_t size() const { return tids.size(); }
    void shrink_to_fit() {
        tids.shrink_to_fit();
        num_end.shrink_to_fit();
        str_end.shrink_to_fit();
        nums.shrink_to_fit();
        strs.shrink_to_fit();
    }
    std::span<const std::uint64_t> nums_of(std::size_t i) const {
        std::size_t b = i ? num_end[i - 1] : 0;
        return {nums.data() + b, num_end[i] - b};
    }
    std::span<const std::string> strs_of(std::size_t i) const {
        return strs.range(i ? str_end[i - 1] : 0, str_end[i]);
    }
    // The tokens written since the last close(): the task being added.
    std::span<const std::uint64_t> open_nums() const {
        std::size_t b = num_end.empty() ? 0 : num_end.back();
        return {nums.data() + b, nums.size() - b};
    }
    std::span<const std::string> open_strs() const {
        return strs.range(str_end.empty() ? 0 : str_end.back(), strs.size());
    }
    void close(pid_t tid) {
        tids.push_back(tid);
        num_end.push_back(static_cast<std::uint32_t>(nums.size()));
        str_end.push_back(static_cast<std::uint32_t>(strs.size()));
    }
    void copy_from(const TaskTokens& other, std::size_t i) {
        auto n = other.nums_of(i);
        nums.insert(nums.end(), n.begin(), n.end());
        for (const std::string& s : other.strs_of(i)) strs.push(s);
        close(other.tids[i]);
    }
    std::span<const std::uint64_t> last_nums() const {
        return size() ? nums_of(size() - 1) : std::span<const std::uint64_t>();
    }
    std::span<const std::string> last_strs() const {
        return size() ? strs_of(size() - 1) : std::span<const std::string>();
    }
};

inline bool same_tokens(std::span<const std::uint64_t> an, std::span<const std::string> as,
                        std::span<const std::uint64_t> bn, std::span<const std::string> bs) {
    return std::equal(an.begin(), an.end(), bn.begin(), bn.end()) &&
           std::equal(as.begin(), as.end(), bs.begin(), bs.end());
}

// The base of the task being added: its own tokens of the previous sample when it was
// there, else (copied) those of the task before it in this sample.
inline void neighbour_base(bool known, std::size_t pi, const TaskTokens& prev,
                           const TaskTokens& cur, std::vector<std::uint64_t>& copy_n,
                           std::vector<std::string>& copy_s, std::span<const std::uint64_t>& base_n,
                           std::span<const std::string>& base_s) {
    if (known) {
        base_n = prev.nums_of(pi);
        base_s = prev.strs_of(pi);
        return;
    }
    auto n = cur.last_nums();
    auto s = cur.last_strs();
    copy_n.assign(n.begin(), n.end());
    copy_s.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) copy_s[i].assign(s[i]);
    base_n = copy_n;
    base_s = copy_s;
}

}  // namespace vigil
