// User names by uid, looked up once per uid (getpwuid_r), never re-read per task.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "vigil/core/result.hpp"

namespace vigil {

class UserNames {
  public:
    // The login name, or the uid in decimal when the user database has none. A lookup that
    // failed (out of descriptors, say) gives the uid too, and is tried again next time.
    const std::string& name(uid_t uid);

  private:
    std::unordered_map<uid_t, std::string> cache_;
    std::unordered_set<uid_t> failed_;
};

// A user given on the command line: a login name, or a uid in decimal.
Result<uid_t> resolve_user(std::string_view user);

}  // namespace vigil
