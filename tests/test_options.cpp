#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "vigil/app/diagnostics.hpp"
#include "vigil/app/options.hpp"

using namespace vigil;

namespace {
Result<Options> parse(const std::vector<const char*>& args) {
    std::vector<std::string> store{"vigil"};
    for (const char* a : args) store.emplace_back(a);
    std::vector<char*> argv;
    for (auto& s : store) argv.push_back(s.data());
    argv.push_back(nullptr);
    return parse_options(static_cast<int>(store.size()), argv.data());
}
}  // namespace

TEST_CASE("iotop options parse", "[options]") {
    auto o = parse({"-b", "-n", "5", "-d", "0.2", "-P", "-o", "-a", "-k", "-t", "-qq"});
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
    auto o = parse({"-b", "-p", "1,2", "-p", "3", "--pid=4", "-u", "root,0", "-u", "0"});
    REQUIRE(o);
    CHECK(o->view.pids == std::vector<pid_t>{1, 2, 3, 4});
    CHECK(o->view.uids == std::vector<uid_t>{0, 0, 0});
}

TEST_CASE("--sort and --reverse", "[options]") {
    auto o = parse({"--sort", "disk_write", "--reverse"});
    REQUIRE(o);
    CHECK(o->view.sort == ColumnId::disk_write);
    CHECK(o->view.reverse);
    CHECK(parse({"--sort=PID"})->view.sort == ColumnId::id);
    CHECK(parse({"--sort", "DISK READ"})->view.sort == ColumnId::disk_read);
}

TEST_CASE("--columns, --filter and --hide-kernel-threads", "[options]") {
    auto o = parse({"--columns", "pid,cpu,command", "--filter", "post(gres|master)",
                    "--hide-kernel-threads", "--sort", "cpu"});
    REQUIRE(o);
    CHECK(o->view.columns == std::vector<ColumnId>{ColumnId::id, ColumnId::cpu, ColumnId::command});
    CHECK(o->view.filter.active());
    CHECK(o->view.filter.is_regex());
    CHECK(o->view.filter.matches("/usr/lib/postgresql/15/bin/POSTMASTER -D x"));
    CHECK_FALSE(o->view.filter.matches("sshd"));
    CHECK(o->view.hide_kernel_threads);
    CHECK_FALSE(o->view.tree);
    CHECK(parse({"-P", "--tree"})->view.tree);
    CHECK_FALSE(parse({"--tree=yes"}));
    CHECK(o->view.sort == ColumnId::cpu);
    CHECK(parse({"--sort", "TIME+"})->view.sort == ColumnId::cpu_time);
    CHECK(parse({"--sort", "rss"})->view.sort == ColumnId::rss);
    CHECK(parse({"--sort", "RES"})->view.sort == ColumnId::rss);
    CHECK(parse({"--sort", "MEM%"})->view.sort == ColumnId::mem);
    CHECK(parse({"--sort", "swap"})->view.sort == ColumnId::swap);
    CHECK(parse({"--sort", "PRI"})->view.sort == ColumnId::priority);
    CHECK(parse({"--columns", "pid,user,cpu,rss,state,command"})->view.columns ==
          std::vector<ColumnId>{ColumnId::id, ColumnId::user, ColumnId::cpu, ColumnId::rss,
                                ColumnId::state, ColumnId::command});
    auto bad = parse({"--columns", "pid,rsz"});
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message,
               Catch::Contains("--columns 'pid,rsz'") && Catch::Contains("unknown column 'rsz'"));
    CHECK_FALSE(parse({"--filter="}));
}

TEST_CASE("bad values are named in a one-line error", "[options]") {
    struct Case {
        std::vector<const char*> args;
        const char* must_contain;
    };
    for (const auto& c : std::vector<Case>{
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
        auto o = parse(c.args);
        INFO(c.must_contain);
        REQUIRE_FALSE(o);
        CHECK_THAT(o.error().message, Catch::Contains(c.must_contain));
        CHECK(o.error().message.find('\n') == std::string::npos);
        // Never a raw byte of an option id (a long-only id cast to char was "\xB1").
        for (char ch : o.error().message) CHECK(static_cast<unsigned char>(ch) < 0x80);
    }
}

TEST_CASE("numbers and dates users type: what is accepted", "[options]") {
    CHECK(parse({"-d", "2"})->delay_s == 2);
    CHECK(parse({"-d", "0.5"})->delay_s == 0.5);
    CHECK(parse({"-d", ".5"})->delay_s == 0.5);
    CHECK(parse({"-d", "1."})->delay_s == 1);
    CHECK(parse({"--replay", "x", "--from", "2024-02-29"}));  // a leap year
    CHECK(parse({"--replay", "x", "--from", "2000-02-29"}));
    CHECK_FALSE(parse({"--replay", "x", "--from", "1900-02-29"}));
    CHECK(parse({"--replay", "x", "--to", "2024-12-31 23:59:59"}));
    CHECK(parse({"--record", "x", "--record-rotate", "1.5h"})->record_rotate_s == 5400);
}

TEST_CASE("CSV: one table on stdout, every table with --csv-dir", "[options]") {
    auto o = parse({"--format", "csv"});
    REQUIRE(o);
    CHECK(o->csv_dir.empty());
    CHECK(parse({"--format", "csv", "--show", "cpu"}));
    o = parse({"--csv-dir", "out", "--show", "all"});
    REQUIRE(o);
    CHECK(o->format == OutputFormat::csv);
    CHECK(o->batch);
    CHECK(parse({"--csv-dir", "out", "--format", "csv", "--show", "sensors"}));
}

TEST_CASE("help and version", "[options]") {
    CHECK(parse({"--help"})->action == Options::Action::help);
    CHECK(parse({"-h"})->action == Options::Action::help);
    CHECK(parse({"--version"})->action == Options::Action::version);
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
    auto o = parse({"-b", "--record", "r", "--record-rotate", "1d", "--record-keep", "7"});
    REQUIRE(o);
    CHECK(o->record_keep.keep_files == 7);
    CHECK(o->record_keep.keep_for_s == 0);
    o = parse({"-b", "--record", "r", "--record-max-size", "1G", "--record-keep-for", "7d"});
    REQUIRE(o);
    CHECK(o->record_keep.keep_for_s == 7 * 86400);
    CHECK(o->record_keep.keep_files == 0);
    CHECK(parse({"--record", "r", "--record-rotate=1h", "--record-keep=2", "--record-keep-for=1h"})
              ->record_keep.limited());
    CHECK_FALSE(parse({"--record", "r", "--record-rotate", "1h"})->record_keep.limited());
    struct Bad {
        std::vector<const char*> args;
        const char* must_contain;
    };
    for (const Bad& c : std::initializer_list<Bad>{
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
        auto bad = parse(c.args);
        INFO(c.must_contain);
        REQUIRE_FALSE(bad);
        CHECK_THAT(bad.error().message, Catch::Contains(c.must_contain));
        CHECK(bad.error().message.find('\n') == std::string::npos);
    }
}
