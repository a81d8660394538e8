// Number formatting shared by the renderers: shortest round-trip text, no locale.
#pragma once

#include <string>

namespace hsops::output {

// "0.05", "1073741824", "NaN", "+Inf" (Prometheus / Go float spelling).
std::string format_number(double value);

}  // namespace hsops::output
