// --web-config: exporter-toolkit's YAML (good files, each bad key and value), the bounded
// file reads, bcrypt checks and their cache, and basic authentication through the server.
#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "options_util.hpp"
#include "record_util.hpp"
#include "vigil/app/metrics_server.hpp"
#include "vigil/app/options.hpp"
#include "vigil/app/web_config.hpp"
#include "vigil/core/unique_fd.hpp"

using namespace vigil;
using vigil::test::parse_args;

namespace {

// Files from memory; records what was asked for.
struct FakeFiles {
    std::map<std::string, std::string> files;
    std::vector<std::string> asked;
    WebFileReader reader() {
        return [this](const std::string& path) -> Result<std::string> {
            asked.push_back(path);
            auto it = files.find(path);
            if (it == files.end()) return make_error("'" + path + "': No such file or directory");
            return it->second;
        };
    }
};

// A bcrypt hash of password at cost 4 (fast), made by libxcrypt.
std::string bcrypt(const std::string& password, const char* prefix = "$2b$") {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    REQUIRE(crypt_gensalt_rn(prefix, 4, nullptr, 0, setting, sizeof setting));
    crypt_data data{};
    const char* out = crypt_rn(password.c_str(), setting, &data, sizeof data);
    REQUIRE(out);
    REQUIRE(out[0] == '$');
    return out;
}

// The error of parsing text (with no files), or "" when it parses.
std::string error_of(const std::string& text) {
    FakeFiles f;
    f.files["/etc/vigil/s.crt"] = "CERT";
    f.files["/etc/vigil/s.key"] = "KEY";
    f.files["/etc/vigil/ca.crt"] = "CA";
    auto c = parse_web_config(text, "/etc/vigil/", f.reader());
    return c ? std::string() : c.error().message;
}

// One HTTP/1.0 request to 127.0.0.1:port; the whole answer (headers and body).
std::string http(std::uint16_t port, const std::string& request) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::write(fd.get(), request.data(), request.size()) ==
            static_cast<ssize_t>(request.size()));
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

std::string get(std::uint16_t port, const std::string& path, const std::string& auth = "") {
    std::string r = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
    if (!auth.empty()) r += "Authorization: Basic " + auth + "\r\n";
    return http(port, r + "\r\n");
}

}  // namespace

