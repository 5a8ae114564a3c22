#include "vigil/app/batch_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vigil/app/app.hpp"
#include "vigil/app/diagnostics.hpp"

namespace vigil {
namespace {

// The tables a section's CSV holds, each a file of --csv-dir (with "notes", for any).
std::vector<std::string> csv_tables(Section s) {
    if (s == Section::sensors) return {"temps", "fans", "batteries"};
    std::vector<std::string> out{std::string(section_name(s))};
    if (s == Section::tasks || s == Section::cpu || s == Section::mem)
        out.push_back(out.front() + "_summary");
    if (s == Section::cpu) out.emplace_back("task_states");  // the Tasks header
    return out;
}

}  // namespace

BatchOutput::BatchOutput(const Options& o, const ViewState& vs) : o_(o), vs_(vs), mv_(o.machine) {
    CsvRoute route;
    if (o.format == OutputFormat::csv) {
        if (o.csv_dir.empty()) {
            // stdout holds the one table of the one section shown (options.cpp refuses
            // more); the notes, which CSV on stdout has no table for, go to stderr.
            const std::string only(csv_tables(o.sections.front()).front());
            route = [only](std::string_view table, std::string& out) {
                return table == only ? &out : nullptr;
            };
            notes_to_stderr_ = true;
        } else {
            route = [this](std::string_view table, std::string&) {
                return &files_[std::string(table)].pending;
            };
        }
    }
    writer_ = make_batch_writer(o.format, o.text, std::move(route));
    // CSV and JSON carry text in the reversible escape of vigil(8), FORMATS.
    if (o.format != OutputFormat::text)
        vs_.escape = mv_.escape = TextEscape::data;
    else
        text_.emplace(o.text);
    show_tasks_ =
        std::find(o.sections.begin(), o.sections.end(), Section::tasks) != o.sections.end();
}

int BatchOutput::open_files() {
    if (o_.csv_dir.empty()) return kExitOk;
    dir_ = UniqueFd(::open(o_.csv_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_) {
        const int err = errno;
        say("--csv-dir " + o_.csv_dir + ": " + std::strerror(err));
        return err == ENOENT || err == ENOTDIR ? kExitUsage : kExitRuntime;
    }
    // Every file this run may write must be new: vigil never overwrites or appends to one
    // (nor follows a symbolic link planted in its place).
    std::vector<std::string> names{"notes"};
    for (Section s : o_.sections)
        for (std::string& t : csv_tables(s)) names.push_back(std::move(t));
    for (const std::string& n : names) {
        struct stat st {};
        if (::fstatat(dir_.get(), (n + ".csv").c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
            say(o_.csv_dir + "/" + n +
                ".csv exists: --csv-dir writes new files only; remove "
                "it or choose another directory");
            return kExitUsage;
        }
    }
    return kExitOk;
}

void BatchOutput::prepare(Pipeline& p) {
    ranked_ = {};
    if (show_tasks_) ranked_ = p.ranked_tasks(vs_);
}

void BatchOutput::write(const Pipeline& p, std::string& out) {
    const Frame& f = p.frame();
    writer_->begin_sample(SampleInfo{f.cur->wall_ns, f.tasks.elapsed_s, vs_.units}, out);
    for (Section s : o_.sections) {
        if (s == Section::tasks) {
            write_tasks(p, out);
            continue;
        }
        // A recording made without this section has nothing to show for it (replay warns
        // once); live, every section asked for is collected.
        if (!has_section(f.cur->machine.collected, s)) continue;
        const std::vector<Table>& tables = p.section(s, mv_);
        writer_->section(s, tables, out);
        if (!notes_to_stderr_) continue;
        for (const Table& t : tables)
            for (const std::string& n : t.notes) {
                std::string line = std::string(t.title) + " note: " + n;
                if (notes_said_.insert(line).second) pending_notes_.push_back(std::move(line));
            }
    }
    writer_->end_sample(out);
}

bool BatchOutput::finish() {
    for (const std::string& n : pending_notes_) say(n);
    pending_notes_.clear();
    for (auto& [name, file] : files_) {
        if (file.pending.empty()) continue;
        if (!file.fd) {
            const std::string path = name + ".csv";
            file.fd =
                UniqueFd(::openat(dir_.get(), path.c_str(),
                                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!file.fd) {
                say(o_.csv_dir + "/" + path + ": " + std::strerror(errno));
                return false;
            }
        }
        std::string_view buf = file.pending;
        while (!buf.empty()) {
            const ssize_t n = ::write(file.fd.get(), buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                say(o_.csv_dir + "/" + name + ".csv: cannot write: " + std::strerror(errno));
                return false;
            }
            buf.remove_prefix(static_cast<std::size_t>(n));
        }
        file.pending.clear();
    }
    return true;
}

void BatchOutput::write_tasks(const Pipeline& p, std::string& out) {
    const std::span<const RowKey> keys(ranked_.keys);
    if (!text_) {
        Table table = ranked_.head;
        p.rows(ranked_, keys, vs_, table);
        writer_->tasks(table, vs_, out);
        return;
    }
    // Text: ~72 B of key per row instead of ~400 B of Row, and the lines go out in parts:
    // at 10 000 threads the peak RSS fell from 22.0 to 14.6 MiB.
    constexpr std::size_t kRowsPerPart = 256;
    constexpr std::size_t kFlushBytes = 64 * 1024;
    Table part = ranked_.head;
    text_->write_head(part, vs_, p.frame().cur->wall_ns, out);
    for (std::size_t i = 0; i < keys.size(); i += kRowsPerPart) {
        p.rows(ranked_, keys.subspan(i, std::min(kRowsPerPart, keys.size() - i)), vs_, part);
        text_->write_rows(part, vs_, out);
        if (flush_ && out.size() >= kFlushBytes) flush_(out);
    }
}

}  // namespace vigil
