// The writer of the Prometheus exposition (metrics_writer.hpp) and the families it is
// split into: machine_metrics.cpp (the machine's sections), cgroup_metrics.cpp (the
// cgroups), metrics_writer.cpp (processes, vigil itself, the whole).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/text.hpp"
#include "vigil/ui/export/metrics_writer.hpp"

namespace vigil::metrics_detail {

enum class Kind { counter, gauge };
using Label = std::pair<std::string_view, std::string_view>;

// Writes families: a family's # HELP and # TYPE go out with its first sample, so a family
// without samples (no batteries) leaves nothing.
class Exposition {
  public:
    Exposition(MetricsFormat f, std::string& out)
        : open_metrics_(f == MetricsFormat::openmetrics), out_(out) {}

    void family(std::string_view name, Kind kind, std::string_view help) {
        name_ = name;
        kind_ = kind;
        help_ = help;
        headed_ = false;
    }

    template <class V>
    void sample(std::initializer_list<Label> labels, V value) {
        head();
        out_ += name_;
        if (labels.size() > 0) {
            out_ += '{';
            bool first = true;
            for (const auto& [k, v] : labels) {
                if (!first) out_ += ',';
                first = false;
                out_ += k;
                out_ += "=\"";
                append_label_value(v);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        append_value(value);
        out_ += '\n';
    }
    template <class V>
    void sample(std::initializer_list<Label> labels, const std::optional<V>& value) {
        if (value) sample(labels, *value);
    }

    void finish() {
        if (open_metrics_) out_ += "# EOF\n";
    }

  private:
    void head() {
        if (headed_) return;
        headed_ = true;
        // OpenMetrics names a counter's family without the _total of its sample.
        std::string_view family = name_;
        if (open_metrics_ && kind_ == Kind::counter && family.ends_with("_total"))
            family.remove_suffix(6);
        out_ += "# HELP ";
        out_ += family;
        out_ += ' ';
        out_ += help_;  // help texts are constants here: nothing to escape
        out_ += "\n# TYPE ";
        out_ += family;
        out_ += kind_ == Kind::counter ? " counter\n" : " gauge\n";
    }

    void append_label_value(std::string_view raw) {
        // Raw bytes (a command name) become printable, valid UTF-8 first; then the
        // format's own escapes.
        const std::string safe = escape_for_data(raw);
        for (char c : safe) {
            if (c == '\\' || c == '"') out_ += '\\';
            out_ += c;
        }
    }

    void append_value(std::uint64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
    void append_value(std::int64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
    void append_value(double v) {
        if (std::isnan(v))
            out_ += "NaN";
        else if (std::isinf(v))
            out_ += v > 0 ? "+Inf" : "-Inf";
        else
            fmt::format_to(std::back_inserter(out_), "{}", v);
    }

    bool open_metrics_;
    std::string& out_;
    std::string_view name_, help_;
    Kind kind_ = Kind::gauge;
    bool headed_ = false;
};

// The families of the machine's sections that m collected, but the cgroups.
void write_machine(Exposition& e, const MachineSample& m, std::uint64_t clk_tck,
                   std::uint64_t page_size);

// The cgroup families of the exported groups gs of m.
void write_cgroups(Exposition& e, const MachineSample& m, const std::vector<ExportedCgroup>& gs);

}  // namespace vigil::metrics_detail
