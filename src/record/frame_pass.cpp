#include "frame_pass.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "vigil/core/fd_io.hpp"
#include "vigil/record/byte_io.hpp"
#include "vigil/record/record_file.hpp"

namespace vigil::record_detail {

std::string read_error() {
    return errno ? fmt::format("cannot read: {}", std::strerror(errno))
                 : std::string("cannot read: the file became shorter while it was read");
}

bool FramePass::intact(std::uint64_t off, std::string& error) {
    drop_before(off);
    if (off >= pos_) {
        restart(off);
        if (!advance()) return fail(error);
    }
    const Candidate* c = find(off);
    if (!c) {
        // Not a candidate: cannot happen (the caller made the same tests); start here.
        restart(off);
        if (!advance()) return fail(error);
        if (!(c = find(off))) return false;
    }
    while (c->state == Candidate::State::pending) {
        if (!advance()) return fail(error);
        c = find(off);
    }
    return c->state == Candidate::State::good;
}

std::uint64_t FramePass::next_intact(std::uint64_t from) {
    drop_before(from);
    for (;;) {
        if (!cands_.empty()) {
            const Candidate& c = cands_.front();
            if (c.state == Candidate::State::good) return c.start;
            if (c.state == Candidate::State::bad) {
                pop_front();
                continue;
            }
        } else if (pos_ >= size_) {
            return size_;
        } else if (pos_ < from) {
            restart(from);
        }
        if (!advance()) return size_;
    }
}

bool FramePass::advance() {
    if (pos_ >= size_) return false;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size_ - pos_));
    // The headers of markers near the chunk's end reach into the next one.
    const std::size_t with_headers =
        static_cast<std::size_t>(std::min<std::uint64_t>(n + kFrameHeaderSize - 1, size_ - pos_));
    errno = 0;
    if (!pread_exact(fd_, pos_, with_headers, buf_)) return false;
    static constexpr char kMarker[4] = {'\x88', 'V', 'G', 'F'};
    static_assert(kFrameMarker == 0x46475688);
    const std::string_view bytes(buf_);
    for (std::size_t i = 0; i < n && i + kFrameHeaderSize <= bytes.size(); ++i) {
        const void* first = std::memchr(bytes.data() + i, kMarker[0], n - i);
        if (!first) break;
        i = static_cast<std::size_t>(static_cast<const char*>(first) - bytes.data());
        if (i + kFrameHeaderSize > bytes.size()) break;
        if (std::memcmp(bytes.data() + i, kMarker, 4) != 0) continue;
        FrameHeader h;
        const std::uint64_t start = pos_ + i;
        if (!parse_frame_header(bytes.substr(i), h) || h.payload_len > kMaxFramePayload ||
            h.payload_len > size_ - start - kFrameHeaderSize)
            continue;
        Candidate c;
        c.start = start;
        c.len = h.payload_len;
        c.crc = h.crc;
        c.pre = crc32c(bytes.substr(i, kFrameHeaderSize - 4));
        ends_.push({start + kFrameHeaderSize + h.payload_len, next_id()});
        cands_.push_back(c);
    }
    // Sum the chunk up to each place a candidate needs the running sum at.
    const std::uint64_t stop = pos_ + n;
    std::uint64_t at = pos_;
    for (;;) {
        next_pre_ = std::max(next_pre_, first_id_);
        const bool pre = next_pre_ < next_id();
        const std::uint64_t pre_at =
            pre ? cands_[next_pre_ - first_id_].start + kFrameHeaderSize : UINT64_MAX;
        const std::uint64_t end_at = ends_.empty() ? UINT64_MAX : ends_.top().first;
        const std::uint64_t to = std::min({pre_at, end_at, stop});
        sum_ = crc32c(bytes.substr(at - pos_, to - at), sum_);
        at = to;
        if (pre_at == at) {
            cands_[next_pre_ - first_id_].pre ^= sum_;
            ++next_pre_;
        } else if (end_at == at) {
            const std::uint64_t id = ends_.top().second;
            ends_.pop();
            if (id >= first_id_) {  // else dropped: the scan is past it
                Candidate& c = cands_[id - first_id_];
                c.state = (crc32c_shift(c.pre, c.len) ^ sum_) == c.crc ? Candidate::State::good
                                                                       : Candidate::State::bad;
            }
        } else {
            break;
        }
    }
    pos_ = stop;
    return true;
}

}  // namespace vigil::record_detail
