// ContainerNames: the names container runtimes give the containers whose cgroups the walk
// finds, and the namespace and name Kubernetes gives a pod, read from the runtimes' state on
// disk under a root directory (the machine's "/", or a fixture's directory):
//
//   Docker       var/lib/docker/containers/ID/config.v2.json, its top-level "Name"
//   Podman, CRI-O var/lib/containers/storage/overlay-containers/containers.json (rootful
//                containers/storage: an array of {"id", "names": [...]})
//   Kubernetes   var/log/containers/POD_NAMESPACE_CONTAINER-ID.log (the kubelet's links, for
//                every runtime: containerd, CRI-O, Docker) and var/log/pods/NAMESPACE_POD_UID
//
// What a cgroup path names (container_ref) is a pure function of the path; so are the
// parsers, tested on inline text. Reads are bounded: a file through FsRoot (regular files
// only, at most kMaxFileBytes), a directory listing once per change of its mtime, at most
// kLookupsPerSample look-ups a sample (the rest wait for the next), and each answer is kept
// per container id or pod UID; an id not found is looked for again only after
// kRetryUnknownAfter samples. Unknown stays "" (the short id is shown).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/collect/fs_root.hpp"

namespace vigil {

// What a cgroup path's last component names: a runtime's container (its 64-hex id), a
// Kubernetes pod (its UID, dashes restored), or nothing.
struct ContainerRef {
    enum class Kind : std::uint8_t { none, docker, podman, crio, containerd, container, pod };
    Kind kind = Kind::none;
    std::string id;  // container id, or pod UID
};
ContainerRef container_ref(std::string_view path);

// Docker's config.v2.json: the top-level "Name" without its leading '/'; nullopt when the
// text is not a JSON object or has no such string.
std::optional<std::string> parse_docker_config_name(std::string_view json);
// containers/storage's containers.json: (id, first name) of each container with a name.
std::vector<std::pair<std::string, std::string>> parse_storage_containers(std::string_view json);

// A kubelet's /var/log/containers entry, "POD_NAMESPACE_CONTAINER-ID.log".
struct KubeContainerLog {
    std::string pod, ns, container, id;
};
bool parse_kube_container_log(std::string_view name, KubeContainerLog& out);
// A kubelet's /var/log/pods entry, "NAMESPACE_POD_UID".
struct KubePodDir {
    std::string ns, pod, uid;
};
bool parse_kube_pod_dir(std::string_view name, KubePodDir& out);

class ContainerNames {
  public:
    static constexpr std::size_t kLookupsPerSample = 32;
    static constexpr std::uint64_t kRetryUnknownAfter = 10;

    // root: the directory holding var/lib and var/log ("/" on the machine itself).
    explicit ContainerNames(std::string root);

    // Called once a sample, before the look-ups.
    void next_sample() {
        ++sample_;
        lookups_ = 0;
    }
    // The name of what the group at path is: "web" (a Docker or Podman container),
    // "NAMESPACE/POD/CONTAINER" (a container of a Kubernetes pod), "NAMESPACE/POD" (a pod),
    // or "" when unknown, not yet looked up (the look-ups of this sample are spent) or not a
    // container. done is false when it should be asked again later.
    std::string name(std::string_view path, bool& done);

  private:
    struct Entry {
        std::string name;
        std::uint64_t tried_at = 0;  // sample of the last look-up (names not found)
    };
    using NameTable = std::unordered_map<std::string, std::string>;
    std::string look_up(const ContainerRef& ref);
    // key's name in table, made from the listing of directory dir (add: an entry's name, if
    // it names one, into the table), made again only when dir changed; null if not there.
    const std::string* from_listing(NameTable& table, std::string_view dir, std::int64_t& stamp,
                                    const std::string& key,
                                    void (*add)(const std::string& entry, NameTable& table));
    const std::string* from_storage(const std::string& id);
    // Re-reads a directory listing or file when its mtime (and size) changed.
    bool changed(std::string_view rel, std::int64_t& stamp);

    FsRoot root_;
    std::uint64_t sample_ = 0;
    std::size_t lookups_ = 0;
    std::unordered_map<std::string, Entry> cache_;  // by id or UID
    NameTable kube_containers_, kube_pods_, storage_;
    std::int64_t kube_containers_stamp_ = -1, kube_pods_stamp_ = -1, storage_stamp_ = -1;
    std::string buf_;
};

}  // namespace vigil
