// libFuzzer target: every parser of /proc text, and the text helpers, on the same bytes.
// None may crash, hang or read out of bounds, whatever the kernel (or a fixture) says.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/collect/proc_parsers.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/text_filter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    vigil::PidStat st;
    (void)vigil::parse_pid_stat_into(text, st);
    (void)vigil::parse_pid_stat(text);
    (void)vigil::parse_pid_io(text);
    (void)vigil::parse_status_uid(text);
    (void)vigil::parse_vmstat_io(text);
    std::string cmd = vigil::parse_cmdline(text);
    std::string esc = vigil::escape_for_terminal(text);
    // The escaped form must be valid UTF-8 with no control or bidi characters: escaping it
    // again changes nothing but double each backslash.
    std::string doubled;
    for (char c : esc) doubled += c == '\\' ? std::string("\\\\") : std::string(1, c);
    if (vigil::escape_for_terminal(esc) != doubled) __builtin_trap();
    std::string_view cut = vigil::truncate_to_width(esc, size % 97);
    if (vigil::display_width(cut) > size % 97) __builtin_trap();
    std::uint64_t v = 0;
    (void)vigil::parse_u64(text, v);
    vigil::TextFilter f;
    f.set(std::string(text.substr(0, 64)));
    (void)f.matches(cmd);
    return 0;
}
