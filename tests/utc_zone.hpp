// A scope in which the local time zone is UTC, so time stamps are the same everywhere.
#pragma once

#include <time.h>

#include <cstdlib>
#include <string>

namespace vigil::test {

// Runs with TZ=UTC, restoring the zone after.
class UtcZone {
  public:
    UtcZone() {
        if (const char* tz = std::getenv("TZ")) saved_ = tz, had_ = true;
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    ~UtcZone() {
        if (had_)
            ::setenv("TZ", saved_.c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }

  private:
    std::string saved_;
    bool had_ = false;
};

}  // namespace vigil::test
