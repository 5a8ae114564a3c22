#include "vigil/app/web_config.hpp"

#include <crypt.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "vigil/app/diagnostics.hpp"
#include "vigil/core/unique_fd.hpp"

namespace vigil {

namespace {

// exporter-toolkit's TLS version names, oldest first, with GnuTLS's.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kTlsVersions{{
    {"TLS10", "VERS-TLS1.0"},
    {"TLS11", "VERS-TLS1.1"},
    {"TLS12", "VERS-TLS1.2"},
    {"TLS13", "VERS-TLS1.3"},
}};

int tls_version_index(std::string_view name) {
    for (std::size_t i = 0; i < kTlsVersions.size(); ++i)
        if (kTlsVersions[i].first == name) return static_cast<int>(i);
    return -1;
}

// The headers exporter-toolkit lets a config set, with the values it allows (none listed:
// any value).
struct AllowedHeader {
    std::string_view name;
    std::vector<std::string_view> values;
};
const std::vector<AllowedHeader>& allowed_headers() {
    static const std::vector<AllowedHeader> kAllowed{
        {"Strict-Transport-Security", {}},
        {"X-Content-Type-Options", {"nosniff"}},
        {"X-Frame-Options", {"deny", "sameorigin"}},
        {"X-XSS-Protection", {}},
        {"Content-Security-Policy", {}},
    };
    return kAllowed;
}

