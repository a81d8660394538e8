#include "alerting/state.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include "output/textfile.h"

namespace hsops::alerting {
namespace {

using json = nlohmann::json;

std::int64_t to_ms(TimePoint tp) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

TimePoint from_ms(const json& j) { return TimePoint{std::chrono::milliseconds{j.get<std::int64_t>()}}; }

json optional_ms(const std::optional<TimePoint>& tp) { return tp ? json(to_ms(*tp)) : json(nullptr); }

std::optional<TimePoint> optional_time(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return from_ms(j.at(key));
}

Severity severity_from(const json& j) {
  const auto s = severity_from_string(j.get<std::string>());
  if (!s) throw std::invalid_argument("unknown severity " + j.dump());
  return *s;
}

json ack_json(const Ack& ack) {
  return json{{"who", ack.who}, {"at", to_ms(ack.at)}, {"until", optional_ms(ack.until)}, {"comment", ack.comment}};
}

Ack ack_from(const json& j) {
  return Ack{j.at("who").get<std::string>(), from_ms(j.at("at")), optional_time(j, "until"),
             j.at("comment").get<std::string>()};
}

json alert_json(const Alert& a) {
  return json{{"fingerprint", a.fingerprint}, {"id", a.id},
              {"check", a.check}, {"labels", a.labels},
              {"severity", std::string(to_string(a.severity))}, {"summary", a.summary},
              {"route", a.route}, {"fired_at", to_ms(a.fired_at)},
              {"escalation_base", to_ms(a.escalation_base)}, {"tier", a.tier},
              {"last_page", optional_ms(a.last_page)}, {"ack", a.ack ? ack_json(*a.ack) : json(nullptr)},
              {"flapping", a.flapping}, {"ok_since", optional_ms(a.ok_since)}};
}

Alert alert_from(const json& j) {
  Alert a;
  a.fingerprint = j.at("fingerprint").get<std::string>();
  a.id = short_id(a.fingerprint);  // derived, so a hand-edited id cannot diverge
  a.check = j.at("check").get<std::string>();
  a.labels = j.at("labels").get<Labels>();
  a.severity = severity_from(j.at("severity"));
  a.summary = j.at("summary").get<std::string>();
  a.route = j.at("route").get<std::string>();
  a.fired_at = from_ms(j.at("fired_at"));
  a.escalation_base = from_ms(j.at("escalation_base"));
  a.tier = j.at("tier").get<int>();
  a.last_page = optional_time(j, "last_page");
  if (!j.at("ack").is_null()) a.ack = ack_from(j.at("ack"));
  a.flapping = j.at("flapping").get<bool>();
  a.ok_since = optional_time(j, "ok_since");
  return a;
}

json pending_json(const Pending& p) {
  return json{{"check", p.check}, {"fingerprint", p.failure.fingerprint}, {"labels", p.failure.labels},
              {"severity", std::string(to_string(p.failure.severity))}, {"summary", p.summary},
              {"since", to_ms(p.since)}};
}

Pending pending_from(const json& j) {
  Failure f{j.at("fingerprint").get<std::string>(), j.at("labels").get<Labels>(), severity_from(j.at("severity"))};
  return Pending{j.at("check").get<std::string>(), std::move(f), j.at("summary").get<std::string>(),
                 from_ms(j.at("since"))};
}

json silence_json(const Silence& s) {
  return json{{"check", s.check}, {"fingerprint", s.fingerprint ? json(*s.fingerprint) : json(nullptr)},
              {"until", to_ms(s.until)}, {"who", s.who}, {"comment", s.comment}};
}

Silence silence_from(const json& j) {
  Silence s{j.at("check").get<std::string>(), std::nullopt, from_ms(j.at("until")), j.at("who").get<std::string>(),
            j.at("comment").get<std::string>()};
  if (!j.at("fingerprint").is_null()) s.fingerprint = j.at("fingerprint").get<std::string>();
  return s;
}

EngineState parse_state(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("not a JSON object");
  if (doc.at("version").get<int>() != state_version) {
    throw std::invalid_argument("version " + doc.at("version").dump() + " is not " + std::to_string(state_version));
  }
  EngineState state;
  for (const auto& j : doc.at("alerts")) {
    Alert a = alert_from(j);
    state.alerts.emplace(a.fingerprint, std::move(a));
  }
  for (const auto& j : doc.at("pending")) {
    Pending p = pending_from(j);
    state.pending.emplace(p.failure.fingerprint, std::move(p));
  }
  for (const auto& j : doc.at("silences")) state.silences.push_back(silence_from(j));
  for (const auto& [fingerprint, times] : doc.at("flips").items()) {
    for (const auto& t : times) state.flips[fingerprint].push_back(from_ms(t));
  }
  return state;
}

}  // namespace

json state_to_json(const EngineState& state) {
  json doc{{"version", state_version}, {"alerts", json::array()}, {"pending", json::array()},
           {"silences", json::array()}, {"flips", json::object()}};
  for (const auto& [fingerprint, alert] : state.alerts) doc["alerts"].push_back(alert_json(alert));
  for (const auto& [fingerprint, pending] : state.pending) doc["pending"].push_back(pending_json(pending));
  for (const auto& silence : state.silences) doc["silences"].push_back(silence_json(silence));
  for (const auto& [fingerprint, times] : state.flips) {
    auto& list = doc["flips"][fingerprint] = json::array();
    for (const auto t : times) list.push_back(to_ms(t));
  }
  return doc;
}

Result<EngineState> state_from_json(const json& doc) {
  // nlohmann reports a missing key or wrong type by exception; here it becomes a value.
  try {
    return parse_state(doc);
  } catch (const std::exception& e) {
    return Error{ErrorKind::parse, std::string("not an alert state: ") + e.what()};
  }
}

Result<bool> save_state(const std::filesystem::path& file, const EngineState& state) {
  auto written = output::write_file_atomically(file, state_to_json(state).dump(2) + "\n");
  if (!written) return Error{ErrorKind::state, "alert state " + written.error().message};
  return true;
}

Result<EngineState> load_state(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return EngineState{};
  std::ifstream in(file);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) return Error{ErrorKind::state, "cannot read alert state " + file.string()};
  const auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) return Error{ErrorKind::parse, "alert state " + file.string() + " is not valid JSON"};
  auto state = state_from_json(doc);
  if (!state) return Error{ErrorKind::parse, "alert state " + file.string() + ": " + state.error().message};
  return state;
}

}  // namespace hsops::alerting
