#include "vigil/app/recording.hpp"

#include "vigil/app/app.hpp"
#include "vigil/model/accumulator.hpp"

namespace vigil {

Result<std::unique_ptr<RecordWriter>> open_recording(const Options& o,
                                                     std::vector<std::string>& notices,
                                                     int& status) {
    RecordOptions ro;
    ro.path = o.record_path;
    ro.max_bytes = o.record_max_bytes;
    ro.rotate_s = o.record_rotate_s;
    ro.interval_s = o.delay_s;
    bool format_error = false;
    auto w = RecordWriter::open(ro, notices, &format_error);
    status = w ? kExitOk : format_error ? kExitUsage : kExitRuntime;
    return w;
}

Result<bool> record_sample(RecordWriter& w, Snapshot& cur, const Rates* rates,
                           RowDetails& details) {
    if (rates && rates->tasks.size() == cur.tasks.size()) {
        const std::vector<std::size_t> leaders = leader_indices(cur);
        for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
            const TaskDelta& d = rates->tasks[i];
            if (!d.valid || (d.read_bytes == 0 && d.write_bytes == 0)) continue;
            // Only tasks without details: fetching again what a shown row has could record
            // a value other than the one printed (a renice in between).
            for (std::size_t t : {i, leaders[i]})
                if (!cur.tasks[t].cmdline) details.fill(cur.tasks[t]);
        }
    }
    return w.write(cur, [&](uid_t uid) -> const std::string& { return details.user_name(uid); });
}

const std::string& ReplayDetails::user_name(uid_t uid) {
    const RecordedUsers& users = r_.users();
    if (auto it = users.find(uid); it != users.end()) return it->second;
    auto [it, inserted] = unknown_.try_emplace(uid);
    if (inserted) it->second = std::to_string(uid);
    return it->second;
}

}  // namespace vigil
