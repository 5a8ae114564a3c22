// --listen: the HTTP server of the Prometheus endpoint (libmicrohttpd). It serves GET
// /metrics from the last published sample, never samples per scrape and never waits for
// the sampler: publish() swaps a pointer, a scrape copies it. One internal thread polls
// every connection (epoll), so a slow client holds nothing but its own connection, within
// bounded connections, request sizes and a timeout. libmicrohttpd's timeout is one of
// inactivity, which a client sending a byte a second never reaches: a second thread of
// ours ends any request not answered within the timeout of its start, so that clients
// that hold every connection lose them in timeout_s and the scrapes waiting get through.
// With a --web-config (web_config.hpp) it serves HTTPS only (libmicrohttpd's GnuTLS),
// checks client certificates, and asks every request for basic authentication.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "vigil/core/result.hpp"

struct MHD_Daemon;
struct MHD_Connection;

namespace vigil {

struct WebConfig;
class BasicAuth;

// [ADDR:]PORT: an IPv4 address, [IPv6] in brackets, or "localhost"; 127.0.0.1 when only
// the port is given. Port 0 takes a free port (tests).
struct ListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    bool ipv6 = false;
};
Result<ListenAddress> parse_listen_address(std::string_view text);

class MetricsServer {
  public:
    struct Limits {
        unsigned connections = 64;  // at once; more wait in the backlog
        unsigned timeout_s = 10;  // an idle connection, or a request not answered in it, is closed
        std::size_t memory_per_connection = 32768;  // request line and headers: 431 past it
    };
    // Starts listening; the error names the address and the reason. web: TLS, client
    // certificates, basic authentication and headers (null: plain HTTP, anyone may scrape).
    static Result<std::unique_ptr<MetricsServer>> start(
        const ListenAddress& where, const Limits& limits,
        std::shared_ptr<const WebConfig> web = nullptr);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // The texts scrapes get from now on (Prometheus text 0.0.4 and OpenMetrics).
    void publish(std::string prometheus, std::string openmetrics);
    // Scrapes of /metrics answered so far.
    std::uint64_t scrapes() const { return scrapes_.load(std::memory_order_relaxed); }
    // The port listened on (the one taken, for port 0).
    std::uint16_t port() const { return port_; }
    // "http://127.0.0.1:9939/metrics" ("https://" with TLS)
    std::string url() const;

    struct Published;  // the texts of one sample, and their gzip forms once asked for

  private:
    friend struct ServerAccess;  // libmicrohttpd's callback, in the .cpp
    MetricsServer() = default;

    MHD_Daemon* daemon_ = nullptr;
    ListenAddress where_;
    std::uint16_t port_ = 0;
    std::shared_ptr<const WebConfig> web_;  // what libmicrohttpd's TLS points into
    std::string tls_priorities_;
    std::unique_ptr<BasicAuth> auth_;  // null without basic_auth_users
    std::string start_log_;            // libmicrohttpd's messages while starting
    std::atomic<bool> starting_{false};
    std::mutex mu_;
    std::shared_ptr<Published> current_;
    std::atomic<std::uint64_t> scrapes_{0};

    // The request deadline: each open connection's socket and when its current request
    // began (its connection, or the end of its previous request), by libmicrohttpd's
    // notifications; the reaper shuts down the socket of one past the timeout, which
    // libmicrohttpd's thread then sees as the client's end. An entry leaves the map before
    // libmicrohttpd closes its socket, so a socket number reused is never shut down.
    struct Open {
        int fd = -1;
        double since_s = 0;  // steady clock
    };
    std::mutex open_mu_;
    std::unordered_map<MHD_Connection*, Open> open_;
    std::condition_variable reaper_cv_;
    bool stopping_ = false;
    std::thread reaper_;
    double request_timeout_s_ = 10;
    std::atomic<std::uint64_t> cut_{0};
    void reap();

  public:
    // Requests cut at the deadline so far.
    std::uint64_t requests_cut() const { return cut_.load(std::memory_order_relaxed); }
};

}  // namespace vigil
