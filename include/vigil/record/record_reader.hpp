// RecordReader: the samples of a record file, in file order, with random access. Opening
// checks every frame's checksum and indexes the samples; damage (a truncated or corrupted
// stretch) is skipped up to the next intact frame and reported, so every intact sample
// can still be read: a delta sample needs the samples since its key, so those between the
// damage and the next key sample are lost with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vigil/core/result.hpp"
#include "vigil/record/record_file.hpp"
#include "vigil/record/sample_codec.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

struct RecordDamage {
    std::uint64_t offset = 0;      // first damaged byte
    std::uint64_t resume = 0;      // where intact frames start again (the file size: none)
    std::size_t after_sample = 0;  // samples before it in the file (the last intact: this)
    std::string what;              // what is wrong, one line
    std::size_t lost_samples = 0;  // intact samples after it that cannot be decoded
    bool newer_version = false;    // not damage: a session written by a newer vigil
};

struct RecordSession {
    std::uint64_t offset = 0;
    std::int64_t wall_ns = 0;  // when the session started
    SessionInfo info;
    bool readable = true;  // false: a newer format
};

struct SampleEntry {
    std::uint64_t offset = 0;  // of the frame
    std::uint32_t payload_len = 0;
    std::int64_t wall_ns = 0;
    std::uint32_t session = 0;  // index into sessions()
    bool key = false;
    bool decodable = false;      // false: lost to damage before it (or a newer format)
    std::size_t key_sample = 0;  // the key sample its delta chain starts at
};

class RecordReader {
  public:
    // format_error: the file is not a recording, or its header is a newer format, or it is
    // not a regular file (a usage error); otherwise an error is an I/O one. A symbolic link
    // is followed to a regular file only, which is checked before it is opened; nothing is
    // opened in a way that can wait (a FIFO) or act (a device). max_sample_bytes: the memory
    // one decoded sample may take (kMaxDecodedSampleBytes; tests lower it).
    static Result<std::unique_ptr<RecordReader>> open(
        const std::string& path, bool* format_error = nullptr,
        std::size_t max_sample_bytes = kMaxDecodedSampleBytes);
    ~RecordReader();
    RecordReader(const RecordReader&) = delete;
    RecordReader& operator=(const RecordReader&) = delete;

    const std::string& path() const { return path_; }
    std::uint64_t file_size() const { return size_; }
    const std::vector<SampleEntry>& samples() const { return samples_; }
    const std::vector<RecordSession>& sessions() const { return sessions_; }
    // Damage found so far: by the scan at open, and by decoding (which can find a sample
    // whose checksum is right but whose content is not).
    const std::vector<RecordDamage>& damage() const { return damage_; }

    // Decodes sample i into out, and the details recorded with its tasks into details:
    // false when it cannot be (see damage()). Reading the next sample after the last one
    // read is cheap; any other decodes from its key sample.
    bool read(std::size_t i, Snapshot& out, TaskDetails& details);
    // Every user name recorded (uid to name) in what was decoded so far.
    const RecordedUsers& users() const;

    // One line describing a damage entry: where (byte offset, sample number) and what.
    std::string describe(const RecordDamage& d) const;

  private:
    RecordReader() = default;
    Result<bool> scan();
    bool decode_one(std::size_t i, Snapshot& out, TaskDetails& details);
    void mark_lost(std::size_t from, std::uint64_t offset, const std::string& why);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string path_;
    std::uint64_t size_ = 0;
    std::uint32_t file_version_ = kRecordFormatVersion;  // the file header's
    std::vector<SampleEntry> samples_;
    std::vector<RecordSession> sessions_;
    std::vector<RecordDamage> damage_;
    std::size_t last_read_ = SIZE_MAX;  // the sample the decoder state is at
};

}  // namespace vigil
