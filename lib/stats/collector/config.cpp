#include "stats/collector/config.h"

#include <cstdlib>

#include "pg/target.h"

namespace hsops::stats {

CollectorConfig read_collector_config(const config::Section& root) {
  CollectorConfig c;
  const std::string listen = root.string("listen", "127.0.0.1:8787");
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) root.fail("listen", "expected ADDRESS:PORT, e.g. 127.0.0.1:8787");
  c.listen_address = listen.substr(0, colon);
  if (c.listen_address.size() > 2 && c.listen_address.front() == '[') {
    c.listen_address = c.listen_address.substr(1, c.listen_address.size() - 2);
  }
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    c.listen_port = static_cast<unsigned short>(port);
  } catch (const std::exception&) {
    root.fail("listen", "the port must be a number from 0 to 65535");
  }

  const auto db = root.child("database");
  if (!db.has("conninfo")) root.fail("database", "database.conninfo is required (a libpq conninfo string)");
  const pg::Target target = pg::read_target(
      db, pg::Options{c.database_connect_timeout, c.database_statement_timeout}, "is required (a libpq conninfo string)");
  c.database_conninfo = pg::full_conninfo(target);
  c.database_connect_timeout = target.options.connect_timeout;
  c.database_statement_timeout = target.options.statement_timeout;
  db.reject_unknown_keys();

  auto secret = root.secret("pseudonym_secret");
  if (!secret) root.fail("pseudonym_secret", "pseudonym_secret_file or pseudonym_secret_env is required");
  if (secret->size() < 32) root.fail("pseudonym_secret", "the secret must be at least 32 characters (e.g. `openssl rand -hex 32`)");
  c.pseudonym_secret = *secret;

  const auto limits = root.child("limits");
  c.body_limit = limits.size("body", c.body_limit);
  if (c.body_limit < 1024 || c.body_limit > 1024 * 1024) limits.fail("body", "must be between 1KiB and 1MiB");
  c.header_timeout = limits.duration("header_timeout", c.header_timeout);
  c.read_timeout = limits.duration("read_timeout", c.read_timeout);
  c.write_timeout = limits.duration("write_timeout", c.write_timeout);
  c.rate_per_second = limits.number("rate_per_second", c.rate_per_second);
  if (c.rate_per_second <= 0) limits.fail("rate_per_second", "must be positive");
  c.rate_burst = limits.number("rate_burst", c.rate_burst);
  if (c.rate_burst < 1) limits.fail("rate_burst", "must be at least 1");
  limits.reject_unknown_keys();

  c.retention_days = static_cast<int>(root.integer("retention_days", c.retention_days));
  if (c.retention_days < 1) root.fail("retention_days", "must be at least 1");
  c.k_anonymity = root.integer("k_anonymity", c.k_anonymity);
  if (c.k_anonymity < 2) root.fail("k_anonymity", "must be at least 2 (1 would expose single servers)");
  c.threads = static_cast<int>(root.integer_in("threads", c.threads, 1, 64));
  c.shutdown_grace = root.duration("shutdown_grace", c.shutdown_grace);
  root.reject_unknown_keys();
  return c;
}

std::filesystem::path default_collector_config_path() {
  if (const char* p = std::getenv("HSOPS_COLLECTOR_CONFIG"); p != nullptr && *p != '\0') return p;
  return "/etc/hsops/collector.yaml";
}

}  // namespace hsops::stats
