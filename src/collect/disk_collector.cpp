#include "vigil/collect/disk_collector.hpp"

#include <algorithm>

#include "vigil/collect/machine_parsers.hpp"

namespace vigil {

std::string sysfs_block_name(std::string_view name) {
    std::string s(name);
    std::replace(s.begin(), s.end(), '/', '!');
    return s;
}

void DiskCollector::refresh_topology(const std::vector<DiskStats>& devs) {
    std::string key;
    for (const DiskStats& d : devs) {
        key += d.name;
        key += '\n';
    }
    if (key == names_key_) return;
    names_key_ = std::move(key);
    parent_.clear();
    whole_.clear();

    std::vector<std::string> disks, entries;
    sys_.list_names("block", disks);
    sys_known_ = !disks.empty();
    std::unordered_map<std::string, std::string> by_sys_name;  // sys name -> diskstats name
    for (const DiskStats& d : devs) by_sys_name.emplace(sysfs_block_name(d.name), d.name);
    for (const std::string& disk : disks) {
        auto it = by_sys_name.find(disk);
        if (it == by_sys_name.end()) continue;
        whole_[it->second] = true;
        // A disk's directory holds one subdirectory per partition, named as in diskstats.
        sys_.list_names("block/" + disk, entries);
        for (const std::string& e : entries) {
            auto p = by_sys_name.find(e);
            if (p != by_sys_name.end() && p->second != it->second) parent_[p->second] = it->second;
        }
    }
}

void DiskCollector::collect(std::vector<DiskStats>& out, ParseNotes& notes) {
    out.clear();
    if (!proc_.read_into("diskstats", buf_)) return;
    out = parse_diskstats(buf_, notes);
    refresh_topology(out);
    for (DiskStats& d : out) {
        if (!sys_known_) {
            // No sys tree to ask: every device counts as a disk, so none is hidden wrongly.
            d.whole_disk = true;
            d.parent.clear();
            continue;
        }
        d.whole_disk = whole_.count(d.name) != 0;
        auto p = parent_.find(d.name);
        d.parent = p == parent_.end() ? std::string() : p->second;
    }
}

}  // namespace vigil
