// The process inspector: its parsers on inline text, inspect_process() on the fixture tree
// tests/fixtures/inspect (tests/fixtures/make_inspect_fixture.py), and its writers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "fake_clock.hpp"
#include "fixture_util.hpp"
#include "options_util.hpp"
#include "record_util.hpp"
#include "vigil/app/options.hpp"
#include "vigil/collect/inspect_parsers.hpp"
#include "vigil/collect/process_inspector.hpp"
#include "vigil/ui/batch/inspect_writer.hpp"

using namespace vigil;

namespace {

const Limit* find_limit(const std::vector<Limit>& ls, std::string_view id) {
    auto it = std::find_if(ls.begin(), ls.end(), [&](const Limit& l) { return l.id == id; });
    return it == ls.end() ? nullptr : &*it;
}

const OpenFile* find_fd(const FilesInfo& f, int fd) {
    auto it =
        std::find_if(f.fds.begin(), f.fds.end(), [&](const OpenFile& o) { return o.fd == fd; });
    return it == f.fds.end() ? nullptr : &*it;
}

bool has_problem(const SectionStatus& s, std::string_view item, ReadFailure why) {
    return std::any_of(s.problems.begin(), s.problems.end(),
                       [&](const ReadProblem& p) { return p.item == item && p.why == why; });
}

struct Fixture {
    FsRoot proc{test::fixture("inspect")};
    test::FakeClock clock{100.0, 1000.0, std::int64_t{1'700'000'000} * 1'000'000'000};
    UserNames users;
    InspectContext ctx{proc, false, clock, users};
};

}  // namespace

TEST_CASE("parse_limits reads soft, hard, units and unlimited", "[inspect]") {
    auto ls = parse_limits(
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max cpu time              unlimited            unlimited            seconds   \n"
        "Max open files            777                  4096                 files     \n"
        "Max nice priority         0                    0                    \n");
    REQUIRE(ls);
    REQUIRE(ls->size() == 3);
    const Limit* nofile = find_limit(*ls, "nofile");
    REQUIRE(nofile);
    CHECK(nofile->name == "Max open files");
    CHECK(!nofile->soft->unlimited);
    CHECK(nofile->soft->value == 777);
    CHECK(nofile->hard->value == 4096);
    CHECK(nofile->units == "files");
    CHECK(find_limit(*ls, "cpu")->soft->unlimited);
    CHECK(find_limit(*ls, "nice")->units.empty());
    CHECK_FALSE(parse_limits("Max open files 1 2 files\n"));  // no header
    CHECK_FALSE(parse_limits("Limit Soft\nMax open files lots 2 files\n"));
}

TEST_CASE("parse_smaps_rollup gives bytes; USS is Private_Clean + Private_Dirty", "[inspect]") {
    auto r = parse_smaps_rollup(
        "00400000-7ffd0000 ---p 00000000 00:00 0 [rollup]\nRss: 100 kB\nPss: 80 kB\n"
        "Shared_Clean: 10 kB\nShared_Dirty: 5 kB\nPrivate_Clean: 20 kB\nPrivate_Dirty: 65 kB\n"
        "Swap: 3 kB\nSwapPss: 2 kB\n");
    REQUIRE(r);
    CHECK(r->rss == 100 * 1024);
    CHECK(r->pss == 80 * 1024);
    CHECK(*r->private_clean + *r->private_dirty == 85 * 1024);
    CHECK(r->swap == 3 * 1024);
    CHECK_FALSE(parse_smaps_rollup("Pss: 1 kB\n"));
}

TEST_CASE("parse_smaps_top keeps the largest mappings and drops a cut last one", "[inspect]") {
    const std::string smaps =
        "00400000-00600000 r-xp 00000000 08:01 12 /usr/bin/x\nRss: 100 kB\nPss: 50 kB\n"
        "7f0000000000-7f0000100000 rw-p 00000000 00:00 0 \nRss: 900 kB\n"
        "7f0000200000-7f0000300000 rw-p 00000000 00:00 0 [heap]\nRss: 300 kB\n";
    std::size_t seen = 0;
    auto top = parse_smaps_top(smaps, 2, true, seen);
    CHECK(seen == 3);
    REQUIRE(top.size() == 2);
    CHECK(top[0].rss_bytes == 900 * 1024);
    CHECK(top[0].path.empty());
    CHECK(top[1].path == "[heap]");
    CHECK(top[0].size_bytes == 0x100000);
    auto cut = parse_smaps_top(smaps, 5, false, seen);
    CHECK(seen == 2);
    CHECK(cut.size() == 2);
}

TEST_CASE("parse_status reads ids, memory lines, switches and affinity", "[inspect]") {
    auto s = parse_status(
        "Name:\tx\nUid:\t1000\t1001\t1002\t1003\nGid:\t5\t6\t7\t8\nVmSize:\t  2048 kB\n"
        "VmRSS:\t 1024 kB\nSigQ:\t3/63000\nCpus_allowed_list:\t0-3,8\n"
        "voluntary_ctxt_switches:\t150\nnonvoluntary_ctxt_switches:\t7\n");
    REQUIRE(s.uid);
    CHECK((*s.uid)[1] == 1001);
    CHECK((*s.gid)[3] == 8);
    CHECK(s.vm_size == 2048 * 1024);
    CHECK(s.vm_rss == 1024 * 1024);
    CHECK(!s.vm_swap);  // a kernel thread has no Vm lines: unknown, not 0
    CHECK(s.sigq_pending == 3);
    CHECK(s.cpus_allowed_list == "0-3,8");
    CHECK(s.voluntary_switches == 150);
    CHECK(s.involuntary_switches == 7);
}

TEST_CASE("the net tables give protocol, addresses and state by inode", "[inspect]") {
    std::unordered_map<std::uint64_t, SocketInfo> t;
    ParseNotes notes;
    parse_inet_table(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 "
        "       0 5001 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:A000 0100007F:1F90 06 00000000:00000000 03:00000ABC 00000000     0 "
        "       0 0 3 0000000000000000\n",
        "tcp", t, notes);
    CHECK(!notes.note());
    REQUIRE(t.count(5001));
    CHECK(t[5001].local == "127.0.0.1:8080");
    CHECK(t[5001].remote == "0.0.0.0:0");
    CHECK(t[5001].state == "LISTEN");
    CHECK(t.size() == 1);  // the TIME_WAIT entry has no inode
    parse_inet_table(
        "header\n   0: 00000000000000000000000001000000:C350 "
        "00000000000000000000000001000000:0016 01 00000000:00000000 00:00000000 00000000  1000 "
        "       0 5002 1\n",
        "tcp6", t, notes);
    CHECK(t[5002].local == "[::1]:50000");
    CHECK(t[5002].remote == "[::1]:22");
    CHECK(t[5002].state == "ESTABLISHED");
    parse_inet_table(
        "header\n 1: 00000000:0035 00000000:0000 07 0:0 0:0 0 101 0 5003 2\n"
        " 2: garbage\n",
        "udp", t, notes);
    CHECK(t[5003].state == "UNCONN");
    CHECK(t[5003].protocol == "udp");
    REQUIRE(notes.note());
    CHECK(notes.note()->find("udp: ignored malformed line") == 0);
    parse_unix_table(
        "Num RefCount Protocol Flags Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 5004 /run/app.sock\n"
        "0000000000000000: 00000003 00000000 00000000 0002 03 5005\n",
        t, notes);
    CHECK(t[5004].protocol == "unix/stream");
    CHECK(t[5004].local == "/run/app.sock");
    CHECK(t[5004].state == "LISTEN");
    CHECK(t[5005].protocol == "unix/dgram");
    CHECK(t[5005].local.empty());
    CHECK(t[5005].state == "CONNECTED");
}

TEST_CASE("fd targets, environ, tty numbers and full stat lines", "[inspect]") {
    CHECK(classify_fd(3, "socket:[42]").type == "socket");
    CHECK(classify_fd(3, "socket:[42]").inode == 42u);
    CHECK(classify_fd(3, "pipe:[7]").type == "pipe");
    CHECK(classify_fd(3, "anon_inode:[eventfd]").type == "anon_inode");
    CHECK(classify_fd(3, "/dev/pts/1").type == "device");
    CHECK(classify_fd(3, "/memfd:x (deleted)").type == "memfd");
    CHECK(classify_fd(3, "/tmp/a b").type == "file");
    CHECK(classify_fd(3, "net:[1]").type == "other");

    auto env = parse_environ(std::string("A=1\0B=x=y\0C\0\0", 12));
    REQUIRE(env.size() == 3);
    CHECK(env[1] == std::pair<std::string, std::string>{"B", "x=y"});
    CHECK(env[2].first == "C");

    CHECK(tty_name(0).empty());
    CHECK(tty_name(34816) == "pts/0");
    CHECK(tty_name(34816 + 3) == "pts/3");
    CHECK(tty_name(1025) == "tty1");
    CHECK(tty_name(1024 + 64) == "ttyS0");

    auto st = parse_full_stat("7 (a) b)) R 1 7 7 0 -1 0 0 0 0 0 12 34 5 6 20 -3 4 0 999 4096 1");
    REQUIRE(st);
    CHECK(st->comm == "a) b)");
    CHECK(st->state == 'R');
    CHECK(st->utime == 12);
    CHECK(st->cstime == 6);
    CHECK(st->nice == -3);
    CHECK(st->num_threads == 4);
    CHECK(st->start_ticks == 999);
    CHECK(st->vsize == 4096);
    CHECK(!st->policy);  // an old kernel's short line: unknown
    CHECK_FALSE(parse_full_stat("7 (a) R 1"));
}

TEST_CASE("inspect_process reads every section of the fixture process", "[inspect]") {
    Fixture fx;
    auto info = inspect_process(fx.ctx, 4242);
    REQUIRE(info);
    const IdentityInfo& id = info->identity;
    CHECK(id.name == "py (app)");
    REQUIRE(id.ppid_chain.size() == 2);
    CHECK(id.ppid_chain[0].pid == 4200);
    CHECK(id.ppid_chain[0].name == "bash");
    CHECK(id.ppid_chain[1].pid == 1);
    CHECK(id.ppid_chain[1].name == "init");
    REQUIRE(id.uids);
    CHECK(id.uids->ids == std::array<std::uint32_t, 4>{1000, 1001, 1002, 1003});
    CHECK(id.gids->ids[0] == 100);
    CHECK(id.cmdline == "python3 -c print('\x1b[31mred')");
    CHECK(id.exe == "/usr/bin/python3.11");
    CHECK(id.cwd == "/home/alice/work dir");
    CHECK(id.root == "/");
    CHECK(id.tty == "pts/0");
    CHECK(id.session == 4100);
    CHECK(id.start_since_boot_s == Approx(50.0));
    CHECK(id.age_s == Approx(950.0));
    CHECK(id.start_wall_s == 1'700'000'000 - 950);
    REQUIRE(id.cgroups.size() == 1);
    CHECK(id.cgroups[0] == "0::/user.slice/app.service");
    REQUIRE(id.namespaces.size() == 3);
    for (const Namespace& ns : id.namespaces) CHECK(ns.differs_from_init == (ns.type == "net"));
    CHECK(id.status.state() == SectionStatus::State::ok);

    const CpuInfo& cpu = info->cpu;
    CHECK(cpu.state == 'S');
    CHECK(cpu.wchan == "do_epoll_wait");
    CHECK(cpu.user_s == Approx(2.5));
    CHECK(cpu.system_s == Approx(0.5));
    CHECK(cpu.voluntary_switches == 150);
    CHECK(cpu.cpus_allowed == "0-3");
    CHECK(cpu.policy == "normal");
    CHECK(cpu.nice == 5);
    CHECK(!cpu.ioprio);  // not the live system: no syscall about the fixture's PID
    // The fixture has no stack file: said, not left blank.
    CHECK(has_problem(cpu.status, "stack", ReadFailure::unsupported));
    CHECK(cpu.status.state() == SectionStatus::State::partial);

    const MemoryInfo& m = info->memory;
    CHECK(m.rss_bytes == 65536u * 1024);
    CHECK(m.pss_bytes == 64000u * 1024);
    CHECK(m.uss_bytes == 64000u * 1024);  // 4000 + 60000 kB
    CHECK(m.shared_bytes == 1536u * 1024);
    CHECK(m.swap_bytes == 128u * 1024);
    CHECK(m.virt_bytes == 102400u * 1024);
    CHECK(m.mappings_seen == 4);
    REQUIRE(m.top_mappings.size() == 4);
    CHECK(m.top_mappings[0].rss_bytes == 60000u * 1024);
    CHECK(m.top_mappings[1].path == "/usr/bin/python3.11");

    const IoInfo& io = info->io;
    CHECK(io.read_bytes == 4096);
    CHECK(io.write_bytes == 8192);
    CHECK(io.cancelled_write_bytes == 512);
    CHECK(io.rchar == 5000);
    CHECK(io.syscw == 80);
    CHECK(io.blkio_delay_s == Approx(2.5));

    const FilesInfo& f = info->files;
    CHECK(f.count == 9);
    REQUIRE(find_fd(f, 0));
    CHECK(find_fd(f, 0)->type == "device");
    CHECK(find_fd(f, 1)->target == "/home/alice/log.txt");
    CHECK(find_fd(f, 3)->type == "pipe");
    const OpenFile* listen = find_fd(f, 4);
    REQUIRE(listen->socket);
    CHECK(listen->socket->protocol == "tcp");
    CHECK(listen->socket->local == "127.0.0.1:8080");
    CHECK(listen->socket->state == "LISTEN");
    CHECK(find_fd(f, 5)->socket->remote == "[::1]:22");
    CHECK(find_fd(f, 6)->socket->protocol == "udp");
    CHECK(find_fd(f, 7)->socket->local == "/run/app.sock");
    CHECK(find_fd(f, 8)->type == "anon_inode");
    CHECK(!find_fd(f, 9)->socket);  // in no table: only its inode is known
    // The damaged udp line is said.
    CHECK(has_problem(f.status, "net/udp", ReadFailure::failed));

    const Limit* nofile = find_limit(info->limits.limits, "nofile");
    REQUIRE(nofile);
    CHECK(nofile->soft->value == 777);
    CHECK(nofile->current == 9);
    CHECK(find_limit(info->limits.limits, "as")->current == 102400u * 1024);
    CHECK(find_limit(info->limits.limits, "sigpending")->current == 3);
    CHECK(!find_limit(info->limits.limits, "nproc")->current);

    const auto& env = info->environment.vars;
    REQUIRE(env.size() == 4);
    CHECK(env[1] == std::pair<std::string, std::string>{"MARKER", "hello world"});
    CHECK(env[3].second ==
          "a\x1b"
          "b");

    REQUIRE(info->threads.threads.size() == 2);
    CHECK(info->threads.count == 2);
    CHECK(info->threads.threads[1].tid == 4243);
    CHECK(info->threads.threads[1].name == "worker");
}

TEST_CASE("inspect_process: the view's pane leaves the threads' files unread", "[inspect]") {
    Fixture fx;
    InspectContext ctx = fx.ctx;
    ctx.threads = false;  // its Threads section is the task table's rows
    auto info = inspect_process(ctx, 4242);
    REQUIRE(info);
    CHECK(info->threads.threads.empty());
    CHECK(info->threads.count == 0);
    CHECK(info->files.count == 9);  // the rest as before
    auto full = inspect_process(fx.ctx, 4242);
    REQUIRE(full);
    CHECK(full->threads.threads.size() == 2);
}

TEST_CASE("inspect_process: an absent PID is an error naming it", "[inspect]") {
    Fixture fx;
    auto info = inspect_process(fx.ctx, 999999);
    REQUIRE_FALSE(info);
    CHECK(info.error().message == "no process with PID 999999");
}

TEST_CASE("a section that cannot be read says why", "[inspect]") {
    // PID 4200 of the fixture has a stat and nothing else.
    Fixture fx;
    auto info = inspect_process(fx.ctx, 4200);
    REQUIRE(info);
    CHECK(info->environment.status.state() == SectionStatus::State::unavailable);
    CHECK(has_problem(info->environment.status, "environ", ReadFailure::unsupported));
    CHECK(info->files.status.state() == SectionStatus::State::unavailable);
    CHECK(has_problem(info->limits.status, "limits", ReadFailure::unsupported));
    CHECK(has_problem(info->identity.status, "status", ReadFailure::unsupported));
    CHECK(!info->memory.pss_bytes);
    const std::string text = format_inspect_text(*info, true, ByteUnits::human);
    CHECK(text.find("== Environment ==\n  (nothing could be read)\n  ! environ: not provided") !=
          std::string::npos);
    auto j = nlohmann::json::parse(format_inspect_json(*info));
    CHECK(j["sections"]["environment"]["status"] == "unavailable");
    CHECK(j["sections"]["environment"]["errors"][0]["item"] == "environ");
    CHECK(j["sections"]["environment"]["errors"][0]["reason"] == "unsupported");
    CHECK(j["pss_bytes"].is_null());
}

TEST_CASE("the inspector's JSON has named fields, text has titled sections", "[inspect]") {
    Fixture fx;
    auto info = inspect_process(fx.ctx, 4242);
    REQUIRE(info);
    auto j = nlohmann::json::parse(format_inspect_json(*info));
    CHECK(j["pid"] == 4242);
    CHECK(j["ppid_chain"][0]["pid"] == 4200);
    CHECK(j["cwd"] == "/home/alice/work dir");
    CHECK(j["exe"] == "/usr/bin/python3.11");
    CHECK(j["cmdline"] == "python3 -c print('\\e[31mred')");  // the data escape
    CHECK(j["rss_bytes"] == 65536 * 1024);
    CHECK(j["pss_bytes"] == 64000 * 1024);
    CHECK(j["uss_bytes"] == 64000 * 1024);
    CHECK(j["swap_bytes"] == 128 * 1024);
    CHECK(j["limits"]["nofile"]["soft"] == 777);
    CHECK(j["limits"]["nofile"]["hard"] == 4096);
    CHECK(j["limits"]["nofile"]["current"] == 9);
    CHECK(j["limits"]["cpu"]["soft"] == "unlimited");
    CHECK(j["environ"]["MARKER"] == "hello world");
    CHECK(j["environ"]["ESC"] == "a\\eb");
    CHECK(j["fds"][3]["fd"] == 4);
    CHECK(j["fds"][3]["type"] == "socket");
    CHECK(j["fds"][3]["local"] == "127.0.0.1:8080");
    CHECK(j["fds"][3]["state"] == "LISTEN");
    CHECK(j["threads"].size() == 2);
    CHECK(j["sections"]["memory"]["status"] == "ok");
    CHECK(j["sections"]["cpu"]["status"] == "partial");

    const std::string text = format_inspect_text(*info, true, ByteUnits::human);
    for (std::string_view title : kInspectSections)
        CHECK(text.find("== " + std::string(title) + " ==\n") != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);  // escaped for the terminal
    CHECK(text.find("python3 -c print('\\e[31mred')") != std::string::npos);
    CHECK(text.find("tcp LISTEN 127.0.0.1:8080") != std::string::npos);
    CHECK(text.find("MARKER=hello world") != std::string::npos);
    CHECK(text.find("! stack: not provided") != std::string::npos);
}

using vigil::test::parse_args;

TEST_CASE("--inspect takes a PID and implies batch mode", "[inspect][options]") {
    auto o = parse_args({"--inspect", "4242"});
    REQUIRE(o);
    CHECK(o->inspect_pid == 4242);
    CHECK(o->batch);
    auto j = parse_args({"-b", "--inspect=1", "--format", "json"});
    REQUIRE(j);
    CHECK(j->format == OutputFormat::json);
    for (const char* bad : {"abc", "0", "-1", "12x", "", "99999999999"}) {
        auto e = parse_args({"--inspect", bad});
        REQUIRE_FALSE(e);
        CHECK(e.error().message == "invalid --inspect '" + std::string(bad) +
                                       "': expected a PID (a positive whole number)");
    }
    CHECK_FALSE(parse_args({"--inspect", "1", "--format", "csv"}));
    CHECK_FALSE(parse_args({"--inspect", "1", "--replay", "x.vigil"}));
    CHECK(usage_text().find("--inspect=PID") != std::string::npos);
}

TEST_CASE("the man page names every field of the inspector's JSON", "[inspect][format]") {
    const std::string man = test::read_file(std::string(VIGIL_FIXTURES) + "/../../man/vigil.8");
    const auto from = man.find(".SH PROCESS INSPECTOR"), to = man.find(".SH FORMATS");
    REQUIRE(from != std::string::npos);
    REQUIRE(to > from);
    const std::string section = man.substr(from, to - from);
    auto named = [&](const std::string& word) {
        for (auto at = section.find(word); at != std::string::npos;
             at = section.find(word, at + 1)) {
            auto is_word = [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
            };
            const bool starts = at == 0 || !is_word(section[at - 1]);
            const bool ends =
                at + word.size() >= section.size() || !is_word(section[at + word.size()]);
            if (starts && ends) return true;
        }
        return false;
    };
    Fixture fx;
    auto info = inspect_process(fx.ctx, 4242);
    REQUIRE(info);
    const auto j = nlohmann::json::parse(format_inspect_json(*info));
    for (const auto& [key, value] : j.items()) {
        INFO(key);
        CHECK(named(key));
        if (key == "sections") {
            for (const auto& [name, s] : value.items()) CHECK(named(name));
        } else if (value.is_array() && !value.empty() && value[0].is_object()) {
            for (const auto& [field, v] : value[0].items()) {
                INFO(key << "." << field);
                CHECK(named(field));
            }
        }
    }
}

TEST_CASE("with delay accounting off the block I/O delay is unknown, and said why", "[inspect]") {
    FsRoot proc(test::fixture("inspect-nodelay"));
    test::FakeClock clock;
    UserNames users;
    auto info = inspect_process({proc, false, clock, users}, 7);
    REQUIRE(info);
    CHECK(!info->io.blkio_delay_s);
    CHECK(has_problem(info->io.status, "blkio_delay", ReadFailure::unsupported));
    // The fixture process of the other tree, on a machine that has it on, has a value.
    Fixture fx;
    auto on = inspect_process(fx.ctx, 4242);
    REQUIRE(on);
    CHECK(on->io.blkio_delay_s == Approx(2.5));
}
