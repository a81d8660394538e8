#include "stats/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace hsops::stats {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Shared {
  Shared(ServerOptions o, Ingest& i) : options(std::move(o)), ingest(i) {}
  ServerOptions options;
  Ingest& ingest;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t sessions = 0;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared)
      : stream_(std::move(socket)), body_timer_(stream_.get_executor()), shared_(shared) {
    std::lock_guard lock(shared_.mutex);
    ++shared_.sessions;
  }
  ~Session() {
    std::lock_guard lock(shared_.mutex);
    --shared_.sessions;
    shared_.changed.notify_all();
  }
  void start() {
    beast::error_code ec;
    const auto peer = stream_.socket().remote_endpoint(ec);
    client_ = ec ? std::string("unknown") : peer.address().to_string();
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_head(); });
  }
  // Called on stop: a connection waiting for its next request is closed; one in flight is not.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      if (!self->busy_) self->stream_.socket().close(ignored);
    });
  }

 private:
  void read_head() {
    if (shared_.stopping) return close();
    body_timed_out_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
    parser_->body_limit(shared_.options.body_limit);
    stream_.expires_after(shared_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
  }

  void on_head(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    const auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
      // The client waits for this before sending the body (curl does for large bodies).
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
      stream_.expires_after(shared_.options.write_timeout);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  // The body deadline is our own timer, not the stream's: the stream's expiry closes the
  // socket, and a slow sender deserves a 408 it can read.
  void read_body() {
    // Fast path: a small body (Synapse's report is ~1 KB) usually arrives in the same packets
    // as the head; parse it straight from the buffer, without a timer or another I/O round.
    if (!parser_->is_done() && buffer_.size() > 0) {
      beast::error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != http::error::need_more) return on_read_error(ec);
    }
    if (parser_->is_done()) return respond();
    stream_.expires_never();
    body_timer_.expires_after(shared_.options.read_timeout);
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      // Cancelled, or fired just as the body completed: nothing to cut off.
      if (ec || self->parser_->is_done()) return;
      self->body_timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->body_timer_.cancel();
                       if (self->body_timed_out_) return self->reply_and_close(408, R"({"error":"request_timeout"})");
                       if (ec) return self->on_read_error(ec);
                       self->respond();
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return reply_and_close(413, R"({"error":"payload_too_large"})");
    if (ec == http::error::header_limit) return reply_and_close(431, R"({"error":"header_too_large"})");
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor) {
      return close();  // idle or vanished: nothing to answer
    }
    reply_and_close(400, R"({"error":"bad_request"})");
  }

  void respond() {
    auto& req = parser_->get();
    HttpRequest in{std::string(req.method_string()), std::string(req.target()),
                   std::string(req[http::field::content_type]), std::string(req[http::field::user_agent]),
                   std::move(req.body()), client_};
    const unsigned version = req.version();
    keep_alive_ = req.keep_alive();
    // The answer may come from another thread (after the report's commit): back onto this
    // connection's strand to write it. The session stays busy, so shutdown waits for it.
    shared_.ingest.handle(in, [self = shared_from_this(), version](HttpResponse out) {
      asio::post(self->stream_.get_executor(), [self, version, out = std::move(out)] {
        self->keep_alive_ = self->keep_alive_ && !self->shared_.stopping;
        self->write(out.status, out.content_type, out.body, out.allow, version);
      });
    });
  }

  void reply_and_close(int status, const std::string& body) {
    busy_ = true;
    keep_alive_ = false;
    write(status, "application/json", body, "", 11);
  }

  void write(int status, const std::string& type, const std::string& body, const std::string& allow, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), version);
    res->set(http::field::server, "hsops-collector");
    res->set(http::field::content_type, type);
    if (!allow.empty()) res->set(http::field::allow, allow);
    res->body() = body;
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(shared_.options.write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      self->busy_ = false;
      if (ec || !self->keep_alive_) return self->close();
      self->read_head();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  asio::steady_timer body_timer_;
  bool body_timed_out_ = false;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_;
  bool busy_ = false;
  bool keep_alive_ = false;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Ingest& ingest)
      : shared(std::move(o), ingest),
        acceptor(asio::make_strand(ioc)),
        signals(ioc, SIGTERM, SIGINT),
        guard(asio::make_work_guard(ioc)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        auto s = std::make_shared<Session>(std::move(socket), shared);
        {
          std::lock_guard lock(sessions_mutex);
          sessions.push_back(s);
          // Drop entries of finished sessions so the list stays as long as the live ones.
          std::erase_if(sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
        }
        s->start();
      }
      accept();
    });
  }

  void begin_stop() {
    if (shared.stopping.exchange(true)) return;
    // On the acceptor's strand: its accept handler may be running on another thread.
    asio::post(acceptor.get_executor(), [this] {
      beast::error_code ec;
      acceptor.close(ec);
      signals.cancel(ec);
      std::lock_guard lock(sessions_mutex);
      for (auto& w : sessions) {
        if (auto s = w.lock()) s->close_if_idle();
      }
    });
    std::lock_guard lock(shared.mutex);
    stop_requested = true;
    shared.changed.notify_all();
  }

  Shared shared;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Session>> sessions;
  bool stop_requested = false;
};

Server::Server(ServerOptions options, Ingest& ingest) : impl_(std::make_unique<Impl>(std::move(options), ingest)) {}
Server::~Server() = default;

Result<unsigned short> Server::listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->shared.options.address, ec);
  if (ec) return Error{"listen", "bad listen address " + impl_->shared.options.address + ": " + ec.message()};
  const tcp::endpoint endpoint(address, impl_->shared.options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"listen", "cannot listen on " + impl_->shared.options.address + ":" +
                               std::to_string(impl_->shared.options.port) + ": " + ec.message()};
  }
  return a.local_endpoint().port();
}

void Server::run(const std::function<void()>& before_stop) {
  auto& impl = *impl_;
  impl.signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) stop();
  });
  impl.accept();
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(impl.shared.options.threads, 1); ++i) workers.emplace_back([&impl] { impl.ioc.run(); });
  {
    std::unique_lock lock(impl.shared.mutex);
    impl.shared.changed.wait(lock, [&] { return impl.stop_requested; });
    // In-flight requests finish (their reports commit before the reply); idle ones are closed.
    impl.shared.changed.wait_for(lock, impl.shared.options.shutdown_grace, [&] { return impl.shared.sessions == 0; });
  }
  if (before_stop) {
    // With the HTTP threads still running, so answers it releases (the store's last commits)
    // are written; they get a short, bounded moment to go out.
    before_stop();
    std::unique_lock lock(impl.shared.mutex);
    impl.shared.changed.wait_for(lock, std::chrono::seconds(2), [&] { return impl.shared.sessions == 0; });
  }
  impl.guard.reset();
  impl.ioc.stop();
  for (auto& t : workers) t.join();
}

void Server::stop() { impl_->begin_stop(); }

void Server::post(std::function<void()> work) { asio::post(impl_->ioc, std::move(work)); }

}  // namespace hsops::stats
