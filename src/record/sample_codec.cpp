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
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "tokens.hpp"

namespace vigil {
namespace {

constexpr std::size_t kMaxTaskTokens = 4096;
constexpr std::int64_t kPage = 4096;
constexpr std::size_t kMaxHeaderTokens = std::size_t{1} << 24;

// For the memory a decoded sample takes (kMaxDecodedSampleBytes): per task besides its
// strings, the task as recorded and as sampled, its detail and its slot, its token ends;
// per string kept once per process (a command line), its object and control block; per
// user name, its object and hash node.
constexpr std::size_t kTaskOverhead = sizeof(RecordedTask) + sizeof(TaskSample) +
                                      sizeof(TaskDetail) + sizeof(std::uint32_t) + sizeof(pid_t) +
                                      2 * sizeof(std::uint32_t);
constexpr std::size_t kSharedStringOverhead = sizeof(std::string) + 32;
constexpr std::size_t kUserOverhead = sizeof(std::string) + sizeof(uid_t) + 32;

// A task's strings are its comm and its command line (RecordedTask), in that order; a
// task's tokens that do not fill its fields exactly are refused (TokenReader::finished).
// The decoder keeps a command line in the tokens only, not in its RecordedTask as well.
constexpr std::size_t kCmdlineString = 1;

// A task's tokens: the numbers, and the strings with their objects.
std::size_t tokens_cost(std::span<const std::uint64_t> nums, std::span<const std::string> strs) {
    std::size_t n = nums.size() * sizeof(std::uint64_t);
    for (const std::string& s : strs) n += sizeof(std::string) + s.size();
    return n;
}

// The tokens of every task of a sample, in tid order.
struct TaskTokens {
    std::vector<pid_t> tids;
    std::vector<std::uint32_t> num_end, str_end;
    std::vector<std::uint64_t> nums;
    StringArena strs;

    void clear() {
        tids.clear();
        num_end.clear();
        str_end.clear();
        nums.clear();
        strs.clear();
    }
    std::size_t size() const { return tids.size(); }
    std::span<const std::uint64_t> nums_of(std::size_t i) const {
        std::size_t b = i ? num_end[i - 1] : 0;
        return {nums.data() + b, num_end[i] - b};
    }
    std::span<const std::string> strs_of(std::size_t i) const {
        return strs.range(i ? str_end[i - 1] : 0, str_end[i]);
    }
    // The tokens written since the last close(): the task being added.
    std::span<const std::uint64_t> open_nums() const {
        std::size_t b = num_end.empty() ? 0 : num_end.back();
        return {nums.data() + b, nums.size() - b};
    }
    std::span<const std::string> open_strs() const {
        return strs.range(str_end.empty() ? 0 : str_end.back(), strs.size());
    }
    void close(pid_t tid) {
        tids.push_back(tid);
        num_end.push_back(static_cast<std::uint32_t>(nums.size()));
        str_end.push_back(static_cast<std::uint32_t>(strs.size()));
    }
    void copy_from(const TaskTokens& other, std::size_t i) {
        auto n = other.nums_of(i);
        nums.insert(nums.end(), n.begin(), n.end());
        for (const std::string& s : other.strs_of(i)) strs.push(s);
        close(other.tids[i]);
    }
    std::span<const std::uint64_t> last_nums() const {
        return size() ? nums_of(size() - 1) : std::span<const std::uint64_t>();
    }
    std::span<const std::string> last_strs() const {
        return size() ? strs_of(size() - 1) : std::span<const std::string>();
    }
};

bool same_tokens(std::span<const std::uint64_t> an, std::span<const std::string> as,
                 std::span<const std::uint64_t> bn, std::span<const std::string> bs) {
    return std::equal(an.begin(), an.end(), bn.begin(), bn.end()) &&
           std::equal(as.begin(), as.end(), bs.begin(), bs.end());
}

// The base of the task being added: its own tokens of the previous sample when it was
// there, else (copied) those of the task before it in this sample.
void neighbour_base(bool known, std::size_t pi, const TaskTokens& prev, const TaskTokens& cur,
                    std::vector<std::uint64_t>& copy_n, std::vector<std::string>& copy_s,
                    std::span<const std::uint64_t>& base_n, std::span<const std::string>& base_s) {
    if (known) {
        base_n = prev.nums_of(pi);
        base_s = prev.strs_of(pi);
        return;
    }
    auto n = cur.last_nums();
    auto s = cur.last_strs();
    copy_n.assign(n.begin(), n.end());
    copy_s.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) copy_s[i].assign(s[i]);
    base_n = copy_n;
    base_s = copy_s;
}

}  // namespace

