#include "vigil/app/batch_render.hpp"

#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"

namespace vigil {

BatchRenderer::BatchRenderer(const Options& o, const ViewState& vs)
    : o_(o), vs_(vs), mv_(o.machine), writer_(make_batch_writer(o.format, o.text)) {
    // CSV and JSON carry text in the reversible escape of vigil(8), FORMATS.
    if (o.format != OutputFormat::text) vs_.escape = mv_.escape = TextEscape::data;
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
            TableModel model =
                build_table(cur, rates_, vs_.accumulated ? &acc_ : nullptr, vs_, details);
            writer_->tasks(model, vs_, out);
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

}  // namespace vigil
