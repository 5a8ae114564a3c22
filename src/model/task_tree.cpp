#include "task_tree.hpp"

#include <algorithm>
#include <numeric>

namespace vigil {
namespace {

constexpr std::uint32_t kNone = 0xffffffffu;

// Each row's parent row (kNone: a root), by the rules of task_tree.hpp.
std::vector<std::uint32_t> parents_of(std::span<const TreeItem> items, std::uint64_t slack) {
    const std::size_t n = items.size();
    // Rows come in id order (the snapshot's); anything else (a recording that breaks the
    // rule) is looked up through a sorted index.
    const bool sorted = std::is_sorted(items.begin(), items.end(),
                                       [](const auto& a, const auto& b) { return a.id < b.id; });
    std::vector<std::uint32_t> by_id;
    if (!sorted) {
        by_id.resize(n);
        std::iota(by_id.begin(), by_id.end(), 0u);
        std::stable_sort(by_id.begin(), by_id.end(), [&](std::uint32_t a, std::uint32_t b) {
            return items[a].id < items[b].id;
        });
    }
    auto find = [&](pid_t id) -> std::uint32_t {
        if (sorted) {
            auto it = std::lower_bound(items.begin(), items.end(), id,
                                       [](const TreeItem& t, pid_t v) { return t.id < v; });
            return it != items.end() && it->id == id
                       ? static_cast<std::uint32_t>(it - items.begin())
                       : kNone;
        }
        auto it = std::lower_bound(by_id.begin(), by_id.end(), id,
                                   [&](std::uint32_t t, pid_t v) { return items[t].id < v; });
        return it != by_id.end() && items[*it].id == id ? *it : kNone;
    };
    std::vector<std::uint32_t> parent(n, kNone);
    for (std::size_t i = 0; i < n; ++i) {
        const TreeItem& t = items[i];
        if (t.parent <= 0 || t.parent == t.id) continue;
        const std::uint32_t p = find(t.parent);
        if (p == kNone || p == i) continue;
        // A parent that started after its child is another process under a reused PID.
        if (t.check_start && items[p].start_ticks > t.start_ticks + slack) continue;
        parent[i] = p;
    }
    // A cycle cannot happen on a live system, but a recording can hold anything: where
    // walking up from a row comes back to a row of the same walk, that row becomes a root.
    std::vector<std::uint8_t> state(n, 0);  // 0 unseen, 1 on the current walk, 2 done
    std::vector<std::uint32_t> walk;
    for (std::size_t i = 0; i < n; ++i) {
        if (state[i]) continue;
        walk.clear();
        std::uint32_t j = static_cast<std::uint32_t>(i);
        while (j != kNone && state[j] == 0) {
            state[j] = 1;
            walk.push_back(j);
            j = parent[j];
        }
        if (j != kNone && state[j] == 1) parent[j] = kNone;
        for (std::uint32_t w : walk) state[w] = 2;
    }
    return parent;
}

}  // namespace

TreeOrder order_tree(std::span<const TreeItem> items, std::uint64_t start_slack_ticks,
                     const TreeLess& less, const TreeFold& fold, std::size_t max_rows) {
    TreeOrder out;
    const std::size_t n = items.size();
    if (n == 0) return out;
    const std::vector<std::uint32_t> parent = parents_of(items, start_slack_ticks);

    // The children of each row, side by side (first[i] .. first[i + 1]), and the roots.
    std::vector<std::uint32_t> first(n + 1, 0);
    std::vector<std::uint32_t> roots;
    for (std::size_t i = 0; i < n; ++i) {
        if (parent[i] == kNone)
            roots.push_back(static_cast<std::uint32_t>(i));
        else
            ++first[parent[i] + 1];
    }
    for (std::size_t i = 0; i < n; ++i) first[i + 1] += first[i];
    std::vector<std::uint32_t> children(first[n]);
    {
        std::vector<std::uint32_t> at(first.begin(), first.end() - 1);
        for (std::size_t i = 0; i < n; ++i)
            if (parent[i] != kNone) children[at[parent[i]]++] = static_cast<std::uint32_t>(i);
    }
    auto kids = [&](std::uint32_t i) {
        return std::span<std::uint32_t>(children.data() + first[i], first[i + 1] - first[i]);
    };
    auto is_collapsed = [&](std::uint32_t i) { return items[i].collapsed && !kids(i).empty(); };

    // Siblings about to be ordered: a collapsed one is summed first, to be sorted by its sums.
    std::vector<std::uint32_t> subtree;
    auto order = [&](std::span<std::uint32_t> level) {
        for (std::uint32_t k : level) {
            if (!is_collapsed(k)) continue;
            subtree.assign(1, k);
            for (std::size_t s = 0; s < subtree.size(); ++s)
                for (std::uint32_t c : kids(subtree[s])) subtree.push_back(c);
            fold(k, subtree);
        }
        std::sort(level.begin(), level.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return less(a, b); });
    };

    // Depth first, without recursion (a recording may hold a chain of any length). Once
    // max_rows rows are out, the rest is only counted, in any order.
    struct Visit {
        std::uint32_t node;
        std::uint32_t depth;
        std::uint64_t lines;
        bool last;
    };
    std::vector<Visit> stack;
    auto push_level = [&](std::span<const std::uint32_t> level, const Visit* from) {
        std::uint64_t lines = 0;
        std::uint32_t depth = 0;
        if (from) {
            depth = from->depth + 1;
            lines = from->lines;
            if (from->depth >= 1 && from->depth <= 64 && !from->last)
                lines |= std::uint64_t{1} << (from->depth - 1);
        }
        for (std::size_t k = level.size(); k-- > 0;)
            stack.push_back(Visit{level[k], depth, lines, k + 1 == level.size()});
    };
    const std::size_t want = std::min(max_rows, n);
    out.rows.reserve(want);
    out.places.reserve(want);
    if (want > 0) order(roots);
    push_level(roots, nullptr);
    while (!stack.empty()) {
        const Visit v = stack.back();
        stack.pop_back();
        ++out.visible;
        const bool collapsed = is_collapsed(v.node);
        if (out.rows.size() < want) {
            out.rows.push_back(v.node);
            out.places.push_back(TreePlace{v.lines, v.depth, kNoTreeSum, v.last, collapsed});
        }
        if (collapsed) continue;
        const std::span<std::uint32_t> level = kids(v.node);
        if (level.empty()) continue;
        if (out.rows.size() < want) order(level);
        push_level(level, &v);
    }
    return out;
}

void append_tree_prefix(std::string& out, const TreePlace& p, bool utf8) {
    if (p.depth == 0) {
        if (p.collapsed) out += "+ ";
        return;
    }
    const std::uint32_t drawn = std::min(p.depth, kTreeMaxDrawnDepth);
    for (std::uint32_t level = 1; level < drawn; ++level) {
        const bool line = (p.lines >> (level - 1)) & 1;
        out += line ? (utf8 ? "\u2502  " : "|  ") : "   ";
    }
    if (utf8) {
        out += p.last ? "\u2514" : "\u251c";
        out += p.collapsed ? "+ " : "\u2500 ";
    } else {
        out += p.last ? "`" : "|";
        out += p.collapsed ? "+ " : "- ";
    }
}

}  // namespace vigil