void write_token_diff(ByteWriter& w, std::span<const std::uint64_t> base_nums,
                      std::span<const std::string> base_strs, std::span<const std::uint64_t> nums,
                      std::span<const std::string> strs) {
    w.varint(nums.size());
    for (std::size_t b = 0; b < nums.size(); b += 64) {
        const std::size_t end = std::min(b + 64, nums.size());
        std::uint64_t mask = 0;
        for (std::size_t i = b; i < end; ++i) {
            const std::uint64_t base = i < base_nums.size() ? base_nums[i] : 0;
            if (nums[i] != base) mask |= std::uint64_t{1} << (i - b);
        }
        w.varint(mask);
        for (std::size_t i = b; i < end; ++i) {
            if (!(mask >> (i - b) & 1)) continue;
            const std::uint64_t base = i < base_nums.size() ? base_nums[i] : 0;
            w.svarint(static_cast<std::int64_t>(nums[i] - base));  // wraps: any value works
        }
    }
    w.varint(strs.size());
    for (std::size_t b = 0; b < strs.size(); b += 64) {
        const std::size_t end = std::min(b + 64, strs.size());
        std::uint64_t mask = 0;
        for (std::size_t i = b; i < end; ++i) {
            std::string_view base = i < base_strs.size() ? std::string_view(base_strs[i]) : "";
            if (strs[i] != base) mask |= std::uint64_t{1} << (i - b);
        }
        w.varint(mask);
        for (std::size_t i = b; i < end; ++i)
            if (mask >> (i - b) & 1) w.bytes(strs[i]);
    }
}

void write_sparse_diff(ByteWriter& w, std::span<const std::uint64_t> base_nums,
                       std::span<const std::string> base_strs, std::span<const std::uint64_t> nums,
                       std::span<const std::string> strs) {
    auto num_base = [&](std::size_t i) { return i < base_nums.size() ? base_nums[i] : 0; };
    auto str_base = [&](std::size_t i) {
        return i < base_strs.size() ? std::string_view(base_strs[i]) : std::string_view();
    };
    std::size_t changed = 0, changed_strs = 0;
    for (std::size_t i = 0; i < nums.size(); ++i) changed += nums[i] != num_base(i);
    for (std::size_t i = 0; i < strs.size(); ++i) changed_strs += strs[i] != str_base(i);
    const bool shape = nums.size() != base_nums.size() || strs.size() != base_strs.size();
    w.varint(static_cast<std::uint64_t>(changed) << 2 | (changed_strs ? 2u : 0u) |
             (shape ? 1u : 0u));
    if (shape) {
        w.varint(nums.size());
        w.varint(strs.size());
    }
    std::size_t last = 0;
    for (std::size_t i = 0; i < nums.size(); ++i) {
        if (nums[i] == num_base(i)) continue;
        // Storage I/O moves whole pages: such deltas are stored in pages (a flag in the
        // index gap's low bit), which saves a byte or two on every busy task.
        const auto delta = static_cast<std::int64_t>(nums[i] - num_base(i));
        const bool pages = delta % kPage == 0;
        w.varint((i - last) << 1 | (pages ? 1 : 0));
        w.svarint(pages ? delta / kPage : delta);
        last = i;
    }
    if (!changed_strs) return;
    w.varint(changed_strs);
    last = 0;
    for (std::size_t i = 0; i < strs.size(); ++i) {
        if (strs[i] == str_base(i)) continue;
        w.varint(i - last);
        w.bytes(strs[i]);
        last = i;
    }
}

