// parse_options over the arguments after "vigil", as main() would pass them.
#pragma once

#include <string>
#include <vector>

#include "vigil/app/options.hpp"

namespace vigil::test {

inline Result<Options> parse_args(const std::vector<const char*>& args) {
    std::vector<std::string> store{"vigil"};
    for (const char* a : args) store.emplace_back(a);
    std::vector<char*> argv;
    for (auto& s : store) argv.push_back(s.data());
    argv.push_back(nullptr);
    return parse_options(static_cast<int>(store.size()), argv.data());
}

}  // namespace vigil::test
