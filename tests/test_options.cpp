#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "options_util.hpp"
#include "vigil/app/diagnostics.hpp"
#include "vigil/app/options.hpp"

using namespace vigil;
using vigil::test::parse_args;

namespace {
// An argument list parse_options refuses, and its error, which must hold a text and be one
// line.
struct Refused {
    std::vector<const char*> args;
    const char* must_contain;
};
std::string refused_message(const Refused& c) {
    auto o = parse_args(c.args);
    INFO(c.must_contain);
    REQUIRE_FALSE(o);
    CHECK_THAT(o.error().message, Catch::Contains(c.must_contain));
    CHECK(o.error().message.find('\n') == std::string::npos);
    return o.error().message;
}
}  // namespace

TEST_CASE("iotop options parse", "[options]") {
    auto o = parse_args({"-b", "-n", "5", "-d", "0.2", "-P", "-o", "-a", "-k", "-t", "-qq"});
    REQUIRE(o);
    CHECK(o->batch);
    CHECK(o->iterations == 5);
    CHECK(o->delay_s == Approx(0.2));
    CHECK(o->view.processes);
    CHECK(o->view.only_active);
    CHECK(o->view.accumulated);
    CHECK(o->view.units == ByteUnits::kib);
    CHECK(o->text.timestamps);
    CHECK(o->text.quiet == 2);
}

TEST_CASE("-p and -u repeat and take comma lists", "[options]") {
    auto o = parse_args({"-b", "-p", "1,2", "-p", "3", "--pid=4", "-u", "root,0", "-u", "0"});
    REQUIRE(o);
    CHECK(o->view.pids == std::vector<pid_t>{1, 2, 3, 4});
    CHECK(o->view.uids == std::vector<uid_t>{0, 0, 0});
}

TEST_CASE("--sort and --reverse", "[options]") {
    auto o = parse_args({"--sort", "disk_write", "--reverse"});
    REQUIRE(o);
    CHECK(o->view.sort == ColumnId::disk_write);
    CHECK(o->view.reverse);
    CHECK(parse_args({"--sort=PID"})->view.sort == ColumnId::id);
    CHECK(parse_args({"--sort", "DISK READ"})->view.sort == ColumnId::disk_read);
}

TEST_CASE("--columns, --filter and --hide-kernel-threads", "[options]") {
    auto o = parse_args({"--columns", "pid,cpu,command", "--filter", "post(gres|master)",
                         "--hide-kernel-threads", "--sort", "cpu"});
    REQUIRE(o);
    CHECK(o->view.columns == std::vector<ColumnId>{ColumnId::id, ColumnId::cpu, ColumnId::command});
    CHECK(o->view.filter.active());
    CHECK(o->view.filter.is_regex());
    CHECK(o->view.filter.matches("/usr/lib/postgresql/15/bin/POSTMASTER -D x"));
    CHECK_FALSE(o->view.filter.matches("sshd"));
    CHECK(o->view.hide_kernel_threads);
    CHECK_FALSE(o->view.tree);
    CHECK(parse_args({"-P", "--tree"})->view.tree);
    CHECK_FALSE(parse_args({"--tree=yes"}));
    CHECK(o->view.sort == ColumnId::cpu);
    CHECK(parse_args({"--sort", "TIME+"})->view.sort == ColumnId::cpu_time);
    CHECK(parse_args({"--sort", "rss"})->view.sort == ColumnId::rss);
    CHECK(parse_args({"--sort", "RES"})->view.sort == ColumnId::rss);
    CHECK(parse_args({"--sort", "MEM%"})->view.sort == ColumnId::mem);
    CHECK(parse_args({"--sort", "swap"})->view.sort == ColumnId::swap);
    CHECK(parse_args({"--sort", "PRI"})->view.sort == ColumnId::priority);
    CHECK(parse_args({"--columns", "pid,user,cpu,rss,state,command"})->view.columns ==
          std::vector<ColumnId>{ColumnId::id, ColumnId::user, ColumnId::cpu, ColumnId::rss,
                                ColumnId::state, ColumnId::command});
    auto bad = parse_args({"--columns", "pid,rsz"});
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message,
               Catch::Contains("--columns 'pid,rsz'") && Catch::Contains("unknown column 'rsz'"));
    CHECK_FALSE(parse_args({"--filter="}));
}

