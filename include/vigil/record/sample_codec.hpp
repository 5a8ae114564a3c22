// Snapshots to record payloads and back, losslessly: decode(encode(s)) == s field for
// field. A key payload stands alone; a delta payload holds only what changed since the
// previous sample the encoder was given: tasks that appeared, vanished or changed (keyed by
// tid, each stored as its difference from its previous self), and the changed values of the
// rest. With a few hundred busy threads among ten thousand idle ones a delta is a few KiB
// before compression.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vigil/record/record_file.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

// The user names a sample's rows show, recorded with it so a replay shows the names of the
// machine that was recorded.
using UserNameFn = std::function<const std::string&(uid_t)>;
using RecordedUsers = std::unordered_map<uid_t, std::string>;

class SampleEncoder {
  public:
    SampleEncoder();
    ~SampleEncoder();
    SampleEncoder(SampleEncoder&&) noexcept;
    SampleEncoder& operator=(SampleEncoder&&) noexcept;

    // Appends the payload of s, with the details fetched for its tasks (may be null: none),
    // to out. key: a stand-alone payload (required after construction and reset());
    // otherwise a delta from the previous sample encoded. s.tasks must be sorted by tid,
    // each tid once (as the collectors give them).
    void encode(const Snapshot& s, const TaskDetails* details, const UserNameFn& user_name,
                bool key, std::string& out);
    // Forgets the previous sample: the next payload must be a key.
    void reset();
    bool has_previous() const;

  private:
    struct State;
    std::unique_ptr<State> st_;
};

class SampleDecoder {
  public:
    // max_sample_bytes: the memory one decoded sample may take (kMaxDecodedSampleBytes
    // says what is counted); a payload that would take more fails to decode.
    explicit SampleDecoder(std::size_t max_sample_bytes = kMaxDecodedSampleBytes);
    ~SampleDecoder();
    SampleDecoder(SampleDecoder&&) noexcept;
    SampleDecoder& operator=(SampleDecoder&&) noexcept;

    // Decodes one payload into out and the details recorded with its tasks into details
    // (user names included: every name recorded so far). A delta needs the previous payload
    // of the same recording decoded just before; false (with a one-line reason in error)
    // when the payload is malformed or a delta has no previous sample. After a failure only
    // a key payload can be decoded.
    bool decode(std::string_view payload, bool key, Snapshot& out, TaskDetails& details,
                std::string& error);
    // The record format version of the payloads that follow (their session's): the field
    // lists of sample_fields.hpp depend on it. Default: kRecordFormatVersion.
    void set_layout(std::uint32_t format_version);
    // Every user name recorded so far.
    const RecordedUsers& users() const;
    // The memory the last sample decoded was counted at (against max_sample_bytes).
    std::size_t last_sample_bytes() const;

  private:
    struct State;
    std::unique_ptr<State> st_;
};

}  // namespace vigil
