#include "checks/failover_follow/records.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace hsops::checks::failover_follow {
namespace {

using nlohmann::json;

Error corrupt(const std::string& what) { return Error{ErrorKind::json, what}; }

// A number, or nullopt for null or a missing key; anything else is an error ("" when fine).
std::string optional_number(const json& j, const char* key, std::optional<double>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_number()) return std::string("\"") + key + "\" is not a number or null";
  out = it->get<double>();
  return "";
}

std::string optional_string(const json& j, const char* key, std::optional<std::string>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) return std::string("\"") + key + "\" is not a string or null";
  out = it->get<std::string>();
  return "";
}

std::string string_or_empty(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Change> parse_change(const json& j) {
  if (!j.is_object()) return corrupt("\"last_change\" is not an object or null");
  Change c;
  const auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean()) return corrupt("\"last_change.ok\" is not true or false");
  c.ok = ok->get<bool>();
  const auto to = j.find("to");
  if (to == j.end() || !to->is_string()) return corrupt("\"last_change.to\" is not a string");
  c.to = to->get<std::string>();
  const auto elected = j.find("leader_elected_at");
  if (elected == j.end() || !elected->is_number()) return corrupt("\"last_change.leader_elected_at\" is not a number");
  c.leader_elected_at = elected->get<double>();
  for (const auto& problem : {optional_string(j, "from", c.from), optional_number(j, "leader_last_seen_at", c.leader_last_seen_at),
                              optional_number(j, "followed_at", c.followed_at),
                              optional_number(j, "patroni_seconds", c.patroni_seconds),
                              optional_number(j, "hsops_seconds", c.hsops_seconds),
                              optional_number(j, "rto_seconds", c.rto_seconds)}) {
    if (!problem.empty()) return corrupt("in last_change: " + problem);
  }
  c.failed_step = string_or_empty(j, "failed_step");
  c.error = string_or_empty(j, "error");
  c.run_id = string_or_empty(j, "run_id");
  c.report = string_or_empty(j, "report");
  return c;
}

}  // namespace

Result<FollowState> parse_follow(const std::string& text) {
  const auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  const auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer()) return corrupt("\"version\" is not an integer");
  if (version->get<long long>() != 1) {
    return corrupt("version " + std::to_string(version->get<long long>()) +
                   ", this hsops reads version 1 (is the follower a newer hsops than this check?)");
  }
  const auto updated = j.find("updated_at");
  if (updated == j.end() || !updated->is_number()) return corrupt("\"updated_at\" is not a number");
  FollowState s;
  s.updated_at = updated->get<double>();
  s.deployment = string_or_empty(j, "deployment");
  if (const auto pid = j.find("pid"); pid != j.end() && pid->is_number_integer()) s.pid = pid->get<long long>();
  if (const auto p = j.find("poll_interval_seconds"); p != j.end() && p->is_number()) s.poll_interval_seconds = p->get<double>();
  if (const auto c = j.find("changes"); c != j.end() && c->is_number_integer()) s.changes = c->get<long long>();
  s.active_homeserver = string_or_empty(j, "active_homeserver");
  for (const auto& problem : {optional_string(j, "leader", s.leader), optional_number(j, "no_leader_since", s.no_leader_since)}) {
    if (!problem.empty()) return corrupt(problem);
  }
  if (const auto c = j.find("last_change"); c != j.end() && !c->is_null()) {
    auto change = parse_change(*c);
    if (!change) return change.error();
    s.last_change = std::move(change).value();
  }
  return s;
}

Follow read_follow(const std::filesystem::path& state_dir) {
  Follow f;
  f.file = state_dir / kFollowFile;
  const auto fail = [&](const std::string& what) {
    f.problem = f.file.string() + ": " + what + " (`hsops failover follow` rewrites it at least every 10 s)";
    return f;
  };
  std::error_code ec;
  const bool there = std::filesystem::exists(f.file, ec);
  if (ec) return fail(ec.message());
  if (!there) return f;
  if (!std::filesystem::is_regular_file(f.file, ec)) return fail("not a regular file");
  errno = 0;
  std::ifstream in(f.file);
  // ifstream keeps no reason; open(2)'s errno is the one that matters (permissions, mostly).
  if (!in) return fail(errno ? std::strerror(errno) : "cannot be opened");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail("cannot be read");
  auto parsed = parse_follow(text.str());
  if (!parsed) return fail(parsed.error().message);
  f.state = std::move(parsed).value();
  return f;
}

}  // namespace hsops::checks::failover_follow
