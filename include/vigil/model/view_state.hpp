// ViewState: what the user asked to see. Keys and options change it; rendering reads it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/text_filter.hpp"

namespace vigil {

enum class ColumnId : std::uint8_t { id, prio, user, disk_read, disk_write, swapin, io, command };
inline constexpr std::size_t kColumnCount = 8;

struct ViewState {
    bool processes = false;              // -P: one row per process (sum of its threads)
    bool only_active = false;            // -o: only rows that did I/O
    bool accumulated = false;            // -a: amounts since vigil started instead of rates
    ByteUnits units = ByteUnits::human;  // -k: always KiB
    std::vector<pid_t> pids;             // -p: keep tasks whose tid or pid is listed (empty: all)
    std::vector<uid_t> uids;             // -u: keep tasks of these users (empty: all)
    ColumnId sort = ColumnId::io;
    bool reverse = false;      // flip the column's default direction
    TextFilter filter;         // '/': over the command line and the user name
    bool full_command = true;  // 'c': the command line, or only the task's name
    bool utf8 = true;          // the output's locale is UTF-8; else non-ASCII text is escaped
    TextEscape escape = TextEscape::terminal;  // data: CSV/JSON (utf8 is then ignored)
};

}  // namespace vigil
