#include "vigil/app/metrics_server.hpp"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <zlib.h>

#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstring>
#include <limits>
#include <vector>

#include "vigil/app/diagnostics.hpp"
#include "vigil/app/web_config.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/parse.hpp"
#include "vigil/ui/export/metrics_writer.hpp"

namespace vigil {

namespace {

// gzip of text at the default level; empty when zlib fails (the plain text is sent then).
std::string gzip(const std::string& text) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&z, text.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const std::size_t produced = out.size() - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return {};
    out.resize(produced);
    return out;
}

// Whether an Accept-Encoding header takes gzip (named, and not with q=0).
bool accepts_gzip(const char* header) {
    if (!header) return false;
    std::string_view h(header);
    for (std::size_t at = 0; at <= h.size();) {
        std::size_t end = h.find(',', at);
        if (end == std::string_view::npos) end = h.size();
        std::string_view item = h.substr(at, end - at);
        at = end + 1;
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (!item.starts_with("gzip")) continue;
        const std::size_t q = item.find("q=");
        if (q == std::string_view::npos) return true;
        std::string_view v = item.substr(q + 2);
        // q=0, q=0.0, q=0.000: refused; any other value takes it.
        return v.find_first_not_of("0. ") != std::string_view::npos && !v.empty();
    }
    return false;
}
}  // namespace

struct MetricsServer::Published {
    std::string text[2];  // by MetricsFormat
    std::mutex gz_mu;
    std::string gz[2];
    bool gz_made[2] = {false, false};

    // The gzip form of format f, made by the first scrape that asks for it.
    const std::string& gzipped(int f) {
        std::lock_guard lock(gz_mu);
        if (!gz_made[f]) {
            gz[f] = gzip(text[f]);
            gz_made[f] = true;
        }
        return gz[f];
    }
};

// libmicrohttpd's callbacks: a response shares the Published it points into, so a sample
// published meanwhile does not free text being sent.
struct ServerAccess {
    struct Hold {
        std::shared_ptr<MetricsServer::Published> p;
    };
    static void release(void* cls) { delete static_cast<Hold*>(cls); }

    // http_server_config.headers, on every response.
    static void add_headers(const MetricsServer* self, MHD_Response* r) {
        if (!self->web_) return;
        for (const auto& [name, value] : self->web_->headers)
            MHD_add_response_header(r, name.c_str(), value.c_str());
    }

    static MHD_Result queue_text(const MetricsServer* self, MHD_Connection* c, unsigned status,
                                 const char* text) {
        MHD_Response* r = MHD_create_response_from_buffer(
            std::strlen(text), const_cast<char*>(text), MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        add_headers(self, r);
        const MHD_Result rc = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
        return rc;
    }

    // A connection opened or closed: its entry in the request deadline's map.
    static void connection_event(void* cls, MHD_Connection* c, void** /*socket_context*/,
                                 MHD_ConnectionNotificationCode code) {
        auto* self = static_cast<MetricsServer*>(cls);
        std::lock_guard lock(self->open_mu_);
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
            const MHD_ConnectionInfo* info =
                MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
            if (info) self->open_[c] = MetricsServer::Open{info->connect_fd, steady_now_s()};
        } else {
            self->open_.erase(c);
        }
    }
    // A request answered (or failed): the connection's next one starts now.
    static void request_done(void* cls, MHD_Connection* c, void** /*state*/,
                             MHD_RequestTerminationCode /*why*/) {
        auto* self = static_cast<MetricsServer*>(cls);
        std::lock_guard lock(self->open_mu_);
        auto it = self->open_.find(c);
        if (it != self->open_.end()) it->second.since_s = steady_now_s();
    }

    // tls_server_config.client_auth_type: whether the client's certificate passes. The
    // TLS handshake asked for one (libmicrohttpd does when given a trust list) but did not
    // check it: here it is verified against client_ca_file, for client use (the extended
    // key usage clientAuth, when the certificate limits its uses).
    static bool client_certificate_ok(const MetricsServer* self, MHD_Connection* c) {
        if (!self->web_ || !self->web_->tls) return true;
        const ClientAuth need = self->web_->tls->client_auth;
        if (need == ClientAuth::none) return true;
        const MHD_ConnectionInfo* ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (!ci || !ci->tls_session) return false;
        auto session = static_cast<gnutls_session_t>(ci->tls_session);
        unsigned n = 0;
        const gnutls_datum_t* peers = gnutls_certificate_get_peers(session, &n);
        if (!peers || n == 0) return need == ClientAuth::verify_if_given;
        gnutls_typed_vdata_st purpose{};
        purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
        purpose.data =
            reinterpret_cast<unsigned char*>(const_cast<char*>(GNUTLS_KP_TLS_WWW_CLIENT));
        unsigned status = 0;
        if (gnutls_certificate_verify_peers(session, &purpose, 1, &status) < 0) return false;
        return status == 0;
    }

