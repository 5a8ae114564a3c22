// Sections: the parts of the machine vigil can show (--show). The Sampler collects only the
// sections asked for, so the task-only default costs nothing extra.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vigil {

enum class Section : std::uint8_t { tasks, cpu, mem, psi, disks, fs, net, sensors, cgroups };
inline constexpr std::size_t kSectionCount = 9;

// The canonical order, which "all" expands to: the overview first, tasks last.
inline constexpr std::array<Section, kSectionCount> kAllSections{
    Section::cpu, Section::mem,     Section::psi,     Section::disks, Section::fs,
    Section::net, Section::sensors, Section::cgroups, Section::tasks};

// A set of sections, one bit each.
using SectionMask = std::uint16_t;
constexpr SectionMask section_bit(Section s) {
    return static_cast<SectionMask>(1u << static_cast<unsigned>(s));
}
constexpr bool has_section(SectionMask m, Section s) {
    return (m & section_bit(s)) != 0;
}

// The overview sections of a --show list (everything but tasks), for the MachineCollector.
inline SectionMask overview_mask(const std::vector<Section>& sections) {
    SectionMask m = 0;
    for (Section s : sections)
        if (s != Section::tasks) m |= section_bit(s);
    return m;
}

// The name --show takes ("cpu", "disks", ...).
std::string_view section_name(Section s);
// Exact, lower-case names only; "all" is handled by the option parser.
std::optional<Section> section_by_name(std::string_view name);

}  // namespace vigil
