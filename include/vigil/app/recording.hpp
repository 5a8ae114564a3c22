// --record and --replay as the front ends use them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vigil/app/options.hpp"
#include "vigil/core/result.hpp"
#include "vigil/record/record_writer.hpp"

namespace vigil {

// Opens --record FILE. On failure status is the exit status (kExitUsage when the file is
// not a recording this vigil may append to). notices: one line each, for stderr.
Result<std::unique_ptr<RecordWriter>> open_recording(const Options& o,
                                                     std::vector<std::string>& notices,
                                                     int& status);

// Runs -b --replay FILE. Exit status: 0; 1 on an output error; 2 when the file is not a
// recording or is from a newer vigil; 3 when it is damaged (after printing every intact
// sample and saying where the damage is).
int run_replay_batch(const Options& o);

}  // namespace vigil
