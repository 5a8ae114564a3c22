// One sample of batch output (text, CSV or JSON) from the pipeline's frame. Live batch mode
// and replay (-b --replay) both print through this, so a replay prints what the live run
// printed: the output is a function of the snapshots, their details and the options alone.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vigil/app/options.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/core/unique_fd.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/ui/batch/batch_writer.hpp"

namespace vigil {

class BatchOutput {
  public:
    // vs: the options' ViewState as the session settled it (-p PIDs that exist).
    BatchOutput(const Options& o, const ViewState& vs);
    BatchOutput(const BatchOutput&) = delete;  // the CSV route points at this
    BatchOutput& operator=(const BatchOutput&) = delete;

    // --csv-dir: opens the directory and checks that none of the files this run may write
    // exists yet. Returns the exit status: 0, else the reason said on stderr and kExitUsage
    // (no such directory, a file exists) or kExitRuntime.
    int open_files();

    // Whether the pipeline must keep the -a sums for this output.
    bool wants_totals() const { return vs_.accumulated; }

    // Ranks the task table of the pipeline's frame and has the details of every row it
    // prints fetched. After this the sample may be recorded, before or after write(): the
    // recording then holds what the output shows.
    void prepare(Pipeline& p);
    // Appends the output of the prepared frame to out (stdout).
    void write(const Pipeline& p, std::string& out);
    // After write(): appends each table's new lines to its --csv-dir file (created with the
    // table's first row), and says on stderr, once each, the notes that CSV on stdout has no
    // table for. False after a write error, said on stderr.
    bool finish();

    // Called with out while write() runs, once it holds enough lines to be written (text
    // output at 10 000 threads): the callee writes and clears it, so the whole sample is
    // never held at once. Without it write() only appends.
    void set_flush(std::function<void(std::string&)> flush) { flush_ = std::move(flush); }

  private:
    void write_tasks(const Pipeline& p, std::string& out);

    const Options& o_;
    ViewState vs_;
    MachineView mv_;
    bool show_tasks_ = false;
    std::unique_ptr<BatchWriter> writer_;
    std::optional<TextWriter> text_;  // the task table of text output, written in parts
    std::function<void(std::string&)> flush_;
    RankedTasks ranked_;  // prepare()'s
    // --csv-dir: the directory, and per table its file and the lines not yet written.
    struct CsvFile {
        UniqueFd fd;
        std::string pending;
    };
    UniqueFd dir_;
    std::map<std::string, CsvFile> files_;
    // CSV on stdout: the notes of the tables shown, said once each on stderr.
    bool notes_to_stderr_ = false;
    std::set<std::string> notes_said_;
    std::vector<std::string> pending_notes_;
};

}  // namespace vigil
