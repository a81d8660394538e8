#include "checks/failover_drill/records.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace hsops::checks::failover_drill {
namespace {

Error corrupt(const std::string& what) { return Error{ErrorKind::json, what}; }

}  // namespace

Result<DrillRecord> parse_record(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  const auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean()) return corrupt("\"ok\" is not true or false");
  const auto started = j.find("started_at");
  if (started == j.end() || !started->is_number()) return corrupt("\"started_at\" is not a number");
  DrillRecord r;
  r.ok = ok->get<bool>();
  r.started_at = started->get<double>();
  r.seconds = j.value("seconds", 0.0);
  r.run_id = j.value("run_id", "");
  r.deployment = j.value("deployment", "");
  r.left_state = j.value("left_state", "");
  // null when the drill never reached a successful probe.
  if (const auto rto = j.find("rto_seconds"); rto != j.end() && rto->is_number()) r.rto_seconds = rto->get<double>();
  return r;
}

Result<std::optional<DrillRecord>> read_record(const std::filesystem::path& file) {
  std::error_code ec;
  const bool there = std::filesystem::exists(file, ec);
  if (ec) return Error{ErrorKind::io, file.string() + ": " + ec.message()};
  if (!there) return std::optional<DrillRecord>{};
  if (!std::filesystem::is_regular_file(file, ec)) return Error{ErrorKind::io, file.string() + ": not a regular file"};
  errno = 0;
  std::ifstream in(file);
  // ifstream keeps no reason; open(2)'s errno is the one that matters (permissions, mostly).
  if (!in) return Error{ErrorKind::io, file.string() + ": " + (errno ? std::strerror(errno) : "cannot be opened")};
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{ErrorKind::io, file.string() + ": cannot be read"};
  auto parsed = parse_record(text.str());
  if (!parsed) return Error{ErrorKind::json, file.string() + ": " + parsed.error().message};
  return std::optional<DrillRecord>(std::move(parsed).value());
}

Drills read_drills(const std::filesystem::path& state_dir) {
  Drills d;
  auto last = read_record(state_dir / "last-drill.json");
  auto good = read_record(state_dir / "last-good-drill.json");
  for (const auto* r : {&last, &good}) {
    if (!r->ok() && d.problem.empty()) {
      d.problem = r->error().message +
                  " (the drill rewrites it: run `hsops failover drill --yes`; the reports under " +
                  (state_dir / "reports").string() + " keep every run)";
    }
  }
  if (!d.problem.empty()) return d;
  d.last = last.value();
  d.last_good = good.value();
  return d;
}

}  // namespace hsops::checks::failover_drill
