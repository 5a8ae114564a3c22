#include "vigil/record/record_file.hpp"

#include <sys/stat.h>

#include <bit>

#include "vigil/record/byte_io.hpp"

namespace vigil {

std::string file_header() {
    std::string out(kRecordMagic);
    ByteWriter w(out);
    w.u32(kRecordFormatVersion);
    w.u32(0);
    return out;
}

bool parse_file_header(std::string_view bytes, std::uint32_t& version) {
    if (bytes.size() < kFileHeaderSize || bytes.substr(0, kRecordMagic.size()) != kRecordMagic)
        return false;
    ByteReader r(bytes.substr(kRecordMagic.size(), 8));
    version = r.u32();
    return r.ok();
}

std::uint32_t frame_crc(std::string_view header_bytes, std::string_view payload) {
    return crc32c(payload, crc32c(header_bytes.substr(0, kFrameHeaderSize - 4)));
}

void append_frame(std::string& out, FrameType type, std::int64_t wall_ns,
                  std::string_view payload) {
    const std::size_t start = out.size();
    ByteWriter w(out);
    w.u32(kFrameMarker);
    w.u8(static_cast<std::uint8_t>(type));
    w.u8(0);
    w.u16(0);
    w.u32(static_cast<std::uint32_t>(payload.size()));
    w.u64(static_cast<std::uint64_t>(wall_ns));
    w.u32(frame_crc(std::string_view(out).substr(start), payload));
    out += payload;
}

bool parse_frame_header(std::string_view bytes, FrameHeader& h) {
    ByteReader r(bytes.substr(0, kFrameHeaderSize));
    if (r.u32() != kFrameMarker) return false;
    h.type = r.u8();
    r.u8();
    r.u16();
    h.payload_len = r.u32();
    h.wall_ns = static_cast<std::int64_t>(r.u64());
    h.crc = r.u32();
    return r.ok();
}

std::string encode_session(const SessionInfo& s) {
    std::string out;
    ByteWriter w(out);
    w.varint(s.format_version);
    w.bytes(s.vigil_version);
    w.bytes(s.host);
    w.bytes(s.kernel);
    w.u64(std::bit_cast<std::uint64_t>(s.interval_s));
    return out;
}

Result<SessionInfo> decode_session(std::string_view payload) {
    ByteReader r(payload);
    SessionInfo s;
    const std::uint64_t version = r.varint();
    if (!r.ok() || version > UINT32_MAX) return make_error("malformed session header");
    s.format_version = static_cast<std::uint32_t>(version);
    // A newer session may lay out the rest differently: its version is all we may read.
    if (s.format_version > kRecordFormatVersion) return s;
    s.vigil_version = std::string(r.bytes());
    s.host = std::string(r.bytes());
    s.kernel = std::string(r.bytes());
    s.interval_s = std::bit_cast<double>(r.u64());
    if (!r.ok()) return make_error("malformed session header");
    return s;
}

std::string_view file_kind(mode_t mode) {
    switch (mode & S_IFMT) {
        case S_IFREG:
            return "a regular file";
        case S_IFDIR:
            return "a directory";
        case S_IFIFO:
            return "a FIFO";
        case S_IFCHR:
            return "a character device";
        case S_IFBLK:
            return "a block device";
        case S_IFSOCK:
            return "a socket";
        case S_IFLNK:
            return "a symbolic link";
        default:
            return "not a regular file";
    }
}

}  // namespace vigil
