// --record and --replay as the front ends use them.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/app/options.hpp"
#include "vigil/core/result.hpp"
#include "vigil/model/rates.hpp"
#include "vigil/model/table_model.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/record_writer.hpp"

namespace vigil {

// Opens --record FILE. On failure status is the exit status (kExitUsage when the file is
// not a recording this vigil may append to). notices: one line each, for stderr.
Result<std::unique_ptr<RecordWriter>> open_recording(const Options& o,
                                                     std::vector<std::string>& notices,
                                                     int& status);

// Appends cur to the recording. Tasks that did I/O in the interval (rates, when given)
// get their details (command line, I/O priority) first, so a replay with other filters
// than the live view still names them; the rows shown live already have theirs.
Result<bool> record_sample(RecordWriter& w, Snapshot& cur, const Rates* rates,
                           RowDetails& details);

// The RowDetails of a replay: the details are in the recorded snapshots (nothing to
// fetch), the user names are the recorded ones.
class ReplayDetails final : public RowDetails {
public:
    explicit ReplayDetails(const RecordReader& r) : r_(r) {}
    void fill(TaskSample&) override {}
    const std::string& user_name(uid_t uid) override;

private:
    const RecordReader& r_;
    std::unordered_map<uid_t, std::string> unknown_;  // uid in decimal, as UserNames gives
};

// Runs -b --replay FILE. Exit status: 0; 1 on an output error; 2 when the file is not a
// recording or is from a newer vigil; 3 when it is damaged (after printing every intact
// sample and saying where the damage is).
int run_replay_batch(const Options& o);

}  // namespace vigil
