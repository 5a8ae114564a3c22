// --record and --replay as the front ends use them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/app/options.hpp"
#include "vigil/core/result.hpp"
#include "vigil/record/record_reader.hpp"
#include "vigil/record/record_writer.hpp"

namespace vigil {

// Opens --record FILE into writer (null when no --record is given). notices: one line
// each, for the front end to show. False when the file cannot be recorded to: the reason is
// on stderr, and status is the exit status (kExitUsage when the file is not a recording
// this vigil may append to).
bool open_recording(const Options& o, std::vector<std::string>& notices,
                    std::unique_ptr<RecordWriter>& writer, int& status);

// Opens --replay FILE; null when it cannot be read: the reason is on stderr, and status is
// the exit status (kExitUsage when it is not a recording this vigil reads). follow: opened
// to follow the file as it is written (RecordReader::follow).
std::unique_ptr<RecordReader> open_replay(const Options& o, int& status, bool follow = false);

// The wall-clock span of a recording that --from and --to name (counted from its first
// sample): the whole recording without them. Replay shows the samples in it, in batch mode
// and in the view alike.
struct ReplaySpan {
    std::int64_t from_ns = 0, to_ns = 0;
};
ReplaySpan replay_span(const Options& o, const RecordReader& r);
// A span that ends before it starts (--from after --to, once resolved against the
// recording): said on stderr, and kExitUsage. nullopt when the span is fine.
std::optional<int> check_replay_span(const Options& o, const ReplaySpan& span);
// When a replay has nothing to show (a recording without samples, a span without samples,
// or none with the sample before it): says why on stderr, naming the recording's own span,
// then its damage; returns the exit status: kExitDamaged after damage, else kExitRuntime.
int say_nothing_to_replay(const Options& o, const RecordReader& r, const ReplaySpan& span);

// The pace of the replay view: -d when given, else the interval the recording's first
// session names (the reader has checked it: an impossible one reads as unknown), else -d's
// default.
double replay_delay_s(const Options& o, const RecordReader& r);

// Sleeps s seconds between two polls of a followed recording (--follow); a signal that
// ends vigil ends it too.
void follow_pause(double s);

// Runs -b --replay FILE. Exit status: 0; 1 on an output error; 2 when the file is not a
// recording or is from a newer vigil; 3 when it is damaged (after printing every intact
// sample and saying where the damage is).
int run_replay_batch(const Options& o);

}  // namespace vigil
