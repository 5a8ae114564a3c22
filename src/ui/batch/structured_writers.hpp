// The CSV and JSON writers (see structured.hpp for the values they carry).
#pragma once

#include <memory>

#include "vigil/ui/batch/batch_writer.hpp"

namespace vigil {

std::unique_ptr<BatchWriter> make_csv_writer(CsvRoute route);
std::unique_ptr<BatchWriter> make_json_writer();

}  // namespace vigil
