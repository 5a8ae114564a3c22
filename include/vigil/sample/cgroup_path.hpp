// What a cgroup path's last components say, the same for the names the walk looks up
// (collect/container_names.hpp) and the names shown (model/cgroups.hpp).
#pragma once

#include <algorithm>
#include <string_view>

namespace vigil {

// A path's last component and its parent's ("" when it has none), trailing slashes aside:
// "/system.slice/docker-ID.scope" gives "docker-ID.scope" and "system.slice".
struct CgroupPathTail {
    std::string_view last, parent;
};
inline CgroupPathTail cgroup_path_tail(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    CgroupPathTail t;
    const auto slash = path.rfind('/');
    t.last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (slash != std::string_view::npos && slash > 0) {
        const std::string_view head = path.substr(0, slash);
        const auto s2 = head.rfind('/');
        t.parent = s2 == std::string_view::npos ? head : head.substr(s2 + 1);
    }
    return t;
}

// Whether s is a container id as the runtimes write it: 64 lowercase hex digits.
inline bool is_container_id(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// "PREFIX<id>SUFFIX" -> the id if it is a container id, else empty.
inline std::string_view container_id_between(std::string_view s, std::string_view prefix,
                                             std::string_view suffix) {
    if (s.size() < prefix.size() + suffix.size() || !s.starts_with(prefix) || !s.ends_with(suffix))
        return {};
    std::string_view id = s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
    return is_container_id(id) ? id : std::string_view{};
}

}  // namespace vigil
