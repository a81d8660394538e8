#include "stats/collector/collector.h"

#include <malloc.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "stats/collector/rollup.h"
#include "stats/collector/server.h"
#include "stats/collector/store.h"

namespace hsops::stats {
namespace {

pg::Options db_options(const CollectorConfig& c) {
  pg::Options o;
  o.connect_timeout = c.database_connect_timeout;
  o.statement_timeout = c.database_statement_timeout;
  o.application_name = "hsops-collector";
  return o;
}

// One retention run: roll the days up into the stored daily aggregates, then delete raw
// reports past retention -- only when the roll-up succeeded, so no day loses its raw reports
// before its aggregates are stored.
void retain(ReportStore& store, const CollectorConfig& config, const std::atomic<bool>& stop, std::ostream& log) {
  const int days = config.retention_days;
  auto db = pg::Connection::open(config.database_conninfo, db_options(config));
  if (!db) {
    log << "hsops-collector: daily aggregates: " << db.error().message << "; raw reports kept until they are stored\n";
    return;
  }
  auto rolled = roll_up(db.value(), days, &stop);
  if (!rolled) {
    log << "hsops-collector: daily aggregates: " << rolled.error().message << "; raw reports kept until they are stored\n";
    return;
  }
  if (stop.load()) return;
  auto n = store.purge_older_than(days);
  if (!n) {
    log << "hsops-collector: retention: " << n.error().message << '\n';
  } else if (*n > 0) {
    log << "hsops-collector: retention: deleted " << *n << " reports older than " << days << " days\n";
  }
}

}  // namespace

int check_collector(const CollectorConfig& config, std::ostream& out) {
  auto db = pg::Connection::open(config.database_conninfo, db_options(config));
  if (!db) {
    out << "database: " << db.error().message << '\n';
    return 1;
  }
  auto v = db.value().query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  const std::string version = v ? v->rows[0][0].value_or("0") : std::string("0 (no schema yet)");
  out << "config valid; database " << db.value().target() << " reachable; schema version " << version
      << " (this collector migrates to " << migrations().back().version << ")\n";
  return 0;
}

int run_collector(const CollectorConfig& config, std::ostream& log) {
  // glibc hands memory at the top of a thread's arena back at once; under load that was two
  // mprotect calls per request (strace). Keep up to 64 MiB per arena instead.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
  {
    auto db = pg::Connection::open(config.database_conninfo, db_options(config));
    if (!db) {
      log << "hsops-collector: database: " << db.error().message << '\n';
      return 1;
    }
    auto version = migrate(db.value());
    if (!version) {
      log << "hsops-collector: schema migration failed: " << version.error().message << '\n';
      return 1;
    }
    log << "hsops-collector: schema at version " << *version << '\n';
    auto published = publish_settings(db.value(), config.k_anonymity);
    if (!published) {
      log << "hsops-collector: publication settings: " << published.error().message << '\n';
      return 1;
    }
    if (!published->reader_role) {
      log << "hsops-collector: role hsops_stats_reader is missing and this database role may not create it: "
             "the public_daily_* views have no reader (docs/report-stats.md, Ecosystem history in Grafana)\n";
    }
  }
  // Reads that wait on the database (/metrics, /health) run here, never on an HTTP thread.
  boost::asio::thread_pool readers(2);
  PgStore store(config.database_conninfo, db_options(config), PgStoreOptions{});
  RateLimiter limiter(config.rate_per_second, config.rate_burst);
  Ingest ingest(store, limiter, config.pseudonym_secret, config.k_anonymity,
                [&readers](std::function<void()> work) { boost::asio::post(readers, std::move(work)); });
  ServerOptions so;
  so.address = config.listen_address;
  so.port = config.listen_port;
  so.body_limit = config.body_limit;
  so.header_timeout = config.header_timeout;
  so.read_timeout = config.read_timeout;
  so.write_timeout = config.write_timeout;
  so.threads = config.threads;
  so.shutdown_grace = config.shutdown_grace;
  // One write per line: the retention thread logs too.
  so.warn = [&log](const std::string& message) { log << ("hsops-collector: " + message + "\n") << std::flush; };
  Server server(so, ingest);
  store.deliver_on([] { return Server::current_loop(); },
                   [&server](std::size_t loop, std::function<void()> answers) { server.post(loop, std::move(answers)); });
  // On every way out of this scope (an exception too): no writer or reader may still run when
  // the server and the ingest handler they call back into are destroyed.
  struct Quiesce {
    boost::asio::thread_pool& readers;
    PgStore& store;
    ~Quiesce() {
      readers.join();
      store.close();
    }
  } quiesce{readers, store};
  auto port = server.listen();
  if (!port) {
    log << "hsops-collector: " << port.error().message << '\n';
    return 1;
  }
  // Retention (roll-up, then purge) runs beside the server at start and then hourly; it stops
  // with it (between two days of a long roll-up at the latest).
  std::mutex mutex;
  std::condition_variable wake;
  bool done = false;
  std::atomic<bool> stopping{false};
  std::thread retention([&] {
    std::unique_lock lock(mutex);
    do {
      lock.unlock();
      retain(store, config, stopping, log);
      lock.lock();
    } while (!wake.wait_for(lock, std::chrono::hours(1), [&] { return done; }));
  });
  log << "hsops-collector: listening on " << config.listen_address << ':' << *port << std::endl;
  // Queued reports are committed (and answered) before the HTTP threads stop.
  server.run([&store] { store.close(); });
  {
    std::lock_guard lock(mutex);
    done = true;
    stopping = true;
  }
  wake.notify_all();
  retention.join();
  log << "hsops-collector: stopped" << std::endl;
  return 0;
}

}  // namespace hsops::stats
