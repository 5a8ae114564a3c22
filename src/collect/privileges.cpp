#include "vigil/collect/privileges.hpp"

#include <linux/capability.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace vigil {

std::optional<CapSets> read_caps() {
    __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &head, data) != 0) return std::nullopt;
    auto join = [](std::uint32_t lo, std::uint32_t hi) {
        return std::uint64_t{lo} | std::uint64_t{hi} << 32;
    };
    CapSets c;
    c.effective = join(data[0].effective, data[1].effective);
    c.permitted = join(data[0].permitted, data[1].permitted);
    c.inheritable = join(data[0].inheritable, data[1].inheritable);
    return c;
}

bool write_caps(const CapSets& c) {
    __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    for (int i = 0; i < 2; ++i) {
        const int shift = 32 * i;
        data[i].effective = static_cast<std::uint32_t>(c.effective >> shift);
        data[i].permitted = static_cast<std::uint32_t>(c.permitted >> shift);
        data[i].inheritable = static_cast<std::uint32_t>(c.inheritable >> shift);
    }
    return ::syscall(SYS_capset, &head, data) == 0;
}

bool lower_net_admin() {
    std::optional<CapSets> c = read_caps();
    if (!c) return false;
    if (!(c->effective & kCapNetAdmin)) return true;
    c->effective &= ~kCapNetAdmin;
    return write_caps(*c);
}

bool drop_net_admin() {
    std::optional<CapSets> c = read_caps();
    if (!c) return false;
    if (!((c->effective | c->permitted | c->inheritable) & kCapNetAdmin)) return true;
    c->effective &= ~kCapNetAdmin;
    c->permitted &= ~kCapNetAdmin;
    c->inheritable &= ~kCapNetAdmin;
    return write_caps(*c);
}

bool lower_caps(std::uint64_t mask) {
    std::optional<CapSets> c = read_caps();
    if (!c) return false;
    if (!(c->effective & mask)) return true;
    c->effective &= ~mask;
    return write_caps(*c);
}

bool drop_caps(std::uint64_t mask) {
    std::optional<CapSets> c = read_caps();
    if (!c) return false;
    if (!((c->effective | c->permitted | c->inheritable) & mask)) return true;
    c->effective &= ~mask;
    c->permitted &= ~mask;
    c->inheritable &= ~mask;
    return write_caps(*c);
}

bool drop_capabilities() {
    // The ambient set empties with the permitted one; cleared first all the same.
    (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    std::optional<CapSets> c = read_caps();
    if (!c) return false;
    if (!c->effective && !c->permitted && !c->inheritable) return true;
    return write_caps(CapSets{});
}

bool privileged() {
    const std::optional<CapSets> c = read_caps();
    // Unknown counts as privileged: the safe answer.
    if (!c || c->permitted != 0 || c->effective != 0) return true;
    return ::getuid() == 0 || ::geteuid() == 0 || ::getauxval(AT_SECURE) != 0;
}

NetAdminRaise::NetAdminRaise() {
    std::optional<CapSets> c = read_caps();
    if (!c || (c->effective & kCapNetAdmin) || !(c->permitted & kCapNetAdmin)) return;
    CapSets raised = *c;
    raised.effective |= kCapNetAdmin;
    if (write_caps(raised)) lowered_ = c;
}

NetAdminRaise::~NetAdminRaise() {
    if (!lowered_) return;
    const int saved = errno;  // the caller reads the errno of what it did meanwhile
    (void)write_caps(*lowered_);
    errno = saved;
}

CapRaise::CapRaise(std::uint64_t mask) {
    std::optional<CapSets> c = read_caps();
    if (!c) return;
    const std::uint64_t raise = mask & c->permitted & ~c->effective;
    if (!raise) return;
    CapSets raised = *c;
    raised.effective |= raise;
    if (write_caps(raised)) lowered_ = c;
}

CapRaise::~CapRaise() {
    if (!lowered_) return;
    const int saved = errno;
    (void)write_caps(*lowered_);
    errno = saved;
}

}  // namespace vigil
