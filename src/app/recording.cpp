#include "vigil/app/recording.hpp"

#include "vigil/app/app.hpp"

namespace vigil {

Result<std::unique_ptr<RecordWriter>> open_recording(const Options& o,
                                                     std::vector<std::string>& notices,
                                                     int& status) {
    RecordOptions ro;
    ro.path = o.record_path;
    ro.max_bytes = o.record_max_bytes;
    ro.rotate_s = o.record_rotate_s;
    ro.interval_s = o.delay_s;
    bool format_error = false;
    auto w = RecordWriter::open(ro, notices, &format_error);
    status = w ? kExitOk : format_error ? kExitUsage : kExitRuntime;
    return w;
}

}  // namespace vigil
