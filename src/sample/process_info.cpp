#include "vigil/sample/process_info.hpp"

namespace vigil {

std::string_view read_failure_name(ReadFailure f) {
    switch (f) {
        case ReadFailure::denied:
            return "denied";
        case ReadFailure::gone:
            return "gone";
        case ReadFailure::unsupported:
            return "unsupported";
        case ReadFailure::failed:
            return "failed";
    }
    return "failed";
}

std::string_view section_state_name(SectionStatus::State s) {
    switch (s) {
        case SectionStatus::State::ok:
            return "ok";
        case SectionStatus::State::partial:
            return "partial";
        case SectionStatus::State::unavailable:
            return "unavailable";
    }
    return "unavailable";
}

}  // namespace vigil
