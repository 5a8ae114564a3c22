// Tables of the fs and sensors sections: states, not rates.
#include <algorithm>
#include <unordered_map>

#include "cells.hpp"
#include "machine_columns.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/sample/fs_types.hpp"

namespace vigil {
namespace {

using namespace cells;

std::optional<double> bytes(std::uint64_t blocks, std::uint64_t block_bytes) {
    return static_cast<double>(blocks) * static_cast<double>(block_bytes);
}

// A file system the default view leaves out (before duplicates are considered).
bool hidden_by_type(const FilesystemSample& f) {
    if (is_pseudo_fs(f.mount.fs_type) || is_memory_fs(f.mount.fs_type)) return true;
    // df's rule: a file system without blocks has nothing to show (binfmt_misc, ...).
    return f.usage && f.usage->blocks == 0;
}

// Celsius from millidegrees; thresholds past the physically meaningful are "not set" (nvme
// reports 65261.85 °C, the largest value its 16-bit kelvin field holds).
std::optional<double> celsius(std::optional<std::int64_t> mc, bool threshold) {
    if (!mc) return std::nullopt;
    double c = static_cast<double>(*mc) / 1000.0;
    if (threshold && (c <= -273.0 || c >= 500.0)) return std::nullopt;
    return c;
}

}  // namespace

std::optional<std::uint64_t> df_percent(std::uint64_t used, std::uint64_t avail) {
    // Exact integers as df computes them: u * 100 may not fit in 64 bits for huge counts.
    unsigned __int128 total = static_cast<unsigned __int128>(used) + avail;
    if (total == 0) return std::nullopt;
    unsigned __int128 u100 = static_cast<unsigned __int128>(used) * 100;
    return static_cast<std::uint64_t>(u100 / total + (u100 % total != 0));
}

Table build_fs_table(const MachineSample& cur, const MachineView& mv) {
    Table t = make_table(Section::fs, TableKind::fs, "Filesystems");

    // Bind mounts and repeated mounts show one file system several times; like df, keep the
    // one with the shortest mount point.
    std::vector<bool> shown(cur.filesystems.size(), true);
    std::unordered_map<std::uint64_t, std::size_t> best;  // device -> index
    for (std::size_t i = 0; i < cur.filesystems.size(); ++i) {
        const FilesystemSample& f = cur.filesystems[i];
        if (mv.all_devices) break;
        if (hidden_by_type(f)) {
            shown[i] = false;
            continue;
        }
        std::uint64_t dev = (static_cast<std::uint64_t>(f.mount.major) << 32) | f.mount.minor;
        auto [it, inserted] = best.emplace(dev, i);
        if (inserted) continue;
        const FilesystemSample& other = cur.filesystems[it->second];
        if (f.mount.mount_point.size() < other.mount.mount_point.size()) {
            shown[it->second] = false;
            it->second = i;
        } else {
            shown[i] = false;
        }
    }

    for (std::size_t i = 0; i < cur.filesystems.size(); ++i) {
        if (!shown[i]) continue;
        const FilesystemSample& f = cur.filesystems[i];
        std::vector<Cell> row(cols::kFsCols);
        auto escape = [&](std::string_view raw) { return escape_text(raw, mv.escape); };
        row[cols::fs_source] = text(escape(f.mount.source));
        row[cols::fs_type] = text(escape(f.mount.fs_type));
        row[cols::fs_mounted_on] = text(escape(f.mount.mount_point));
        if (f.timed_out)
            t.notes.push_back("no answer from " + escape_for_terminal(f.mount.mount_point) +
                              " in time (server not responding?); its sizes are unknown");
        if (f.usage) {
            const FsUsage& u = *f.usage;
            const std::uint64_t used = u.blocks >= u.blocks_free ? u.blocks - u.blocks_free : 0;
            row[cols::fs_size] = num(bytes(u.blocks, u.block_bytes));
            row[cols::fs_used] = num(bytes(used, u.block_bytes));
            row[cols::fs_avail] = num(bytes(u.blocks_avail, u.block_bytes));
            row[cols::fs_use] = num_u(df_percent(used, u.blocks_avail));
            // Some file systems (btrfs, vfat) report no inode counts: unknown, not 0 %.
            if (u.files > 0) {
                const std::uint64_t iused = u.files >= u.files_free ? u.files - u.files_free : 0;
                row[cols::fs_inodes] = num_u(u.files);
                row[cols::fs_iused] = num_u(iused);
                row[cols::fs_iuse] = num_u(df_percent(iused, u.files - iused));
            }
        }
        t.rows.push_back(std::move(row));
    }
    add_notes(t, cur);
    return t;
}

BatteryFigures battery_figures(const Battery& b) {
    BatteryFigures out;
    auto ratio = [](std::optional<std::uint64_t> now,
                    std::optional<std::uint64_t> full) -> std::optional<double> {
        if (!now || !full || *full == 0) return std::nullopt;
        return static_cast<double>(*now) / static_cast<double>(*full) * 100.0;
    };
    if (b.capacity_pct)
        out.charge_pct = static_cast<double>(*b.capacity_pct);
    else if (auto e = ratio(b.energy_now_uwh, b.energy_full_uwh))
        out.charge_pct = e;
    else
        out.charge_pct = ratio(b.charge_now_uah, b.charge_full_uah);

    std::optional<double> power_uw;
    if (b.power_now_uw)
        power_uw = static_cast<double>(*b.power_now_uw);
    else if (b.current_now_ua && b.voltage_now_uv)
        power_uw =
            static_cast<double>(*b.current_now_ua) * static_cast<double>(*b.voltage_now_uv) / 1e6;
    if (power_uw) out.power_w = *power_uw / 1e6;

    const bool discharging = b.status == "Discharging";
    const bool charging = b.status == "Charging";
    if (!discharging && !charging) return out;
    // Hours = energy / power (µWh / µW) or charge / current (µAh / µA).
    auto hours = [&](std::optional<std::uint64_t> now, std::optional<std::uint64_t> full,
                     std::optional<double> flow) -> std::optional<double> {
        if (!now || !flow || *flow <= 0) return std::nullopt;
        if (discharging) return static_cast<double>(*now) / *flow;
        if (!full || *full < *now) return std::nullopt;
        return static_cast<double>(*full - *now) / *flow;
    };
    std::optional<double> h = hours(b.energy_now_uwh, b.energy_full_uwh, power_uw);
    if (!h && b.current_now_ua)
        h = hours(b.charge_now_uah, b.charge_full_uah, static_cast<double>(*b.current_now_ua));
    if (h) out.time_left_s = *h * 3600.0;
    return out;
}

std::vector<Table> build_sensor_tables(const MachineSample& cur, const MachineView& mv) {
    auto escape = [&](std::string_view raw) { return escape_text(raw, mv.escape); };
    const SensorSample& s = cur.sensors;
    std::vector<Table> out;
    auto make = [](TableKind kind, std::string_view title) {
        return make_table(Section::sensors, kind, title);
    };
    if (!s.temps.empty()) {
        Table t = make(TableKind::temps, "Temperatures");
        for (const TempSensor& ts : s.temps) {
            std::vector<Cell> row(cols::kTempCols);
            row[cols::t_chip] = text(escape(ts.chip));
            row[cols::t_sensor] = text(escape(ts.label));
            row[cols::t_temp] = num(celsius(ts.input_mc, false));
            row[cols::t_high] = num(celsius(ts.high_mc, true));
            row[cols::t_crit] = num(celsius(ts.crit_mc, true));
            t.rows.push_back(std::move(row));
        }
        out.push_back(std::move(t));
    }
    if (!s.fans.empty()) {
        Table t = make(TableKind::fans, "Fans");
        for (const FanSensor& f : s.fans) {
            std::vector<Cell> row(cols::kFanCols);
            row[cols::f_chip] = text(escape(f.chip));
            row[cols::f_sensor] = text(escape(f.label));
            row[cols::f_rpm] = num_u(f.rpm);
            t.rows.push_back(std::move(row));
        }
        out.push_back(std::move(t));
    }
    if (!s.batteries.empty()) {
        Table t = make(TableKind::batteries, "Batteries");
        for (const Battery& b : s.batteries) {
            BatteryFigures fig = battery_figures(b);
            std::vector<Cell> row(cols::kBatCols);
            row[cols::b_name] = text(escape(b.name));
            row[cols::b_status] = text(b.status.empty() ? "?" : escape(b.status));
            row[cols::b_charge] = num(fig.charge_pct);
            row[cols::b_time] = num(fig.time_left_s);
            // Full or idle: no time to wait for, which is not unknown.
            if (!fig.time_left_s && b.status != "Charging" && b.status != "Discharging")
                row[cols::b_time].text = "-";
            row[cols::b_power] = num(fig.power_w);
            t.rows.push_back(std::move(row));
        }
        out.push_back(std::move(t));
    }
    if (out.empty()) {
        out.push_back(make(TableKind::temps, "Temperatures"));
        out.back().notes.push_back("no temperature, fan or battery sensors found");
    }
    add_notes(out.front(), cur);
    return out;
}

}  // namespace vigil
