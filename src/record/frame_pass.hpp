// FramePass: the record reader's one forward pass that tells which frames of a file are
// intact (record internal; see record_reader.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <utility>
#include <vector>

// In a namespace of their own: model has a Candidate too.
namespace vigil::record_detail {

// "cannot read: ..." for the errno of a failed read (or a file that became shorter).
std::string read_error();

// A place where a frame may start: a marker whose length fits in the file.
struct Candidate {
    std::uint64_t start = 0;
    std::uint32_t len = 0;  // of the payload
    std::uint32_t crc = 0;  // what the header says
    std::uint32_t pre = 0;  // CRC-32C of its first 20 bytes, then xor the pass's sum at the payload
    enum class State : std::uint8_t { pending, good, bad } state = State::pending;
};

// Finds which frames are intact in one forward pass over the file, whatever the file
// holds. Every marker followed by a length that fits in the file is a candidate frame;
// the pass keeps one running CRC-32C of the bytes from where it started, and a
// candidate's checksum follows from the running sums at the start and at the end of its
// payload (crc32c_shift). So each byte is read and summed once, however many markers claim
// however long overlapping payloads: a damaged file costs what an intact one does (checking
// each candidate by reading its payload was quadratic: 72 s for 1 MB of markers).
class FramePass {
  public:
    explicit FramePass(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

    // Whether the frame at off (whose header has a marker and a length that fits) is
    // intact; false with error set when the file cannot be read.
    bool intact(std::uint64_t off, std::string& error);

    // The first offset at or after from where an intact frame starts; the file size if none
    // (or if the file cannot be read).
    std::uint64_t next_intact(std::uint64_t from);

  private:
    static constexpr std::size_t kChunk = 1 << 20;

    bool fail(std::string& error) {
        error = read_error();
        return false;
    }

    const Candidate* find(std::uint64_t off) const {
        auto it = std::lower_bound(cands_.begin(), cands_.end(), off,
                                   [](const Candidate& c, std::uint64_t o) { return c.start < o; });
        return it != cands_.end() && it->start == off ? &*it : nullptr;
    }
    void pop_front() {
        cands_.pop_front();
        ++first_id_;
    }
    void drop_before(std::uint64_t off) {
        while (!cands_.empty() && cands_.front().start < off) pop_front();
    }
    std::uint64_t next_id() const { return first_id_ + cands_.size(); }

    // Starts the pass again at off: nothing before it is wanted any more.
    void restart(std::uint64_t off) {
        first_id_ = next_id();
        cands_.clear();
        ends_ = {};
        next_pre_ = first_id_;
        pos_ = off;
        sum_ = 0;
    }

    // Reads the next chunk: finds its markers, then sums it, settling every candidate whose
    // payload starts or ends in it. False at the end of the file or on a read error.
    bool advance();

    int fd_;
    std::uint64_t size_;
    std::uint64_t pos_ = 0;        // the pass has read and summed the bytes before this
    std::uint32_t sum_ = 0;        // CRC-32C of the bytes from where it (re)started to pos_
    std::deque<Candidate> cands_;  // by start; ids are consecutive from first_id_
    std::uint64_t first_id_ = 0;
    std::uint64_t next_pre_ = 0;  // the first candidate whose payload the pass has not reached
    using End = std::pair<std::uint64_t, std::uint64_t>;  // where a payload ends, candidate id
    std::priority_queue<End, std::vector<End>, std::greater<End>> ends_;
    std::string buf_;
};

}  // namespace vigil::record_detail
