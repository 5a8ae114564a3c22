// The process tree (--tree, the view's T and F5): the order of a task table's rows as
// pstree and htop show them, children under their parent, each level in the sort order,
// and the glyphs before each row's command. Pure: rank_tasks (task_table.cpp) hands it the
// rows that passed the filters, with how to compare two of them and how to sum a
// collapsed subtree, and gets back the rows to show in order.
//
// The rules (vigil(8), --tree):
//   - a process hangs from the row of its parent process (PPID); in thread mode a thread
//     other than the leader hangs from its process's leader row, and a leader from its
//     parent process's leader row;
//   - a row whose parent is not shown (filtered out, exited, or a PID reused by a process
//     that started after it) is a root, as in htop: filters show the rows that match,
//     never their ancestors that do not;
//   - a collapsed row (ViewState::collapsed) with children hides its subtree, and its
//     sort key is its subtree's sum (fold), so it is sorted by what it shows;
//   - the cut to max_rows comes after the tree order.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace vigil {

struct TreeItem {
    pid_t id = 0;      // the row's id (tid, or pid with -P)
    pid_t parent = 0;  // the id of the row it hangs from, if that row is there (0: none)
    std::uint64_t start_ticks = 0;
    // parent is its parent process: it must have started no later than this row (give
    // or take the slack), else the PID was reused and this row is a root.
    bool check_start = false;
    bool collapsed = false;  // asked to be shown collapsed (it is, if it has children)
};

inline constexpr std::uint32_t kNoTreeSum = 0xffffffffu;

// Where a row sits in the tree, for its glyphs and its place in CSV and JSON.
struct TreePlace {
    std::uint64_t lines = 0;          // bit L-1: the ancestor at depth L has a sibling below it
    std::uint32_t depth = 0;          // 0: a root
    std::uint32_t sums = kNoTreeSum;  // a collapsed row: its subtree's sums (task_table.cpp)
    bool last = false;                // the last child of its parent
    bool collapsed = false;           // its subtree is hidden in it
};

struct TreeOrder {
    std::vector<std::uint32_t> rows;  // item indices in display order, at most max_rows
    std::vector<TreePlace> places;    // parallel to rows
    std::size_t visible = 0;          // rows of the tree outside collapsed subtrees
};

// Whether item a comes before item b among siblings (a strict weak order).
using TreeLess = std::function<bool(std::uint32_t a, std::uint32_t b)>;
// A collapsed node about to be sorted among its siblings: subtree holds it and every row
// under it. It updates what less compares for node (its sums).
using TreeFold = std::function<void(std::uint32_t node, std::span<const std::uint32_t> subtree)>;

// items: the rows, best in ascending id order (other orders work, at the cost of a sort).
// start_slack_ticks: how much later than its child a parent may seem to have started (a
// start time worked out from taskstats can be a tick or so off).
TreeOrder order_tree(std::span<const TreeItem> items, std::uint64_t start_slack_ticks,
                     const TreeLess& less, const TreeFold& fold, std::size_t max_rows);

// Appends the glyphs of a row before its command: "├─ ", "└─ " under "│  " of the
// ancestors with siblings below; "+" in place of "─" (a root: "+ ") when collapsed. utf8
// false: "|- ", "`- ", "|  ". Indentation stops growing past kTreeMaxDrawnDepth levels.
inline constexpr std::uint32_t kTreeMaxDrawnDepth = 64;
void append_tree_prefix(std::string& out, const TreePlace& p, bool utf8);

}  // namespace vigil
