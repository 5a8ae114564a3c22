// The view's cgroup pane: the cgroups table in the pane's order (cgroup_pane.hpp).
#include "vigil/model/cgroup_pane.hpp"

#include <algorithm>
#include <numeric>

#include "machine_columns.hpp"
#include "table_order.hpp"
#include "task_tree.hpp"

namespace vigil {

CgroupPane order_cgroup_pane(Table t, const std::vector<CgroupSample>& groups,
                             const CgroupPaneOrder& order) {
    CgroupPane out;
    const std::size_t n = t.rows.size();
    const bool sorted = order.column && *order.column < t.columns.size();
    if (n != groups.size() || t.kind != TableKind::cgroups) {
        out.table = std::move(t);
        return out;
    }
    // Ties (and the natural order) keep the walk's order: the row's index.
    auto less = [&](std::uint32_t a, std::uint32_t b) {
        if (sorted) {
            if (row_before(t, *order.column, order.reverse, a, b)) return true;
            if (row_before(t, *order.column, order.reverse, b, a)) return false;
        }
        return a < b;
    };
    std::vector<std::uint32_t> rows;
    std::vector<TreePlace> places;
    if (order.tree) {
        // Ids are the rows' indices + 1 (0: no parent); a parent comes before its children
        // in the walk, so a parent index that does not is a damaged sample: a root.
        std::vector<TreeItem> items(n);
        for (std::size_t i = 0; i < n; ++i) {
            items[i].id = static_cast<pid_t>(i + 1);
            const std::int32_t p = groups[i].parent;
            if (p >= 0 && static_cast<std::size_t>(p) < i)
                items[i].parent = static_cast<pid_t>(p + 1);
        }
        TreeOrder tree = order_tree(
            items, 0, less, [](std::uint32_t, std::span<const std::uint32_t>) {}, n);
        rows = std::move(tree.rows);
        places = std::move(tree.places);
    } else {
        rows.resize(n);
        std::iota(rows.begin(), rows.end(), 0U);
        std::stable_sort(rows.begin(), rows.end(), less);
    }
    out.paths.reserve(rows.size());
    out.depth.reserve(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out.paths.push_back(groups[rows[r]].path);
        out.depth.push_back(r < places.size() ? places[r].depth : 0);
    }
    reorder_rows(t, rows);
    for (std::size_t r = 0; r < places.size() && r < t.rows.size(); ++r) {
        std::string prefix;
        append_tree_prefix(prefix, places[r], order.utf8);
        t.rows[r][cols::g_name].text.insert(0, prefix);
    }
    out.table = std::move(t);
    return out;
}

bool cgroup_in_subtree(std::string_view path, std::string_view root) {
    while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
    if (root.empty() || root == "/") return true;
    if (path.size() < root.size() || path.substr(0, root.size()) != root) return false;
    return path.size() == root.size() || path[root.size()] == '/';
}

}  // namespace vigil
