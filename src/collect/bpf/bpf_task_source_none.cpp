// The BPF task source when vigil is built without it (meson -Dbpf=disabled, or libbpf,
// bpftool or clang missing at build time).
#include "vigil/collect/bpf_task_source.hpp"

namespace vigil {

bool bpf_source_built() {
    return false;
}

Result<std::unique_ptr<TaskIoSource>> open_bpf_taskstats(const Clock&) {
    return make_error("this vigil was built without the BPF source (meson -Dbpf)");
}

}  // namespace vigil
