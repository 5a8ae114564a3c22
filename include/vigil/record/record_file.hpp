// The record file format (documented for users in vigil(8), RECORDING):
//
//   file header  16 bytes: "VIGILREC", u32 format version, u32 zero (little-endian)
//   frames       one after the other, each:
//                  u32 marker 0x46475688 ("\x88VGF"), u8 type, u8 flags (0), u16 zero,
//                  u32 payload length, i64 wall clock ns, u32 CRC-32C of the 20 bytes
//                  before it and of the payload; then the payload.
//
// Frame types: a session (uncompressed: who recorded what, where), then samples. A key
// sample starts a new zstd frame and a new delta chain; a delta sample continues both, so
// it needs every frame since its key. Each sample is flushed to the file as a whole frame
// with one write(): a crash loses at most the frame being written, and a reader finds the
// next intact frame by its marker and checksum after damage.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/core/result.hpp"

namespace vigil {

inline constexpr std::string_view kRecordMagic = "VIGILREC";
// The format this vigil writes and the newest it reads. 2: a task carries its CPU and
// activity counters (TaskActivity); 3: its priority, and its process's memory when fetched
// (TaskMemory, swap), and a sample MemTotal; 4: the machine's cgroups (CgroupSample); 5: a
// cgroup's runtime name (CgroupSample::runtime_name).
// Sessions of older formats are still read, by their layout.
inline constexpr std::uint32_t kRecordFormatVersion = 5;
inline constexpr std::size_t kFileHeaderSize = 16;
inline constexpr std::size_t kFrameHeaderSize = 24;
inline constexpr std::uint32_t kFrameMarker = 0x46475688;  // bytes 88 56 47 46
inline constexpr std::uint32_t kMaxFramePayload = 256u << 20;
// A sample's payload, decompressed, is at most this long.
inline constexpr std::size_t kMaxSampleBytes = std::size_t{128} << 20;
// And a sample, its decompressed payload included, takes at most this much memory to
// decode: the payload, its tasks (per task its tokens, the strings in them, the task and its
// detail built from them, and a command line each time it differs from the previous
// task's), its machine values twice (tokens and sample) and the user names. Bytes
// decompressed do not bound it: a new task is stored as its difference from the task before
// it, so four bytes can repeat a command line. A sample over it is damage (RecordDamage),
// found as it is counted, before it is allocated; so a crafted recording costs a replay
// about this much at most (tests/e2e_recordings.sh measures it). A task's string is kept to
// kMaxRecordedStringBytes (src/record/sample_fields.hpp) (a command line's first kCommandMaxBytes
// and the count of the rest), so a recording made before command lines were cut reads back as one
// made after. Real samples are below: 10 000 threads, each with a different 4 KiB command line,
// count about 165 MiB; 100 000 threads with 100-byte command lines, about 60 MiB.
inline constexpr std::size_t kMaxDecodedSampleBytes = std::size_t{160} << 20;

enum class FrameType : std::uint8_t { session = 1, key = 2, delta = 3 };

struct FrameHeader {
    std::uint8_t type = 0;
    std::uint32_t payload_len = 0;
    std::int64_t wall_ns = 0;
    std::uint32_t crc = 0;
};

// What a session frame says about the recording that follows it.
struct SessionInfo {
    std::uint32_t format_version = kRecordFormatVersion;
    std::string vigil_version;
    std::string host;
    std::string kernel;
    double interval_s = 0;  // -d; 0: unknown (a file's value outside -d's range reads as 0)
};

// The intervals -d accepts, and so the only ones a session may name: the replay view is
// paced by it, and a value outside (NaN, infinite, negative, 1e7 s) would make it spin or
// stall. A session naming another is reported as damage (its samples are kept).
inline constexpr double kMinIntervalS = 0.01;
inline constexpr double kMaxIntervalS = 86400;
inline bool valid_interval(double s) {
    return s >= kMinIntervalS && s <= kMaxIntervalS;  // false for NaN
}

std::string file_header();
// Whether the first bytes of a file are a recording's header; version gets its version.
bool parse_file_header(std::string_view bytes, std::uint32_t& version);

// Appends a whole frame (header and payload) to out.
void append_frame(std::string& out, FrameType type, std::int64_t wall_ns, std::string_view payload);
// Reads the fixed header at the start of bytes (at least kFrameHeaderSize of them);
// false when the marker is not there.
bool parse_frame_header(std::string_view bytes, FrameHeader& h);
// The checksum a frame with this header and payload must carry.
std::uint32_t frame_crc(std::string_view header_bytes, std::string_view payload);

std::string encode_session(const SessionInfo& s);
Result<SessionInfo> decode_session(std::string_view payload);

// What a file that is not a regular file is, for messages: "a FIFO", "a directory", ...
std::string_view file_kind(mode_t mode);

}  // namespace vigil