TEST_CASE("web config: exporter-toolkit's keys, paths from the file's directory", "[web]") {
    const std::string hash = bcrypt("secret");
    const std::string text =
        "# node_exporter's web.config.file\n"
        "tls_server_config:\n"
        "  cert_file: s.crt\n"
        "  key_file: /etc/vigil/s.key\n"
        "  client_auth_type: RequireAndVerifyClientCert\n"
        "  client_ca_file: ca.crt\n"
        "  min_version: TLS13\n"
        "http_server_config:\n"
        "  http2: false\n"
        "  headers:\n"
        "    X-Frame-Options: deny\n"
        "    Strict-Transport-Security: max-age=31536000\n"
        "basic_auth_users:\n"
        "  prometheus: '" +
        hash + "'\n  grafana: \"" + hash + "\"\n";
    FakeFiles f;
    f.files["/etc/vigil/s.crt"] = "CERT";
    f.files["/etc/vigil/s.key"] = "KEY";
    f.files["/etc/vigil/ca.crt"] = "CA";
    auto c = parse_web_config(text, "/etc/vigil/", f.reader());
    REQUIRE(c);
    REQUIRE(c->tls);
    CHECK(c->tls->cert_pem == "CERT");
    CHECK(c->tls->key_pem == "KEY");
    CHECK(c->tls->client_ca_pem == "CA");
    CHECK(c->tls->client_auth == ClientAuth::require_and_verify);
    CHECK(c->tls->min_version == "TLS13");
    CHECK(c->tls->cert_source == "/etc/vigil/s.crt");
    CHECK(f.asked ==
          std::vector<std::string>{"/etc/vigil/s.crt", "/etc/vigil/s.key", "/etc/vigil/ca.crt"});
    REQUIRE(c->users.size() == 2);
    CHECK(c->users[0] == std::pair<std::string, std::string>{"prometheus", hash});
    CHECK(c->users[1].first == "grafana");
    REQUIRE(c->headers.size() == 2);
    CHECK(c->headers[0] == std::pair<std::string, std::string>{"X-Frame-Options", "deny"});
    CHECK(tls_priorities(*c->tls) == "NORMAL:-VERS-ALL:+VERS-TLS1.3");

    WebTlsConfig t;
    CHECK(tls_priorities(t) == "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
    t.min_version = "TLS10";
    t.max_version = "TLS12";
    CHECK(tls_priorities(t) == "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0");
}

TEST_CASE("web config: empty parts mean plain HTTP, as in exporter-toolkit", "[web]") {
    FakeFiles f;
    for (const char* text : {"", "# nothing\n", "tls_server_config:\n", "basic_auth_users: ~\n",
                             "tls_server_config:\n  cert_file:\n  key_file: ''\n"}) {
        INFO(text);
        auto c = parse_web_config(text, "/x/", f.reader());
        REQUIRE(c);
        CHECK_FALSE(c->tls);
        CHECK(c->users.empty());
    }
    CHECK(f.asked.empty());
    // Inline PEM instead of files.
    auto c = parse_web_config("tls_server_config:\n  cert: |\n    PEM1\n  key: PEM2\n", "/x/",
                              f.reader());
    REQUIRE(c);
    REQUIRE(c->tls);
    CHECK(c->tls->cert_pem == "PEM1\n");
    CHECK(c->tls->key_pem == "PEM2");
    CHECK(c->tls->client_auth == ClientAuth::none);
}

TEST_CASE("web config: each bad key or value is one line naming it", "[web]") {
    const std::string tls = "tls_server_config:\n  cert_file: s.crt\n  key_file: s.key\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"tls_server_confg:\n  cert_file: a\n", "unknown key 'tls_server_confg'"},
        {"tls_server_config:\n  cert_fil: a\n", "unknown key 'tls_server_config.cert_fil'"},
        {"http_server_config:\n  header: {}\n", "unknown key 'http_server_config.header'"},
        {"rate_limit:\n  burst: 1\n", "rate_limit: exporter-toolkit's key, which vigil does not"},
        {tls + "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n", "tls_server_config.cipher_suites"},
        {tls + "  client_allowed_sans: [a]\n", "tls_server_config.client_allowed_sans"},
        {tls + "  min_version: TLS14\n", "tls_server_config.min_version: 'TLS14' is not a TLS"},
        {tls + "  max_version: tls13\n", "tls_server_config.max_version: 'tls13'"},
        {tls + "  min_version: TLS13\n  max_version: TLS12\n", "'TLS12' is older than"},
        {tls + "  client_auth_type: Always\n", "client_auth_type: 'Always' is not a client auth"},
        {tls + "  client_auth_type: RequireAnyClientCert\n  client_ca_file: ca.crt\n",
         "'RequireAnyClientCert' (a client certificate that is not verified) is not supported"},
        {tls + "  client_auth_type: RequireAndVerifyClientCert\n", "needs client_ca_file"},
        {tls + "  client_ca_file: ca.crt\n", "client_ca_file is given but client_auth_type"},
        {tls + "  cert: inline\n", "cert_file and tls_server_config.cert: give one"},
        {"tls_server_config:\n  key_file: s.key\n", "cert_file is missing"},
        {"tls_server_config:\n  cert_file: s.crt\n", "key_file is missing"},
        {"tls_server_config:\n  cert_file: nothere.crt\n  key_file: s.key\n",
         "tls_server_config.cert_file: '/etc/vigil/nothere.crt': No such file"},
        {"tls_server_config:\n  cert_file: [a, b]\n  key_file: s.key\n",
         "tls_server_config.cert_file: expected a string, not a list (line 2)"},
        {"tls_server_config: yes\n", "tls_server_config: expected a mapping"},
        {"- a\n- b\n", ": expected a mapping"},
        {"basic_auth_users:\n  alice: hunter2\n", "basic_auth_users.alice: not a bcrypt hash"},
        {"basic_auth_users:\n  'a:b': x\n", "user name 'a:b' holds a ':'"},
        {"basic_auth_users:\n  alice: a\n  alice: b\n", "basic_auth_users.alice: given twice"},
        {"http_server_config:\n  headers:\n    Server: vigil\n", "header 'Server' cannot be set"},
        {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
         "http_server_config.headers.X-Frame-Options: 'allow' (expected deny or sameorigin)"},
        {"http_server_config:\n  http2: maybe\n", "http2: 'maybe' is not true or false"},
        {"tls_server_config:\n  cert_file: [a\n", "did not find expected ',' or ']'"},
        {"a: b\na: c\n", "a: given twice"},
        {"\t- x", "line 1"},
        {"a: " + std::string(40, '[') + std::string(40, ']') + "\n",
         "line 1: nested deeper than 16 levels"},
        {"a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n        i:\n"
         "         j:\n          k:\n           l:\n            m:\n             n:\n"
         "              o:\n               p:\n                q: 1\n",
         "line 17: nested deeper than 16 levels"},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        const std::string e = error_of(text);
        CHECK(e.find(expected) != std::string::npos);
        CHECK(e.find('\n') == std::string::npos);
    }
    // A password written where the hash goes is not repeated in the message.
    CHECK(error_of("basic_auth_users:\n  alice: hunter2\n").find("hunter2") == std::string::npos);
}

