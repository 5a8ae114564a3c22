// One sample of batch output from two snapshots. Live batch mode and replay (-b --replay)
// both print through this, so a replay prints what the live run printed: the output is a
// function of the snapshots and the options alone (the details of the rows shown, which
// build_table fetches into the snapshot, are part of what is recorded).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "vigil/app/options.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/model/rates.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/model/table_model.hpp"
#include "vigil/ui/batch/batch_writer.hpp"

namespace vigil {

class BatchRenderer {
public:
    // vs: the options' ViewState as the session settled it (-p PIDs that exist).
    BatchRenderer(const Options& o, const ViewState& vs);

    // Appends the output of cur to out. Details of the task rows shown are fetched into
    // cur through details. Returns the task rates of the interval.
    const Rates& render(const Snapshot& prev, Snapshot& cur, RowDetails& details,
                        std::string& out);

    // Called with out while render() runs, once it holds enough lines to be written (text
    // output at 10 000 threads): the callee writes and clears it, so the whole sample is
    // never held at once. Without it render() only appends.
    void set_flush(std::function<void(std::string&)> flush) { flush_ = std::move(flush); }

    // A new recording session starts (replay): -a sums start again.
    void restart() { acc_ = Accumulator{}; }

private:
    void write_tasks(Snapshot& cur, RowDetails& details, std::string& out);

    const Options& o_;
    ViewState vs_;
    MachineView mv_;
    std::unique_ptr<BatchWriter> writer_;
    std::optional<TextWriter> text_;  // the task table of text output, written in parts
    std::function<void(std::string&)> flush_;
    Accumulator acc_;
    Rates rates_;
};

}  // namespace vigil
