// Committed recordings under tests/fixtures/record: files written by an earlier build must
// keep reading back exactly (the format cannot change silently), and they are the seed
// corpus of the record fuzz target, so they stay small (under the fuzzer's 8 KiB inputs).
// VIGIL_UPDATE_GOLDEN=1 rewrites them; that is only right after a deliberate format change,
// which must also bump kRecordFormatVersion.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "record_util.hpp"
#include "vigil/record/record_reader.hpp"

using namespace vigil;

namespace {

std::string fixture(const std::string& name) {
    return std::string(VIGIL_FIXTURES) + "/record/" + name;
}

struct Case {
    const char* name;
    std::vector<std::vector<Snapshot>> sessions;
};

std::vector<Case> cases() {
    return {
        {"one-session.vgl", {test::synthetic_run(12, 5, 3, 3)}},
        {"two-sessions.vgl", {test::synthetic_run(10, 3, 4, 2), test::synthetic_run(6, 3, 5, 1)}},
    };
}

}  // namespace

TEST_CASE("committed recordings read back exactly", "[record][golden]") {
    for (const Case& c : cases()) {
        INFO(c.name);
        const std::string path = fixture(c.name);
        if (std::getenv("VIGIL_UPDATE_GOLDEN")) {
            ::unlink(path.c_str());
            for (const auto& snaps : c.sessions) test::record_all(path, snaps, 2.5);
        }
        auto r = RecordReader::open(path);
        REQUIRE(r);
        RecordReader& rr = **r;
        CHECK(rr.file_size() < 8192);
        CHECK(rr.damage().empty());
        REQUIRE(rr.sessions().size() == c.sessions.size());
        std::vector<test::SnapshotTokens> want;
        for (const auto& snaps : c.sessions)
            for (const Snapshot& s : snaps) want.push_back(test::tokens_of(s));
        REQUIRE(rr.samples().size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            Snapshot s;
            REQUIRE(rr.read(i, s));
            CHECK(test::tokens_of(s) == want[i]);
        }
        // Random access: the last sample first, then the first.
        Snapshot s;
        REQUIRE(rr.read(want.size() - 1, s));
        CHECK(test::tokens_of(s) == want.back());
        REQUIRE(rr.read(0, s));
        CHECK(test::tokens_of(s) == want.front());
        CHECK(rr.sessions()[0].info.host == "testhost");
        CHECK(rr.users().at(0) == "root");
    }
}
