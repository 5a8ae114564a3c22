#include <unistd.h>

#include <clocale>
#include <exception>
#include <string>

#include "vigil/app/app.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/exporter.hpp"
#include "vigil/app/inspect.hpp"
#include "vigil/app/options.hpp"

namespace {
// --help and --version: the text on stdout; a failed write is a runtime error.
int print(const std::string& text) {
    int err = 0;
    return vigil::stop_after_write(vigil::write_stdout(text, err), err).value_or(vigil::kExitOk);
}
}  // namespace

int main(int argc, char** argv) {
    std::setlocale(LC_ALL, "");
    try {
        auto opts = vigil::parse_options(argc, argv);
        if (!opts) {
            vigil::say(opts.error().message);
            vigil::write_stderr("Try 'vigil --help' for more information.\n");
            return vigil::kExitUsage;
        }
        switch (opts->action) {
            case vigil::Options::Action::help:
                return print(vigil::usage_text());
            case vigil::Options::Action::version:
                return print(std::string("vigil ") + VIGIL_VERSION + "\n");
            case vigil::Options::Action::run:
                break;
        }
        vigil::settle_privileges(*opts);
        vigil::raise_open_file_limit();
        // --listen with no terminal to draw on and no -b: a service, headless.
        const bool headless =
            opts->listen && !opts->batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO));
        const int status = opts->inspect_pid ? vigil::run_inspect(*opts)
                           : opts->batch     ? vigil::run_batch(*opts)
                           : headless        ? vigil::run_headless(*opts)
                                             : vigil::run_interactive(*opts);
        // Ended by a signal: everything is closed and the terminal restored by now.
        if (status > vigil::kExitSignal) vigil::die_by_signal(status - vigil::kExitSignal);
        return status;
    } catch (const std::exception& e) {
        vigil::say(std::string("internal error: ") + e.what());
        return vigil::kExitRuntime;
    }
}
