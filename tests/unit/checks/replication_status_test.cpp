#include <catch2/catch.hpp>

#include "checks/replication/query.h"
#include "checks/replication/verdict.h"

using namespace hsops::checks::replication;
using hsops::Status;

namespace {
Sender streaming(std::string app, std::string slot, double lag_bytes, std::optional<double> lag_seconds) {
  Sender s;
  s.application_name = std::move(app);
  s.slot_name = std::move(slot);
  s.state = "streaming";
  s.sync_state = "async";
  s.lag_bytes = lag_bytes;
  s.lag_seconds = lag_seconds;
  return s;
}
}  // namespace

TEST_CASE("replication: a configured standby is found by application_name or slot", "[replication]") {
  const std::vector<Sender> senders{streaming("walreceiver", "hsops_standby", 0, std::nullopt),
                                    streaming("db3", "", 0, std::nullopt)};
  CHECK(find_sender(senders, "hsops_standby") == &senders[0]);
  CHECK(find_sender(senders, "db3") == &senders[1]);
  CHECK(find_sender(senders, "db2") == nullptr);
  CHECK(find_sender(senders, "") == nullptr);  // a slot-less sender does not match an empty name
}

TEST_CASE("replication: a missing standby is CRITICAL / lag by bytes or time", "[replication]") {
  const Thresholds t;  // 16 MiB / 1 GiB, 60 s / 300 s
  const auto missing = judge_sender("db2", nullptr, t);
  CHECK(missing.status == Status::critical);
  CHECK(missing.reason == "standby 'db2' is not connected (no row in pg_stat_replication)");
  auto s = streaming("db2", "", 0, std::nullopt);  // caught up and idle: replay_lag NULL
  CHECK(judge_sender("db2", &s, t).status == Status::ok);
  s.lag_bytes = 16.0 * 1048576;
  CHECK(judge_sender("db2", &s, t).status == Status::ok);
  s.lag_bytes = 16.0 * 1048576 + 1;
  CHECK(judge_sender("db2", &s, t).status == Status::warning);
  s.lag_seconds = 301;
  const auto both = judge_sender("db2", &s, t);
  CHECK(both.status == Status::critical);
  CHECK(both.reason == "standby 'db2' 5 min 1 s behind");
  s = streaming("db2", "", 0, std::nullopt);
  s.reply_age_seconds = 9;
  CHECK(judge_sender("db2", &s, t).status == Status::ok);
  s.reply_age_seconds = 61;
  CHECK(judge_sender("db2", &s, t).reason == "standby 'db2' silent for 1 min 1 s (no reply)");
  CHECK(judge_sender("db2", &s, t).status == Status::warning);
  s.reply_age_seconds = 301;
  CHECK(judge_sender("db2", &s, t).status == Status::critical);
  s = streaming("db2", "", 0, 0);
  s.state = "catchup";
  CHECK(judge_sender("db2", &s, t).status == Status::warning);
  s.lag_bytes = 2.0 * 1073741824;
  CHECK(judge_sender("db2", &s, t).status == Status::critical);
}

TEST_CASE("replication: counting standbys when none are named", "[replication]") {
  CHECK(judge_count(1, 1).status == Status::ok);
  CHECK(judge_count(0, 0).status == Status::ok);
  CHECK(judge_count(0, 1).status == Status::critical);
}

TEST_CASE("replication: the standby's own view", "[replication]") {
  const Thresholds t;
  ReceiverFigures r;
  r.receiver_status = "streaming";
  r.receive_bytes = 1000;
  r.replay_bytes = 1000;
  r.replay_age_seconds = 7200;  // idle primary: nothing to replay, the age means nothing
  auto v = standby_view("db2", r, 1000);
  CHECK(judge_standby(v, t).status == Status::ok);
  CHECK(*v.receive_lag_bytes == 0);
  r.replay_bytes = 900;  // WAL waiting to be replayed: now the age counts
  v = standby_view("db2", r, 1200);
  CHECK(*v.receive_lag_bytes == 200);
  CHECK(*v.replay_lag_bytes == 100);
  CHECK(judge_standby(v, t).status == Status::critical);
  v = standby_view("db2", r, 500);  // primary read before the standby: never negative
  CHECK(*v.receive_lag_bytes == 0);
  r.receiver_status.reset();
  CHECK(judge_standby(standby_view("db2", r, 1000), t).reason == "standby 'db2' has no WAL receiver: not replicating");
  r.receiver_status = "waiting";
  CHECK(judge_standby(standby_view("db2", r, 1000), t).status == Status::warning);
  r.in_recovery = false;
  CHECK(judge_standby(standby_view("db2", r, 1000), t).status == Status::critical);
}
