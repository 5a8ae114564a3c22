#include <catch2/catch.hpp>

#include "vigil/collect/proc_parsers.hpp"

using namespace vigil;

namespace {
std::string stat_with(std::string comm, std::string tail_after_state = "") {
    return "4242 (" + comm + ") S 17 4242 4242 0 -1 4194560 1 0 0 0 3 1 0 0 20 -5 1 0 " +
           "123456 10485760 300 18446744073709551615 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1" +
           tail_after_state + "\n";
}
}  // namespace

TEST_CASE("parse_pid_stat reads ids, state, nice and start time", "[parse]") {
    auto s = parse_pid_stat(stat_with("bash"));
    REQUIRE(s);
    CHECK(s->pid == 4242);
    CHECK(s->comm == "bash");
    CHECK(s->state == 'S');
    CHECK(s->ppid == 17);
    CHECK(s->nice == -5);
    CHECK(s->start_ticks == 123456);
}

TEST_CASE("parse_pid_stat reads the priority as top's PR", "[parse]") {
    // Field 18: 20 + nice here (nice -5); a real-time task's is -1 less its rt priority.
    auto s = parse_pid_stat(stat_with("bash"));
    REQUIRE(s);
    REQUIRE(s->priority);
    CHECK(*s->priority == 20);
    auto rt = parse_pid_stat("9 (rt) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 -100 0 1 0 5 0 0\n");
    REQUIRE(rt);
    CHECK(*rt->priority == -100);
    auto dl = parse_pid_stat("9 (dl) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 -101 0 1 0 5 0 0\n");
    REQUIRE(dl);
    CHECK(*dl->priority == -101);
    // No kernel gives 500: the priority is unknown, the rest of the line still reads.
    auto odd = parse_pid_stat("9 (x) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 500 0 1 0 5 0 0\n");
    REQUIRE(odd);
    CHECK_FALSE(odd->priority.has_value());
    CHECK(odd->start_ticks == 5);
    // A reused struct forgets the last line's priority.
    PidStat reused;
    REQUIRE(parse_pid_stat_into(stat_with("bash"), reused));
    REQUIRE(parse_pid_stat_into("9 (x) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 500 0 1 0 5 0 0\n", reused));
    CHECK_FALSE(reused.priority.has_value());
}

TEST_CASE("parse_statm and VmSwap: the memory top shows", "[parse]") {
    auto m = parse_statm("102400 25600 1024 10 0 30000 0\n");
    REQUIRE(m);
    CHECK(m->size_pages == 102400);
    CHECK(m->resident_pages == 25600);
    CHECK(m->shared_pages == 1024);
    auto kernel = parse_statm("0 0 0 0 0 0 0\n");
    REQUIRE(kernel);
    CHECK(kernel->resident_pages == 0);
    CHECK_FALSE(parse_statm("12 x 3\n"));
    CHECK_FALSE(parse_statm("12 13\n"));
    CHECK_FALSE(parse_statm(""));

    const std::string head = "Name:\tapp\nState:\tS (sleeping)\nTgid:\t7\nPid:\t7\n";
    CHECK(parse_status_swap_kib(head + "VmSize:\t  1000 kB\nVmSwap:\t    2048 kB\n") == 2048);
    // A kernel thread or a zombie: no Vm lines, nothing swapped.
    CHECK(parse_status_swap_kib(head + "Threads:\t1\n") == 0);
    // Vm lines without VmSwap, a bad value, not a status file: unknown.
    CHECK_FALSE(parse_status_swap_kib(head + "VmSize:\t  1000 kB\n").has_value());
    CHECK_FALSE(parse_status_swap_kib(head + "VmSwap:\t  lots kB\n").has_value());
    CHECK_FALSE(parse_status_swap_kib("").has_value());

    const std::string swaps = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    CHECK(parse_swaps_in_use(swaps) == false);  // no swap area at all
    CHECK(parse_swaps_in_use(swaps + "/swap\\040file  file  1048572  0  -2\n") == false);
    CHECK(parse_swaps_in_use(swaps + "/dev/zram0  partition  1048572  0  100\n" +
                             "/dev/sda2  partition  2097148  4  -2\n") == true);
    CHECK_FALSE(parse_swaps_in_use("").has_value());
    CHECK_FALSE(parse_swaps_in_use(swaps + "/dev/sda2  partition  2097148\n").has_value());
    CHECK_FALSE(parse_swaps_in_use("Name Size\n").has_value());
}

TEST_CASE("parse_pid_stat reads CPU time and faults", "[parse]") {
    // Fields 10 (minflt), 12 (majflt), 14 (utime), 15 (stime): distinct from their
    // neighbours, so a field read one off is caught.
    auto s = parse_pid_stat(
        "7 (w) R 1 7 7 0 -1 0 1001 9 1002 9 1003 1004 9 9 20 0 1 0 55 0 0 "
        "18446744073709551615 1\n");
    REQUIRE(s);
    CHECK(s->minflt == 1001);
    CHECK(s->majflt == 1002);
    CHECK(s->utime == 1003);
    CHECK(s->stime == 1004);
    CHECK(s->start_ticks == 55);
    CHECK_FALSE(parse_pid_stat("7 (w) R 1 7 7 0 -1 0 x 9 1002 9 1003 1004 9 9 20 0 1 0 55 0\n"));
}

