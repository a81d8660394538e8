#include "stats/collector/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace hsops::stats {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

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

class Session;

// One event loop per HTTP thread: a connection lives on one loop for its whole life, so its
// handlers need no strand and no lock. Deadlines are swept by the loop's timer instead of a
// timer per connection and operation (re-arming those cost more than parsing a report).
struct Loop {
  Loop() : ioc(1), sweep(ioc), guard(asio::make_work_guard(ioc)) {}
  asio::io_context ioc;
  asio::steady_timer sweep;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::mutex mutex;  // sessions is also read by stop(), from another thread
  std::vector<std::weak_ptr<Session>> sessions;
};

// Beast's parser, keeping only the parts of a request the collector reads, in strings the
// session reuses: no allocation per header field as with a full message container.
class RequestParser : public http::basic_parser<true> {
 public:
  explicit RequestParser(HttpRequest& request) : request_(request) {}
  bool expect_continue() const { return expect_continue_; }
  unsigned http_version() const { return version_; }

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target, int version,
                       beast::error_code&) override {
    request_.method.assign(method.data(), method.size());
    request_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(http::field name, beast::string_view, beast::string_view value, beast::error_code&) override {
    switch (name) {
      case http::field::content_type: request_.content_type.assign(value.data(), value.size()); break;
      case http::field::user_agent: request_.user_agent.assign(value.data(), value.size()); break;
      case http::field::expect: expect_continue_ = beast::iequals(value, "100-continue"); break;
      default: break;
    }
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code&) override {
    // The parser has already refused a length over the body limit.
    if (length) request_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  HttpRequest& request_;
  bool expect_continue_ = false;
  unsigned version_ = 11;
};

// What a passed deadline does: close an idle or stuck connection, or answer a slow body 408.
enum class Phase { head, body, handling, writing };

constexpr std::size_t kReadChunk = 4096;

thread_local std::size_t t_current_loop = 0;  // set by each HTTP thread (Server::current_loop)

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared) : socket_(std::move(socket)), shared_(shared) {
    // Beast reads at most the buffer's free capacity (512 bytes when empty): a Synapse report
    // (~1 KB with headers) would take two reads and two trips through the event loop.
    buffer_.reserve(kReadChunk);
    std::lock_guard lock(shared_.mutex);
    ++shared_.sessions;
  }
  ~Session() {
    std::lock_guard lock(shared_.mutex);
    --shared_.sessions;
    shared_.changed.notify_all();
  }
  // On the session's loop.
  void start() {
    beast::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    request_.client = ec ? std::string("unknown") : peer.address().to_string();
    read_head();
  }
  // On the session's loop, from its sweep: acts on a passed deadline.
  void tick(Clock::time_point now) {
    if (phase_ == Phase::handling || now < deadline_) return;
    beast::error_code ignored;
    if (phase_ == Phase::body) {
      body_timed_out_ = true;
      socket_.cancel(ignored);  // the read ends with operation_aborted and answers 408
    } else {
      close();
    }
  }
  // Called on stop, on the session's loop: a connection waiting for its next request is
  // closed; one in flight is not.
  void close_if_idle() {
    if (!busy_) close();
  }

 private:
  void read_head() {
    if (shared_.stopping) return close();
    body_timed_out_ = false;
    request_.method.clear();
    request_.target.clear();
    request_.content_type.clear();
    request_.user_agent.clear();
    request_.body.clear();
    parser_.emplace(request_);
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
    parser_->body_limit(shared_.options.body_limit);
    arm(Phase::head, shared_.options.header_timeout);
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
  }

  void on_head(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    if (parser_->expect_continue() && !parser_->is_done()) {
      // The client waits for this before sending the body (curl does for large bodies).
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      arm(Phase::writing, shared_.options.write_timeout);
      asio::async_write(socket_, asio::buffer(kContinue), [self = shared_from_this()](beast::error_code wec, std::size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    // Fast path: a small body (Synapse's report is ~1 KB) usually arrives in the same packets
    // as the head; parse it straight from the buffer, without another I/O round.
    if (!parser_->is_done() && buffer_.size() > 0) {
      beast::error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != http::error::need_more) return on_read_error(ec);
    }
    if (parser_->is_done()) return respond();
    // A slow sender deserves a 408 it can read, so a passed body deadline cancels the read
    // instead of closing the socket.
    arm(Phase::body, shared_.options.read_timeout);
    http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->body_timed_out_) return self->reply_and_close(408, R"({"error":"request_timeout"})");
      if (ec) return self->on_read_error(ec);
      self->respond();
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return reply_and_close(413, R"({"error":"payload_too_large"})");
    if (ec == http::error::header_limit) return reply_and_close(431, R"({"error":"header_too_large"})");
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == asio::error::bad_descriptor) {
      return close();  // idle, timed out or vanished: nothing to answer
    }
    reply_and_close(400, R"({"error":"bad_request"})");
  }

  void respond() {
    phase_ = Phase::handling;
    keep_alive_ = parser_->keep_alive();
    // The answer may come from another thread (after the report's commit): back onto this
    // connection's loop to write it (inline when already there). The session stays busy,
    // so shutdown waits for it.
    shared_.ingest.handle(request_, [self = shared_from_this()](HttpResponse out) {
      asio::dispatch(self->socket_.get_executor(), [self, out = std::move(out)] {
        self->keep_alive_ = self->keep_alive_ && !self->shared_.stopping;
        self->write(out.status, out.content_type, out.body, out.allow);
      });
    });
  }

  void reply_and_close(int status, const char* body) {
    busy_ = true;
    keep_alive_ = false;
    write(status, "application/json", body, "");
  }

  void write(int status, const std::string& type, const std::string& body, const std::string& allow) {
    const unsigned version = parser_ ? parser_->http_version() : 11;
    out_.clear();
    out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(status);
    out_ += ' ';
    const auto reason = http::obsolete_reason(static_cast<http::status>(status));
    out_.append(reason.data(), reason.size());
    out_ += "\r\nServer: hsops-collector\r\nContent-Type: ";
    out_ += type;
    if (!allow.empty()) out_ += "\r\nAllow: " + allow;
    out_ += "\r\nContent-Length: ";
    out_ += std::to_string(body.size());
    // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told.
    if (version == 10 && keep_alive_) out_ += "\r\nConnection: keep-alive";
    if (version != 10 && !keep_alive_) out_ += "\r\nConnection: close";
    out_ += "\r\n\r\n";
    out_ += body;
    arm(Phase::writing, shared_.options.write_timeout);
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->busy_ = false;
      if (ec || !self->keep_alive_) return self->close();
      self->read_head();
    });
  }

  void arm(Phase phase, Millis timeout) {
    phase_ = phase;
    deadline_ = Clock::now() + timeout;
  }

  void close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  HttpRequest request_;  // reused: its strings keep their capacity from request to request
  std::optional<RequestParser> parser_;
  std::string out_;
  Phase phase_ = Phase::head;
  Clock::time_point deadline_{};
  bool body_timed_out_ = false;
  bool busy_ = false;
  bool keep_alive_ = false;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Ingest& ingest) : shared(std::move(o), ingest) {
    for (int i = 0; i < std::max(shared.options.threads, 1); ++i) loops.push_back(std::make_unique<Loop>());
    acceptor.emplace(loops.front()->ioc);
    accept_retry.emplace(loops.front()->ioc);
    signals.emplace(loops.front()->ioc, SIGTERM, SIGINT);
    const auto shortest = std::min({shared.options.header_timeout, shared.options.read_timeout, shared.options.write_timeout});
    sweep_every = std::clamp<Millis>(shortest / 8, Millis(10), Millis(250));
  }
  ~Impl() {
    // Loop 0 first: its queue may hold answers for sessions of every loop (Server::post for a
    // report not submitted from an HTTP thread), the other loops only their own sessions, so
    // every socket goes before its io_context.
    accept_retry.reset();
    acceptor.reset();
    signals.reset();
    loops.front().reset();
  }

  void accept() {
    Loop& target = *loops[next_loop++ % loops.size()];
    acceptor->async_accept(target.ioc, [this, &target](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) {
        // Out of file descriptors (EMFILE) or memory: the connection stays in the backlog and
        // an immediate retry fails the same way, spinning a core. Retry after a pause.
        const auto now = Clock::now();
        if (shared.options.warn && (!last_accept_warning || now - *last_accept_warning >= std::chrono::minutes(1))) {
          last_accept_warning = now;
          shared.options.warn("cannot accept connections: " + ec.message() +
                              "; new connections wait in the listen backlog (out of file descriptors? "
                              "raise LimitNOFILE)");
        }
        accept_retry->expires_after(std::chrono::milliseconds(100));
        accept_retry->async_wait([this](beast::error_code wec) {
          if (!wec && acceptor->is_open()) accept();
        });
        return;
      }
      auto s = std::make_shared<Session>(std::move(socket), shared);
      asio::post(target.ioc, [&target, s] {
        {
          std::lock_guard lock(target.mutex);
          target.sessions.push_back(s);
        }
        s->start();
      });
      accept();
    });
  }

  void sweep(Loop& loop) {
    loop.sweep.expires_after(sweep_every);
    loop.sweep.async_wait([this, &loop](beast::error_code ec) {
      if (ec) return;
      const auto now = Clock::now();
      std::vector<std::shared_ptr<Session>> live;
      {
        std::lock_guard lock(loop.mutex);
        std::erase_if(loop.sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
        for (auto& w : loop.sessions) {
          if (auto s = w.lock()) live.push_back(std::move(s));
        }
      }
      for (auto& s : live) s->tick(now);
      sweep(loop);
    });
  }

  void begin_stop() {
    if (shared.stopping.exchange(true)) return;
    // The acceptor and the signals belong to loop 0; each session is closed on its own loop.
    asio::post(loops.front()->ioc, [this] {
      beast::error_code ec;
      acceptor->close(ec);
      accept_retry->cancel();
      signals->cancel(ec);
    });
    for (auto& loop : loops) {
      asio::post(loop->ioc, [&l = *loop] {
        std::lock_guard lock(l.mutex);
        for (auto& w : l.sessions) {
          if (auto s = w.lock()) s->close_if_idle();
        }
      });
    }
    std::lock_guard lock(shared.mutex);
    stop_requested = true;
    shared.changed.notify_all();
  }

  Shared shared;  // declared first: sessions destroyed with the loops still count down in it
  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::signal_set> signals;
  std::optional<asio::steady_timer> accept_retry;
  std::optional<Clock::time_point> last_accept_warning;  // loop 0 only
  std::size_t next_loop = 0;  // used by the accept handler only (loop 0)
  Millis sweep_every{250};
  bool stop_requested = false;
};

