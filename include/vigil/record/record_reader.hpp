// RecordReader: the samples of a record file, in file order, with random access. Opening
// checks every frame's checksum and indexes the samples; damage (a truncated or corrupted
// stretch) is skipped up to the next intact frame and reported, so every intact sample
// can still be read: a delta sample needs the samples since its key, so those between the
// damage and the next key sample are lost with it.
//
// Following (--follow, like tail -f): a reader opened to follow indexes, at each follow(),
// the whole frames appended since. The writer appends one whole frame per write() and
// never goes back, so the end of the file is either a frame boundary or a frame being
// written: a frame the file ends inside of, with no intact frame after it, is waited for,
// not reported. A whole frame whose checksum is wrong is damage, as at open.
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

// What RecordReader::follow() found.
enum class FollowState : std::uint8_t {
    waiting,  // nothing new: the writer still has the file (a frame may be half written)
    grown,    // new frames were indexed (samples, or damage)
    // No writer has the file any more, and every whole frame in it is indexed (a frame it
    // never finished is reported as damage, as at open); follow_note() says why:
    closed,   // the writer closed it (vigil ended)
    rotated,  // the path names a new recording now (rotation): next_file() is the one after
    gone,     // the path names nothing, or the file was cut or rewritten behind the reader
};

class RecordReader {
  public:
    // format_error: the file is not a recording, or its header is a newer format, or it is
    // not a regular file (a usage error); otherwise an error is an I/O one. A symbolic link
    // is followed to a regular file only, which is checked before it is opened; nothing is
    // opened in a way that can wait (a FIFO) or act (a device). max_sample_bytes: the memory
    // one decoded sample may take (kMaxDecodedSampleBytes; tests lower it). follow: the file
    // may still be written (see follow()); a frame the file ends inside of is waited for.
    static Result<std::unique_ptr<RecordReader>> open(
        const std::string& path, bool* format_error = nullptr,
        std::size_t max_sample_bytes = kMaxDecodedSampleBytes, bool follow = false);
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

    // Following (opened with follow): indexes the whole frames appended since the last call
    // (one fstat, and reads of the new bytes only; the new samples are appended to
    // samples(), the damage to damage()). When nothing is new, one flock(LOCK_SH|LOCK_NB)
    // (released at once) asks whether the writer, which holds LOCK_EX while it writes, is
    // still there, and a stat of the path whether it rotated. An error: the file cannot be
    // read any more.
    Result<FollowState> follow();
    // One line for closed, rotated and gone: what happened.
    const std::string& follow_note() const { return follow_note_; }
    // After rotated: the file the writer went on in after this one (the next rotated
    // file, if it rotated again since, else the path); empty when it cannot be told.
    const std::string& next_file() const { return next_file_; }
    // The recording this file belongs to, if not the path it was opened by: a rotated file
    // the follow went on in is told rotated (not closed) by the recording's path.
    void follow_as(const std::string& recording_path) { recording_path_ = recording_path; }
    // The damage entries whose place is settled (a damaged stretch at the end of a followed
    // file may still find its intact frames resume): those before this index.
    std::size_t settled_damage() const { return damage_.size() - (searching_ ? 1 : 0); }

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
    // The scan's place and state, kept between follow() calls.
    bool follow_ = false;
    std::uint64_t tail_ = 0;        // where the next frame starts (indexed up to here)
    bool chain_ = false;            // the frames since the last key are all intact
    bool readable_ = false;         // the current session's format is one this vigil reads
    std::size_t key_ = 0;           // the current chain's key sample
    bool searching_ = false;        // damage at tail_: intact frames not found yet after it
    std::uint64_t last_frame_ = 0;  // the last whole frame indexed, and its header's bytes:
    std::string last_header_;       // changed, the file was rewritten behind the reader
    int missing_polls_ = 0;         // follow(): polls that found the path naming nothing
    std::string follow_note_;
    std::string next_file_;
    std::string recording_path_;  // empty: path_
};

}  // namespace vigil
