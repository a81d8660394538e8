// Threshold ranges whose ends may carry the units the config uses: "-w 50MiB", "-c @1s:2s",
// "~:5GiB". A plain number keeps its meaning (bytes for a size, seconds for a duration).
#pragma once

#include <string_view>

#include "core/range.h"

namespace hsops {

// What a check's -w/-c figure is measured in. A percent or a count stays a plain number.
enum class Figure { number, bytes, seconds };

// Range::parse, where each end may also be a size (bytes) or a duration (seconds); the range's
// text is then rewritten in base units, as perfdata needs. A bad unit names the end and the
// units the figure takes.
Result<Range> parse_range(std::string_view text, Figure figure);

}  // namespace hsops