    // basic_auth_users: whether the request's Authorization names a user and its password.
    static bool authorized(MetricsServer* self, MHD_Connection* c) {
        if (!self->auth_) return true;
        char* password = nullptr;
        char* user = MHD_basic_auth_get_username_password(c, &password);
        const bool ok = user && password && self->auth_->check(user, password);
        if (password) {
            explicit_bzero(password, std::strlen(password));
            MHD_free(password);
        }
        if (user) MHD_free(user);
        return ok;
    }

    static MHD_Result queue_unauthorized(const MetricsServer* self, MHD_Connection* c) {
        static constexpr char kText[] = "unauthorized: this endpoint needs basic authentication\n";
        MHD_Response* r = MHD_create_response_from_buffer(
            sizeof kText - 1, const_cast<char*>(kText), MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
        add_headers(self, r);
        // 401 with WWW-Authenticate: Basic realm="vigil"
        const MHD_Result rc = MHD_queue_basic_auth_fail_response(c, "vigil", r);
        MHD_destroy_response(r);
        return rc;
    }

    // libmicrohttpd's messages while the daemon starts (why it could not), kept for the
    // error; later ones (a client's failed handshake, say) are not printed.
    static void log(void* cls, const char* fmt, va_list ap) {
        auto* self = static_cast<MetricsServer*>(cls);
        if (!self->starting_.load()) return;
        char line[512];
        std::vsnprintf(line, sizeof line, fmt, ap);
        std::string_view text(line);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
        if (text.empty() || self->start_log_.size() > 1024) return;
        self->start_log_ += (self->start_log_.empty() ? "" : "; ") + std::string(text);
    }

    static MHD_Result answer(void* cls, MHD_Connection* c, const char* url, const char* method,
                             const char* /*version*/, const char* /*upload*/,
                             std::size_t* upload_size, void** state) {
        auto* self = static_cast<MetricsServer*>(cls);
        // The first call has the headers only: answer at once, without reading a body (a
        // body is not wanted, and is dropped by the connection's end).
        if (*state == nullptr) {
            static int seen;
            *state = &seen;
        }
        (void)upload_size;
        // A client certificate that fails closes the connection unanswered, as the TLS
        // handshake of exporter-toolkit's servers refuses it.
        if (!client_certificate_ok(self, c)) return MHD_NO;
        if (!authorized(self, c)) return queue_unauthorized(self, c);
        const bool get = std::strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                         std::strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
        if (std::strcmp(url, "/metrics") != 0) {
            if (std::strcmp(url, "/") == 0 && get)
                return queue_text(self, c, MHD_HTTP_OK,
                                  "vigil: the metrics are at /metrics (Prometheus text or "
                                  "OpenMetrics)\n");
            return queue_text(self, c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
        }
        if (!get) return queue_text(self, c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");

        std::shared_ptr<MetricsServer::Published> p;
        {
            std::lock_guard lock(self->mu_);
            p = self->current_;
        }
        if (!p)
            return queue_text(self, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                              "no sample taken yet: try again\n");
        const MetricsFormat f = negotiate_metrics_format([&] {
            const char* a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
            return std::string_view(a ? a : "");
        }());
        const int fi = static_cast<int>(f);
        const std::string* body = &p->text[fi];
        bool zipped = false;
        if (accepts_gzip(
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
            const std::string& gz = p->gzipped(fi);
            if (!gz.empty()) {
                body = &gz;
                zipped = true;
            }
        }
        auto* hold = new Hold{p};
        MHD_Response* r = MHD_create_response_from_buffer_with_free_callback_cls(
            body->size(), const_cast<char*>(body->data()), &ServerAccess::release, hold);
        if (!r) {
            delete hold;
            return MHD_NO;
        }
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, metrics_content_type(f));
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
        add_headers(self, r);
        if (zipped) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
        const MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        if (rc == MHD_YES) self->scrapes_.fetch_add(1, std::memory_order_relaxed);
        return rc;
    }
};

Result<ListenAddress> parse_listen_address(std::string_view text) {
    ListenAddress a;
    std::string_view port = text;
    const auto bad = [&](const std::string& why) {
        return make_error("invalid --listen " + quoted(text) + ": " + why);
    };
    if (text.starts_with('[')) {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return bad("expected [IPv6]:PORT");
        a.host = std::string(text.substr(1, close - 1));
        a.ipv6 = true;
        port = text.substr(close + 2);
    } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
        a.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
        if (a.host.find(':') != std::string::npos)
            return bad("an IPv6 address goes in brackets: [ADDR]:PORT");
    }
    if (a.host == "localhost") a.host = "127.0.0.1";
    if (a.host.empty()) return bad("expected ADDR:PORT or PORT");
    std::uint64_t p = 0;
    if (!parse_u64(port, p) || p > 65535) return bad("expected a port number 0-65535");
    a.port = static_cast<std::uint16_t>(p);
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(a.ipv6 ? AF_INET6 : AF_INET, a.host.c_str(), buf) != 1)
        return bad(std::string("expected a numeric ") + (a.ipv6 ? "IPv6" : "IPv4") +
                   " address or localhost, not " + quoted(a.host));
    return a;
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const ListenAddress& where,
                                                            const Limits& limits,
                                                            std::shared_ptr<const WebConfig> web) {
    std::unique_ptr<MetricsServer> s(new MetricsServer());
    s->where_ = where;
    s->web_ = std::move(web);
    if (s->web_ && !s->web_->users.empty()) s->auth_ = std::make_unique<BasicAuth>(s->web_->users);
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    const sockaddr* addr = nullptr;
    if (where.ipv6) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(where.port);
        inet_pton(AF_INET6, where.host.c_str(), &v6.sin6_addr);
        addr = reinterpret_cast<const sockaddr*>(&v6);
    } else {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(where.port);
        inet_pton(AF_INET, where.host.c_str(), &v4.sin_addr);
        addr = reinterpret_cast<const sockaddr*>(&v4);
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (where.ipv6) flags |= MHD_USE_IPv6;
    auto ptr = [](const void* p) { return const_cast<void*>(p); };
    std::vector<MHD_OptionItem> options{
        {MHD_OPTION_SOCK_ADDR, 0, ptr(addr)},
        {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(limits.connections), nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(limits.timeout_s), nullptr},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(limits.memory_per_connection),
         nullptr},
        {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&ServerAccess::log), s.get()},
        {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&ServerAccess::connection_event),
         s.get()},
        {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&ServerAccess::request_done),
         s.get()},
    };
    if (s->web_ && s->web_->tls) {
        // The texts stay in web_, which the server keeps: libmicrohttpd points into them.
        const WebTlsConfig& tls = *s->web_->tls;
        flags |= MHD_USE_TLS;
        s->tls_priorities_ = tls_priorities(tls);
        options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, ptr(tls.key_pem.c_str())});
        options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, ptr(tls.cert_pem.c_str())});
        options.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, ptr(s->tls_priorities_.c_str())});
        // A trust list makes libmicrohttpd ask clients for a certificate.
        if (tls.client_auth != ClientAuth::none)
            options.push_back({MHD_OPTION_HTTPS_MEM_TRUST, 0, ptr(tls.client_ca_pem.c_str())});
    }
    options.push_back({MHD_OPTION_END, 0, nullptr});
    // The server's thread takes no signal: they stay for the thread that handles them (the
    // view's resize and clean exit, a recording's orderly end), whatever it blocks later.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    errno = 0;
    s->starting_ = true;
    s->daemon_ = MHD_start_daemon(flags, where.port, nullptr, nullptr, &ServerAccess::answer,
                                  s.get(), MHD_OPTION_ARRAY, options.data(), MHD_OPTION_END);
    const int err = errno;
    s->starting_ = false;
    if (s->daemon_) {
        s->request_timeout_s_ = limits.timeout_s;
        s->reaper_ = std::thread([p = s.get()] { p->reap(); });
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (!s->daemon_) {
        std::string why = err ? std::string(": ") + std::strerror(err) : std::string();
        if (!s->start_log_.empty()) why += " (" + s->start_log_ + ")";
        return make_error("cannot listen on " + where.host + ":" + std::to_string(where.port) +
                          why);
    }
    const MHD_DaemonInfo* info = MHD_get_daemon_info(s->daemon_, MHD_DAEMON_INFO_BIND_PORT);
    s->port_ = info ? info->port : where.port;
    return s;
}

