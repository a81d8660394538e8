#include <catch2/catch.hpp>

#include "checks/common/fit_options.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

checks::FitOptions read(const std::string& body, bool forget_after) {
  const auto doc = config::Document::parse("checks:\n  x:\n" + body, "f.yaml");
  const auto s = doc.root().child("checks").child("x");
  checks::FitOptions defaults;
  defaults.state_file = "/var/lib/hsops/x.json";
  auto o = checks::read_fit_options(s, defaults, forget_after);
  s.reject_unknown_keys();
  return o;
}

std::string error_of(const std::string& body, bool forget_after = true) {
  try {
    (void)read(body, forget_after);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the sample/fit reader: defaults, values and the bounds between them") {
  const auto d = read("    min_span: 1m\n", true);
  CHECK(d.state_file == "/var/lib/hsops/x.json");
  CHECK(d.bounds.max_samples == 256);
  CHECK(d.min_span == 60s);
  const auto o = read("    state_file: /tmp/s.json\n    fit_window: 2h\n    max_samples: 10\n    min_samples: 10\n"
                      "    forget_after: 1d\n", true);
  CHECK(o.state_file == "/tmp/s.json");
  CHECK(o.bounds.window == 7200s);
  CHECK(o.bounds.max_samples == 10);
  CHECK(o.min_samples == 10);
  CHECK(o.bounds.forget_after == 86400s);
  CHECK(error_of("    max_samples: 1\n") == "f.yaml:3:18: checks.x.max_samples: must be between 2 and 100000");
  CHECK(error_of("    max_samples: 5\n    min_samples: 6\n") ==
        "f.yaml:4:18: checks.x.min_samples: must be between 2 and max_samples");
  CHECK(error_of("    fit_window: 0s\n") == "f.yaml:3:17: checks.x.fit_window: must be a positive duration");
  CHECK(error_of("    fit_window: 10m\n    min_span: 11m\n") == "f.yaml:4:15: checks.x.min_span: must not exceed fit_window");
  // wal keeps no per-path store to forget, so the key is not read there.
  CHECK(error_of("    forget_after: 1d\n", false).find("unknown key 'forget_after'") != std::string::npos);
}
