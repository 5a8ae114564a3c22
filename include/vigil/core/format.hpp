// Number formatting shared by every front end, so a value reads the same everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vigil {

enum class ByteUnits { human, kib };  // human: B, K, M, G, T (1024-based); kib: always K (-k)

// "12.34 K/s"; "?" when the value is unknown.
std::string format_byte_rate(std::optional<double> bytes_per_s, ByteUnits units);
// "12.34 K" (accumulated amounts, -a); "?" when unknown.
std::string format_bytes(std::optional<double> bytes, ByteUnits units);
// "12.34 %"; "?" when unknown.
std::string format_percent(std::optional<double> pct);
// "HH:MM:SS" in local time.
std::string format_clock(std::int64_t wall_ns);

}  // namespace vigil