TEST_CASE("parse_pid_stat splits at the last ')'", "[parse]") {
    auto s = parse_pid_stat(stat_with("a) (b) S 99 c"));
    REQUIRE(s);
    CHECK(s->comm == "a) (b) S 99 c");
    CHECK(s->ppid == 17);
    auto nl = parse_pid_stat(stat_with("line\nbreak)"));
    REQUIRE(nl);
    CHECK(nl->comm == "line\nbreak)");
    auto empty = parse_pid_stat(stat_with(""));
    REQUIRE(empty);
    CHECK(empty->comm.empty());
}

TEST_CASE("parse_pid_stat rejects hostile and truncated input", "[parse]") {
    CHECK_FALSE(parse_pid_stat(""));
    CHECK_FALSE(parse_pid_stat("4242 (bash"));
    CHECK_FALSE(parse_pid_stat("4242 (bash) S 1 2 3"));  // truncated before starttime
    CHECK_FALSE(parse_pid_stat("abc (bash) S 17"));
    CHECK_FALSE(parse_pid_stat("99999999999999999999999 (x) S 1"));
    std::string huge = stat_with("x");
    huge.replace(huge.find("123456"), 6, "99999999999999999999999");
    CHECK_FALSE(parse_pid_stat(huge));
    auto err = parse_pid_stat("garbage line");
    REQUIRE_FALSE(err);
    CHECK_THAT(err.error().message, Catch::Contains("garbage line"));
    // Quoted input is shortened and escaped: the error may reach a terminal.
    auto hostile = parse_pid_stat("\x1b]0;title\x07" + std::string(500, 'y'));
    REQUIRE_FALSE(hostile);
    CHECK(hostile.error().message ==
          "stat: cannot parse line '\\e]0;title\\x07" + std::string(70, 'y') + "'");
}

TEST_CASE("parse_pid_io", "[parse]") {
    auto io = parse_pid_io(
        "rchar: 100\nwchar: 200\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\n"
        "cancelled_write_bytes: 512\n");
    REQUIRE(io);
    CHECK(io->read_bytes == 4096);
    CHECK(io->write_bytes == 8192);
    CHECK(io->cancelled_write_bytes == 512);
    CHECK(io->rchar == 100u);
    CHECK(io->wchar == 200u);
    CHECK(io->syscr == 1u);
    CHECK(io->syscw == 2u);
    // A file without them (the fixtures' trimmed ones): the storage counters only.
    auto bare = parse_pid_io("read_bytes: 1\nwrite_bytes: 2\ncancelled_write_bytes: 0\n");
    REQUIRE(bare);
    CHECK_FALSE(bare->rchar.has_value());
    CHECK(
        parse_pid_io("read_bytes: 18446744073709551615\nwrite_bytes: 0\ncancelled_write_bytes: 0\n")
            ->read_bytes == 18446744073709551615ull);
    CHECK_FALSE(parse_pid_io("read_bytes: 1\nwrite_bytes: 2\n"));
    CHECK_FALSE(parse_pid_io("read_bytes: -1\nwrite_bytes: 2\ncancelled_write_bytes: 0\n"));
    CHECK_FALSE(parse_pid_io(
        "read_bytes: 18446744073709551616\nwrite_bytes: 0\ncancelled_write_bytes: 0\n"));
    // "rchar" must not be mistaken for "read_bytes"-like prefixes.
    CHECK_FALSE(parse_pid_io("read_bytesX: 1\nwrite_bytes: 2\ncancelled_write_bytes: 0\n"));
}

TEST_CASE("parse_status_uid takes the real uid", "[parse]") {
    auto uid = parse_status_uid("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t5\t5\t5\t5\n");
    REQUIRE(uid);
    CHECK(*uid == 1000);
    CHECK_FALSE(parse_status_uid("Name:\tx\n"));
}

TEST_CASE("parse_vmstat_io", "[parse]") {
    auto v = parse_vmstat_io("nr_free_pages 5\npgpgin 123\npgpgout 456\npswpin 0\n");
    REQUIRE(v);
    CHECK(v->pgpgin_kib == 123);
    CHECK(v->pgpgout_kib == 456);
    CHECK_FALSE(parse_vmstat_io("pgpgin 1\n"));
}

TEST_CASE("parse_cmdline turns NULs into spaces", "[parse]") {
    CHECK(parse_cmdline(std::string("ls\0-l\0/tmp\0", 11)) == "ls -l /tmp");
    CHECK(parse_cmdline("") == "");
    CHECK(parse_cmdline(std::string("a\0\0", 3)) == "a");
    CHECK(parse_cmdline("one\ntwo") == "one\ntwo");  // escaping is the display's job
}

TEST_CASE("a command line read in part keeps its separators and counts the rest", "[parse]") {
    using namespace std::string_literals;
    // Read whole: as parse_cmdline.
    CmdlineText whole = parse_cmdline_prefix("ls\0-l\0"s, 6, '\0');
    CHECK(whole.text == "ls -l");
    CHECK(whole.unread == 0);
    // The first 6 of 20 bytes: the trailing separator is a space (more follows), and the
    // final NUL of the 20 is no part of the text.
    CmdlineText part = parse_cmdline_prefix("ls\0-l\0"s, 20, '\0');
    CHECK(part.text == "ls -l ");
    CHECK(part.unread == 13);
    // A command line rewritten without a final NUL (setproctitle): every byte counts.
    CHECK(parse_cmdline_prefix("abc"s, 10, 'z').unread == 7);
}
