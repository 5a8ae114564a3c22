// NetlinkTaskstats: per-thread I/O counters through the TASKSTATS generic netlink family.
//
// libnl is used only to open the socket and resolve the family id (a one-time handshake with
// the genl controller). The per-sample traffic bypasses libnl: asking one task at a time
// through nl_send_auto/nl_recvmsgs costs two syscalls and several allocations per task, while
// packing up to 64 TASKSTATS_CMD_GET requests into one send() and draining the replies with
// recvmmsg() costs a handful of syscalls per 64 tasks and allocates nothing.
#include "vigil/collect/netlink/netlink_taskstats.hpp"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <time.h>

#include "vigil/collect/privileges.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace vigil {
namespace {

// Requests per send(). Replies are generated synchronously inside our send() and queued on
// our socket, so a batch must fit the receive buffer at once; 64 keeps that under ~160 KiB.
constexpr std::size_t max_batch = 64;
// nlmsghdr + genlmsghdr + one u32 attribute (TASKSTATS_CMD_ATTR_PID).
constexpr std::size_t request_bytes = NLMSG_ALIGN(NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + 4);
// Receive space per reply datagram. A v16 reply is ~600 bytes and v17 ~730; a future kernel
// that outgrows this is noticed through MSG_TRUNC and the slots are enlarged. A page per
// slot would cost 256 KiB of resident memory for nothing.
constexpr std::size_t initial_slot_bytes = 1024;
constexpr std::size_t max_slot_bytes = 64 * 1024;
// Kernel memory charged per queued reply (skb truesize: a 1-2 KiB data buffer plus the
// sk_buff); used only to size batches when the receive buffer could not be raised.
constexpr std::size_t reply_truesize_estimate = 2560;
constexpr int wanted_rcvbuf_bytes = 512 * 1024;
// A lost reply (receive buffer overrun, truncation) is asked again this many times in all.
constexpr int max_attempts = 4;
// Replies normally arrive before send() even returns; this only bounds a broken kernel.
constexpr std::chrono::milliseconds batch_timeout{1000};

struct NlSockDeleter {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
};
using NlSockPtr = std::unique_ptr<nl_sock, NlSockDeleter>;

template <typename T>
void put(std::byte* at, const T& v) {
    std::memcpy(at, &v, sizeof v);
}

}  // namespace

struct NetlinkTaskstats::Impl {
    explicit Impl(const Clock& clock) : clock_(clock) {}
    std::int64_t monotonic_ns() const { return clock_.steady_ns(); }

    const Clock& clock_;
    NlSockPtr sock_;
    // sock_'s own fd (nl_socket_get_fd), borrowed: nl_socket_free() closes it, so it is no
    // UniqueFd, which would close it a second time.
    int fd_ = -1;
    std::uint16_t family_ = 0;
    std::uint32_t next_seq_ = 1;  // seq = batch base + slot; stale replies miss the window
    std::size_t batch_ = max_batch;
    std::size_t slot_bytes_ = initial_slot_bytes;
    bool grow_ = false;  // a reply was truncated: enlarge the receive slots before retrying
    std::uint16_t attr_ = TASKSTATS_CMD_ATTR_PID;  // what the ids of the current run name
    // CLOCK_MONOTONIC before the current attempt's send() and after it returned. The kernel
    // answers inside send(), so every reply of the attempt was built in between.
    std::int64_t sent_ns_ = 0, send_returned_ns_ = 0;

    // Reused on every sample so the hot path never allocates.
    std::vector<std::byte> send_buf_ = std::vector<std::byte>(max_batch * request_bytes);
    std::vector<std::byte> recv_buf_;
    std::array<iovec, max_batch> iov_{};
    std::array<mmsghdr, max_batch> msgs_{};
    std::array<sockaddr_nl, max_batch> from_{};
    std::array<bool, max_batch> asked_{};  // slot has a request in flight this attempt

    enum class Outcome { complete, lost, failed };

