// Runner for tests against the real kernel. Tests tagged [privileged] need CAP_NET_ADMIN;
// without it they are left out with a message saying why, and the rest still run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

namespace {
bool have_cap_net_admin() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("CapEff:", 0) == 0) {
            unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
            return (caps >> 12) & 1;  // CAP_NET_ADMIN is capability 12
        }
    }
    return false;
}
}  // namespace

int main(int argc, char** argv) {
    Catch::Session session;
    if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    if (!have_cap_net_admin()) {
        std::puts("SKIP: tests tagged [privileged] need CAP_NET_ADMIN for taskstats (run as root)");
        auto& cfg = session.configData();
        cfg.testsOrTags.push_back("~[privileged]");
    }
    return session.run();
}
