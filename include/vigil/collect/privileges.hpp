// Capabilities: vigil holds CAP_NET_ADMIN (taskstats needs it) only for the moment it is
// needed. The kernel checks the capability at each taskstats request, both in the sender's
// effective set and in the credentials the socket was opened with; so vigil keeps it
// permitted but not effective, and raises it for the socket's opening and around each
// send() (NetAdminRaise). Where taskstats is not used it is dropped from every set.
//
// Capabilities belong to a thread; vigil settles them in main() before it starts any other
// thread, and only the sampling thread raises CAP_NET_ADMIN. capget/capset are called
// directly: three 64-bit sets are all vigil needs, not a library (libcap) for them.
#pragma once

#include <cstdint>
#include <optional>

namespace vigil {

// A thread's capability sets, one bit per capability (CAP_NET_ADMIN is bit 12).
struct CapSets {
    std::uint64_t effective = 0;
    std::uint64_t permitted = 0;
    std::uint64_t inheritable = 0;
};
inline constexpr std::uint64_t kCapNetAdmin = std::uint64_t{1} << 12;
// The BPF task source's (Linux 5.8+): loading a tracing program that reads kernel memory.
inline constexpr std::uint64_t kCapPerfmon = std::uint64_t{1} << 38;
inline constexpr std::uint64_t kCapBpf = std::uint64_t{1} << 39;

// The calling thread's sets; nullopt if capget(2) fails.
std::optional<CapSets> read_caps();
// Sets them (capset(2)); false (errno set) if the kernel refuses.
bool write_caps(const CapSets& caps);

// CAP_NET_ADMIN out of the effective set, still permitted. False if the sets cannot be
// read or written; true when there was nothing to do.
bool lower_net_admin();
// CAP_NET_ADMIN out of every set, for good (the ambient set loses it with the permitted).
bool drop_net_admin();
// The capabilities of mask out of the effective set (still permitted), or out of every set
// for good; as lower_net_admin and drop_net_admin.
bool lower_caps(std::uint64_t mask);
bool drop_caps(std::uint64_t mask);
// Every capability out of every set, the ambient set included, for good.
bool drop_capabilities();

// Whether the process may do more than its user: it holds a capability (permitted), its
// real or effective user is root, or it was started setuid, setgid or with file
// capabilities (AT_SECURE). Then nothing the environment names may be parsed as trusted.
bool privileged();

// CAP_NET_ADMIN effective while it lives, if it is permitted and was not effective before;
// lowered again when it ends. Costs a capget and two capsets when it raises.
class NetAdminRaise {
  public:
    NetAdminRaise();
    ~NetAdminRaise();
    NetAdminRaise(const NetAdminRaise&) = delete;
    NetAdminRaise& operator=(const NetAdminRaise&) = delete;

  private:
    std::optional<CapSets> lowered_;  // the sets to go back to; empty: nothing was raised
};

// The capabilities of mask that are permitted, effective while it lives (the BPF source
// raises CAP_BPF and CAP_PERFMON to load its program and to start each pass); lowered again
// when it ends.
class CapRaise {
  public:
    explicit CapRaise(std::uint64_t mask);
    ~CapRaise();
    CapRaise(const CapRaise&) = delete;
    CapRaise& operator=(const CapRaise&) = delete;

  private:
    std::optional<CapSets> lowered_;
};

}  // namespace vigil
