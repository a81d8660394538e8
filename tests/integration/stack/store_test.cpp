// The collector's write path against the stack's real PostgreSQL: libpq COPY round-trips every
// character the text format must escape; a batch with one row the server rejects stores the
// others and fails only that one; a locked table turns into a timeout, not a hang; a full
// queue answers "busy" at once; and close() commits what is still queued.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "collector_support.h"
#include "stats/collector/store.h"

using hsops::pg::Connection;
using hsops::stats::PgStore;
using hsops::stats::PgStoreOptions;
using hsops::stats::StoredReport;
using Clock = std::chrono::steady_clock;

namespace {

Connection open(const std::string& conninfo) {
  auto db = Connection::open(conninfo);
  REQUIRE(db.ok());
  return std::move(db).value();
}

// A database with the collector's schema.
std::string collector_database(const std::string& name) {
  const std::string conninfo = hsops::test::fresh_database(name);
  auto db = open(conninfo);
  REQUIRE(hsops::stats::migrate(db).ok());
  return conninfo;
}

StoredReport report(const std::string& pseudonym, std::int64_t users) {
  auto parsed = hsops::stats::parse_report_row(
      R"({"homeserver":"x.example","timestamp":1790000000,"uptime_seconds":300,"total_users":)" +
      std::to_string(users) +
      R"(,"total_nonbridged_users":1,"daily_active_users":1,"monthly_active_users":1,"total_room_count":1,)"
      R"("daily_messages":1,"daily_sent_messages":1,"python_version":"3.13 \\ back\\slash"})");
  REQUIRE(parsed.ok());
  return StoredReport{pseudonym, "1.160.0", std::move(parsed).value()};
}

// Submits all reports before any can be written (they queue together), waits for every answer.
std::vector<hsops::Result<bool>> submit_all(PgStore& store, std::vector<StoredReport> reports) {
  std::vector<std::promise<hsops::Result<bool>>> answers(reports.size());
  std::vector<std::future<hsops::Result<bool>>> futures;
  for (auto& a : answers) futures.push_back(a.get_future());
  for (std::size_t i = 0; i < reports.size(); ++i) {
    store.submit(std::move(reports[i]), [&answers, i](hsops::Result<bool> r) { answers[i].set_value(std::move(r)); });
  }
  std::vector<hsops::Result<bool>> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

// Waits (up to 5 s) until a session of this database waits for a lock: the writer is held.
void wait_for_lock_waiter(const std::string& conninfo) {
  for (int i = 0; i < 50; ++i) {
    if (hsops::test::count_rows(conninfo, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()") > 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("the store's writer never waited for the lock");
}

}  // namespace

TEST_CASE("COPY round-trips backslash tab newline carriage return and NULL") {
  const std::string conninfo = hsops::test::fresh_database("hsops_store_copy");
  auto db = open(conninfo);
  REQUIRE(db.query("CREATE TABLE t (n int, v text)").ok());
  const std::vector<hsops::pg::Value> values = {"plain", "tab\there", "new\nline", "cr\rhere", "back\\slash",
                                                "\\N", "ünïcødé", "", std::nullopt};
  std::string data;
  for (std::size_t i = 0; i < values.size(); ++i) {
    hsops::pg::append_copy_field(data, std::to_string(i));
    data += '\t';
    hsops::pg::append_copy_field(data, values[i]);
    data += '\n';
  }
  auto copied = db.copy_in("COPY t (n, v) FROM STDIN", data);
  REQUIRE(copied.ok());
  CHECK(*copied == static_cast<long>(values.size()));
  auto rows = db.query("SELECT v FROM t ORDER BY n");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(rows->rows[i][0] == values[i]);

  // A COPY the server rejects (bad integer) is an error value naming the SQLSTATE, and the
  // connection stays usable.
  auto bad = db.copy_in("COPY t (n, v) FROM STDIN", "not-a-number\tx\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == hsops::ErrorKind::sql);
  CHECK(bad.error().message.find("22P02") != std::string::npos);
  CHECK(db.query("SELECT 1").ok());
}

TEST_CASE("a read-only database fails every report with the server's reason") {
  const std::string conninfo = collector_database("hsops_store_readonly");
  auto db = open(conninfo);
  // Stands in for a primary that became read-only (SQLSTATE 25006), e.g. after a failover.
  REQUIRE(db.query("ALTER DATABASE hsops_store_readonly SET default_transaction_read_only = on").ok());
  PgStore store(conninfo, hsops::pg::Options{}, PgStoreOptions{.connections = 1, .writers = 1});
  std::vector<StoredReport> reports;
  for (int i = 0; i < 10; ++i) reports.push_back(report("ro-" + std::to_string(i), 5));
  const auto start = Clock::now();
  const auto results = submit_all(store, std::move(reports));
  for (const auto& r : results) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("25006") != std::string::npos);
  }
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports") == 0);
}

TEST_CASE("a batch with one row the server rejects stores the others") {
  const std::string conninfo = collector_database("hsops_store_bad_row");
  auto db = open(conninfo);
  // Stands in for any row PostgreSQL refuses although it passed validation.
  REQUIRE(db.query("ALTER TABLE reports ADD CONSTRAINT not_thirteen CHECK (total_users <> 13)").ok());
  PgStore store(conninfo, hsops::pg::Options{}, PgStoreOptions{.connections = 1, .writers = 1});
  // Hold the writer on a lock with its first report, so the other 19 queue up and are
  // written together as one batch, the bad one among them.
  auto locker = open(conninfo);
  REQUIRE(locker.query("BEGIN").ok());
  REQUIRE(locker.query("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE").ok());
  std::promise<hsops::Result<bool>> first;
  store.submit(report("server-first", 99), [&first](hsops::Result<bool> r) { first.set_value(std::move(r)); });
  wait_for_lock_waiter(conninfo);
  std::vector<StoredReport> reports;
  for (int i = 0; i < 19; ++i) reports.push_back(report("server-" + std::to_string(i), i == 7 ? 13 : 100 + i));
  auto rest = std::async(std::launch::async, [&] { return submit_all(store, std::move(reports)); });
  // All 19 wait behind the held writer, so its next batch holds them all (the bad one too).
  for (int i = 0; i < 100 && store.queued() < 19; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(store.queued() == 19);
  REQUIRE(locker.query("ROLLBACK").ok());
  CHECK(first.get_future().get().ok());
  const auto results = rest.get();
  for (int i = 0; i < 19; ++i) {
    INFO("report " << i);
    CHECK(results[static_cast<std::size_t>(i)].ok() == (i != 7));
  }
  CHECK(results[7].error().kind == hsops::ErrorKind::sql);
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports") == 19);
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports WHERE python_version = '3.13 \\ back\\slash'") ==
        19);
}

// The COPY waits for the lock before PostgreSQL takes any data, so this is the server-side
// statement_timeout (SQLSTATE 57014) reaching the report as "timeout"; the client-side deadline
// behind it is the same one query() uses (tests/unit/pg, black-holed server).
TEST_CASE("a locked table times out instead of hanging the writer") {
  const std::string conninfo = collector_database("hsops_store_locked");
  auto locker = open(conninfo);
  REQUIRE(locker.query("BEGIN").ok());
  REQUIRE(locker.query("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE").ok());
  hsops::pg::Options options;
  options.statement_timeout = std::chrono::milliseconds(1000);
  PgStore store(conninfo, options, PgStoreOptions{.connections = 1, .writers = 1});
  const auto start = Clock::now();
  auto result = store.insert(report("locked", 1));
  const auto took = Clock::now() - start;
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::timeout);
  CHECK(took >= std::chrono::milliseconds(900));
  CHECK(took < std::chrono::milliseconds(4000));
  REQUIRE(locker.query("ROLLBACK").ok());
  // The writer recovers once the lock is gone.
  CHECK(store.insert(report("after", 1)).ok());
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports") == 1);
}

TEST_CASE("a full queue answers busy at once and close commits what is queued") {
  const std::string conninfo = collector_database("hsops_store_queue");
  auto locker = open(conninfo);
  REQUIRE(locker.query("BEGIN").ok());
  REQUIRE(locker.query("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE").ok());
  auto store = std::make_unique<PgStore>(conninfo, hsops::pg::Options{},
                                         PgStoreOptions{.connections = 1, .writers = 1, .max_batch = 1, .max_queued = 2});
  std::mutex mutex;
  std::vector<hsops::Result<bool>> answers;
  auto record = [&](hsops::Result<bool> r) {
    std::lock_guard lock(mutex);
    answers.push_back(std::move(r));
  };
  // The first is taken by the writer (blocked on the lock), the next two fill the queue.
  store->submit(report("first", 1), record);
  wait_for_lock_waiter(conninfo);
  store->submit(report("second", 2), record);
  store->submit(report("third", 3), record);
  const auto start = Clock::now();
  store->submit(report("fourth", 4), record);
  {
    std::lock_guard lock(mutex);
    REQUIRE(answers.size() == 1);  // answered at once, in the caller's thread
    CHECK(answers[0].error().kind == hsops::ErrorKind::busy);
  }
  CHECK(Clock::now() - start < std::chrono::milliseconds(100));
  REQUIRE(locker.query("ROLLBACK").ok());
  store->close();  // writes the queued ones before returning
  {
    std::lock_guard lock(mutex);
    REQUIRE(answers.size() == 4);
    for (std::size_t i = 1; i < answers.size(); ++i) CHECK(answers[i].ok());
  }
  store.reset();
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports") == 3);
}

// The writer opens the next COPY on its second connection while a batch commits; that COPY
// holds a transaction (and a snapshot that holds back vacuum) open, so it must not outlive the
// load: ended after early_copy_idle without reports (20 ms by default, 1 s here to see it).
TEST_CASE("the writer's early COPY is ended once reports stop coming") {
  const std::string conninfo = collector_database("hsops_store_early_copy");
  PgStore store(conninfo, hsops::pg::Options{},
                PgStoreOptions{.connections = 1, .writers = 1, .early_copy_idle = std::chrono::milliseconds(1000)});
  const std::string open_copies =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY reports%' "
      "AND state <> 'idle'";
  for (int i = 0; i < 5; ++i) REQUIRE(store.insert(report("early-" + std::to_string(i), 1)).ok());
  const auto committed = Clock::now();
  // Right after a commit the next COPY is open on the other connection...
  CHECK(hsops::test::count_rows(conninfo, open_copies) == 1);
  REQUIRE(Clock::now() - committed < std::chrono::milliseconds(900));  // else the check above proved nothing
  // ... and gone once nothing more comes.
  std::int64_t still_open = -1;
  for (int i = 0; i < 40 && still_open != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    still_open = hsops::test::count_rows(conninfo, open_copies);
  }
  CHECK(still_open == 0);
  CHECK(Clock::now() - committed >= std::chrono::milliseconds(1000));
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports") == 5);
  // The writer still writes after ending it, and nothing extra was stored by the empty COPY.
  REQUIRE(store.insert(report("again", 1)).ok());
  CHECK(hsops::test::count_rows(conninfo, "SELECT count(*) FROM reports") == 6);
}

// The collector hands each HTTP thread the answers for the reports it submitted, one hand-over
// per batch and thread: the answer then goes out on that thread's own connections.
TEST_CASE("answers are delivered to the origin that submitted each report") {
  const std::string conninfo = collector_database("hsops_store_origin");
  thread_local std::size_t submitter = 0;  // what origin() reports for the calling thread
  thread_local std::size_t delivering = 99;  // the origin of the hand-over running now
  PgStore store(conninfo, hsops::pg::Options{}, PgStoreOptions{.connections = 1, .writers = 1});
  std::mutex mutex;
  std::vector<std::size_t> handovers;
  store.deliver_on([] { return submitter; },
                   [&](std::size_t origin, std::function<void()> answers) {
                     {
                       std::lock_guard lock(mutex);
                       handovers.push_back(origin);
                     }
                     delivering = origin;
                     answers();
                     delivering = 99;
                   });
  std::atomic<int> mismatched{0}, answered{0};
  auto submit_from = [&](std::size_t origin, int count) {
    submitter = origin;
    for (int i = 0; i < count; ++i) {
      store.submit(report("origin-" + std::to_string(origin) + "-" + std::to_string(i), 1),
                   [&, origin](hsops::Result<bool> r) {
                     if (!r || delivering != origin) ++mismatched;
                     ++answered;
                   });
    }
  };
  std::thread one(submit_from, 1, 200), two(submit_from, 2, 200);
  one.join();
  two.join();
  for (int i = 0; i < 100 && answered < 400; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(answered == 400);
  CHECK(mismatched == 0);
  std::lock_guard lock(mutex);
  CHECK(std::count(handovers.begin(), handovers.end(), std::size_t{1}) > 0);
  CHECK(std::count(handovers.begin(), handovers.end(), std::size_t{2}) > 0);
  CHECK(handovers.size() < 400);  // batched: fewer hand-overs than reports
}
