#include "vigil/collect/users.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "vigil/collect/proc_parsers.hpp"

namespace vigil {
namespace {
std::size_t pw_buffer_size() {
    long n = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    return n > 0 ? static_cast<std::size_t>(n) : 16384;
}
}  // namespace

const std::string& UserNames::name(uid_t uid) {
    auto it = cache_.find(uid);
    if (it != cache_.end() && !failed_.count(uid)) return it->second;
    std::vector<char> buf(pw_buffer_size());
    passwd pw{};
    passwd* found = nullptr;
    const int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
    std::string& name = cache_[uid];
    name = rc == 0 && found ? std::string(found->pw_name) : std::to_string(uid);
    // No such user is an answer; an error (EMFILE: /etc/passwd could not be opened) is not.
    if (rc == 0)
        failed_.erase(uid);
    else
        failed_.insert(uid);
    return name;
}

Result<uid_t> resolve_user(std::string_view user) {
    std::uint64_t uid = 0;
    if (parse_u64(user, uid)) {
        if (uid >= static_cast<std::uint64_t>(static_cast<uid_t>(-1))) {
            return make_error("user id out of range: " + std::string(user));
        }
        return static_cast<uid_t>(uid);
    }
    std::string name(user);
    std::vector<char> buf(pw_buffer_size());
    passwd pw{};
    passwd* found = nullptr;
    int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc != 0) return make_error("cannot look up user '" + name + "': " + std::strerror(rc));
    if (!found) return make_error("unknown user '" + name + "'");
    return found->pw_uid;
}

}  // namespace vigil
