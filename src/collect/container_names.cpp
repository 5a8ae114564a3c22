#include "vigil/collect/container_names.hpp"

#include <sys/stat.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "vigil/core/fd_io.hpp"
#include "vigil/sample/cgroup_path.hpp"

namespace vigil {
namespace {

bool is_uid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::int64_t stamp_of(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec +
           static_cast<std::int64_t>(st.st_size) * 7919;
}

// The kubelet's entries: a /var/log/containers link's name by container id, a
// /var/log/pods directory's by pod UID.
void add_kube_container(const std::string& entry, std::unordered_map<std::string, std::string>& t) {
    KubeContainerLog l;
    if (parse_kube_container_log(entry, l)) t[l.id] = l.ns + "/" + l.pod + "/" + l.container;
}
void add_kube_pod(const std::string& entry, std::unordered_map<std::string, std::string>& t) {
    KubePodDir p;
    if (parse_kube_pod_dir(entry, p)) t[p.uid] = p.ns + "/" + p.pod;
}

}  // namespace

ContainerRef container_ref(std::string_view path) {
    const auto [last, parent] = cgroup_path_tail(path);
    using K = ContainerRef::Kind;
    static constexpr std::pair<std::string_view, K> kScopes[] = {
        {"docker-", K::docker},
        {"libpod-", K::podman},
        {"cri-containerd-", K::containerd},
        {"crio-", K::crio},
    };
    for (const auto& [prefix, kind] : kScopes) {
        std::string_view id = container_id_between(last, prefix, ".scope");
        if (!id.empty()) return {kind, std::string(id)};
    }
    if (std::string_view id = container_id_between(last, "libpod-", ""); !id.empty())
        return {K::podman, std::string(id)};
    if (is_container_id(last))
        return {parent == "docker" ? K::docker : K::container, std::string(last)};
    // Pods: "kubepods[-QOS]-pod<uid, '_' for '-'>.slice" or "pod<uid>".
    std::string uid;
    if (last.starts_with("kubepods") && last.ends_with(".slice")) {
        const auto p = last.rfind("-pod");
        if (p != std::string_view::npos) uid = last.substr(p + 4, last.size() - p - 4 - 6);
        std::replace(uid.begin(), uid.end(), '_', '-');
    } else if (last.starts_with("pod")) {
        uid = last.substr(3);
    }
    if (is_uid(uid)) return {K::pod, uid};
    return {};
}

std::optional<std::string> parse_docker_config_name(std::string_view json) {
    nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    auto it = j.find("Name");
    if (it == j.end() || !it->is_string()) return std::nullopt;
    std::string name = it->get<std::string>();
    if (name.starts_with('/')) name.erase(0, 1);
    if (name.empty()) return std::nullopt;
    return name;
}

std::vector<std::pair<std::string, std::string>> parse_storage_containers(std::string_view json) {
    std::vector<std::pair<std::string, std::string>> out;
    nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (!j.is_array()) return out;
    for (const nlohmann::json& c : j) {
        if (!c.is_object()) continue;
        auto id = c.find("id");
        auto names = c.find("names");
        if (id == c.end() || !id->is_string() || names == c.end() || !names->is_array() ||
            names->empty() || !(*names)[0].is_string())
            continue;
        out.emplace_back(id->get<std::string>(), (*names)[0].get<std::string>());
    }
    return out;
}

bool parse_kube_container_log(std::string_view name, KubeContainerLog& out) {
    if (!name.ends_with(".log")) return false;
    name.remove_suffix(4);
    const auto dash = name.rfind('-');
    if (dash == std::string_view::npos || !is_container_id(name.substr(dash + 1))) return false;
    const std::string_view id = name.substr(dash + 1);
    const std::string_view rest = name.substr(0, dash);
    const auto u1 = rest.find('_');
    const auto u2 = u1 == std::string_view::npos ? u1 : rest.find('_', u1 + 1);
    if (u2 == std::string_view::npos || rest.find('_', u2 + 1) != std::string_view::npos ||
        u1 == 0 || u2 == u1 + 1 || u2 + 1 == rest.size())
        return false;
    out.pod = rest.substr(0, u1);
    out.ns = rest.substr(u1 + 1, u2 - u1 - 1);
    out.container = rest.substr(u2 + 1);
    out.id = id;
    return true;
}

bool parse_kube_pod_dir(std::string_view name, KubePodDir& out) {
    const auto u1 = name.find('_');
    const auto u2 = name.rfind('_');
    if (u1 == std::string_view::npos || u1 == u2 || u1 == 0 || u2 == u1 + 1 ||
        !is_uid(name.substr(u2 + 1)))
        return false;
    out.ns = name.substr(0, u1);
    out.pod = name.substr(u1 + 1, u2 - u1 - 1);
    out.uid = name.substr(u2 + 1);
    return true;
}

ContainerNames::ContainerNames(std::string root) : root_(std::move(root)) {}

bool ContainerNames::changed(std::string_view rel, std::int64_t& stamp) {
    struct stat st {};
    KeptDir d(root_, rel);
    UniqueFd f;
    int fd = -1;
    if (d.valid()) {
        fd = d.fd();
    } else {
        f = root_.open_file(rel);
        fd = f.get();
    }
    const std::int64_t now = fd >= 0 && ::fstat(fd, &st) == 0 ? stamp_of(st) : -2;
    if (now == stamp) return false;
    stamp = now;
    return true;
}

const std::string* ContainerNames::from_listing(NameTable& table, std::string_view dir,
                                                std::int64_t& stamp, const std::string& key,
                                                void (*add)(const std::string&, NameTable&)) {
    auto it = table.find(key);
    if (it != table.end()) return &it->second;
    if (!changed(dir, stamp)) return nullptr;
    table.clear();
    std::vector<std::string> names;
    root_.list_names(dir, names);
    for (const std::string& n : names) add(n, table);
    it = table.find(key);
    return it == table.end() ? nullptr : &it->second;
}

const std::string* ContainerNames::from_storage(const std::string& id) {
    auto it = storage_.find(id);
    if (it != storage_.end()) return &it->second;
    constexpr std::string_view kFile =
        "var/lib/containers/storage/overlay-containers/containers.json";
    if (!changed(kFile, storage_stamp_)) return nullptr;
    storage_.clear();
    if (!root_.read_into(kFile, buf_)) return nullptr;
    for (auto& [cid, name] : parse_storage_containers(buf_)) storage_[cid] = std::move(name);
    it = storage_.find(id);
    return it == storage_.end() ? nullptr : &it->second;
}

std::string ContainerNames::look_up(const ContainerRef& ref) {
    using K = ContainerRef::Kind;
    if (ref.kind == K::pod) {
        const std::string* n =
            from_listing(kube_pods_, "var/log/pods", kube_pods_stamp_, ref.id, add_kube_pod);
        return n ? *n : std::string();
    }
    // A container of a pod, whatever its runtime: the kubelet's name.
    if (const std::string* n = from_listing(kube_containers_, "var/log/containers",
                                            kube_containers_stamp_, ref.id, add_kube_container))
        return *n;
    if (ref.kind == K::docker || ref.kind == K::container) {
        if (root_.read_into("var/lib/docker/containers/" + ref.id + "/config.v2.json", buf_))
            if (auto n = parse_docker_config_name(buf_)) return *n;
    }
    if (ref.kind == K::podman || ref.kind == K::crio || ref.kind == K::container) {
        if (const std::string* n = from_storage(ref.id)) return *n;
    }
    return {};
}

std::string ContainerNames::name(std::string_view path, bool& done) {
    done = true;
    const ContainerRef ref = container_ref(path);
    if (ref.kind == ContainerRef::Kind::none || !root_.valid()) return {};
    auto it = cache_.find(ref.id);
    if (it != cache_.end() &&
        (!it->second.name.empty() || sample_ - it->second.tried_at < kRetryUnknownAfter)) {
        done = !it->second.name.empty();
        return it->second.name;
    }
    if (lookups_ >= kLookupsPerSample) {
        done = false;
        return {};
    }
    ++lookups_;
    Entry& e = cache_[ref.id];
    e.name = look_up(ref);
    e.tried_at = sample_;
    done = !e.name.empty();
    return e.name;
}

}  // namespace vigil
