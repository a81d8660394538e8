#include "checks/probe/check.h"

#include <atomic>
#include <functional>

#include <unistd.h>

#include "checks/probe/report.h"
#include "checks/probe/state.h"
#include "checks/probe/steps.h"
#include "core/clock.h"

namespace hsops::checks::probe {
namespace {

// Fresh per message, unique across runs and processes: retries of one send reuse it.
std::string new_txn_id(const Clock& clock) {
  static std::atomic<unsigned> counter{0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count();
  return "hsops." + std::to_string(ms) + "." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

bool room_is_gone(const Error& e) { return e.errcode == "M_FORBIDDEN" || e.errcode == "M_NOT_FOUND"; }

class ProbeCheck final : public Check {
 public:
  ProbeCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "probe"; }

  CheckResult run() override {
    RunRecord run;
    const auto started = clock_.monotonic();
    matrix::ClientOptions client_options;
    client_options.base_url = options_.homeserver_url;
    client_options.deadlines = options_.deadlines;
    client_options.ca_file = options_.ca_file;
    matrix::Client client(client_options, clock_, started + options_.budget);
    State state = load(run);
    const bool ok = steps(client, state, run);
    if (options_.password && client.has_access_token()) {
      // Not timed: cleanup. Past the deadline the token stays (Synapse expires nothing itself).
      if (auto out = logout(client); !out) run.details.push_back("logout failed, one access token left behind: " + out.error().message);
    }
    run.rate_limited = client.rate_limited();
    run.last_success = state.last_success;
    if (ok) {
      run.seconds["total"] = seconds_since(started);
      run.last_success = unix_seconds(clock_.now());
    }
    if (ok || state.room_id != saved_room_) {
      state.last_success = run.last_success;
      if (auto saved = save_state(options_.state_file, state); !saved) run.details.push_back("state not saved: " + saved.error().message);
    }
    return build_probe_result(run, options_);
  }

 private:
  double seconds_since(std::chrono::steady_clock::time_point t) const {
    return std::chrono::duration<double>(clock_.monotonic() - t).count();
  }

  State load(RunRecord& run) {
    auto loaded = load_state(options_.state_file);
    State s;
    if (loaded) {
      s = loaded.value();
    } else {
      run.details.push_back("state file ignored: " + loaded.error().message);
    }
    if (s.homeserver != options_.homeserver_url || s.user_id != options_.user_id) {
      s = State{options_.homeserver_url, options_.user_id, "", std::nullopt};
    }
    saved_room_ = s.room_id;
    return s;
  }

  // Runs one phase, timing it; on failure records which phase failed and why.
  template <typename F>
  bool phase(const char* name, RunRecord& run, F&& body) {
    const auto t0 = clock_.monotonic();
    Result<bool> r = body();
    if (!r) {
      run.failed_phase = name;
      run.error = r.error();
      return false;
    }
    run.seconds[name] = seconds_since(t0);
    return true;
  }

  bool steps(matrix::Client& client, State& state, RunRecord& run) {
    if (!phase("discovery", run, [&]() -> Result<bool> {
          auto note = discover(client, options_);
          if (!note) return note.error();
          run.details.push_back(note.value());
          return true;
        })) {
      return false;
    }
    if (!phase("login", run, [&] { return login(client, options_); })) return false;
    // Room and sync position are set-up, not a measured phase (they count in total).
    std::string since;
    if (!prepare_room(client, state, run, since)) return false;
    const std::string txn = new_txn_id(clock_);
    std::string event_id;
    if (!phase("send", run, [&]() -> Result<bool> {
          auto id = send_with_recovery(client, state, run, since, txn);
          if (!id) return id.error();
          event_id = id.value();
          return true;
        })) {
      return false;
    }
    run.details.push_back("sent " + event_id + " to " + state.room_id + " (txn " + txn + ")");
    return phase("sync_echo", run, [&] { return wait_for_echo(client, state.room_id, since, event_id, txn); });
  }

  bool prepare_room(matrix::Client& client, State& state, RunRecord& run, std::string& since) {
    if (!options_.room_id.empty()) state.room_id = options_.room_id;
    if (state.room_id.empty() && !phase("room", run, [&] { return new_room(client, state, run); })) return false;
    auto pos = sync_position(client, state.room_id);
    if (!pos) {
      run.failed_phase = "sync_echo";
      run.error = pos.error();
      return false;
    }
    since = pos.value();
    return true;
  }

  Result<bool> new_room(matrix::Client& client, State& state, RunRecord& run) {
    auto id = create_room(client);
    if (!id) return id.error();
    state.room_id = id.value();
    run.details.push_back("created probe room " + state.room_id + " (m.federate: false)");
    return true;
  }

  // A remembered room we were removed from is replaced once; an expired token re-logs in once.
  Result<std::string> send_with_recovery(matrix::Client& client, State& state, RunRecord& run, std::string& since,
                                         const std::string& txn) {
    auto id = send_notice(client, state.room_id, txn);
    if (!id && id.error().errcode == "M_UNKNOWN_TOKEN" && options_.password) {
      run.details.push_back("token rejected (M_UNKNOWN_TOKEN): logged in again");
      if (auto again = login(client, options_); !again) return again.error();
      id = send_notice(client, state.room_id, txn);
    }
    if (!id && room_is_gone(id.error()) && options_.room_id.empty()) {
      run.details.push_back("remembered room " + state.room_id + " unusable (" + kind_name(id.error()) + "): creating a new one");
      if (auto made = new_room(client, state, run); !made) return made.error();
      auto pos = sync_position(client, state.room_id);
      if (!pos) return pos.error();
      since = pos.value();
      id = send_notice(client, state.room_id, txn);
    }
    return id;
  }

  Options options_;
  const Clock& clock_;
  std::string saved_room_;
};

}  // namespace

std::shared_ptr<Check> make_probe_check(Options options, const Clock& clock) {
  return std::make_shared<ProbeCheck>(std::move(options), clock);
}

}  // namespace hsops::checks::probe
