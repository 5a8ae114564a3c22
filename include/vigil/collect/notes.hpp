// How the collect layer reports what it could not do: one shape per kind of trouble, used by
// every header of include/vigil/collect.
//
// - Result<T> (vigil/core/result.hpp): an expected failure the caller must handle: input it
//   was given that cannot be used as a whole (a loadavg or pressure file that does not
//   parse, an unknown user), a root directory that cannot be opened. The Error is one line
//   that names the file or value; text quoted from a file is shortened (parse::excerpt) and
//   escaped (escape_for_terminal), so hostile input can neither flood nor drive a terminal.
// - std::optional, or a row left out: the thing is simply not there: a task that exited, a
//   file this kernel lacks, a sensor that does not answer. Not an error, and never a 0.
// - ParseNotes: part of a table could not be used. A table parser (stat, diskstats,
//   net/dev, mountinfo, pressure) skips a malformed line, keeps the good ones and records
//   the skip in the ParseNotes it was given; MachineCollector turns that into a MachineNote
//   of the section that read the file.
//
// Two kinds of function keep another shape on purpose:
// - the per-task fast paths (FsRoot::read_into, KeptFile::read, the KeptDir listings,
//   parse_pid_stat_into) answer a bool and allocate nothing; the file readers among them
//   leave errno set, as the syscalls they wrap do, since only the caller knows whether
//   ENOENT or ESRCH means "gone" (absent) or a failure; EMFILE and ENFILE never mean
//   "gone" (out_of_fds(): the caller gives kept descriptors back and tries again);
// - the actions of task_actions.hpp answer with the notice the view shows, empty on success.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// The malformed lines a table parser skipped. Only the first is described, so a damaged
// file costs one note, not one per line. One ParseNotes per file read.
class ParseNotes {
  public:
    // A line of `file` (named as the note shows it: "diskstats", "net/dev") was skipped.
    void bad_line(std::string_view file, std::string_view line);

    // "FILE: ignored malformed line 'LINE'" for the first line skipped, the line shortened
    // and escaped so that it is safe to print; nullopt while every line was good.
    const std::optional<std::string>& note() const { return note_; }
    // How many lines were skipped in all.
    std::size_t bad_lines() const { return bad_lines_; }

  private:
    std::optional<std::string> note_;
    std::size_t bad_lines_ = 0;
};

}  // namespace vigil
