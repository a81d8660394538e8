#include "alerting/notifiers/matrix_room.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace hsops::alerting {
namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string headline(const Notification& n) {
  switch (n.event) {
    case Event::resolved: return "RESOLVED";
    case Event::acked: return "ACKED";
    default: {
      std::string s(to_string(n.alert.severity));
      for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s == "UNKNOWN" ? "UNKNOWN (cannot tell)" : s;
    }
  }
}

std::string footer(const Notification& n) {
  const Alert& a = n.alert;
  std::string f = "alert " + a.id + ", tier " + std::to_string(n.tier);
  if (n.event == Event::acked && a.ack) return f + ", acked by " + a.ack->who;
  if (n.event == Event::resolved) return f;
  return f + " - reply \"ack\" to acknowledge";
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::int64_t seconds_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string matrix_txn_id(const Notification& n) {
  const Alert& a = n.alert;
  const std::string page = a.fingerprint + '|' + std::string(to_string(n.event)) + '|' + std::to_string(n.tier) + '|' +
                           std::to_string(seconds_of(a.fired_at)) + '|' +
                           std::to_string(a.last_page ? seconds_of(*a.last_page) : 0);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(page)));
  return std::string("hsops.") + hex;
}

MatrixMessage matrix_message(const Notification& n) {
  const Alert& a = n.alert;
  const std::string head = headline(n);
  return {head + " " + a.check + ": " + a.summary + " (" + footer(n) + ")",
          "<b>" + html_escape(head) + "</b> <code>" + html_escape(a.check) + "</code>: " + html_escape(a.summary) +
              "<br><small>" + html_escape(footer(n)) + "</small>"};
}

Result<std::string> send_matrix_notice(const Notification& n, const MatrixRoomOptions& o, const Clock& clock) {
  matrix::Client client(o.client, clock, clock.monotonic() + o.deadline);
  client.set_access_token(o.access_token);
  const MatrixMessage m = matrix_message(n);
  const nlohmann::json body{{"msgtype", "m.notice"},
                            {"body", m.plain},
                            {"format", "org.matrix.custom.html"},
                            {"formatted_body", m.html},
                            {matrix_alert_field, {{"id", n.alert.id}, {"fingerprint", n.alert.fingerprint},
                                                  {"event", to_string(n.event)}}}};
  auto sent = client.call("PUT", "/_matrix/client/v3/rooms/" + matrix::url_encode(o.room_id) +
                                     "/send/m.room.message/" + matrix::url_encode(matrix_txn_id(n)),
                          body);
  if (!sent) return Error{sent.error().kind, "Matrix room " + o.room_id + ": " + sent.error().message, sent.error().errcode};
  if (!sent->contains("event_id") || !(*sent)["event_id"].is_string()) {
    return Error{ErrorKind::json, "Matrix room " + o.room_id + ": the answer has no event_id"};
  }
  return (*sent)["event_id"].get<std::string>();
}

}  // namespace hsops::alerting