TEST_CASE("web config: bcrypt hashes by their form", "[web]") {
    const std::string h = bcrypt("x");
    CHECK(is_bcrypt_hash(h));
    CHECK(is_bcrypt_hash("$2y$" + h.substr(4)));
    CHECK(is_bcrypt_hash("$2a$" + h.substr(4)));
    CHECK_FALSE(is_bcrypt_hash("$2x$" + h.substr(4)));     // the old bug's form
    CHECK_FALSE(is_bcrypt_hash("$2b$03$" + h.substr(7)));  // cost below 4
    CHECK_FALSE(is_bcrypt_hash("$2b$32$" + h.substr(7)));
    CHECK_FALSE(is_bcrypt_hash(h.substr(0, 59)));
    CHECK_FALSE(is_bcrypt_hash(h.substr(0, 59) + "!"));
    CHECK_FALSE(is_bcrypt_hash("$6$salt$hash"));
    CHECK_FALSE(is_bcrypt_hash(""));
}

TEST_CASE("web config: basic auth checks by bcrypt and keeps the answers", "[web]") {
    const std::string alice = bcrypt("alice's password");
    const std::string bob = bcrypt("bob's", "$2y$");
    BasicAuth auth({{"alice", alice}, {"bob", bob}});
    CHECK(auth.check("alice", "alice's password"));
    CHECK(auth.bcrypt_runs() == 1);
    for (int i = 0; i < 10; ++i) CHECK(auth.check("alice", "alice's password"));
    CHECK(auth.bcrypt_runs() == 1);  // kept: one bcrypt for every scrape after the first
    CHECK(auth.check("bob", "bob's"));
    CHECK_FALSE(auth.check("alice", "bob's"));
    CHECK_FALSE(auth.check("bob", "alice's password"));
    CHECK_FALSE(auth.check("alice", "alice's passwor"));
    CHECK_FALSE(auth.check("alice", std::string("alice's password\0x", 18)));
    CHECK_FALSE(auth.check("carol", "alice's password"));  // unknown: refused after a bcrypt
    CHECK_FALSE(auth.check("", "x"));
    const auto runs = auth.bcrypt_runs();
    CHECK(runs == 8);
    CHECK_FALSE(auth.check("bob", "alice's password"));  // refusals are kept too
    CHECK(auth.bcrypt_runs() == runs);
    // The pair is the key: alice's password under another name is not alice's answer.
    CHECK_FALSE(auth.check("alicea", "'s password"));
    // Bounded: a stream of new wrong passwords keeps at most kCacheSize refusals, and the
    // accepted pairs stay.
    for (int i = 0; i < 200; ++i) CHECK_FALSE(auth.check("alice", "guess " + std::to_string(i)));
    CHECK(auth.cached() <= 2 * BasicAuth::kCacheSize);
    const auto before = auth.bcrypt_runs();
    CHECK(auth.check("alice", "alice's password"));
    CHECK(auth.bcrypt_runs() == before);

    BasicAuth none({});
    CHECK(none.empty());
    CHECK_FALSE(none.check("alice", "x"));
}

TEST_CASE("web config: files are read bounded, and the TLS material is checked", "[web]") {
    test::TempDir dir;
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir.file(name)) << text;
        return dir.file(name);
    };
    // Missing, a directory, a FIFO (not waited on), too large.
    auto r = load_web_config(dir.file("none.yml"));
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("none.yml': No such file") != std::string::npos);
    CHECK(load_web_config(dir.path()).error().message.find("not a regular file") !=
          std::string::npos);
    REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    CHECK(load_web_config(dir.file("fifo")).error().message.find("not a regular file") !=
          std::string::npos);
    // Deep nesting is refused at once (libyaml's scanner is quadratic in it); a file of
    // 1 MiB of brackets is read in well under a second.
    write("deep.yml", "a: " + std::string(kWebConfigMaxBytes / 2 - 4, '[') +
                          std::string(kWebConfigMaxBytes / 2 - 4, ']'));
    CHECK(load_web_config(dir.file("deep.yml")).error().message.find("nested deeper") !=
          std::string::npos);
    write("big.yml", std::string(kWebConfigMaxBytes + 1, '#'));
    CHECK(load_web_config(dir.file("big.yml")).error().message.find("larger than 1024 KiB") !=
          std::string::npos);
    // Paths relative to the file's directory; GnuTLS refuses what is not a certificate.
    write("s.crt", "not a certificate\n");
    write("s.key", "not a key\n");
    const std::string conf =
        write("web.yml", "tls_server_config:\n  cert_file: s.crt\n  key_file: s.key\n");
    r = load_web_config(conf);
    REQUIRE_FALSE(r);
    const std::string& e = r.error().message;
    CHECK(e.starts_with("--web-config '" + conf + "': tls_server_config: the certificate '" +
                        dir.file("s.crt") + "' with the key '" + dir.file("s.key") + "': "));
    // Good: basic auth only.
    const std::string ok = write("auth.yml", "basic_auth_users:\n  u: " + bcrypt("p") + "\n");
    r = load_web_config(ok);
    REQUIRE(r);
    CHECK(r->path == ok);
    CHECK(r->users.size() == 1);

    // Options: read when parsed; --web-config needs --listen.
    auto o = parse_args({"--listen", "127.0.0.1:0", "--web-config", ok.c_str()});
    REQUIRE(o);
    REQUIRE(o->web_config);
    CHECK(o->web_config->users.size() == 1);
    auto no_listen = parse_args({"--web-config", ok.c_str()});
    REQUIRE_FALSE(no_listen);
    CHECK(no_listen.error().message == "--web-config needs --listen [ADDR:]PORT");
    auto bad = parse_args({"--listen", "0", "--web-config", conf.c_str()});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.starts_with("--web-config '"));
}

