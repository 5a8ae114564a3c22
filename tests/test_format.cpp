#include <catch2/catch.hpp>

#include "vigil/core/format.hpp"

using namespace vigil;

TEST_CASE("byte rates pick a 1024-based unit like iotop", "[format]") {
    CHECK(format_byte_rate(0.0, ByteUnits::human) == "0.00 B/s");
    CHECK(format_byte_rate(999.0, ByteUnits::human) == "999.00 B/s");
    CHECK(format_byte_rate(999.995, ByteUnits::human) == "0.98 K/s");  // not "1000.00 B/s"
    CHECK(format_byte_rate(1023.0, ByteUnits::human) == "1.00 K/s");
    CHECK(format_byte_rate(1001.44 * 1024, ByteUnits::human) == "0.98 M/s");
    CHECK(format_byte_rate(1022.62 * 1024, ByteUnits::human) == "1.00 M/s");
    CHECK(format_byte_rate(999.0 * 1024, ByteUnits::human) == "999.00 K/s");
    CHECK(format_byte_rate(1024.0, ByteUnits::human) == "1.00 K/s");
    CHECK(format_byte_rate(20.0 * 1024 * 1024, ByteUnits::human) == "20.00 M/s");
    CHECK(format_byte_rate(1023.999 * 1024, ByteUnits::human) == "1.00 M/s");
    CHECK(format_byte_rate(3.5 * 1024 * 1024 * 1024, ByteUnits::human) == "3.50 G/s");
}

TEST_CASE("-k always uses K", "[format]") {
    CHECK(format_byte_rate(20.0 * 1024 * 1024, ByteUnits::kib) == "20480.00 K/s");
    CHECK(format_byte_rate(512.0, ByteUnits::kib) == "0.50 K/s");
    CHECK(format_bytes(2048.0, ByteUnits::kib) == "2.00 K");
}

TEST_CASE("unknown values are '?', never 0", "[format]") {
    CHECK(format_byte_rate(std::nullopt, ByteUnits::human) == "?");
    CHECK(format_bytes(std::nullopt, ByteUnits::kib) == "?");
    CHECK(format_percent(std::nullopt) == "?");
    CHECK(format_percent(12.345) == "12.35 %");
}
