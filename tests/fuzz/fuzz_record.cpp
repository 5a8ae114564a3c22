// libFuzzer target: the record file reader on arbitrary files. Whatever the bytes, opening
// must not crash, hang or allocate without bound; every sample it indexes must either
// decode or be reported as damage, in file order and in random order (which decodes from
// the key sample again), and every damage entry must describe itself in one line.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "vigil/model/snapshot.hpp"
#include "vigil/record/record_reader.hpp"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Fd f{::memfd_create("fuzz_record", MFD_CLOEXEC)};
    if (f.fd < 0) return 0;
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = ::write(f.fd, data + done, size - done);
        if (n <= 0) return 0;
        done += static_cast<std::size_t>(n);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(f.fd);
    auto opened = vigil::RecordReader::open(path);
    if (!opened) return 0;
    vigil::RecordReader& r = **opened;
    const std::size_t n = r.samples().size();
    if (n > size) __builtin_trap();  // every sample is a frame of at least a header
    vigil::Snapshot s;
    for (std::size_t i = 0; i < n; ++i) {
        const bool ok = r.read(i, s);
        if (ok && !r.samples()[i].decodable) __builtin_trap();
    }
    // Backwards: every read starts again from the sample's key.
    for (std::size_t i = n; i-- > 0;) (void)r.read(i, s);
    check_lines(r);
    return 0;
}
