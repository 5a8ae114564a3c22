// Retention of rotated recordings (--record-keep, --record-keep-for): like atop's daemon
// keeping N days of logs, a recording that rotates forever removes its oldest rotated
// files. Only the rotated siblings of the recording are candidates, never the live file
// and never anything else in the directory: a candidate's name is exactly
// FILE.YYYYMMDD-HHMMSS or FILE.YYYYMMDD-HHMMSS-N (what RecordWriter's rotation makes), and
// it is a regular file of vigil's own user that starts with a recording's header.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct Retention {
    // Keep the newest this many rotated files (the live file is not counted); 0: no limit.
    std::uint64_t keep_files = 0;
    // Remove a rotated file last written more than this long ago (its newest sample is
    // older: everything younger stays); 0: no limit.
    double keep_for_s = 0;
    bool limited() const { return keep_files > 0 || keep_for_s > 0; }
};

// Whether name (a file name, no directory) is a rotated sibling of the recording whose
// file name is base: base + ".YYYYMMDD-HHMMSS" with an optional "-N".
bool is_rotated_name(std::string_view base, std::string_view name);

// The name rotation gives the recording at path whose first sample is stamped stamp
// ("YYYYMMDD-HHMMSS"): FILE.stamp, or FILE.stamp-N with N past every one its rotated
// siblings of that second already have, so that the names keep their time order even after
// the oldest of them were removed (the first free name would reuse a removed one's).
std::string next_rotated_name(const std::string& path, std::string_view stamp);

// Following a recording through its rotations: the file written after the one with this
// device and inode, which is a rotated sibling of the recording at path. That is the next
// rotated sibling in the order rotation names them (by stamp, then -N), or path itself after
// the newest one. Empty when no rotated sibling is that file (removed, or not rotated).
std::string file_after_rotated(const std::string& path, dev_t dev, ino_t ino);

struct PruneResult {
    std::vector<std::string> removed;   // paths
    std::vector<std::string> failures;  // one line each: what could not be listed or removed
};

// Applies the limits to the rotated siblings of the recording at path, now_ns being the
// wall clock (CLOCK_REALTIME nanoseconds, compared with the files' modification times).
// Newest first by modification time, then by name; what is past either limit is removed.
PruneResult prune_rotated(const std::string& path, const Retention& r, std::int64_t now_ns);

}  // namespace vigil
