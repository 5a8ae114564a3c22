// libFuzzer target: the record file reader on arbitrary files. Whatever the bytes, opening
// must not crash, hang or allocate without bound; every sample it indexes must either
// decode or be reported as damage, in file order and in random order (which decodes from
// the key sample again), and every damage entry must describe itself in one line. Each
// input is read as given and again with its frame checksums made right, since a mutated
// frame would otherwise never get past its checksum to the decompressor and the decoder.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vigil/record/record_file.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/sample/snapshot.hpp"

namespace {

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void check_lines(const vigil::RecordReader& r) {
    for (const vigil::RecordDamage& d : r.damage()) {
        const std::string line = r.describe(d);
        if (line.empty() || line.find('\n') != std::string::npos) __builtin_trap();
        if (d.offset > r.file_size()) __builtin_trap();
    }
}

// Rewrites the checksum of every frame found walking from the file header, so that
// mutated payloads get past the checksum to zstd and the sample decoder.
std::string with_checksums_fixed(std::string bytes) {
    std::size_t off = vigil::kFileHeaderSize;
    vigil::FrameHeader h;
    while (off + vigil::kFrameHeaderSize <= bytes.size() &&
           vigil::parse_frame_header(std::string_view(bytes).substr(off), h) &&
           h.payload_len <= bytes.size() - off - vigil::kFrameHeaderSize) {
        const std::string_view frame = std::string_view(bytes).substr(off);
        const std::uint32_t crc =
            vigil::frame_crc(frame, frame.substr(vigil::kFrameHeaderSize, h.payload_len));
        for (int i = 0; i < 4; ++i)
            bytes[off + vigil::kFrameHeaderSize - 4 + i] =
                static_cast<char>((crc >> (8 * i)) & 0xFF);
        off += vigil::kFrameHeaderSize + h.payload_len;
    }
    return bytes;
}

// A temporary file, removed when done. (Not a memfd: the reader opens a recording by its
// name and refuses one that is not a regular file, and a memfd's name is not one.)
struct TempFile {
    std::string path;
    Fd f{-1};
    TempFile() {
        const char* dir = std::getenv("TMPDIR");
        path = std::string(dir && *dir ? dir : "/tmp") + "/fuzz_record.XXXXXX";
        f.fd = ::mkstemp(path.data());
    }
    ~TempFile() {
        if (f.fd >= 0) ::unlink(path.c_str());
    }
};

void read_file(const std::string& bytes) {
    TempFile t;
    if (t.f.fd < 0) return;
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(t.f.fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
    auto opened = vigil::RecordReader::open(t.path);
    if (!opened) return;
    vigil::RecordReader& r = **opened;
    const std::size_t n = r.samples().size();
    if (n > bytes.size()) __builtin_trap();  // every sample is a frame of at least a header
    vigil::Snapshot s;
    vigil::TaskDetails d;
    for (std::size_t i = 0; i < n; ++i) {
        const bool ok = r.read(i, s, d);
        if (ok && !r.samples()[i].decodable) __builtin_trap();
    }
    // Backwards: every read starts again from the sample's key.
    for (std::size_t i = n; i-- > 0;) (void)r.read(i, s, d);
    check_lines(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    read_file(bytes);
    const std::string fixed = with_checksums_fixed(bytes);
    if (fixed != bytes) read_file(fixed);
    return 0;
}
