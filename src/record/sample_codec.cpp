// Payload of a sample (all varints unless said otherwise):
//   users:  count, then (uid, name) for each uid not yet sent since the last key
//   header: token diff of everything but the tasks (clocks, vmstat, the machine sample)
//   tasks:  removed count, their tids (zigzag gaps); changed count, per changed or new task
//           its tid (zigzag gap) and token diff; then the task count, as a check.
// A changed task's base is its own tokens of the previous sample; a new task's base is the
// task before it (threads of one process differ in little but their tid), which is also
// how a key payload stores every task compactly.
#include "vigil/record/sample_codec.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "task_tokens.hpp"
#include "vigil/core/memory.hpp"

namespace vigil {

// ---- encoder

struct SampleEncoder::State {
    bool have_prev = false;
    std::vector<std::uint64_t> hdr_prev, hdr_cur;
    StringArena hdr_prev_s, hdr_cur_s;
    TaskTokens prev, cur;
    std::unordered_set<uid_t> users_sent;
    std::vector<std::size_t> order;
    std::vector<pid_t> removed;
    std::string changes;
    std::vector<std::uint64_t> base_n;  // a new task's base: a copy, since the tokens it
    std::vector<std::string> base_s;    // is copied from grow (and move) as it is written
    RecordedTask task;                  // the task being written, its buffers reused
    ShrinkGuard guard;                  // gives back the tokens' room after a peak
};

SampleEncoder::SampleEncoder() : st_(std::make_unique<State>()) {}
SampleEncoder::~SampleEncoder() = default;
SampleEncoder::SampleEncoder(SampleEncoder&&) noexcept = default;
SampleEncoder& SampleEncoder::operator=(SampleEncoder&&) noexcept = default;

void SampleEncoder::reset() {
    st_->have_prev = false;
}
bool SampleEncoder::has_previous() const {
    return st_->have_prev;
}

void SampleEncoder::encode(const Snapshot& s, const TaskDetails* details,
                           const UserNameFn& user_name, bool key, std::string& out) {
    State& st = *st_;
    if (!st.have_prev) key = true;
    if (key) {
        st.prev.clear();
        st.hdr_prev.clear();
        st.hdr_prev_s.clear();
        st.users_sent.clear();
    }
    ByteWriter w(out);

    // Tasks in tid order; the collectors already give them so, and a duplicate tid (which
    // they never give) keeps its first entry.
    st.order.resize(s.tasks.size());
    for (std::size_t i = 0; i < st.order.size(); ++i) st.order[i] = i;
    if (!std::is_sorted(s.tasks.begin(), s.tasks.end(),
                        [](const TaskSample& a, const TaskSample& b) { return a.tid < b.tid; }))
        std::stable_sort(st.order.begin(), st.order.end(), [&](std::size_t a, std::size_t b) {
            return s.tasks[a].tid < s.tasks[b].tid;
        });

    // Users: names not sent since the last key payload.
    std::vector<uid_t> new_users;
    uid_t last_uid = 0;
    bool have_last = false;
    for (const TaskSample& t : s.tasks) {
        if (have_last && t.uid == last_uid) continue;
        last_uid = t.uid;
        have_last = true;
        if (st.users_sent.insert(t.uid).second) new_users.push_back(t.uid);
    }
    w.varint(new_users.size());
    for (uid_t u : new_users) {
        w.varint(u);
        w.bytes(user_name ? std::string_view(user_name(u)) : std::string_view());
    }

    // Everything but the tasks.
    st.hdr_cur.clear();
    st.hdr_cur_s.clear();
    {
        TokenWriter tw(st.hdr_cur, st.hdr_cur_s, st.hdr_prev, st.hdr_prev_s.all());
        record_header_fields(tw, s);
    }
    write_token_diff(w, st.hdr_prev, st.hdr_prev_s.all(), st.hdr_cur, st.hdr_cur_s.all());

    // Tasks.
    st.cur.clear();
    st.removed.clear();
    st.changes.clear();
    ByteWriter cw(st.changes);
    std::size_t changed = 0, pi = 0;
    pid_t last_changed = 0;
    for (std::size_t k = 0; k < st.order.size(); ++k) {
        const std::size_t index = st.order[k];
        const TaskSample& t = s.tasks[index];
        if (st.cur.size() && st.cur.tids.back() == t.tid) continue;  // duplicate
        while (pi < st.prev.size() && st.prev.tids[pi] < t.tid)
            st.removed.push_back(st.prev.tids[pi++]);
        const bool known = pi < st.prev.size() && st.prev.tids[pi] == t.tid;
        std::span<const std::uint64_t> base_n;
        std::span<const std::string> base_s;
        neighbour_base(known, pi, st.prev, st.cur, st.base_n, st.base_s, base_n, base_s);
        to_recorded(t, details ? details->find(index) : nullptr, st.task);
        {
            TokenWriter tw(st.cur.nums, st.cur.strs, base_n, base_s);
            tw(st.task);
        }
        if (!known || !same_tokens(st.cur.open_nums(), st.cur.open_strs(), base_n, base_s)) {
            cw.svarint(static_cast<std::int64_t>(t.tid) - last_changed);
            last_changed = t.tid;
            write_sparse_diff(cw, base_n, base_s, st.cur.open_nums(), st.cur.open_strs());
            ++changed;
        }
        if (known) ++pi;
        st.cur.close(t.tid);
    }
    while (pi < st.prev.size()) st.removed.push_back(st.prev.tids[pi++]);

    w.varint(st.removed.size());
    pid_t last = 0;
    for (pid_t tid : st.removed) {
        w.svarint(static_cast<std::int64_t>(tid) - last);
        last = tid;
    }
    w.varint(changed);
    out += st.changes;
    w.varint(st.cur.size());

    std::swap(st.prev, st.cur);
    std::swap(st.hdr_prev, st.hdr_cur);
    std::swap(st.hdr_prev_s, st.hdr_cur_s);
    st.have_prev = true;
    // After a peak of tasks, the token buffers (tens of MB at 20 000 threads) shrink to the
    // sample's once it has stayed far smaller for a while. cur is cleared before its next
    // use: it keeps nothing.
    if (st.guard.due(st.prev.nums.size(), st.prev.nums.capacity(), sizeof(std::uint64_t))) {
        st.prev.shrink_to_fit();
        st.cur.clear();
        st.cur.shrink_to_fit();
        st.order.shrink_to_fit();
        st.removed.shrink_to_fit();
        st.changes.shrink_to_fit();
        note_memory_released();
    }
}
}  // namespace vigil