    void size_recv_slots(std::size_t slot_bytes) {
        slot_bytes_ = slot_bytes;
        recv_buf_.assign(max_batch * slot_bytes_, std::byte{0});
        for (std::size_t i = 0; i < max_batch; ++i) {
            iov_[i] = iovec{recv_buf_.data() + i * slot_bytes_, slot_bytes_};
            msgs_[i] = mmsghdr{};
            msgs_[i].msg_hdr.msg_iov = &iov_[i];
            msgs_[i].msg_hdr.msg_iovlen = 1;
            msgs_[i].msg_hdr.msg_name = &from_[i];
        }
    }

    // A batch of replies is queued all at once, so the socket needs room for a whole batch.
    // SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN in the initial user
    // namespace, which a container may lack even where taskstats works; then SO_RCVBUF gets
    // what rmem_max allows and the batch shrinks to fit.
    void raise_rcvbuf() {
        int want = wanted_rcvbuf_bytes;
        if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
            (void)setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
        int got = 0;
        socklen_t len = sizeof got;
        if (getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got > 0)
            batch_ = std::clamp<std::size_t>(
                static_cast<std::size_t>(got) / reply_truesize_estimate, 1, max_batch);
        // Error replies then carry only the request's header, not a copy of the request.
        int one = 1;
        (void)setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    }

    void write_request(std::size_t at, std::uint32_t seq, pid_t tid) {
        std::byte* p = send_buf_.data() + at * request_bytes;
        nlmsghdr h{};
        h.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + 4;
        h.nlmsg_type = family_;
        h.nlmsg_flags = NLM_F_REQUEST;
        h.nlmsg_seq = seq;
        h.nlmsg_pid = 0;  // the kernel takes our port from the socket
        genlmsghdr g{};
        g.cmd = TASKSTATS_CMD_GET;
        g.version = TASKSTATS_GENL_VERSION;
        nlattr a{};
        a.nla_len = NLA_HDRLEN + 4;
        a.nla_type = attr_;
        const auto pid = static_cast<std::uint32_t>(tid);
        put(p, h);
        put(p + NLMSG_HDRLEN, g);
        put(p + NLMSG_HDRLEN + GENL_HDRLEN, a);
        put(p + NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN, pid);
    }

    // Receives the replies to the slots marked in asked_ (seq = base + slot), clearing each
    // answered slot and handing it to on_reply(slot, reply).
    template <typename OnReply>
    Outcome receive(std::uint32_t base, std::size_t outstanding, OnReply& on_reply) {
        const auto deadline = std::chrono::steady_clock::now() + batch_timeout;
        bool lost = false;
        while (outstanding > 0) {
            const auto want = static_cast<unsigned>(std::min(outstanding, max_batch));
            for (unsigned i = 0; i < want; ++i) {
                msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
                msgs_[i].msg_hdr.msg_flags = 0;
            }
            const int got = recvmmsg(fd_, msgs_.data(), want, MSG_DONTWAIT, nullptr);
            if (got < 0) {
                if (errno == EINTR) continue;
                // The queue overflowed and some replies were dropped. What was queued before
                // the overflow is still there: keep draining, then ask for the rest again.
                if (errno == ENOBUFS) {
                    lost = true;
                    continue;
                }
                if (errno != EAGAIN && errno != EWOULDBLOCK) return Outcome::failed;
                if (lost) return Outcome::lost;
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                if (left.count() <= 0) return Outcome::failed;
                pollfd pfd{fd_, POLLIN, 0};
                const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
                if (ready == 0) return Outcome::failed;
                if (ready < 0 && errno != EINTR) return Outcome::failed;
                continue;
            }
            for (int i = 0; i < got; ++i) {
                const msghdr& mh = msgs_[i].msg_hdr;
                // Only the kernel (port 0) may answer; anything else is not ours to trust.
                if (mh.msg_namelen < sizeof(sockaddr_nl) || from_[i].nl_pid != 0) continue;
                if (mh.msg_flags & MSG_TRUNC) {
                    // The reply outgrew the slot: the task is asked again with bigger slots.
                    lost = true;
                    if (slot_bytes_ < max_slot_bytes) grow_ = true;
                    continue;
                }
                std::span<const std::byte> dgram(recv_buf_.data() + i * slot_bytes_,
                                                 msgs_[i].msg_len);
                for_each_taskstats_reply(dgram, [&](const TaskstatsReply& r) {
                    const std::uint32_t slot = r.seq - base;
                    if (slot >= max_batch || !asked_[slot]) return;  // stale or foreign
                    asked_[slot] = false;
                    --outstanding;
                    on_reply(static_cast<std::size_t>(slot), r);
                });
            }
        }
        return Outcome::complete;
    }