Server::Server(ServerOptions options, Ingest& ingest) : impl_(std::make_unique<Impl>(std::move(options), ingest)) {}
Server::~Server() = default;

Result<unsigned short> Server::listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->shared.options.address, ec);
  if (ec) return Error{ErrorKind::listen, "bad listen address " + impl_->shared.options.address + ": " + ec.message()};
  const tcp::endpoint endpoint(address, impl_->shared.options.port);
  auto& a = *impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{ErrorKind::listen, "cannot listen on " + impl_->shared.options.address + ":" +
                               std::to_string(impl_->shared.options.port) + ": " + ec.message()};
  }
  return a.local_endpoint().port();
}

void Server::run(const std::function<void()>& before_stop) {
  auto& impl = *impl_;
  impl.signals->async_wait([this](beast::error_code ec, int) {
    if (!ec) stop();
  });
  impl.accept();
  std::vector<std::thread> workers;
  for (auto& loop : impl.loops) {
    impl.sweep(*loop);
    workers.emplace_back([&l = *loop, index = workers.size()] {
      t_current_loop = index;
      l.ioc.run();
    });
  }
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
  for (auto& loop : impl.loops) {
    loop->guard.reset();
    loop->ioc.stop();
  }
  for (auto& t : workers) t.join();
}

void Server::stop() { impl_->begin_stop(); }

void Server::post(std::size_t loop, std::function<void()> work) {
  // Work for another loop's sessions goes to loop 0 only (what the destructor relies on):
  // `loop` is the thread that submitted, so its answers are for its own sessions.
  auto& loops = impl_->loops;
  asio::post(loops[loop < loops.size() ? loop : 0]->ioc, std::move(work));
}

std::size_t Server::current_loop() { return t_current_loop; }

}  // namespace hsops::stats
