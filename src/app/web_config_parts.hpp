// The parts of web_config.cpp's work that live in files of their own: the TLS material
// (web_tls.cpp, GnuTLS) and the bcrypt hashes (basic_auth.cpp, libxcrypt). Private to
// src/app.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/app/web_config.hpp"
#include "vigil/core/result.hpp"

namespace vigil::web_config_detail {

// "a, b or c", for the values a key takes (web_config.cpp).
std::string join(const std::vector<std::string_view>& names);

// tls_server_config's keys as written (empty: not given).
struct TlsFields {
    std::string cert_file, key_file, cert, key, client_ca_file, client_ca, client_auth_type,
        min_version, max_version;
};

// The keys of tls_server_config checked together and the PEM files they name read (paths
// relative to dir): out stays empty when none is given, as exporter-toolkit then serves
// plain HTTP (web_tls.cpp).
Result<bool> make_tls(const TlsFields& f, const std::string& dir, const WebFileReader& read,
                      std::optional<WebTlsConfig>& out);

// The certificates and the key as GnuTLS (libmicrohttpd's TLS) will take them (web_tls.cpp).
Result<bool> check_tls(const WebTlsConfig& t);

// Whether libxcrypt takes every user's hash (a form it was built without would refuse them
// all); the error names the user (basic_auth.cpp).
Result<bool> check_hash_forms(const std::vector<std::pair<std::string, std::string>>& users);

}  // namespace vigil::web_config_detail
