// The fake machine of tests/fixtures/machine (see make_machine_fixtures.py): two samples
// 2 s apart, collected through the real collectors with the clock set by the test.
#pragma once

#include <string>

#include "fixture_util.hpp"
#include "vigil/collect/machine_collector.hpp"
#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"

namespace vigil::test {

inline constexpr SectionMask kOverview = section_bit(Section::cpu) | section_bit(Section::mem) |
                                         section_bit(Section::psi) | section_bit(Section::disks) |
                                         section_bit(Section::fs) | section_bit(Section::net) |
                                         section_bit(Section::sensors);

inline MachineSample collect_machine(const std::string& which, double steady_s,
                                     SectionMask sections = kOverview,
                                     const std::string& sys = "") {
    Roots roots{FsRoot(fixture("machine/" + which + "/proc")),
                FsRoot(sys.empty() ? fixture("machine/" + which + "/sys") : sys)};
    FakeClock clock(steady_s);
    MachineCollector c(roots, sections, false, clock);
    MachineSample s;
    c.collect(s);
    return s;
}

struct MachinePair {
    MachineSample t0 = collect_machine("t0", 10.0);
    MachineSample t1 = collect_machine("t1", 12.0);
    MachineRates rates = compute_machine_rates(t0, t1);
};

// The text of a cell as every front end shows it.
inline std::string cell_text(const Table& t, std::size_t row, std::string_view column,
                             ByteUnits units = ByteUnits::human) {
    auto c = find_column(t.columns, column);
    if (!c || row >= t.rows.size()) return "<no such cell>";
    return format_cell(t.columns[*c].format, t.rows[row][*c], units);
}

// The row whose first cell reads name, or -1.
inline int row_named(const Table& t, std::string_view name) {
    for (std::size_t i = 0; i < t.rows.size(); ++i)
        if (t.rows[i][0].text == name) return static_cast<int>(i);
    return -1;
}

}  // namespace vigil::test
