// NetlinkTaskstats: per-thread I/O counters through the kernel's taskstats generic netlink
// family (needs CAP_NET_ADMIN). The libnl types stay in the .cpp.
#pragma once

#include <memory>
#include <optional>

#include "vigil/collect/netlink/taskstats_client.hpp"
#include "vigil/collect/netlink/taskstats_decode.hpp"
#include "vigil/collect/task_io_source.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/result.hpp"

namespace vigil {

class NetlinkTaskstats final : public TaskIoSource, public TaskstatsClient {
  public:
    // Opens the socket, resolves the TASKSTATS family once and asks for the caller's own
    // thread to prove permission. The error says what is missing (CAP_NET_ADMIN, or a
    // kernel without taskstats) in one line. clock (which must outlive the client) brackets
    // each request (TaskstatsAnswer::asked_ns, answered_ns): the kernel's monotonic clock.
    static Result<std::unique_ptr<NetlinkTaskstats>> open(const Clock& clock = system_clock());
    ~NetlinkTaskstats() override;

    void fill(std::span<TaskSample> tasks) override;
    std::string_view name() const override { return "taskstats"; }
    bool reports_delays() const override { return true; }
    TaskstatsClient* taskstats() override { return this; }

    void query(TaskstatsScope scope, std::span<const pid_t> ids,
               std::span<TaskstatsAnswer> out) override;

    // One query for one thread; nullopt if it exited or the query failed.
    std::optional<TaskstatsRecord> query(pid_t tid);
    // The struct version the kernel sends (known after open()).
    std::uint16_t kernel_version() const { return version_; }

    struct Impl;

  private:
    explicit NetlinkTaskstats(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    std::uint16_t version_ = 0;
};

}  // namespace vigil