TEST_CASE("bad values are named in a one-line error", "[options]") {
    for (const auto& c : std::vector<Refused>{
             {{"-d", "abc"}, "'abc'"},
             {{"-d", "-1"}, "'-1'"},
             {{"-d", "0"}, "'0'"},
             {{"-d", "nan"}, "'nan'"},
             {{"-d", "1e400"}, "'1e400'"},
             {{"-n", "0"}, "'0'"},
             {{"-n", "x"}, "'x'"},
             {{"-n", "-3"}, "'-3'"},
             {{"-p", "abc"}, "'abc'"},
             {{"-p", "0"}, "'0'"},
             {{"-p", ","}, "','"},
             {{"-u", "no_such_user_vigil"}, "no_such_user_vigil"},
             {{"--sort", "bogus"}, "'bogus'"},
             {{"-x"}, "'-x'"},
             {{"--bogus"}, "--bogus"},
             {{"-d"}, "-d"},
             {{"stray"}, "'stray'"},
             // Plain decimals only: strtod took hexadecimal, white space and exponents.
             {{"-d", "0x10"}, "'0x10'"},
             {{"-d", " 1"}, "' 1'"},
             {{"-d", "1 "}, "'1 '"},
             {{"-d", "1e1"}, "'1e1'"},
             {{"-d", "+1"}, "'+1'"},
             {{"-d", "."}, "'.'"},
             {{"--record", "x", "--record-rotate", "0x10s"}, "'0x10s'"},
             {{"--record", "x", "--record-max-size", "0x1000"}, "'0x1000'"},
             // Dates that do not exist.
             {{"--replay", "x", "--from", "2024-02-30"}, "'2024-02-30'"},
             {{"--replay", "x", "--to", "2023-02-29"}, "'2023-02-29'"},
             {{"--replay", "x", "--from", "2024-04-31 10:00"}, "'2024-04-31 10:00'"},
             // Options named as typed: a long-only option's id is no character.
             {{"--record"}, "option '--record' needs a value"},
             {{"--replay"}, "option '--replay' needs a value"},
             {{"--sort"}, "option '--sort' needs a value"},
             {{"--repl"}, "option '--repl' needs a value"},
             {{"--batch=1"}, "option '--batch' takes no value ('--batch=1')"},
             {{"--reverse=yes"}, "option '--reverse' takes no value"},
             {{"-bn"}, "option '-n' needs a value"},
             {{"--re"}, "ambiguous option '--re'"},
             {{"--bogus=1"}, "unknown option '--bogus'"},
             // CSV on stdout is one table.
             {{"--format", "csv", "--show", "cpu,mem"}, "--csv-dir DIR"},
             {{"--format", "csv", "--show", "sensors"}, "temps, fans, batteries"},
             {{"--format", "csv", "--show", "all"}, "--csv-dir"},
             {{"--csv-dir", "d", "--format", "json"}, "--format json"},
             {{"--csv-dir="}, "--csv-dir ''"},
         }) {
        const std::string message = refused_message(c);
        // Never a raw byte of an option id (a long-only id cast to char was "\xB1").
        for (char ch : message) CHECK(static_cast<unsigned char>(ch) < 0x80);
    }
}

TEST_CASE("numbers and dates users type: what is accepted", "[options]") {
    CHECK(parse_args({"-d", "2"})->delay_s == 2);
    CHECK(parse_args({"-d", "0.5"})->delay_s == 0.5);
    CHECK(parse_args({"-d", ".5"})->delay_s == 0.5);
    CHECK(parse_args({"-d", "1."})->delay_s == 1);
    CHECK(parse_args({"--replay", "x", "--from", "2024-02-29"}));  // a leap year
    CHECK(parse_args({"--replay", "x", "--from", "2000-02-29"}));
    CHECK_FALSE(parse_args({"--replay", "x", "--from", "1900-02-29"}));
    CHECK(parse_args({"--replay", "x", "--to", "2024-12-31 23:59:59"}));
    CHECK(parse_args({"--record", "x", "--record-rotate", "1.5h"})->record_rotate_s == 5400);
}

