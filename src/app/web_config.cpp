#include "vigil/app/web_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "vigil/app/diagnostics.hpp"
#include "vigil/core/unique_fd.hpp"
#include "web_config_parts.hpp"

namespace vigil {

namespace web_config_detail {

std::string join(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

}  // namespace web_config_detail

namespace {

using web_config_detail::join;
using web_config_detail::TlsFields;

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
    r = web_config_detail::make_tls(tls, dir, read, c.tls);
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
        auto ok = web_config_detail::check_tls(*c->tls);
        if (!ok) return make_error(prefix + ok.error().message);
    }
    auto forms = web_config_detail::check_hash_forms(c->users);
    if (!forms) return make_error(prefix + forms.error().message);
    return c;
}

}  // namespace vigil
