#include "vigil/sample/sections.hpp"

namespace vigil {
namespace {
constexpr std::array<std::string_view, kSectionCount> kNames{
    "tasks", "cpu", "mem", "psi", "disks", "fs", "net", "sensors", "cgroups"};
}  // namespace

std::string_view section_name(Section s) {
    return kNames[static_cast<std::size_t>(s)];
}

std::optional<Section> section_by_name(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<Section>(i);
    return std::nullopt;
}

}  // namespace vigil