TEST_CASE("CSV: one table on stdout, every table with --csv-dir", "[options]") {
    auto o = parse_args({"--format", "csv"});
    REQUIRE(o);
    CHECK(o->csv_dir.empty());
    CHECK(parse_args({"--format", "csv", "--show", "cpu"}));
    o = parse_args({"--csv-dir", "out", "--show", "all"});
    REQUIRE(o);
    CHECK(o->format == OutputFormat::csv);
    CHECK(o->batch);
    CHECK(parse_args({"--csv-dir", "out", "--format", "csv", "--show", "sensors"}));
}

TEST_CASE("help and version", "[options]") {
    CHECK(parse_args({"--help"})->action == Options::Action::help);
    CHECK(parse_args({"-h"})->action == Options::Action::help);
    CHECK(parse_args({"--version"})->action == Options::Action::version);
    // Every option is documented in --help.
    std::string help = usage_text();
    for (const char* opt :
         {"--batch",     "--iter",    "--delay",       "--pid",       "--user",
          "--processes", "--only",    "--accumulated", "--kilobytes", "--time",
          "--quiet",     "--sort",    "--reverse",     "--no-color",  "--proc-root",
          "--sys-root",  "--version", "--help",        "--format",    "--csv-dir",
          "--record",    "--replay",  "--from",        "--to",        "Exit status"}) {
        CHECK_THAT(help, Catch::Contains(opt));
    }
}

TEST_CASE("diagnostics escape what they quote", "[options]") {
    // An argument holding ESC, a bidi override and a backslash cannot act on the terminal.
    CHECK(diagnostic_line("unknown option '--x\x1b[2J\xe2\x80\xae\\e'", true) ==
          "vigil: unknown option '--x\\e[2J\\u{202e}\\\\e'\n");
    CHECK(diagnostic_line("caf\xc3\xa9", false) == "vigil: caf\\xc3\\xa9\n");
    CHECK(diagnostic_line("two\nlines", true) == "vigil: two\\nlines\n");
}

TEST_CASE("--record-keep and --record-keep-for: a retention for rotated recordings",
          "[options][retention]") {
    auto o = parse_args({"-b", "--record", "r", "--record-rotate", "1d", "--record-keep", "7"});
    REQUIRE(o);
    CHECK(o->record_keep.keep_files == 7);
    CHECK(o->record_keep.keep_for_s == 0);
    o = parse_args({"-b", "--record", "r", "--record-max-size", "1G", "--record-keep-for", "7d"});
    REQUIRE(o);
    CHECK(o->record_keep.keep_for_s == 7 * 86400);
    CHECK(o->record_keep.keep_files == 0);
    CHECK(parse_args(
              {"--record", "r", "--record-rotate=1h", "--record-keep=2", "--record-keep-for=1h"})
              ->record_keep.limited());
    CHECK_FALSE(parse_args({"--record", "r", "--record-rotate", "1h"})->record_keep.limited());
    for (const Refused& c : std::initializer_list<Refused>{
             {{"--record", "r", "--record-rotate", "1h", "--record-keep", "0"},
              "invalid --record-keep '0'"},
             {{"--record", "r", "--record-rotate", "1h", "--record-keep", "-1"}, "'-1'"},
             {{"--record", "r", "--record-rotate", "1h", "--record-keep", "3x"}, "'3x'"},
             {{"--record", "r", "--record-rotate", "1h", "--record-keep", ""}, "''"},
             {{"--record", "r", "--record-rotate", "1h", "--record-keep-for", "0"},
              "invalid --record-keep-for '0'"},
             {{"--record", "r", "--record-rotate", "1h", "--record-keep-for", "week"}, "'week'"},
             {{"--record", "r", "--record-rotate", "1h", "--record-keep-for", "-1d"}, "'-1d'"},
             // Without rotation there is nothing to keep: refused, not ignored.
             {{"--record", "r", "--record-keep", "3"}, "--record-keep removes rotated"},
             {{"--record-keep-for", "1d"}, "--record-keep-for removes rotated"},
             {{"--record-keep"}, "option '--record-keep' needs a value"},
         }) {
        refused_message(c);
    }
}
