// libFuzzer target: --web-config's YAML (exporter-toolkit's keys) on any bytes. It may
// refuse them, with one line, but never crash, hang or take time quadratic in the input.
// The message may quote a key or value holding a newline (YAML's "\n"): the line is what
// say() prints, where controls are escaped, so that is what must stay one line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/app/diagnostics.hpp"
#include "vigil/app/web_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > vigil::kWebConfigMaxBytes) return 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto c = vigil::parse_web_config(text, "/etc/vigil/", [](const std::string& path) {
        return vigil::Result<std::string>("PEM of " + path);
    });
    if (!c) {
        for (const bool utf8 : {false, true}) {
            const std::string line = vigil::diagnostic_line(c.error().message, utf8);
            if (line.find('\n') != line.size() - 1) __builtin_trap();
        }
    }
    if (c) {
        for (const auto& [user, hash] : c->users)
            if (!vigil::is_bcrypt_hash(hash)) __builtin_trap();
        if (c->tls) (void)vigil::tls_priorities(*c->tls);
    }
    return 0;
}
