#include "vigil/collect/sensor_collector.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "parse_util.hpp"

namespace vigil {
namespace {

// Splits "temp12_input" into 12 when it has the given prefix and suffix.
bool indexed(std::string_view name, std::string_view prefix, std::string_view suffix, unsigned& n) {
    if (name.size() <= prefix.size() + suffix.size() || name.substr(0, prefix.size()) != prefix ||
        name.substr(name.size() - suffix.size()) != suffix)
        return false;
    std::uint64_t v = 0;
    if (!parse_u64(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()), v) ||
        v > 10000)
        return false;
    n = static_cast<unsigned>(v);
    return true;
}

std::vector<unsigned> indices(const std::vector<std::string>& entries, std::string_view prefix,
                              std::string_view suffix) {
    std::vector<unsigned> out;
    unsigned n = 0;
    for (const std::string& e : entries)
        if (indexed(e, prefix, suffix, n)) out.push_back(n);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::size_t trailing_digits(const std::string& s) {
    std::size_t i = s.size();
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') --i;
    return i;
}

std::optional<std::uint64_t> non_negative(std::optional<std::int64_t> v) {
    // Some drivers report current and power discharging as negative: the size is what counts.
    if (!v || *v == std::numeric_limits<std::int64_t>::min()) return std::nullopt;
    return static_cast<std::uint64_t>(*v < 0 ? -*v : *v);
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
    std::size_t da = trailing_digits(a), db = trailing_digits(b);
    std::string_view pa(a.data(), da), pb(b.data(), db);
    if (pa != pb || da == a.size() || db == b.size()) return a < b;
    std::string_view na = std::string_view(a).substr(da), nb = std::string_view(b).substr(db);
    if (na.size() != nb.size()) return na.size() < nb.size();
    return na < nb;
}

std::optional<std::string> SensorCollector::read_text(const std::string& rel) {
    if (!sys_.read_into(rel, buf_)) return std::nullopt;
    std::string_view t = parse::trim(buf_);
    return std::string(t);
}

std::optional<std::int64_t> SensorCollector::read_i64(const std::string& rel) {
    // Sensors that are asleep or broken fail the read (ENODATA, EIO): unknown, not 0.
    if (!sys_.read_into(rel, buf_)) return std::nullopt;
    std::int64_t v = 0;
    if (!parse::parse_i64(parse::trim(buf_), v)) return std::nullopt;
    return v;
}

void SensorCollector::collect(SensorSample& out) {
    out.temps.clear();
    out.fans.clear();
    out.batteries.clear();
    collect_hwmon(out);
    collect_thermal(out);
    collect_batteries(out);
}

void SensorCollector::collect_hwmon(SensorSample& out) {
    std::vector<std::string> chips, entries;
    sys_.list_names("class/hwmon", chips);
    std::sort(chips.begin(), chips.end(), natural_less);
    for (const std::string& chip_dir : chips) {
        std::string base = "class/hwmon/" + chip_dir;
        auto name = read_text(base + "/name");
        if (!name) {
            // Drivers older than Linux 3.x keep their attributes in the device directory.
            name = read_text(base + "/device/name");
            if (name) base += "/device";
        }
        std::string chip = name && !name->empty() ? *name : chip_dir;
        sys_.list_names(base, entries);
        for (unsigned n : indices(entries, "temp", "_input")) {
            std::string p = base + "/temp" + std::to_string(n);
            TempSensor t;
            t.chip = chip;
            auto label = read_text(p + "_label");
            t.label = label && !label->empty() ? *label : "temp" + std::to_string(n);
            t.input_mc = read_i64(p + "_input");
            t.high_mc = read_i64(p + "_max");
            t.crit_mc = read_i64(p + "_crit");
            out.temps.push_back(std::move(t));
        }
        for (unsigned n : indices(entries, "fan", "_input")) {
            std::string p = base + "/fan" + std::to_string(n);
            FanSensor f;
            f.chip = chip;
            auto label = read_text(p + "_label");
            f.label = label && !label->empty() ? *label : "fan" + std::to_string(n);
            f.rpm = non_negative(read_i64(p + "_input"));
            out.fans.push_back(std::move(f));
        }
    }
}

void SensorCollector::collect_thermal(SensorSample& out) {
    std::vector<std::string> zones, entries;
    sys_.list_names("class/thermal", zones);
    std::sort(zones.begin(), zones.end(), natural_less);
    for (const std::string& zone : zones) {
        if (zone.rfind("thermal_zone", 0) != 0) continue;
        std::string base = "class/thermal/" + zone;
        sys_.list_names(base, entries);
        // A zone with a hwmon child is already listed under hwmon with the same reading.
        if (std::any_of(entries.begin(), entries.end(),
                        [](const std::string& e) { return e.rfind("hwmon", 0) == 0; }))
            continue;
        TempSensor t;
        auto type = read_text(base + "/type");
        t.chip = type && !type->empty() ? *type : zone;
        t.label = zone;
        t.input_mc = read_i64(base + "/temp");
        for (unsigned n : indices(entries, "trip_point_", "_type")) {
            std::string p = base + "/trip_point_" + std::to_string(n);
            auto kind = read_text(p + "_type");
            auto temp = read_i64(p + "_temp");
            // Firmware fills unused trip points with 0 or a negative value: not a threshold.
            if (!kind || !temp || *temp <= 0) continue;
            std::optional<std::int64_t>* dest = nullptr;
            if (*kind == "critical")
                dest = &t.crit_mc;
            else if (*kind == "hot" || *kind == "passive")
                dest = &t.high_mc;
            if (dest && (!*dest || *temp < **dest)) *dest = *temp;
        }
        out.temps.push_back(std::move(t));
    }
}

void SensorCollector::collect_batteries(SensorSample& out) {
    std::vector<std::string> supplies;
    sys_.list_names("class/power_supply", supplies);
    std::sort(supplies.begin(), supplies.end(), natural_less);
    for (const std::string& s : supplies) {
        std::string base = "class/power_supply/" + s;
        auto type = read_text(base + "/type");
        if (!type || *type != "Battery") continue;
        Battery b;
        b.name = s;
        b.status = read_text(base + "/status").value_or("");
        b.capacity_pct = non_negative(read_i64(base + "/capacity"));
        b.energy_now_uwh = non_negative(read_i64(base + "/energy_now"));
        b.energy_full_uwh = non_negative(read_i64(base + "/energy_full"));
        b.power_now_uw = non_negative(read_i64(base + "/power_now"));
        b.charge_now_uah = non_negative(read_i64(base + "/charge_now"));
        b.charge_full_uah = non_negative(read_i64(base + "/charge_full"));
        b.current_now_ua = non_negative(read_i64(base + "/current_now"));
        b.voltage_now_uv = non_negative(read_i64(base + "/voltage_now"));
        out.batteries.push_back(std::move(b));
    }
}

}  // namespace vigil
