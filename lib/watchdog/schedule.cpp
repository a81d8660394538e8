#include "watchdog/schedule.h"

#include <algorithm>

namespace hsops::watchdog {
namespace {

// FNV-1a: a stable spread from the check's name, the same on every start.
std::uint64_t name_hash(const std::string& name, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

// splitmix64: a small, well-mixed sequence for the per-run jitter.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Schedule::Schedule(const std::vector<ScheduledCheck>& checks, Monotonic start, std::uint64_t seed,
                   std::chrono::milliseconds max_first_delay) {
  for (const auto& c : checks) {
    const auto interval = std::max(c.interval, std::chrono::milliseconds(1));
    const auto spread = std::min(interval, max_first_delay).count();
    const std::uint64_t h = name_hash(c.name, seed);
    const auto offset = std::chrono::milliseconds(spread > 0 ? static_cast<std::int64_t>(h % static_cast<std::uint64_t>(spread)) : 0);
    entries_.insert_or_assign(c.name, Entry{interval, start + offset, false, h});
  }
}

std::chrono::milliseconds Schedule::next_jitter(Entry& e) {
  const auto max_jitter = e.interval.count() / 20;
  if (max_jitter <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(next_random(e.jitter_state) % static_cast<std::uint64_t>(max_jitter + 1)));
}

std::vector<std::string> Schedule::take_due(Monotonic now) {
  std::vector<std::string> due;
  for (auto& [name, e] : entries_) {
    if (e.running || e.due > now) continue;
    e.running = true;
    due.push_back(name);
  }
  return due;
}

void Schedule::finished(const std::string& name, Monotonic now) {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.running = false;
  e.due = std::max(e.due + e.interval + next_jitter(e), now);
}

bool Schedule::run_now(const std::string& name, Monotonic now) {
  const auto it = entries_.find(name);
  if (it == entries_.end() || it->second.running) return false;
  it->second.due = std::min(it->second.due, now);
  return true;
}

std::optional<Monotonic> Schedule::next_wakeup() const {
  std::optional<Monotonic> earliest;
  for (const auto& [name, e] : entries_) {
    if (!e.running && (!earliest || e.due < *earliest)) earliest = e.due;
  }
  return earliest;
}

bool Schedule::running(const std::string& name) const {
  const auto it = entries_.find(name);
  return it != entries_.end() && it->second.running;
}

std::optional<Monotonic> Schedule::due_at(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.due;
}

}  // namespace hsops::watchdog
