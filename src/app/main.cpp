#include <fmt/format.h>
#include <clocale>
#include <cstdio>
#include <exception>

#include "vigil/app/app.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/app/options.hpp"

int main(int argc, char** argv) {
    std::setlocale(LC_ALL, "");
    try {
        auto opts = vigil::parse_options(argc, argv);
        if (!opts) {
            fmt::print(stderr, "vigil: {}\nTry 'vigil --help' for more information.\n",
                       opts.error().message);
            return vigil::kExitUsage;
        }
        switch (opts->action) {
            case vigil::Options::Action::help:
                fmt::print("{}", vigil::usage_text());
                return vigil::kExitOk;
            case vigil::Options::Action::version:
                fmt::print("vigil {}\n", VIGIL_VERSION);
                return vigil::kExitOk;
            case vigil::Options::Action::run:
                break;
        }
        vigil::settle_privileges(*opts);
        vigil::raise_open_file_limit();
        if (!opts->batch) return vigil::run_interactive(*opts);
        return vigil::run_batch(*opts);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigil: internal error: %s\n", e.what());
        return vigil::kExitRuntime;
    }
}
