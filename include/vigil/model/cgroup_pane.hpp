// The view's cgroup pane (G) and the task filter Enter sets from it: the cgroups table's
// rows in the order the pane shows them, flat or as the hierarchy's tree, and which cgroup
// paths lie in a group's subtree. Pure functions of the table and the walk.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/model/table.hpp"
#include "vigil/sample/cgroup.hpp"

namespace vigil {

// How the pane orders its rows.
struct CgroupPaneOrder {
    bool tree = true;  // children under their parent (by path), each level sorted
    // The sort column (a cgroups table column); nullopt: the walk's order (parents first).
    std::optional<std::size_t> column;
    bool reverse = false;  // flip the column's default direction
    bool utf8 = true;      // the tree's glyphs as box drawing characters, else ASCII
};

struct CgroupPane {
    Table table;                     // the rows in the order shown; in a tree, NAME has glyphs
    std::vector<std::string> paths;  // each row's cgroup v2 path, as the walk read it
    std::vector<std::size_t> depth;  // each row's level in the tree (0 when flat)
};

// Orders the table build_cgroup_table() made (one row per group of groups, in walk order).
// Flat: every row sorted by the column (unknown values last, ties in walk order). Tree: a
// group under its parent (CgroupSample::parent), the siblings sorted by the column; a group
// whose parent was not walked is a root. A table whose rows are not one per group is
// returned in its order, with no paths.
CgroupPane order_cgroup_pane(Table t, const std::vector<CgroupSample>& groups,
                             const CgroupPaneOrder& order);

// Whether a cgroup v2 path lies in the subtree of root: the group itself or one below it
// ("/a/b" is in "/a", "/ab" is not; every path is in "/").
bool cgroup_in_subtree(std::string_view path, std::string_view root);

}  // namespace vigil
