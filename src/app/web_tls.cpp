// tls_server_config: its keys checked together, the PEM texts read, and GnuTLS's view of
// them (web_config.hpp).
#include <gnutls/gnutls.h>

#include <algorithm>
#include <array>
#include <memory>
#include <type_traits>

#include "vigil/app/diagnostics.hpp"
#include "vigil/app/web_config.hpp"
#include "web_config_parts.hpp"

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

// exporter-toolkit's rule: a relative path is taken from the config file's directory.
std::string join_dir(const std::string& dir, const std::string& path) {
    if (path.empty() || path.front() == '/' || dir.empty()) return path;
    return dir.back() == '/' ? dir + path : dir + "/" + path;
}

Error gnutls_error(const std::string& what, int rc) {
    return make_error(what + ": " + gnutls_strerror(rc));
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

}  // namespace

namespace web_config_detail {

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

}  // namespace web_config_detail

std::string tls_priorities(const WebTlsConfig& t) {
    const int lo = std::max(0, tls_version_index(t.min_version));
    const int hi = t.max_version.empty() ? static_cast<int>(kTlsVersions.size()) - 1
                                         : tls_version_index(t.max_version);
    std::string p = "NORMAL:-VERS-ALL";
    for (int i = hi; i >= lo; --i) p += ":+" + std::string(kTlsVersions[i].second);
    return p;
}

}  // namespace vigil