std::string join(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

// exporter-toolkit's rule: a relative path is taken from the config file's directory.
std::string join_dir(const std::string& dir, const std::string& path) {
    if (path.empty() || path.front() == '/' || dir.empty()) return path;
    return dir.back() == '/' ? dir + path : dir + "/" + path;
}

// A walk over libyaml's document, with the key path for messages.
class Yaml {
  public:
    explicit Yaml(yaml_document_t& doc) : doc_(doc) {}

    yaml_node_t* node(int id) { return yaml_document_get_node(&doc_, id); }

    static std::string_view scalar(const yaml_node_t* n) {
        return {reinterpret_cast<const char*>(n->data.scalar.value), n->data.scalar.length};
    }
    // An empty value, ~ or null (not quoted): YAML's null, which exporter-toolkit takes as
    // "not given".
    static bool is_null(const yaml_node_t* n) {
        if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return false;
        const std::string_view v = scalar(n);
        return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
    }
    static std::string where(const yaml_node_t* n) {
        return " (line " + std::to_string(n->start_mark.line + 1) + ")";
    }

    // Calls f(key, value node) for each pair of a mapping; an error for a key given twice
    // or one that is not a plain string.
    template <typename F>
    Result<bool> each(yaml_node_t* map, const std::string& path, F&& f) {
        if (is_null(map)) return true;
        if (map->type != YAML_MAPPING_NODE)
            return make_error(path + ": expected a mapping of keys to values" + where(map));
        // Keys given twice first (a set: a 1 MiB file holds some 100 000 keys).
        std::unordered_set<std::string_view> seen;
        const yaml_node_pair_t* begin = map->data.mapping.pairs.start;
        const yaml_node_pair_t* end = map->data.mapping.pairs.top;
        for (const yaml_node_pair_t* p = begin; p < end; ++p) {
            yaml_node_t* k = node(p->key);
            if (!k || !node(p->value)) return make_error(path + ": a damaged mapping");
            if (k->type != YAML_SCALAR_NODE)
                return make_error(path + ": a key that is not a string" + where(k));
            if (!seen.insert(scalar(k)).second)
                return make_error((path.empty() ? "" : path + ".") + std::string(scalar(k)) +
                                  ": given twice" + where(k));
        }
        for (const yaml_node_pair_t* p = begin; p < end; ++p) {
            auto r = f(std::string(scalar(node(p->key))), node(p->value));
            if (!r) return r.error();
        }
        return true;
    }

    // A value that must be a string (a number or true is taken as written, as YAML reads
    // it into a Go string too).
    static Result<std::string> string(const yaml_node_t* v, const std::string& path) {
        if (is_null(v)) return std::string();
        if (v->type != YAML_SCALAR_NODE)
            return make_error(path + ": expected a string, not a " +
                              (v->type == YAML_MAPPING_NODE ? "mapping" : "list") + where(v));
        return std::string(scalar(v));
    }

  private:
    yaml_document_t& doc_;
};

Error unknown_key(const std::string& path, const std::string& key,
                  const std::vector<std::string_view>& known) {
    return make_error("unknown key " + quoted(path.empty() ? key : path + "." + key) +
                      " (expected " + join(known) + ")");
}

Error unsupported_key(const std::string& path, const std::string& key) {
    return make_error(path + "." + key +
                      ": exporter-toolkit's key, which vigil does not implement");
}

struct TlsFields {
    std::string cert_file, key_file, cert, key, client_ca_file, client_ca, client_auth_type,
        min_version, max_version;
};

Result<bool> parse_tls(Yaml& y, yaml_node_t* map, TlsFields& t) {
    static const std::vector<std::string_view> kKnown{
        "cert_file",      "key_file",  "cert",        "key",        "client_auth_type",
        "client_ca_file", "client_ca", "min_version", "max_version"};
    static const std::vector<std::string_view> kUnsupported{
        "cipher_suites", "curve_preferences", "prefer_server_cipher_suites", "client_allowed_sans"};
    const std::string path = "tls_server_config";
    return y.each(map, path, [&](const std::string& key, yaml_node_t* v) -> Result<bool> {
        if (std::find(kUnsupported.begin(), kUnsupported.end(), key) != kUnsupported.end())
            return unsupported_key(path, key);
        std::string* field = key == "cert_file"          ? &t.cert_file
                             : key == "key_file"         ? &t.key_file
                             : key == "cert"             ? &t.cert
                             : key == "key"              ? &t.key
                             : key == "client_auth_type" ? &t.client_auth_type
                             : key == "client_ca_file"   ? &t.client_ca_file
                             : key == "client_ca"        ? &t.client_ca
                             : key == "min_version"      ? &t.min_version
                             : key == "max_version"      ? &t.max_version
                                                         : nullptr;
        if (!field) return unknown_key(path, key, kKnown);
        auto s = Yaml::string(v, path + "." + key);
        if (!s) return s.error();
        *field = std::move(*s);
        return true;
    });
}

// One PEM text from a file key or an inline key (at most one of the two).
Result<bool> pem_of(const std::string& file, const std::string& text, std::string_view file_key,
                    std::string_view text_key, const std::string& dir, const WebFileReader& read,
                    std::string& pem, std::string& source) {
    const std::string path = "tls_server_config.";
    if (!file.empty() && !text.empty())
        return make_error(path + std::string(file_key) + " and " + path + std::string(text_key) +
                          ": give one of the two");
    if (!text.empty()) {
        pem = text;
        source = path + std::string(text_key);
        return true;
    }
    if (file.empty()) return true;
    const std::string full = join_dir(dir, file);
    auto r = read(full);
    if (!r) return make_error(path + std::string(file_key) + ": " + r.error().message);
    pem = std::move(*r);
    source = full;
    return true;
}

Result<bool> make_tls(const TlsFields& f, const std::string& dir, const WebFileReader& read,
                      std::optional<WebTlsConfig>& out) {
    const std::string path = "tls_server_config";
    // All empty: no TLS, as exporter-toolkit serves plain HTTP then.
    if (f.cert_file.empty() && f.key_file.empty() && f.cert.empty() && f.key.empty() &&
        f.client_ca_file.empty() && f.client_ca.empty() && f.client_auth_type.empty())
        return true;
    WebTlsConfig t;
    if (f.cert_file.empty() && f.cert.empty())
        return make_error(path + ": cert_file is missing (the server's certificate)");
    if (f.key_file.empty() && f.key.empty())
        return make_error(path + ": key_file is missing (the server's private key)");
    const std::string& a = f.client_auth_type;
    if (a.empty() || a == "NoClientCert") {
        t.client_auth = ClientAuth::none;
    } else if (a == "VerifyClientCertIfGiven") {
        t.client_auth = ClientAuth::verify_if_given;
    } else if (a == "RequireAndVerifyClientCert") {
        t.client_auth = ClientAuth::require_and_verify;
    } else if (a == "RequestClientCert" || a == "RequireAnyClientCert" ||
               a == "RequireClientCert") {
        return make_error(path + ".client_auth_type: " + quoted(a) +
                          " (a client certificate that is not verified) is not supported by "
                          "vigil: use RequireAndVerifyClientCert with client_ca_file");
    } else {
        return make_error(path + ".client_auth_type: " + quoted(a) +
                          " is not a client auth type (expected NoClientCert, "
                          "VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
    }
    const bool has_ca = !f.client_ca_file.empty() || !f.client_ca.empty();
    if (t.client_auth != ClientAuth::none && !has_ca)
        return make_error(path + ".client_auth_type: " + quoted(a) +
                          " needs client_ca_file (the CA that signs the clients' certificates)");
    if (t.client_auth == ClientAuth::none && has_ca)
        return make_error(path +
                          ": client_ca_file is given but client_auth_type does not check "
                          "client certificates (expected RequireAndVerifyClientCert or "
                          "VerifyClientCertIfGiven)");
    std::vector<std::string_view> names;
    for (const auto& [n, g] : kTlsVersions) names.push_back(n);
    for (const auto* v : {&f.min_version, &f.max_version}) {
        if (!v->empty() && tls_version_index(*v) < 0)
            return make_error(path + (v == &f.min_version ? ".min_version: " : ".max_version: ") +
                              quoted(*v) + " is not a TLS version (expected " + join(names) + ")");
    }
    if (!f.min_version.empty()) t.min_version = f.min_version;
    t.max_version = f.max_version;
    if (!t.max_version.empty() &&
        tls_version_index(t.max_version) < tls_version_index(t.min_version))
        return make_error(path + ".max_version: " + quoted(t.max_version) +
                          " is older than min_version " + quoted(t.min_version));
    auto r = pem_of(f.cert_file, f.cert, "cert_file", "cert", dir, read, t.cert_pem, t.cert_source);
    if (r) r = pem_of(f.key_file, f.key, "key_file", "key", dir, read, t.key_pem, t.key_source);
    if (r)
        r = pem_of(f.client_ca_file, f.client_ca, "client_ca_file", "client_ca", dir, read,
                   t.client_ca_pem, t.client_ca_source);
    if (!r) return r.error();
    out = std::move(t);
    return true;
}

Result<bool> parse_http(Yaml& y, yaml_node_t* map, WebConfig& c) {
    const std::string path = "http_server_config";
    return y.each(map, path, [&](const std::string& key, yaml_node_t* v) -> Result<bool> {
        if (key == "http2") {
            // libmicrohttpd speaks HTTP/1.1, which every Prometheus speaks too: both values
            // are taken, and HTTP/2 is never offered.
            auto s = Yaml::string(v, path + ".http2");
            if (!s) return s.error();
            static const std::vector<std::string_view> kBools{
                "true", "false", "True", "False", "TRUE", "FALSE", "yes",
                "no",   "Yes",   "No",   "on",    "off",  "On",    "Off"};
            if (std::find(kBools.begin(), kBools.end(), *s) == kBools.end())
                return make_error(path + ".http2: " + quoted(*s) + " is not true or false");
            return true;
        }
        if (key != "headers") return unknown_key(path, key, {"headers", "http2"});
        return y.each(
            v, path + ".headers", [&](const std::string& name, yaml_node_t* hv) -> Result<bool> {
                const std::string hpath = path + ".headers." + name;
                auto value = Yaml::string(hv, hpath);
                if (!value) return value.error();
                const auto& allowed = allowed_headers();
                auto it = std::find_if(allowed.begin(), allowed.end(),
                                       [&](const auto& a) { return a.name == name; });
                if (it == allowed.end()) {
                    std::vector<std::string_view> names;
                    for (const auto& a : allowed) names.push_back(a.name);
                    return make_error("header " + quoted(name) + " cannot be set (expected " +
                                      join(names) + ")");
                }
                if (!it->values.empty() &&
                    std::find(it->values.begin(), it->values.end(), *value) == it->values.end())
                    return make_error(hpath + ": " + quoted(*value) + " (expected " +
                                      join(it->values) + ")");
                if (value->find_first_of("\r\n") != std::string::npos)
                    return make_error(hpath + ": a value of more than one line");
                c.headers.emplace_back(name, std::move(*value));
                return true;
            });
    });
}

Result<bool> parse_users(Yaml& y, yaml_node_t* map, WebConfig& c) {
    const std::string path = "basic_auth_users";
    return y.each(map, path, [&](const std::string& user, yaml_node_t* v) -> Result<bool> {
        if (user.empty()) return make_error(path + ": an empty user name");
        // Basic authentication sends "user:password": a ':' in a name cannot be told apart.
        if (user.find(':') != std::string::npos)
            return make_error(path + ": user name " + quoted(user) + " holds a ':'");
        auto hash = Yaml::string(v, path + "." + user);
        if (!hash) return hash.error();
        // The value is not quoted back: it might be a password written in by mistake.
        if (!is_bcrypt_hash(*hash))
            return make_error(path + "." + user +
                              ": not a bcrypt hash (expected $2y$, $2b$ or $2a$, a cost of 04 "
                              "to 31 and 53 characters, as htpasswd -B makes)");
        c.users.emplace_back(user, std::move(*hash));
        return true;
    });
}

Error gnutls_error(const std::string& what, int rc) {
    return make_error(what + ": " + gnutls_strerror(rc));
}

// The certificates and the key as GnuTLS (libmicrohttpd's TLS) will take them.
Result<bool> check_tls(const WebTlsConfig& t) {
    gnutls_certificate_credentials_t cred = nullptr;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return make_error("cannot allocate TLS credentials");
    std::unique_ptr<std::remove_pointer_t<gnutls_certificate_credentials_t>,
                    decltype(&gnutls_certificate_free_credentials)>
        hold(cred, &gnutls_certificate_free_credentials);
    auto datum = [](const std::string& s) {
        return gnutls_datum_t{reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())),
                              static_cast<unsigned>(s.size())};
    };
    const gnutls_datum_t cert = datum(t.cert_pem), key = datum(t.key_pem);
    int rc = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
    if (rc < 0)
        return gnutls_error("tls_server_config: the certificate " + quoted(t.cert_source) +
                                " with the key " + quoted(t.key_source),
                            rc);
    if (t.client_auth != ClientAuth::none) {
        const gnutls_datum_t ca = datum(t.client_ca_pem);
        rc = gnutls_certificate_set_x509_trust_mem(cred, &ca, GNUTLS_X509_FMT_PEM);
        if (rc < 0)
            return gnutls_error("tls_server_config.client_ca_file " + quoted(t.client_ca_source),
                                rc);
        if (rc == 0)
            return make_error("tls_server_config.client_ca_file " + quoted(t.client_ca_source) +
                              ": no PEM certificate in it");
    }
    gnutls_priority_t prio = nullptr;
    const std::string p = tls_priorities(t);
    rc = gnutls_priority_init(&prio, p.c_str(), nullptr);
    if (rc < 0) return gnutls_error("tls_server_config: TLS versions " + quoted(p), rc);
    gnutls_priority_deinit(prio);
    return true;
}

}  // namespace

