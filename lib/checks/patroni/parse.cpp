#include "checks/patroni/parse.h"

#include <nlohmann/json.hpp>

namespace hsops::checks::patroni {
namespace {

using nlohmann::json;

Error bad(const std::string& what) { return Error{ErrorKind::json, "not what Patroni writes: " + what}; }

Result<json> parse_object(std::string_view body, const char* endpoint) {
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad(std::string(endpoint) + " answer is not JSON");
  if (!j.is_object()) return bad(std::string(endpoint) + " answer is not a JSON object");
  return j;
}

// A required string field of member `index`.
Result<std::string> text(const json& m, const char* key, std::size_t index) {
  const auto it = m.find(key);
  if (it == m.end() || !it->is_string()) {
    return bad("/cluster member " + std::to_string(index) + " has no '" + key + "' string");
  }
  return it->get<std::string>();
}

Result<Member> parse_member(const json& m, std::size_t index) {
  if (!m.is_object()) return bad("/cluster member " + std::to_string(index) + " is not an object");
  Member out;
  const std::pair<const char*, std::string*> required[] = {{"name", &out.name}, {"role", &out.role}, {"state", &out.state}};
  for (const auto& [key, field] : required) {
    auto v = text(m, key, index);
    if (!v) return v.error();
    *field = std::move(v).value();
  }
  out.api_url = m.value("api_url", "");
  if (const auto tl = m.find("timeline"); tl != m.end() && tl->is_number_integer()) out.timeline = tl->get<long long>();
  if (const auto lag = m.find("lag"); lag != m.end()) {
    // An integer byte count, or "unknown" when the member published no WAL position.
    if (lag->is_number()) {
      out.lag_bytes = lag->get<double>();
    } else if (lag->is_string() && lag->get<std::string>() == "unknown") {
      out.lag_unknown = true;
    } else {
      return bad("/cluster member " + out.name + " has a 'lag' that is neither bytes nor \"unknown\"");
    }
  }
  return out;
}

std::string_view strip(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  constexpr std::string_view kSuffix = "/patroni";
  if (url.size() >= kSuffix.size() && url.substr(url.size() - kSuffix.size()) == kSuffix) url.remove_suffix(kSuffix.size());
  return url;
}

}  // namespace

Result<Cluster> parse_cluster(std::string_view body) {
  auto j = parse_object(body, "/cluster");
  if (!j) return j.error();
  const auto members = j.value().find("members");
  if (members == j.value().end() || !members->is_array()) return bad("/cluster has no 'members' list");
  Cluster out;
  for (std::size_t i = 0; i < members->size(); ++i) {
    auto m = parse_member((*members)[i], i);
    if (!m) return m.error();
    out.members.push_back(std::move(m).value());
  }
  // Patroni writes "pause" only while paused.
  if (const auto p = j.value().find("pause"); p != j.value().end()) out.paused = p->is_boolean() && p->get<bool>();
  return out;
}

Result<OwnView> parse_status(std::string_view body) {
  auto j = parse_object(body, "/patroni");
  if (!j) return j.error();
  const json& o = j.value();
  if (!o.contains("state") || !o.contains("role")) return bad("/patroni has no 'state' and 'role'");
  OwnView out;
  if (const auto seen = o.find("dcs_last_seen"); seen != o.end()) {
    if (!seen->is_number()) return bad("/patroni 'dcs_last_seen' is not a number");
    out.dcs_last_seen = seen->get<double>();
  }
  if (const auto n = o.find("name"); n != o.end() && n->is_string()) out.name = n->get<std::string>();
  if (const auto p = o.find("patroni"); p != o.end() && p->is_object()) out.scope = p->value("scope", "");
  return out;
}

std::string member_for_url(const Cluster& c, std::string_view url) {
  for (const auto& m : c.members) {
    if (!m.api_url.empty() && strip(m.api_url) == strip(url)) return m.name;
  }
  return "";
}

}  // namespace hsops::checks::patroni
