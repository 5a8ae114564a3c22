// Readable names of cgroup paths (cgroups.hpp): the conventions of systemd, the container
// runtimes and the kubelet, recognised from the path alone.
#include <algorithm>

#include "vigil/model/cgroups.hpp"

namespace vigil {
namespace {

bool is_hex_id(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// "PREFIX<64 hex>.scope" -> the 64 hex digits, or empty.
std::string_view scoped_id(std::string_view comp, std::string_view prefix) {
    if (!starts_with(comp, prefix) || !ends_with(comp, ".scope")) return {};
    std::string_view id = comp.substr(prefix.size(), comp.size() - prefix.size() - 6);
    return is_hex_id(id) ? id : std::string_view{};
}

}  // namespace

std::string cgroup_display_name(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path.empty() || path == "/") return "/";
    const auto slash = path.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    std::string_view parent;
    if (slash != std::string_view::npos && slash > 0) {
        const std::string_view head = path.substr(0, slash);
        const auto s2 = head.rfind('/');
        parent = s2 == std::string_view::npos ? head : head.substr(s2 + 1);
    }

    // Container runtimes under systemd: "<runtime>-<id>.scope".
    static constexpr std::pair<std::string_view, std::string_view> kScopes[] = {
        {"docker-", "docker"},           {"libpod-conmon-", "podman conmon"},
        {"libpod-", "podman"},           {"cri-containerd-", "containerd"},
        {"crio-conmon-", "crio conmon"}, {"crio-", "crio"},
    };
    for (const auto& [prefix, runtime] : kScopes) {
        std::string_view id = scoped_id(last, prefix);
        if (!id.empty()) return std::string(runtime) + " " + std::string(id.substr(0, 12));
    }
    // The cgroupfs drivers: ".../docker/<id>", ".../libpod_parent/libpod-<id>", a pod's
    // "<id>" directly.
    if (is_hex_id(last)) {
        std::string_view runtime = parent == "docker" ? "docker" : "container";
        return std::string(runtime) + " " + std::string(last.substr(0, 12));
    }
    if (starts_with(last, "libpod-") && is_hex_id(last.substr(7)))
        return "podman " + std::string(last.substr(7, 12));

    // Kubernetes pods: "kubepods-burstable-pod<uid>.slice" (systemd driver: the UID's
    // dashes are underscores) or "pod<uid>" (cgroupfs driver).
    auto pod_uid = [](std::string_view uid) -> std::string {
        std::string u(uid);
        std::replace(u.begin(), u.end(), '_', '-');
        return u.size() == 36 ? "pod " + u : std::string();
    };
    if (starts_with(last, "kubepods") && ends_with(last, ".slice")) {
        const auto p = last.rfind("-pod");
        if (p != std::string_view::npos) {
            std::string n = pod_uid(last.substr(p + 4, last.size() - p - 4 - 6));
            if (!n.empty()) return n;
        }
    }
    if (starts_with(last, "pod") && (parent == "kubepods" || parent == "burstable" ||
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
