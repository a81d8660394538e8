#include "watchdog/notifier.h"

#include <stdexcept>

#include "alerting/notifiers/alertmanager.h"
#include "alerting/notifiers/matrix_room.h"
#include "alerting/notifiers/exec_command.h"
#include "alerting/notifiers/pagerduty.h"
#include "alerting/notifiers/webhook.h"

namespace hsops::watchdog {
namespace {

using alerting::Notification;

bool says(const Error& e, const char* text) { return e.message.find(text) != std::string::npos; }

class MatrixNotifier final : public Notifier {
 public:
  MatrixNotifier(alerting::MatrixRoomOptions o, const Clock& clock) : options_(std::move(o)), clock_(clock) {}
  Result<std::string> deliver(const Notification& n) override { return send_matrix_notice(n, options_, clock_); }
  // The client already waited out 429s that fit its deadline; the txnId makes retries safe.
  Failure classify(const Error& e) const override {
    return e.errcode == "M_LIMIT_EXCEEDED" ? Failure::rate_limited : Failure::retry;
  }

 private:
  alerting::MatrixRoomOptions options_;
  const Clock& clock_;
};

class PagerDutyNotifier final : public Notifier {
 public:
  explicit PagerDutyNotifier(alerting::PagerDutyOptions o) : options_(std::move(o)) {}
  Result<std::string> deliver(const Notification& n) override {
    auto sent = send_pagerduty(n, options_);
    if (!sent) return sent.error();
    return "dedup_key " + sent->dedup_key;
  }
  Failure classify(const Error& e) const override {
    if (e.kind == ErrorKind::http_4xx && says(e, "HTTP 429")) return Failure::rate_limited;
    if (e.kind == ErrorKind::http_4xx && says(e, "HTTP 400")) return Failure::permanent;
    return Failure::retry;
  }

 private:
  alerting::PagerDutyOptions options_;
};

class AlertmanagerNotifier final : public Notifier {
 public:
  AlertmanagerNotifier(alerting::AlertmanagerOptions o, const Clock& clock) : options_(std::move(o)), clock_(clock) {}
  Result<std::string> deliver(const Notification& n) override {
    auto sent = send_alertmanager(n, options_, clock_.now());
    if (!sent) return sent.error();
    return "HTTP " + std::to_string(*sent);
  }
  // Alertmanager answers 400 to a label set it will never accept.
  Failure classify(const Error& e) const override {
    return e.kind == ErrorKind::http_4xx && !says(e, "HTTP 429") ? Failure::permanent : Failure::retry;
  }

 private:
  alerting::AlertmanagerOptions options_;
  const Clock& clock_;
};

class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(alerting::WebhookOptions o, const Clock& clock) : options_(std::move(o)), clock_(clock) {}
  Result<std::string> deliver(const Notification& n) override {
    auto sent = send_webhook(n, options_, clock_.now());
    if (!sent) return sent.error();
    return "HTTP " + std::to_string(*sent);
  }

 private:
  alerting::WebhookOptions options_;
  const Clock& clock_;
};

class ExecNotifier final : public Notifier {
 public:
  explicit ExecNotifier(alerting::ExecOptions o) : options_(std::move(o)) {}
  Result<std::string> deliver(const Notification& n) override {
    auto ran = run_exec_notifier(n, options_);
    if (!ran) return ran.error();
    return std::string("exit 0");
  }
  // A command that is not there will not appear by waiting.
  Failure classify(const Error& e) const override {
    return e.kind == ErrorKind::not_found ? Failure::permanent : Failure::retry;
  }

 private:
  alerting::ExecOptions options_;
};

}  // namespace

Failure Notifier::classify(const Error&) const { return Failure::retry; }

std::unique_ptr<Notifier> make_notifier(const NotifierConfig& c, const Clock& clock) {
  if (c.matrix) return std::make_unique<MatrixNotifier>(*c.matrix, clock);
  if (c.pagerduty) return std::make_unique<PagerDutyNotifier>(*c.pagerduty);
  if (c.alertmanager) return std::make_unique<AlertmanagerNotifier>(*c.alertmanager, clock);
  if (c.webhook) return std::make_unique<WebhookNotifier>(*c.webhook, clock);
  if (c.exec) return std::make_unique<ExecNotifier>(*c.exec);
  // The config reader accepts only the types above: anything else is a programming error.
  throw std::logic_error("notifier " + c.name + " has no options for its type " + c.type);
}

}  // namespace hsops::watchdog
