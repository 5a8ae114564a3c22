// Readable names of cgroup paths (cgroups.hpp): the conventions of systemd, the container
// runtimes and the kubelet, recognised from the path alone.
#include <algorithm>

#include "vigil/model/cgroups.hpp"
#include "vigil/sample/cgroup_path.hpp"

namespace vigil {

std::string cgroup_display_name(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path.empty() || path == "/") return "/";
    const auto [last, parent] = cgroup_path_tail(path);

    // Container runtimes under systemd: "<runtime>-<id>.scope".
    static constexpr std::pair<std::string_view, std::string_view> kScopes[] = {
        {"docker-", "docker"},           {"libpod-conmon-", "podman conmon"},
        {"libpod-", "podman"},           {"cri-containerd-", "containerd"},
        {"crio-conmon-", "crio conmon"}, {"crio-", "crio"},
    };
    for (const auto& [prefix, runtime] : kScopes) {
        std::string_view id = container_id_between(last, prefix, ".scope");
        if (!id.empty()) return std::string(runtime) + " " + std::string(id.substr(0, 12));
    }
    // The cgroupfs drivers: ".../docker/<id>", ".../libpod_parent/libpod-<id>", a pod's
    // "<id>" directly.
    if (is_container_id(last)) {
        std::string_view runtime = parent == "docker" ? "docker" : "container";
        return std::string(runtime) + " " + std::string(last.substr(0, 12));
    }
    if (!container_id_between(last, "libpod-", "").empty())
        return "podman " + std::string(last.substr(7, 12));

    // Kubernetes pods: "kubepods-burstable-pod<uid>.slice" (systemd driver: the UID's
    // dashes are underscores) or "pod<uid>" (cgroupfs driver).
    auto pod_uid = [](std::string_view uid) -> std::string {
        std::string u(uid);
        std::replace(u.begin(), u.end(), '_', '-');
        return u.size() == 36 ? "pod " + u : std::string();
    };
    if (last.starts_with("kubepods") && last.ends_with(".slice")) {
        const auto p = last.rfind("-pod");
        if (p != std::string_view::npos) {
            std::string n = pod_uid(last.substr(p + 4, last.size() - p - 4 - 6));
            if (!n.empty()) return n;
        }
    }
    if (last.starts_with("pod") && (parent == "kubepods" || parent == "burstable" ||
                                    parent == "besteffort" || parent == "guaranteed")) {
        std::string n = pod_uid(last.substr(3));
        if (!n.empty()) return n;
    }
    // A systemd unit (nginx.service, user@1000.service, session-3.scope, user.slice) or
    // anything else: its last component.
    return std::string(last);
}

std::string cgroup_display_name(const CgroupSample& g) {
    std::string base = cgroup_display_name(g.path);
    if (g.runtime_name.empty()) return base;
    // "docker 3f4e5d6c7b8a" -> "docker web (3f4e5d6c7b8a)", "pod UID" -> "pod NS/POD (UID)".
    const auto sp = base.rfind(' ');
    if (sp == std::string::npos) return base;
    return base.substr(0, sp) + " " + g.runtime_name + " (" + base.substr(sp + 1) + ")";
}

std::string_view io_source_name(CgroupIoSource s) {
    switch (s) {
        case CgroupIoSource::io_stat:
            return "io.stat";
        case CgroupIoSource::tasks:
            return "tasks";
        case CgroupIoSource::none:
            break;
    }
    return "";
}

}  // namespace vigil
