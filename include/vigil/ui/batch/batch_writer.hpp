// The batch output formats behind one interface: the batch loop hands every writer the same
// task Table and the overview Tables, sample by sample, in the --show order. Live batch mode and
// replay (-b --replay) drive the same writers, so their output is the same.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vigil/model/table.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/sample/sections.hpp"
#include "vigil/ui/batch/text_writer.hpp"

namespace vigil {

enum class OutputFormat : std::uint8_t { text, csv, json };

std::optional<OutputFormat> output_format_by_name(std::string_view name);

// The version of the CSV and JSON field layout. Renaming, removing or re-meaning a field
// bumps it; adding a field does not. The golden files in tests/golden pin the layout.
inline constexpr int kSchemaVersion = 1;

struct SampleInfo {
    std::int64_t wall_ns = 0;  // when the sample was taken (CLOCK_REALTIME)
    double interval_s = 0;     // steady-clock seconds since the previous sample
    ByteUnits units = ByteUnits::human;
};

class BatchWriter {
  public:
    virtual ~BatchWriter() = default;
    // Each call appends to out. A sample is begin_sample, then tasks() and section() in the
    // order of --show, then end_sample.
    virtual void begin_sample(const SampleInfo& info, std::string& out) = 0;
    virtual void tasks(const Table& tasks, const ViewState& vs, std::string& out) = 0;
    // The tables of one overview section (sensors has up to three).
    virtual void section(Section s, std::span<const Table> tables, std::string& out) = 0;
    virtual void end_sample(std::string& out) = 0;
};

// CSV holds one table per file (vigil(8), FORMATS): route(table, out) says where the lines
// of a table go ("tasks", "tasks_summary", "cpu", "notes", ...; its header row before its
// first row): out, a buffer of the caller's, or null to leave the table out.
using CsvRoute = std::function<std::string*(std::string_view table, std::string& out)>;

// text honours -t and -q; csv and json always carry the time and ignore them. csv: without
// a route, only the task table goes to out.
std::unique_ptr<BatchWriter> make_batch_writer(OutputFormat format, TextOptions text,
                                               CsvRoute route = {});

}  // namespace vigil