MetricsServer::~MetricsServer() {
    if (reaper_.joinable()) {
        {
            std::lock_guard lock(open_mu_);
            stopping_ = true;
        }
        reaper_cv_.notify_all();
        reaper_.join();
    }
    if (daemon_) MHD_stop_daemon(daemon_);
}

void MetricsServer::reap() {
    std::unique_lock lock(open_mu_);
    while (!reaper_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_; })) {
        const double now = steady_now_s();
        for (auto& [c, o] : open_) {
            if (now - o.since_s <= request_timeout_s_) continue;
            // Its socket is still open: libmicrohttpd removes the entry (under this lock)
            // before it closes it.
            ::shutdown(o.fd, SHUT_RDWR);
            o.since_s = std::numeric_limits<double>::infinity();
            cut_.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

void MetricsServer::publish(std::string prometheus, std::string openmetrics) {
    auto p = std::make_shared<Published>();
    p->text[static_cast<int>(MetricsFormat::prometheus)] = std::move(prometheus);
    p->text[static_cast<int>(MetricsFormat::openmetrics)] = std::move(openmetrics);
    std::lock_guard lock(mu_);
    current_ = std::move(p);
}

std::string MetricsServer::url() const {
    return std::string(web_ && web_->tls ? "https://" : "http://") +
           (where_.ipv6 ? "[" + where_.host + "]" : where_.host) + ":" + std::to_string(port_) +
           "/metrics";
}

}  // namespace vigil
