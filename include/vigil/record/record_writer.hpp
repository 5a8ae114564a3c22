// RecordWriter: appends snapshots to a record file (see record_file.hpp), one frame per
// sample, rotating the file on request. The file is locked while written, so two vigils
// cannot interleave their frames.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vigil/core/clock.hpp"
#include "vigil/core/result.hpp"
#include "vigil/record/record_file.hpp"
#include "vigil/record/retention.hpp"
#include "vigil/record/sample_codec.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

struct RecordOptions {
    std::string path;
    // Rotation: the file is renamed FILE.YYYYMMDD-HHMMSS (its first sample's local time) and
    // a new FILE starts with the last sample of the old one (so each file replays alone,
    // and in turn they show each sample once). A file holds at least two samples, so a
    // limit below two key samples is exceeded.
    std::uint64_t max_bytes = 0;  // rotate before the file would pass this; 0: never
    double rotate_s = 0;          // rotate when the file's first sample is this old; 0: never
    // Rotated files past these limits are removed when the file is opened and after each
    // rotation (retention.hpp); a failure to remove one is a notice, not an error.
    Retention retention;
    double interval_s = 1;  // -d, for the session header
    // A key sample at least this often (sample time): damage loses at most this much, and
    // a seek decodes at most this much. A key costs about a full snapshot (85 KB for
    // 10 000 threads): every 15 minutes that is 8 MB a day (bench/record_size).
    double key_interval_s = 900;
    // fdatasync at most this often (steady clock), and when the file is closed: a power
    // loss loses at most this much (and, at -d 1 or slower, only the sample being
    // written). bench/record_size measures it: well under a millisecond on an SSD.
    double sync_interval_s = 1;
    // 9: 7 % smaller than zstd's default 3, under a millisecond of CPU per sample for
    // 10 000 threads; 19 saves 6 % more for noticeably more CPU (bench/record_size).
    int zstd_level = 9;
    std::string host, kernel;  // for the session header; empty: from uname(2)
    // The clock of the session header's time and of the fdatasync pacing; it must outlive
    // the writer.
    const Clock* clock = &system_clock();
};

class RecordWriter {
  public:
    // Opens (creating, mode 0600: command lines can hold secrets) or appends to the file.
    // format_error is set when the file exists but is not a recording this vigil may
    // append to (another format, a newer version): a usage error, not a runtime one.
    // notices: one line each, e.g. that the file ends with an interrupted sample.
    static Result<std::unique_ptr<RecordWriter>> open(const RecordOptions& o,
                                                      std::vector<std::string>& notices,
                                                      bool* format_error = nullptr);
    ~RecordWriter();
    RecordWriter(const RecordWriter&) = delete;
    RecordWriter& operator=(const RecordWriter&) = delete;

    // Appends one sample with the details fetched for its tasks (the rows a front end
    // showed, the tasks that did I/O). On an error (a full disk) nothing partial stays in
    // the file and the recording should stop. A file found shorter than what was written
    // to it (truncated behind vigil's back: `: > FILE`, logrotate's copytruncate) starts
    // again: a file header if nothing is left, a session, and this sample as a key, with a
    // notice (take_notices).
    Result<bool> write(const Snapshot& s, const TaskDetails& details, const UserNameFn& user_name);
    // The notices write() left (one line each) since the last call, for the front end to
    // show: batch mode prints them to stderr, the view on its notice line.
    std::vector<std::string> take_notices();
    // fdatasync now (also done on destruction).
    void sync();

    struct Stats {
        std::uint64_t samples = 0, key_samples = 0, bytes = 0, raw_bytes = 0, rotations = 0;
        std::uint64_t pruned = 0;  // rotated files removed by the retention limits
    };
    const Stats& stats() const { return stats_; }
    const std::string& path() const { return o_.path; }
    // The size of the file being written now (it starts again after a rotation), as
    // written: no system call.
    std::uint64_t file_bytes() const;
    // The name the current file gets when it is rotated (for messages and tests).
    std::string rotated_name() const;

  private:
    explicit RecordWriter(const RecordOptions& o);
    Result<bool> open_file(std::vector<std::string>& notices, bool* format_error);
    Result<bool> start_file(std::vector<std::string>& notices);
    Result<bool> restart_if_truncated();
    Result<bool> rotate(const UserNameFn& user_name);
    // Applies o_.retention; what it could not remove goes to notices.
    void prune(std::vector<std::string>& notices);
    Result<bool> append(const std::string& frame);
    // Encodes and compresses s into the frame buffer; commit_sample appends it.
    Result<bool> frame_sample(const Snapshot& s, const TaskDetails& details,
                              const UserNameFn& user_name, bool key);
    Result<bool> commit_sample(const Snapshot& s, bool key);

    struct Impl;
    RecordOptions o_;
    std::unique_ptr<Impl> impl_;
    Stats stats_;
    std::vector<std::string> notices_;
};

}  // namespace vigil