bool read_sparse_diff(ByteReader& r, std::span<const std::uint64_t> base_nums,
                      std::span<const std::string> base_strs, std::vector<std::uint64_t>& nums,
                      StringArena& strs, std::size_t max_tokens) {
    const std::uint64_t head = r.varint();
    std::uint64_t n = base_nums.size(), m = base_strs.size();
    if (head & 1) {
        n = r.varint();
        m = r.varint();
    }
    const std::uint64_t changed = head >> 2;
    if (!r.ok() || n > max_tokens || m > max_tokens || changed > n) return false;
    const std::size_t start = nums.size();
    for (std::size_t i = 0; i < n; ++i) nums.push_back(i < base_nums.size() ? base_nums[i] : 0);
    std::uint64_t idx = 0;
    for (std::uint64_t k = 0; k < changed; ++k) {
        const std::uint64_t word = r.varint();
        const std::uint64_t gap = word >> 1;
        idx += gap;
        if (!r.ok() || (k > 0 && gap == 0) || idx >= n) return false;
        std::uint64_t delta = static_cast<std::uint64_t>(r.svarint());
        if (word & 1) delta *= kPage;  // wraps as the encoder's division did not
        nums[start + idx] += delta;
    }
    const std::size_t sstart = strs.size();
    for (std::size_t i = 0; i < m; ++i)
        strs.push(i < base_strs.size() ? std::string_view(base_strs[i]) : std::string_view());
    if (head & 2) {
        const std::uint64_t changed_strs = r.varint();
        if (!r.ok() || changed_strs == 0 || changed_strs > m) return false;
        idx = 0;
        for (std::uint64_t k = 0; k < changed_strs; ++k) {
            const std::uint64_t gap = r.varint();
            idx += gap;
            if (!r.ok() || (k > 0 && gap == 0) || idx >= m) return false;
            std::string_view v = r.bytes();
            if (!r.ok()) return false;
            if (v.size() > kMaxRecordedStringBytes)
                strs.set(sstart + idx, cap_recorded_string(v));
            else
                strs.set(sstart + idx, v);
        }
    }
    return r.ok();
}

bool read_token_diff(ByteReader& r, std::span<const std::uint64_t> base_nums,
                     std::span<const std::string> base_strs, std::vector<std::uint64_t>& nums,
                     StringArena& strs, std::size_t max_tokens, DecodeBudget& budget) {
    // Every block of 64 tokens costs at least its mask byte: a count the bytes left cannot
    // hold is damage, found before it is spent on (up to max_tokens) allocations.
    auto fits = [&](std::uint64_t count) {
        return count <= max_tokens && count / 64 <= r.remaining();
    };
    const std::uint64_t n = r.varint();
    if (!r.ok() || !fits(n) || !budget.take(2 * n * sizeof(std::uint64_t))) return false;
    for (std::size_t b = 0; b < n; b += 64) {
        const std::size_t end = std::min<std::size_t>(b + 64, n);
        const std::uint64_t mask = r.varint();
        if (!r.ok() || (end - b < 64 && (mask >> (end - b)) != 0)) return false;
        for (std::size_t i = b; i < end; ++i) {
            std::uint64_t v = i < base_nums.size() ? base_nums[i] : 0;
            if (mask >> (i - b) & 1) v += static_cast<std::uint64_t>(r.svarint());
            nums.push_back(v);
        }
    }
    const std::uint64_t m = r.varint();
    if (!r.ok() || !fits(m) || !budget.take(2 * m * sizeof(std::string))) return false;
    for (std::size_t b = 0; b < m; b += 64) {
        const std::size_t end = std::min<std::size_t>(b + 64, m);
        const std::uint64_t mask = r.varint();
        if (!r.ok() || (end - b < 64 && (mask >> (end - b)) != 0)) return false;
        for (std::size_t i = b; i < end; ++i) {
            const std::string_view v = mask >> (i - b) & 1    ? r.bytes()
                                       : i < base_strs.size() ? std::string_view(base_strs[i])
                                                              : "";
            if (!budget.take(2 * v.size())) return false;
            strs.push(v);
        }
    }
    return r.ok();
}

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
}

