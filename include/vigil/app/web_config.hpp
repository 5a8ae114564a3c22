// --web-config FILE: TLS and basic authentication for --listen, in the format of
// Prometheus' exporter-toolkit (the web.config.file of node_exporter and others), so one
// file serves every exporter of a machine. The YAML is read with libyaml; certificates and
// keys are checked with GnuTLS (what libmicrohttpd serves TLS with); passwords are checked
// against bcrypt hashes with libxcrypt's crypt_rn.
//
//   tls_server_config:
//     cert_file: server.crt            # paths relative to this file's directory
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: ca.crt
//     min_version: TLS12
//   http_server_config:
//     headers: {X-Frame-Options: deny}
//   basic_auth_users:
//     prometheus: $2y$10$...           # htpasswd -nBC 10 "" | tr -d ':\n'
//
// Unknown keys, keys given twice and values of the wrong kind are errors, as in
// exporter-toolkit; so are the keys vigil does not implement (cipher_suites, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vigil/core/result.hpp"

namespace vigil {

// exporter-toolkit's client_auth_type values vigil serves. RequestClientCert and
// RequireAnyClientCert (a certificate asked for but not verified) are refused: it proves
// nothing, and libmicrohttpd asks for one only with a CA to verify it by.
enum class ClientAuth { none, verify_if_given, require_and_verify };

struct WebTlsConfig {
    std::string cert_pem;       // cert_file (or cert): the server's chain, leaf first
    std::string key_pem;        // key_file (or key)
    std::string client_ca_pem;  // client_ca_file (or client_ca); empty with ClientAuth::none
    ClientAuth client_auth = ClientAuth::none;
    std::string min_version = "TLS12";  // TLS10..TLS13, as exporter-toolkit names them
    std::string max_version;            // empty: the newest GnuTLS has
    // What the key and certificate were read from, for messages ("inline" for key/cert).
    std::string cert_source, key_source, client_ca_source;
};

struct WebConfig {
    std::string path;                 // the file, for messages
    std::optional<WebTlsConfig> tls;  // no tls_server_config (or an empty one): plain HTTP
    // basic_auth_users: user name and bcrypt hash ($2a$, $2b$ or $2y$), in file order.
    std::vector<std::pair<std::string, std::string>> users;
    // http_server_config.headers: sent with every response.
    std::vector<std::pair<std::string, std::string>> headers;
};

// Reads a file that the config names (its path joined to the config's directory); the
// error names the path and why. Tests pass one that serves text from memory.
using WebFileReader = std::function<Result<std::string>(const std::string& path)>;

constexpr std::size_t kWebConfigMaxBytes = 1 << 20;  // the config, and each file it names

// The config's text; relative paths in it are taken from dir (exporter-toolkit's rule).
// Errors are one line: "KEY: why", naming the key path (tls_server_config.min_version)
// and the value refused. Pure apart from `read`.
Result<WebConfig> parse_web_config(std::string_view yaml, const std::string& dir,
                                   const WebFileReader& read);

// Reads FILE (a regular file of at most kWebConfigMaxBytes), parses it, and checks the
// certificates and the key with GnuTLS (they parse, the key matches the certificate, the
// client CA file holds a certificate). Errors: "--web-config FILE: ...".
Result<WebConfig> load_web_config(const std::string& path);

// A regular file's whole text, refused past max_bytes; an error names the path and why.
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);

// The GnuTLS priority string for min_version/max_version ("NORMAL:-VERS-ALL:+VERS-TLS1.3:...").
std::string tls_priorities(const WebTlsConfig& tls);

// Whether text is a bcrypt hash vigil can check: $2a$, $2b$ or $2y$, a cost of 04 to 31,
// 22 characters of salt and 31 of hash in bcrypt's base64.
bool is_bcrypt_hash(std::string_view text);

// basic_auth_users at run time: check() says whether the pair is a user's, by bcrypt, in
// time that does not depend on where the password differs, and the same work for an
// unknown user (a hash of its own is checked) so the time does not tell which users exist.
// bcrypt is slow on purpose (a cost of 10 is some 50 ms of CPU): answers are kept, keyed by
// an HMAC-SHA256 of the pair under a key drawn at start (the pair itself is not kept),
// at most kCacheSize of each outcome, least recently used out first, so a scrape every
// second costs one bcrypt in all. Thread-safe.
class BasicAuth {
  public:
    static constexpr std::size_t kCacheSize = 64;
    explicit BasicAuth(std::vector<std::pair<std::string, std::string>> users);
    bool empty() const { return users_.empty(); }
    bool check(std::string_view user, std::string_view password);
    // bcrypt computations so far (tests: the cache works), and the pairs kept.
    std::uint64_t bcrypt_runs() const;
    std::size_t cached() const;

  private:
    using Digest = std::string;  // 32 bytes
    struct Cache {
        std::list<Digest> order;  // most recent first
        std::unordered_map<Digest, std::list<Digest>::iterator> where;
        bool find(const Digest& d);
        void add(const Digest& d);
    };
    Digest digest(std::string_view user, std::string_view password) const;

    std::unordered_map<std::string, std::string> users_;
    std::string key_;  // the HMAC key
    mutable std::mutex mu_;
    Cache accepted_, refused_;
    std::uint64_t runs_ = 0;
};

}  // namespace vigil
