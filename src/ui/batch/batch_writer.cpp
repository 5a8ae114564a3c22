// The text format (the iotop-compatible task table and the overview's titled tables) and
// the writer factory. CSV and JSON are in csv_writer.cpp and json_writer.cpp.
#include "vigil/ui/batch/batch_writer.hpp"

#include "structured_writers.hpp"
#include "vigil/ui/batch/section_writer.hpp"

namespace vigil {
namespace {

class TextBatchWriter final : public BatchWriter {
  public:
    explicit TextBatchWriter(TextOptions opts) : tasks_(opts), sections_(opts) {}
    void begin_sample(const SampleInfo& info, std::string&) override { info_ = info; }
    void tasks(const Table& t, const ViewState& vs, std::string& out) override {
        tasks_.write(t, vs, info_.wall_ns, out);
    }
    void section(Section, std::span<const Table> tables, std::string& out) override {
        for (const Table& t : tables) sections_.write(t, info_.wall_ns, info_.units, out);
    }
    void end_sample(std::string&) override {}

  private:
    TextWriter tasks_;
    SectionWriter sections_;
    SampleInfo info_;
};

}  // namespace

std::optional<OutputFormat> output_format_by_name(std::string_view name) {
    if (name == "text") return OutputFormat::text;
    if (name == "csv") return OutputFormat::csv;
    if (name == "json") return OutputFormat::json;
    return std::nullopt;
}

std::unique_ptr<BatchWriter> make_batch_writer(OutputFormat format, TextOptions text,
                                               CsvRoute route) {
    switch (format) {
        case OutputFormat::text:
            return std::make_unique<TextBatchWriter>(text);
        case OutputFormat::csv:
            return make_csv_writer(std::move(route));
        case OutputFormat::json:
            return make_json_writer();
    }
    return nullptr;
}

}  // namespace vigil