bool is_bcrypt_hash(std::string_view h) {
    // $2b$10$ + 22 salt + 31 hash characters
    if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$') return false;
    if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
    if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9') return false;
    const int cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31) return false;
    static constexpr std::string_view kAlphabet =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return h.substr(7).find_first_not_of(kAlphabet) == std::string_view::npos;
}

std::string tls_priorities(const WebTlsConfig& t) {
    const int lo = std::max(0, tls_version_index(t.min_version));
    const int hi = t.max_version.empty() ? static_cast<int>(kTlsVersions.size()) - 1
                                         : tls_version_index(t.max_version);
    std::string p = "NORMAL:-VERS-ALL";
    for (int i = hi; i >= lo; --i) p += ":+" + std::string(kTlsVersions[i].second);
    return p;
}

namespace {

// exporter-toolkit's keys nest three deep; libyaml's scanner takes time quadratic in the
// nesting (a 1 MiB file of '[' runs for minutes), so the events are read first and the
// text refused as soon as it nests deeper than this, before any document is built.
constexpr int kMaxYamlDepth = 16;

std::string yaml_problem(const yaml_parser_t& parser) {
    std::string why = parser.problem ? parser.problem : "not YAML";
    if (parser.context) why = std::string(parser.context) + ": " + why;
    return "line " + std::to_string(parser.problem_mark.line + 1) + ", column " +
           std::to_string(parser.problem_mark.column + 1) + ": " + why;
}

// A libyaml parser reading text, deleted with it.
struct YamlParser {
    yaml_parser_t p;
    bool ok;
    explicit YamlParser(std::string_view text) : ok(yaml_parser_initialize(&p) != 0) {
        if (ok)
            yaml_parser_set_input_string(&p, reinterpret_cast<const unsigned char*>(text.data()),
                                         text.size());
    }
    ~YamlParser() {
        if (ok) yaml_parser_delete(&p);
    }
    YamlParser(const YamlParser&) = delete;
    YamlParser& operator=(const YamlParser&) = delete;
};

Result<bool> check_depth(std::string_view text) {
    YamlParser parser(text);
    if (!parser.ok) return make_error("cannot start the YAML parser");
    int depth = 0;
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser.p, &e)) return make_error(yaml_problem(parser.p));
        const yaml_event_type_t type = e.type;
        const std::size_t line = e.start_mark.line + 1;
        yaml_event_delete(&e);
        if (type == YAML_STREAM_END_EVENT) return true;
        if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
            if (++depth > kMaxYamlDepth)
                return make_error("line " + std::to_string(line) + ": nested deeper than " +
                                  std::to_string(kMaxYamlDepth) + " levels");
        } else if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
            --depth;
        }
    }
}

}  // namespace