// ---- decoder

struct SampleDecoder::State {
    std::size_t max_bytes = kMaxDecodedSampleBytes;
    std::uint32_t layout = kRecordFormatVersion;
    std::size_t last_bytes = 0;  // what the last sample decoded was counted at
    bool have_prev = false;
    std::vector<std::uint64_t> hdr_prev, hdr_cur;
    StringArena hdr_prev_s, hdr_cur_s;
    TaskTokens prev, cur;
    std::vector<RecordedTask> prev_tasks, cur_tasks;
    std::vector<pid_t> removed;
    RecordedUsers users;
    std::vector<std::uint64_t> base_n;  // as in the encoder
    std::vector<std::string> base_s;
    std::size_t users_bytes = 0;  // what users takes, as counted for a decoded sample
    std::size_t held_bytes = 0;   // what the last sample's tokens and tasks hold (prev)
    // The command lines the last sample's details got, by process: a sample whose line is
    // the same gets the same string, so the caller's previous and current details share it.
    std::unordered_map<pid_t, std::shared_ptr<const std::string>> lines, next_lines;
    std::size_t lines_bytes = 0;  // what lines holds, as counted

    // After a failure: what a sample that failed allocated may be most of the bound, and
    // nothing of it is needed (the next sample must be a key).
    void release() {
        hdr_prev = {};
        hdr_cur = {};
        hdr_prev_s = {};
        hdr_cur_s = {};
        prev = {};
        cur = {};
        prev_tasks = {};
        cur_tasks = {};
        removed = {};
        base_n = {};
        base_s = {};
    }
};

SampleDecoder::SampleDecoder(std::size_t max_sample_bytes) : st_(std::make_unique<State>()) {
    st_->max_bytes = max_sample_bytes;
}
SampleDecoder::~SampleDecoder() = default;
SampleDecoder::SampleDecoder(SampleDecoder&&) noexcept = default;
SampleDecoder& SampleDecoder::operator=(SampleDecoder&&) noexcept = default;

void SampleDecoder::set_layout(std::uint32_t format_version) {
    st_->layout = format_version;
}

const RecordedUsers& SampleDecoder::users() const {
    return st_->users;
}

std::size_t SampleDecoder::last_sample_bytes() const {
    return st_->last_bytes;
}

