// Pure parsers of the machine-wide /proc files. They take the text, never a path. Problems
// are reported as notes.hpp says: tables (stat, diskstats, net/dev, mountinfo, the lines of
// a pressure file) skip a malformed line, keep the rest and record the skip in notes, so a
// caller can say what it ignored; a file that cannot be used at all is an error; a field
// the kernel did not print is absent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/collect/notes.hpp"
#include "vigil/core/result.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

// /proc/stat: the cpu lines, ctxt, intr, processes, procs_running, procs_blocked.
CpuStat parse_proc_stat(std::string_view text, ParseNotes& notes);

// /proc/loadavg: "0.14 0.47 0.32 1/81 13916".
Result<LoadAvg> parse_loadavg(std::string_view text);

// /proc/uptime: seconds since boot (the first number).
Result<double> parse_uptime(std::string_view text);

// /proc/meminfo: the fields vigil uses; each is absent when the kernel does not print it.
MemInfo parse_meminfo(std::string_view text);

// /proc/vmstat: pswpin, pswpout, pgmajfault.
VmCounters parse_vmstat_counters(std::string_view text);

// /proc/pressure/RESOURCE: "some avg10=0.20 avg60=2.15 avg300=4.67 total=37654101" and a
// "full" line. A damaged "some" or "full" line is skipped and noted as "pressure/RESOURCE";
// an error when neither line parses (the error then says what the notes would).
Result<Pressure> parse_pressure(std::string_view resource, std::string_view text,
                                ParseNotes& notes);

// /proc/diskstats with 14, 18 or 20 fields per line (and the 7-field partition lines of
// kernels before 2.6.25). whole_disk and parent are left for the collector.
std::vector<DiskStats> parse_diskstats(std::string_view text, ParseNotes& notes);

// /proc/net/dev (the two header lines are skipped).
std::vector<NetDevStats> parse_net_dev(std::string_view text, ParseNotes& notes);

// /proc/self/mountinfo.
std::vector<MountEntry> parse_mountinfo(std::string_view text, ParseNotes& notes);

// Undoes the octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) the kernel
// writes into mount points and sources.
std::string unescape_mount_field(std::string_view s);

}  // namespace vigil