TEST_CASE("metrics server: basic auth asks, refuses and admits", "[web][metrics]") {
    auto web = std::make_shared<WebConfig>();
    web->users = {{"prometheus", bcrypt("s3cret")}};
    web->headers = {{"X-Content-Type-Options", "nosniff"}};
    auto where = parse_listen_address("127.0.0.1:0");
    REQUIRE(where);
    auto s = MetricsServer::start(*where, MetricsServer::Limits{}, web);
    REQUIRE(s);
    (*s)->publish("vigil_up 1\n", "vigil_up 1\n# EOF\n");
    const std::uint16_t port = (*s)->port();
    // prometheus:s3cret, prometheus:wrong, nobody:s3cret in base64
    const std::string right = "cHJvbWV0aGV1czpzM2NyZXQ=";
    const std::string wrong = "cHJvbWV0aGV1czp3cm9uZw==";
    const std::string nobody = "bm9ib2R5OnMzY3JldA==";
    std::string a = get(port, "/metrics");
    CHECK(a.starts_with("HTTP/1.0 401") + a.starts_with("HTTP/1.1 401") == 1);
    CHECK(a.find("WWW-Authenticate: Basic realm=\"vigil\"") != std::string::npos);
    CHECK(a.find("X-Content-Type-Options: nosniff") != std::string::npos);
    CHECK(a.find("vigil_up") == std::string::npos);
    CHECK(get(port, "/metrics", wrong).find(" 401 ") != std::string::npos);
    CHECK(get(port, "/metrics", nobody).find(" 401 ") != std::string::npos);
    CHECK(get(port, "/nothing", wrong).find(" 401 ") != std::string::npos);
    a = get(port, "/metrics", right);
    CHECK(a.find(" 200 ") != std::string::npos);
    CHECK(a.find("\r\n\r\nvigil_up 1\n") != std::string::npos);
    CHECK(a.find("X-Content-Type-Options: nosniff") != std::string::npos);
    CHECK(get(port, "/nothing", right).find(" 404 ") != std::string::npos);
    CHECK((*s)->scrapes() == 1);
}

TEST_CASE("web config: the fuzzer's seeds parse (or fail) as meant", "[web]") {
    const std::string dir = std::string(VIGIL_FIXTURES) + "/web-config/";
    const WebFileReader pem = [](const std::string& path) {
        return Result<std::string>("PEM of " + path);
    };
    auto full = parse_web_config(test::read_file(dir + "full.yml"), "/etc/vigil/", pem);
    REQUIRE(full);
    REQUIRE(full->tls);
    CHECK(full->tls->cert_pem == "PEM of /etc/vigil/server.crt");
    CHECK(full->tls->key_pem == "PEM of /etc/vigil/server.key");
    CHECK(full->tls->max_version == "TLS13");
    CHECK(full->users.size() == 2);
    CHECK(full->headers.size() == 3);
    auto flow = parse_web_config(test::read_file(dir + "flow.yml"), "/etc/vigil/", pem);
    REQUIRE(flow);
    REQUIRE(flow->tls);
    CHECK(flow->tls->cert_pem == "-----BEGIN CERTIFICATE-----\n");
    CHECK(flow->tls->client_auth == ClientAuth::verify_if_given);
    REQUIRE(flow->users.size() == 2);
    CHECK(flow->users[0].second == flow->users[1].second);  // the alias
    CHECK_FALSE(parse_web_config(test::read_file(dir + "broken.yml"), "/etc/vigil/", pem));
}