    // Asks for tids[0..n) (through tid_of(i)) and calls on_reply(i, reply) for every reply.
    // Tasks whose reply never comes (gave up after a timeout) get no call. Returns false if
    // the socket stopped answering, so a caller does not wait a timeout per batch.
    template <typename TidOf, typename OnReply>
    bool run(std::size_t n, TidOf&& tid_of, OnReply&& on_reply) {
        for (std::size_t start = 0; start < n; start += batch_) {
            const std::size_t m = std::min(batch_, n - start);
            std::fill(asked_.begin(), asked_.end(), false);
            std::fill(asked_.begin(), asked_.begin() + static_cast<std::ptrdiff_t>(m), true);
            auto forward = [&](std::size_t slot, const TaskstatsReply& r) {
                on_reply(start + slot, r);
            };
            bool done = false;
            for (int attempt = 0; attempt < max_attempts && !done; ++attempt) {
                const std::uint32_t base = next_seq_;
                next_seq_ += max_batch;
                std::size_t count = 0;
                for (std::size_t slot = 0; slot < m; ++slot)
                    if (asked_[slot]) write_request(count++, base + slot, tid_of(start + slot));
                if (count == 0) break;
                ssize_t sent;
                {
                    // The kernel answers inside send() and checks CAP_NET_ADMIN of the sender
                    // then: effective for the send only (outside the clock brackets).
                    const NetAdminRaise raise;
                    sent_ns_ = monotonic_ns();
                    do {
                        sent = send(fd_, send_buf_.data(), count * request_bytes, 0);
                    } while (sent < 0 && errno == EINTR);
                    send_returned_ns_ = monotonic_ns();
                }
                if (sent < 0) {
                    // Out of kernel memory for the request: worth another attempt.
                    if (errno == ENOBUFS || errno == ENOMEM || errno == EAGAIN) continue;
                    return false;
                }
                switch (receive(base, count, forward)) {
                    case Outcome::complete:
                        done = true;
                        break;
                    case Outcome::lost:
                        break;
                    case Outcome::failed:
                        return false;
                }
                if (grow_) {
                    grow_ = false;
                    size_recv_slots(slot_bytes_ * 2);
                }
            }
        }
        return true;
    }
};

