#include "vigil/app/batch_render.hpp"

#include <algorithm>

#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"

namespace vigil {

BatchRenderer::BatchRenderer(const Options& o, const ViewState& vs)
    : o_(o), vs_(vs), mv_(o.machine), writer_(make_batch_writer(o.format, o.text)) {
    // CSV and JSON carry text in the reversible escape of vigil(8), FORMATS.
    if (o.format != OutputFormat::text)
        vs_.escape = mv_.escape = TextEscape::data;
    else
        text_.emplace(o.text);
}

const Rates& BatchRenderer::render(const Snapshot& prev, Snapshot& cur, RowDetails& details,
                                   std::string& out) {
    rates_ = compute_rates(prev, cur);
    if (vs_.accumulated) acc_.add(cur, rates_);
    const SectionMask overview = overview_mask(o_.sections);
    const MachineRates machine_rates =
        overview ? compute_machine_rates(prev.machine, cur.machine) : MachineRates{};
    writer_->begin_sample(SampleInfo{cur.wall_ns, rates_.elapsed_s, vs_.units}, out);
    for (Section s : o_.sections) {
        if (s == Section::tasks) {
            write_tasks(cur, details, out);
            continue;
        }
        // A recording made without this section has nothing to show for it (replay warns
        // once); live, every section asked for is collected.
        if (!has_section(cur.machine.collected, s)) continue;
        const std::vector<SectionTable> tables =
            build_section_tables(s, cur.machine, machine_rates, mv_);
        writer_->section(s, tables, out);
    }
    writer_->end_sample(out);
    return rates_;
}

void BatchRenderer::write_tasks(Snapshot& cur, RowDetails& details, std::string& out) {
    const Accumulator* acc = vs_.accumulated ? &acc_ : nullptr;
    if (!text_ || !column(vs_.sort).numeric) {
        TableModel model = build_table(cur, rates_, acc, vs_, details);
        writer_->tasks(model, vs_, out);
        return;
    }
    // Text, every row: ~72 B of key per row instead of ~400 B of Row, and the lines go out
    // in parts: at 10 000 threads the peak RSS fell from 22.0 to 14.6 MiB.
    constexpr std::size_t kRowsPerPart = 256;
    constexpr std::size_t kFlushBytes = 64 * 1024;
    RankedTable t = rank_table(cur, rates_, acc, vs_, details);
    text_->write_head(t.head, vs_, out);
    const std::span<const RowKey> keys(t.keys);
    for (std::size_t i = 0; i < keys.size(); i += kRowsPerPart) {
        t.head.rows.clear();
        make_rows(cur, keys.subspan(i, std::min(kRowsPerPart, keys.size() - i)), vs_, details,
                  t.head.rows);
        text_->write_rows(t.head, vs_, out);
        if (flush_ && out.size() >= kFlushBytes) flush_(out);
    }
}

}  // namespace vigil
