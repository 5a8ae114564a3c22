// Helpers for the recording tests: temporary files, a snapshot's complete token form (every
// field the record format lists) for equality, and sequences of synthetic snapshots.
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "src/record/tokens.hpp"
#include "synthetic_machine.hpp"
#include "vigil/record/record_writer.hpp"
#include "vigil/record/sample_codec.hpp"

namespace vigil::test {

// A directory removed with everything in it when the test ends.
class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/vigil-test.XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// The names in dir, sorted, without the dot files.
inline std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') out.push_back(e->d_name);
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A snapshot with the details fetched for it: what a recording keeps of one sample.
struct Sample {
    Snapshot snap;
    TaskDetails details;
};

// Every field of a sample as the record format lists them (absent optionals' values count
// as unset): equal tokens, equal samples. The field counts in sample_fields.hpp make sure
// no field is left out of the list.
struct SnapshotTokens {
    std::vector<std::uint64_t> nums;
    std::vector<std::string> strs;
    bool operator==(const SnapshotTokens&) const = default;
};

inline SnapshotTokens tokens_of(const Snapshot& s, const TaskDetails* details = nullptr) {
    std::vector<std::uint64_t> nums;
    StringArena strs;
    TokenWriter tw(nums, strs, {}, {});
    record_header_fields(tw, s);
    RecordedTask rt;
    for (std::size_t i = 0; i < s.tasks.size(); ++i) {
        to_recorded(s.tasks[i], details ? details->find(i) : nullptr, rt);
        tw(rt);
    }
    SnapshotTokens out;
    out.nums = std::move(nums);
    for (const std::string& str : strs.all()) out.strs.push_back(str);
    return out;
}
inline SnapshotTokens tokens_of(const Sample& s) {
    return tokens_of(s.snap, &s.details);
}

inline std::vector<Sample> synthetic_run(std::size_t tasks, std::size_t samples,
                                         std::uint64_t seed = 7, std::size_t busy = 5) {
    SyntheticMachine m(tasks, seed, busy);
    std::vector<Sample> out;
    for (std::size_t i = 0; i < samples; ++i) {
        if (i) m.advance();
        out.push_back(Sample{m.snapshot(), m.details()});
    }
    return out;
}

inline const std::string& test_user_name(uid_t uid) {
    static const std::string root = "root", alice = "alice", other = "other";
    return uid == 0 ? root : uid == 1000 ? alice : other;
}

// Records samples to path; a key sample every key_every samples (by their times, 1 s apart).
inline void record_all(const std::string& path, const std::vector<Sample>& samples,
                       double key_interval_s = 3.5) {
    RecordOptions ro;
    ro.path = path;
    ro.key_interval_s = key_interval_s;
    ro.host = "testhost";
    ro.kernel = "6.1.0-test";
    std::vector<std::string> notices;
    auto w = RecordWriter::open(ro, notices);
    if (!w) throw std::runtime_error(w.error().message);
    for (const Sample& s : samples) {
        auto ok = (*w)->write(s.snap, s.details,
                              [](uid_t u) -> const std::string& { return test_user_name(u); });
        if (!ok) throw std::runtime_error(ok.error().message);
    }
}

// Appends the header of a fake key frame to out: a marker, a payload claimed to run exactly
// to byte file_size of the file out starts, and a checksum that fits nothing. Many of them
// made resynchronising after damage quadratic for a reader that checked each claim.
inline void append_fake_frame_header(std::string& out, std::uint64_t file_size) {
    const std::uint64_t payload_at = out.size() + kFrameHeaderSize;
    ByteWriter w(out);
    w.u32(kFrameMarker);
    w.u8(static_cast<std::uint8_t>(FrameType::key));
    w.u8(0);
    w.u16(0);
    w.u32(static_cast<std::uint32_t>(file_size - payload_at));
    w.u64(0);
    w.u32(0);
}

// A key payload of n tasks whose first has a command line of cmdline_len bytes, each
// other stored as its difference from the task before it: a tid one higher, four bytes.
// Decoded, every task carries a copy of that command line: n x cmdline_len bytes from a
// payload of about 4n (which compresses to almost nothing).
inline std::string amplifying_payload(std::size_t n, std::size_t cmdline_len) {
    static const std::string kNoName;
    auto no_name = [](uid_t) -> const std::string& { return kNoName; };
    // The parts of an encoder's payloads: users, machine values, then the tasks.
    std::string empty;
    SampleEncoder().encode(Snapshot{}, nullptr, no_name, true, empty);
    const std::string machine = empty.substr(1, empty.size() - 4);  // 00 M 00 00 00
    Snapshot one;
    TaskSample t;
    t.tid = t.tgid = 1;
    t.comm = "x";
    one.tasks.push_back(t);
    TaskDetails d;
    d.reset(1);
    d.set(0).cmdline = std::make_shared<const std::string>(cmdline_len, 'a');
    std::string first;
    SampleEncoder().encode(one, &d, no_name, true, first);  // 01 00 00 M 00 01 T 01
    const std::size_t task_at = 3 + machine.size() + 2;
    std::string out = first.substr(0, 3 + machine.size());
    ByteWriter w(out);
    w.varint(0);  // no task ended
    w.varint(n);  // n changed (new) tasks
    out += first.substr(task_at, first.size() - task_at - 1);
    // tid gap 1; one number changed: token 0 (the tid, zigzag) by +2.
    for (std::size_t i = 1; i < n; ++i) out += std::string("\x02\x04\x00\x04", 4);
    w.varint(n);
    return out;
}

}  // namespace vigil::test