Result<WebConfig> parse_web_config(std::string_view text, const std::string& dir,
                                   const WebFileReader& read) {
    auto shallow = check_depth(text);
    if (!shallow) return shallow.error();
    YamlParser parser(text);
    if (!parser.ok) return make_error("cannot start the YAML parser");
    yaml_document_t doc;
    if (!yaml_parser_load(&parser.p, &doc)) return make_error(yaml_problem(parser.p));
    std::unique_ptr<yaml_document_t, decltype(&yaml_document_delete)> doc_hold(
        &doc, &yaml_document_delete);
    WebConfig c;
    yaml_node_t* root = yaml_document_get_root_node(&doc);
    if (!root) return c;  // an empty file: plain HTTP, no authentication
    Yaml y(doc);
    TlsFields tls;
    static const std::vector<std::string_view> kTop{"tls_server_config", "http_server_config",
                                                    "basic_auth_users"};
    auto r = y.each(root, "", [&](const std::string& key, yaml_node_t* v) -> Result<bool> {
        if (key == "tls_server_config") return parse_tls(y, v, tls);
        if (key == "http_server_config") return parse_http(y, v, c);
        if (key == "basic_auth_users") return parse_users(y, v, c);
        if (key == "rate_limit")
            return make_error("rate_limit: exporter-toolkit's key, which vigil does not implement");
        return unknown_key("", key, kTop);
    });
    if (!r) return r.error();
    r = make_tls(tls, dir, read, c.tls);
    if (!r) return r.error();
    return c;
}

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK: a FIFO put in the file's place does not hang the start.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) return make_error(quoted(path) + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return make_error(quoted(path) + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return make_error(quoted(path) + ": not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
        return make_error(quoted(path) + ": larger than " + std::to_string(max_bytes >> 10) +
                          " KiB");
    std::string out(max_bytes + 1, '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return make_error(quoted(path) + ": " + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > max_bytes)
        return make_error(quoted(path) + ": larger than " + std::to_string(max_bytes >> 10) +
                          " KiB");
    out.resize(got);
    return out;
}

