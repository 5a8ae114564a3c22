// libFuzzer target: the sample decoder on arbitrary payloads, below the checksums and the
// compression that keep most mutations of a record file away from it. The input is a
// sequence of payloads, each [u8 flags (bit 0: key)][u16 length, little-endian][bytes],
// decoded in order as a recording's samples are. Whatever decodes must survive being
// encoded again (as a key, and as deltas in the same order) and decoded back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../record_util.hpp"
#include "vigil/record/sample_codec.hpp"

namespace {

void trap_unless(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    vigil::SampleDecoder dec;
    // The round trip of everything dec accepts, in order.
    vigil::SampleEncoder chain_enc;
    vigil::SampleDecoder chain_dec;
    static const std::string kNone;
    auto name = [&](uid_t uid) -> const std::string& {
        auto it = dec.users().find(uid);
        return it == dec.users().end() ? kNone : it->second;
    };
    std::string error, payload;
    vigil::Snapshot s, back;
    vigil::TaskDetails sd, back_d;
    while (in.size() >= 3) {
        const bool key = static_cast<std::uint8_t>(in[0]) & 1;
        const std::size_t len = static_cast<std::uint8_t>(in[1]) |
                                static_cast<std::size_t>(static_cast<std::uint8_t>(in[2])) << 8;
        in.remove_prefix(3);
        const std::string_view p = in.substr(0, len);
        in.remove_prefix(p.size());
        if (!dec.decode(p, key, s, sd, error)) {
            trap_unless(!error.empty() && error.find('\n') == std::string::npos);
            continue;
        }
        const vigil::test::SnapshotTokens want = vigil::test::tokens_of(s, &sd);
        // Alone, as a key.
        vigil::SampleEncoder enc;
        vigil::SampleDecoder fresh;
        payload.clear();
        enc.encode(s, &sd, name, true, payload);
        trap_unless(fresh.decode(payload, true, back, back_d, error));
        trap_unless(vigil::test::tokens_of(back, &back_d) == want);
        // In sequence, as a delta of the previous accepted sample.
        payload.clear();
        const bool chain_key = !chain_enc.has_previous();
        chain_enc.encode(s, &sd, name, chain_key, payload);
        trap_unless(chain_dec.decode(payload, chain_key, back, back_d, error));
        trap_unless(vigil::test::tokens_of(back, &back_d) == want);
    }
    return 0;
}
