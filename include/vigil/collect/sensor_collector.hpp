// SensorCollector: temperatures and fans from the hwmon class, thermal zones that have no
// hwmon twin, and batteries from the power_supply class of the sys tree. Every attribute is
// a file of one value, not a table (notes.hpp): one that is missing, fails to read (a
// sleeping sensor answers EIO or ENODATA) or holds no number is an unknown value.
#pragma once

#include <string>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

class SensorCollector {
  public:
    explicit SensorCollector(const FsRoot& sys) : sys_(sys) {}
    void collect(SensorSample& out);

  private:
    void collect_hwmon(SensorSample& out);
    void collect_thermal(SensorSample& out);
    void collect_batteries(SensorSample& out);
    std::optional<std::string> read_text(const std::string& rel);
    std::optional<std::int64_t> read_i64(const std::string& rel);

    const FsRoot& sys_;
    std::string buf_;
};

// Orders "hwmon2" before "hwmon10": the text before a trailing number, then the number.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace vigil