Result<WebConfig> load_web_config(const std::string& path) {
    const std::string prefix = "--web-config " + quoted(path) + ": ";
    auto text = read_small_file(path, kWebConfigMaxBytes);
    if (!text) return make_error("--web-config " + text.error().message);
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    auto c = parse_web_config(
        *text, dir, [](const std::string& p) { return read_small_file(p, kWebConfigMaxBytes); });
    if (!c) return make_error(prefix + c.error().message);
    c->path = path;
    if (c->tls) {
        auto ok = check_tls(*c->tls);
        if (!ok) return make_error(prefix + ok.error().message);
    }
    // libxcrypt must take every hash (a form it was built without would refuse them all).
    for (const auto& [user, hash] : c->users) {
        crypt_data data{};
        const char* out = crypt_rn("", hash.c_str(), &data, sizeof data);
        if (!out || out[0] == '*')
            return make_error(prefix + "basic_auth_users." + user +
                              ": this hash's form is not one libxcrypt checks");
    }
    return c;
}

// --- BasicAuth

bool BasicAuth::Cache::find(const Digest& d) {
    auto it = where.find(d);
    if (it == where.end()) return false;
    order.splice(order.begin(), order, it->second);
    return true;
}

void BasicAuth::Cache::add(const Digest& d) {
    if (where.count(d)) return;
    if (order.size() >= kCacheSize) {
        where.erase(order.back());
        order.pop_back();
    }
    order.push_front(d);
    where.emplace(d, order.begin());
}

