// The Matrix page's text and its txnId (the send itself is tested against the stack's Synapse).
#include <catch2/catch.hpp>

#include "alerting/notifiers/matrix_room.h"

using namespace hsops::alerting;

namespace {
Notification page(Event event, int tier = 1) {
  Alert a;
  a.check = "disk";
  a.fingerprint = fingerprint_of("disk", {{"mountpoint", "/var"}});
  a.id = short_id(a.fingerprint);
  a.severity = Severity::critical;
  a.summary = "/var full in 2 h <soon>";
  a.fired_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  return Notification{event, a, tier, {"matrix"}};
}
}  // namespace

TEST_CASE("matrix page: the same page has the same txnId, another page another one") {
  CHECK(matrix_txn_id(page(Event::firing)) == matrix_txn_id(page(Event::firing)));
  CHECK(matrix_txn_id(page(Event::firing)) != matrix_txn_id(page(Event::escalated, 2)));
  CHECK(matrix_txn_id(page(Event::firing)) != matrix_txn_id(page(Event::resolved)));
  auto repeat = page(Event::repeat);
  repeat.alert.last_page = repeat.alert.fired_at + std::chrono::minutes(30);
  auto later = repeat;
  later.alert.last_page = repeat.alert.fired_at + std::chrono::minutes(60);
  CHECK(matrix_txn_id(repeat) != matrix_txn_id(later));
  CHECK(matrix_txn_id(page(Event::firing)).rfind("hsops.", 0) == 0);
}

TEST_CASE("matrix page: plain and HTML text name severity, check, summary, id and how to ack") {
  const auto m = matrix_message(page(Event::firing));
  const std::string id = page(Event::firing).alert.id;
  CHECK(m.plain == "CRITICAL disk: /var full in 2 h <soon> (alert " + id + ", tier 1 - reply \"ack\" to acknowledge)");
  CHECK(m.html.find("<b>CRITICAL</b> <code>disk</code>: /var full in 2 h &lt;soon&gt;") == 0);
  auto unknown = page(Event::firing);
  unknown.alert.severity = Severity::unknown;
  CHECK(matrix_message(unknown).plain.rfind("UNKNOWN (cannot tell) disk:", 0) == 0);
  CHECK(matrix_message(page(Event::resolved)).plain.find("reply") == std::string::npos);
}
