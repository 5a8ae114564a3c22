// Whole reads from a file descriptor, for the readers of recordings and any other code
// that must not act on half a record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil {

// Reads exactly n bytes at offset into out (resized to n), retrying short reads and EINTR.
// False if a read fails (errno says why) or the file ends before n bytes (errno untouched).
bool pread_exact(int fd, std::uint64_t offset, std::size_t n, std::string& out);

}  // namespace vigil