NetlinkTaskstats::NetlinkTaskstats(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetlinkTaskstats::~NetlinkTaskstats() = default;

Result<std::unique_ptr<NetlinkTaskstats>> NetlinkTaskstats::open(const Clock& clock) {
    // The kernel also checks CAP_NET_ADMIN in the credentials the socket is opened with, and
    // SO_RCVBUFFORCE needs it: effective while the socket is set up, then lowered again.
    const NetAdminRaise raise;
    auto impl = std::make_unique<Impl>(clock);
    impl->sock_.reset(nl_socket_alloc());
    if (!impl->sock_) return make_error("taskstats: cannot allocate a netlink socket");
    if (int rc = genl_connect(impl->sock_.get()); rc < 0)
        return make_error(std::string("taskstats: cannot open a generic netlink socket: ") +
                          nl_geterror(rc));
    const int family = genl_ctrl_resolve(impl->sock_.get(), TASKSTATS_GENL_NAME);
    if (family == -NLE_OBJ_NOTFOUND)
        return make_error("this kernel has no taskstats (CONFIG_TASKSTATS)");
    if (family < 0)
        return make_error(std::string("taskstats: cannot resolve the TASKSTATS family: ") +
                          nl_geterror(family));
    impl->family_ = static_cast<std::uint16_t>(family);
    impl->fd_ = nl_socket_get_fd(impl->sock_.get());
    impl->size_recv_slots(initial_slot_bytes);
    impl->raise_rcvbuf();

    // Ask for our own thread: the family exists even where we may not use it, and only a
    // real request tells whether we hold CAP_NET_ADMIN.
    const pid_t self = gettid();
    std::optional<TaskstatsRecord> rec;
    int err = 0;
    bool undecodable = false;
    const bool answered = impl->run(
        1, [self](std::size_t) { return self; },
        [&](std::size_t, const TaskstatsReply& r) {
            if (r.kind == TaskstatsReply::Kind::stats)
                rec = r.record;
            else if (r.kind == TaskstatsReply::Kind::error)
                err = r.error;
            else
                undecodable = true;
        });
    if (err == EPERM || err == EACCES)
        return make_error(
            "taskstats needs CAP_NET_ADMIN: run as root or `setcap cap_net_admin+p vigil`");
    if (err != 0)
        return make_error(std::string("taskstats: query for our own thread failed: ") +
                          std::strerror(err));
    if (undecodable)
        return make_error("taskstats: cannot decode the kernel's reply (unknown struct layout)");
    if (!answered || !rec) return make_error("taskstats: the kernel did not answer");

    std::unique_ptr<NetlinkTaskstats> self_ptr(new NetlinkTaskstats(std::move(impl)));
    self_ptr->version_ = rec->version;
    return self_ptr;
}

void NetlinkTaskstats::fill(std::span<TaskSample> tasks) {
    impl_->attr_ = TASKSTATS_CMD_ATTR_PID;
    impl_->run(
        tasks.size(), [&](std::size_t i) { return tasks[i].tid; },
        [&](std::size_t i, const TaskstatsReply& r) {
            // Errors (ESRCH: the task exited between listing and asking) leave io unset.
            if (r.kind != TaskstatsReply::Kind::stats || r.record->pid != tasks[i].tid) return;
            const TaskstatsRecord& rec = *r.record;
            TaskIoCounters io;
            io.read_bytes = rec.read_bytes;
            io.write_bytes = rec.write_bytes;
            io.cancelled_write_bytes = rec.cancelled_write_bytes;
            // Always reported; the caller drops them when kernel.task_delayacct is 0.
            io.blkio_delay_ns = rec.blkio_delay_ns;
            io.swapin_delay_ns = rec.swapin_delay_ns;
            io.delays_tracked = rec.blkio_count || rec.swapin_count || rec.wpcopy_count;
            tasks[i].io = io;
        });
}

void NetlinkTaskstats::query(TaskstatsScope scope, std::span<const pid_t> ids,
                             std::span<TaskstatsAnswer> out) {
    const bool whole = scope == TaskstatsScope::process;
    impl_->attr_ = whole ? TASKSTATS_CMD_ATTR_TGID : TASKSTATS_CMD_ATTR_PID;
    const std::size_t n = std::min(ids.size(), out.size());
    for (std::size_t i = 0; i < n; ++i) out[i].status = TaskstatsAnswer::Status::failed;
    impl_->run(
        n, [&](std::size_t i) { return ids[i]; },
        [&](std::size_t i, const TaskstatsReply& r) {
            TaskstatsAnswer& a = out[i];
            if (r.kind == TaskstatsReply::Kind::error) {
                a.status = r.error == ESRCH ? TaskstatsAnswer::Status::gone
                                            : TaskstatsAnswer::Status::failed;
                return;
            }
            // A record must be of the kind asked for and name the id asked about; anything
            // else is not an answer to this request.
            if (r.kind != TaskstatsReply::Kind::stats || r.whole_process != whole) return;
            if ((whole ? r.record->tgid : r.record->pid) != ids[i]) return;
            a.status = TaskstatsAnswer::Status::ok;
            a.record = *r.record;
            a.asked_ns = impl_->sent_ns_;
            a.answered_ns = impl_->send_returned_ns_;
        });
}

std::optional<TaskstatsRecord> NetlinkTaskstats::query(pid_t tid) {
    std::optional<TaskstatsRecord> out;
    impl_->attr_ = TASKSTATS_CMD_ATTR_PID;
    impl_->run(
        1, [tid](std::size_t) { return tid; },
        [&](std::size_t, const TaskstatsReply& r) {
            if (r.kind == TaskstatsReply::Kind::stats && r.record->pid == tid) out = r.record;
        });
    return out;
}

}  // namespace vigil