BasicAuth::BasicAuth(std::vector<std::pair<std::string, std::string>> users) {
    for (auto& [u, h] : users) users_.emplace(std::move(u), std::move(h));
    key_.resize(32);
    std::size_t got = 0;
    while (got < key_.size()) {
        const ssize_t n = ::getrandom(key_.data() + got, key_.size() - got, 0);
        if (n > 0)
            got += static_cast<std::size_t>(n);
        else if (errno != EINTR)
            break;
    }
    // An unknown user gets a hash of its own to check, as costly as the users' (the first
    // user's cost), so that the answer's time does not say whether the name exists.
    if (!users_.empty()) {
        const std::string& first = users_.begin()->second;
        const unsigned long cost = static_cast<unsigned long>(std::stoi(first.substr(4, 2)));
        char setting[CRYPT_GENSALT_OUTPUT_SIZE];
        crypt_data data{};
        if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof setting)) {
            const char* out = crypt_rn(key_.c_str(), setting, &data, sizeof data);
            if (out && out[0] != '*') users_.emplace("", out);  // "" is never a user's name
        }
    }
}

BasicAuth::Digest BasicAuth::digest(std::string_view user, std::string_view password) const {
    std::string msg = std::to_string(user.size()) + ":";
    msg += user;
    msg += password;
    std::string out(32, '\0');
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, key_.data(), key_.size(), msg.data(), msg.size(),
                     out.data());
    explicit_bzero(msg.data(), msg.size());
    return out;
}

bool BasicAuth::check(std::string_view user, std::string_view password) {
    if (users_.empty()) return false;
    auto it = users_.find(std::string(user));
    const bool known = !user.empty() && it != users_.end();
    if (!known) it = users_.find("");
    const Digest d = digest(user, password);
    {
        std::lock_guard lock(mu_);
        if (accepted_.find(d)) return true;
        if (refused_.find(d)) return false;
        ++runs_;
    }
    bool ok = false;
    if (it != users_.end() && password.find('\0') == std::string_view::npos) {
        const std::string& hash = it->second;
        std::string phrase(password);
        auto data = std::make_unique<crypt_data>();
        const char* out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof *data);
        explicit_bzero(phrase.data(), phrase.size());
        if (out && std::strlen(out) == hash.size()) {
            unsigned char diff = 0;  // every byte compared, wherever the first difference is
            for (std::size_t i = 0; i < hash.size(); ++i)
                diff |= static_cast<unsigned char>(out[i] ^ hash[i]);
            ok = diff == 0;
        }
        explicit_bzero(data.get(), sizeof *data);
    }
    ok = ok && known;
    std::lock_guard lock(mu_);
    (ok ? accepted_ : refused_).add(d);
    return ok;
}

std::uint64_t BasicAuth::bcrypt_runs() const {
    std::lock_guard lock(mu_);
    return runs_;
}

std::size_t BasicAuth::cached() const {
    std::lock_guard lock(mu_);
    return accepted_.order.size() + refused_.order.size();
}

}  // namespace vigil
