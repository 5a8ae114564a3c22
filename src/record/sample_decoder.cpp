// The sample decoder (the payload's layout: sample_codec.cpp), with the memory a decoded
// sample may take counted as it goes (kMaxDecodedSampleBytes).
#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

#include "task_tokens.hpp"
#include "vigil/record/sample_codec.hpp"

namespace vigil {
namespace {

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

}  // namespace

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
        d.memory = rt.memory;
        d.swap_bytes = rt.swap_bytes;
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
