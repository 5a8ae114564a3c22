// The BPF task source (--source=bpf): every thread's taskstats fields read in one pass of a
// BPF task iterator instead of a netlink request per thread. Loading it needs CAP_BPF and
// CAP_PERFMON (or CAP_SYS_ADMIN), a kernel with BTF (/sys/kernel/btf/vmlinux) and a vigil
// built with the `bpf` meson feature; without any of them open_bpf_taskstats says which in
// one line and the caller falls back to netlink taskstats.
//
// The source is a TaskstatsClient: TaskSweep drives it as it drives NetlinkTaskstats. At
// the start of each sweep (TaskstatsClient::begin_sweep) it runs the iterator once, into a
// BpfTaskTable, and answers the sweep's queries from that table: no syscall per query.
#pragma once

#include <memory>

#include "vigil/collect/task_io_source.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/result.hpp"

namespace vigil {

// Whether this vigil was built with the BPF source (meson feature `bpf`).
bool bpf_source_built();

// Loads and attaches the iterator (raising CAP_BPF and CAP_PERFMON while it does, if they
// are permitted) and runs one pass to check that it sees this process as /proc does (the
// iterator's ids are the initial PID namespace's). clock (which must outlive the source):
// the monotonic clock the answers' etime is measured at. Its taskstats() is the client.
Result<std::unique_ptr<TaskIoSource>> open_bpf_taskstats(const Clock& clock = system_clock());

}  // namespace vigil