bool SampleDecoder::decode(std::string_view payload, bool key, Snapshot& out, TaskDetails& details,
                           std::string& error) {
    State& st = *st_;
    DecodeBudget budget(st.max_bytes);
    auto fail = [&](std::string why) {
        st.have_prev = false;
        st.release();
        error = std::move(why);
        return false;
    };
    auto too_big = [&] {
        return fail("decoded, the sample would take more than " +
                    std::to_string(st.max_bytes >> 20) + " MiB of memory (the most one may take)");
    };
    if (!key && !st.have_prev) return fail("a delta sample without the sample before it");
    if (key) {
        // Nothing of the last sample is needed: given back, so that what the bound counts is
        // what is held (a key sample after a large one costs its allocations again).
        st.release();
        st.held_bytes = 0;
        st.lines = {};
        st.lines_bytes = 0;
    }
    // The payload is in memory while the sample is decoded from it, and so is the last
    // sample a delta is decoded against: the bound is for both.
    if (!budget.take(payload.size()) || !budget.take(st.held_bytes) || !budget.take(st.lines_bytes))
        return too_big();
    ByteReader r(payload);

    // The user names: kept here, and copied into the details of every sample.
    if (!budget.take(st.users_bytes)) return too_big();
    const std::size_t held_before = budget.used();  // what this sample adds from here is held
    const std::uint64_t nusers = r.varint();
    if (!r.ok() || nusers > r.remaining()) return fail("bad user list");
    for (std::uint64_t i = 0; i < nusers; ++i) {
        auto uid = static_cast<uid_t>(r.varint());
        std::string_view name = r.bytes();
        if (!r.ok()) return fail("bad user list");
        if (!budget.take(2 * (kUserOverhead + name.size()))) return too_big();
        auto [it, added] = st.users.try_emplace(uid);
        st.users_bytes += name.size() + (added ? kUserOverhead : 0);
        st.users_bytes -= it->second.size();
        it->second.assign(name);
    }

    st.hdr_cur.clear();
    st.hdr_cur_s.clear();
    if (!read_token_diff(r, st.hdr_prev, st.hdr_prev_s.all(), st.hdr_cur, st.hdr_cur_s,
                         kMaxHeaderTokens, budget))
        return budget.exhausted() ? too_big() : fail("bad machine values");
    Snapshot snap;
    {
        TokenReader tr(st.hdr_cur, st.hdr_cur_s.all(), st.layout);
        record_header_fields(tr, snap);
        if (!tr.ok() || !tr.finished()) return fail("machine values do not fit their fields");
    }

    const std::uint64_t nremoved = r.varint();
    if (!r.ok() || nremoved > st.prev.size()) return fail("bad list of ended tasks");
    st.removed.clear();
    std::int64_t tid = 0;
    for (std::uint64_t i = 0; i < nremoved; ++i) {
        std::int64_t next = tid + r.svarint();
        if (!r.ok() || (i > 0 && next <= tid)) return fail("bad list of ended tasks");
        tid = next;
        st.removed.push_back(static_cast<pid_t>(tid));
    }

    const std::uint64_t nchanged = r.varint();
    if (!r.ok() || nchanged > r.remaining()) return fail("bad list of changed tasks");
    st.cur.clear();
    st.cur_tasks.clear();
    // What a task takes besides its tokens: the task and its detail built from them (the
    // comm twice: the task, the sample), and its command line where it differs from the
    // last one kept (threads of a process share theirs): as the end of decode() makes them.
    std::optional<std::size_t> kept_cmdline;  // the task in cur whose line is kept
    std::size_t new_lines = 0;                // of what is taken, command lines not in lines
    // t is the task being added (at st.cur.size()), strs its tokens' strings.
    auto take_task = [&](const RecordedTask& t, std::span<const std::string> strs) {
        std::size_t n = kTaskOverhead + 2 * t.comm.size();
        if (has_details(t) && t.cmdline) {
            const std::string& line = strs[kCmdlineString];
            if (!kept_cmdline || st.cur.strs_of(*kept_cmdline)[kCmdlineString] != line) {
                std::uint64_t unread = 0;
                const std::string_view text = recorded_cmdline_text(line, unread);
                const auto known = st.lines.find(t.tgid);
                if (known == st.lines.end() || *known->second != text) {
                    n += kSharedStringOverhead + line.size();
                    new_lines += kSharedStringOverhead + line.size();
                }
            }
            kept_cmdline = st.cur.size();
        }
        return budget.take(n);
    };
    std::size_t pi = 0, ri = 0;
    // Copies the previous sample's tasks below limit, less those that ended.
    auto carry_until = [&](std::int64_t limit) {
        while (pi < st.prev.size() && st.prev.tids[pi] < limit) {
            if (ri < st.removed.size() && st.removed[ri] == st.prev.tids[pi]) {
                ++ri;
            } else {
                if (!budget.take(tokens_cost(st.prev.nums_of(pi), st.prev.strs_of(pi))) ||
                    !take_task(st.prev_tasks[pi], st.prev.strs_of(pi)))
                    return false;
                st.cur.copy_from(st.prev, pi);
                st.cur_tasks.push_back(st.prev_tasks[pi]);
            }
            ++pi;
        }
        return true;
    };
    tid = 0;
    for (std::uint64_t i = 0; i < nchanged; ++i) {
        std::int64_t next = tid + r.svarint();
        if (!r.ok() || (i > 0 && next <= tid)) return fail("bad list of changed tasks");
        tid = next;
        if (!carry_until(tid)) return too_big();
        if (ri < st.removed.size() && st.removed[ri] <= tid)
            return fail("a task is listed both as ended and as changed");
        const bool known = pi < st.prev.size() && st.prev.tids[pi] == tid;
        std::span<const std::uint64_t> base_n;
        std::span<const std::string> base_s;
        neighbour_base(known, pi, st.prev, st.cur, st.base_n, st.base_s, base_n, base_s);
        // The task's tokens start as copies of its base's: taken before they are made, and
        // what the payload changed (longer strings) after.
        const std::size_t base_cost = tokens_cost(base_n, base_s);
        if (!budget.take(base_cost)) return too_big();
        if (!read_sparse_diff(r, base_n, base_s, st.cur.nums, st.cur.strs, kMaxTaskTokens))
            return fail("bad task values");
        const std::size_t cost = tokens_cost(st.cur.open_nums(), st.cur.open_strs());
        if (cost > base_cost && !budget.take(cost - base_cost)) return too_big();
        RecordedTask t;
        TokenReader tr(st.cur.open_nums(), st.cur.open_strs(), st.layout);
        tr(t);
        if (!tr.ok() || !tr.finished() || t.tid != tid)
            return fail("task values do not fit their fields");
        if (t.cmdline) std::string().swap(*t.cmdline);  // kept in the tokens (kCmdlineString)
        if (!take_task(t, st.cur.open_strs())) return too_big();
        st.cur.close(t.tid);
        st.cur_tasks.push_back(std::move(t));
        if (known) ++pi;
    }
    if (!carry_until(std::numeric_limits<std::int64_t>::max())) return too_big();
    if (ri != st.removed.size()) return fail("an ended task was not running");
    const std::uint64_t ntasks = r.varint();
    if (!r.ok() || ntasks != st.cur_tasks.size()) return fail("task count does not match");
    if (r.remaining() != 0) return fail("unexpected bytes after the sample");

    std::swap(st.prev, st.cur);
    std::swap(st.hdr_prev, st.hdr_cur);
    std::swap(st.hdr_prev_s, st.hdr_cur_s);
    std::swap(st.prev_tasks, st.cur_tasks);
    st.have_prev = true;
    st.last_bytes = budget.used();
    st.held_bytes = budget.used() - held_before - new_lines;
    snap.tasks.resize(st.prev_tasks.size());
    details.reset(st.prev_tasks.size());
    for (const auto& [uid, name] : st.users) details.set_user_name(uid, name);
    std::shared_ptr<const std::string> last_cmdline;  // threads of a process share theirs
    st.next_lines.clear();
    st.lines_bytes = 0;
    for (std::size_t i = 0; i < st.prev_tasks.size(); ++i) {
        const RecordedTask& rt = st.prev_tasks[i];
        to_sample(rt, snap.tasks[i]);
        if (!has_details(rt)) continue;
        TaskDetail& d = details.set(i);
        d.ioprio = rt.ioprio;
        if (rt.cmdline) {
            const std::string_view text =
                recorded_cmdline_text(st.prev.strs_of(i)[kCmdlineString], d.cmdline_unread);
            if (!last_cmdline || *last_cmdline != text) {
                const auto known = st.lines.find(rt.tgid);
                if (known != st.lines.end() && *known->second == text)
                    last_cmdline = known->second;
                else
                    last_cmdline = std::make_shared<const std::string>(text);
            }
            d.cmdline = last_cmdline;
            auto [it, added] = st.next_lines.try_emplace(rt.tgid, last_cmdline);
            if (added) st.lines_bytes += kSharedStringOverhead + last_cmdline->size();
        }
    }
    std::swap(st.lines, st.next_lines);
    st.next_lines.clear();  // the lines no task has any more go now
    out = std::move(snap);
    return true;
}

}  // namespace vigil
