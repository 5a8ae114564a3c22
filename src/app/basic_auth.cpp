// basic_auth_users: the bcrypt hashes checked (libxcrypt) and BasicAuth (web_config.hpp).
#include <crypt.h>
#include <gnutls/crypto.h>
#include <string.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "vigil/app/web_config.hpp"
#include "web_config_parts.hpp"

namespace vigil {

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

Result<bool> web_config_detail::check_hash_forms(
    const std::vector<std::pair<std::string, std::string>>& users) {
    for (const auto& [user, hash] : users) {
        crypt_data data{};
        const char* out = crypt_rn("", hash.c_str(), &data, sizeof data);
        if (!out || out[0] == '*')
            return make_error("basic_auth_users." + user +
                              ": this hash's form is not one libxcrypt checks");
    }
    return true;
}

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
