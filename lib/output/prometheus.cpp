#include "output/prometheus.h"

#include <map>
#include <set>
#include <vector>

#include "output/format.h"
#include "output/prometheus_writer.h"

namespace hsops::output {
namespace {

std::string label_set(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label_value(v) + '"';
  }
  return out + '}';
}

struct Family {
  std::string help;
  std::vector<std::string> samples;  // "name{labels} value"
};

// Families keep first-seen order so output is stable; samples of a family stay contiguous.
class Exposition {
 public:
  void add(const std::string& name, const std::string& help, const std::map<std::string, std::string>& labels,
           double value) {
    auto [it, inserted] = index_.try_emplace(name, families_.size());
    if (inserted) families_.push_back({name, Family{help, {}}});
    auto& family = families_[it->second].second;
    const std::string key = name + label_set(labels);
    if (!seen_.insert(key).second) return;  // a name+labelset must be unique
    family.samples.push_back(key + ' ' + format_number(value));
  }
  std::string text() const {
    std::string out;
    for (const auto& [name, family] : families_) {
      out += "# HELP " + name + ' ' + escape_help(family.help.empty() ? name : family.help) + '\n';
      out += "# TYPE " + name + " gauge\n";
      for (const auto& s : family.samples) out += s + '\n';
    }
    return out;
  }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<std::pair<std::string, Family>> families_;
  std::set<std::string> seen_;
};

}  // namespace

std::vector<Sample> result_samples(const CheckResult& r, double ran_at_unix) {
  const std::map<std::string, std::string> check{{"check", r.check}};
  std::vector<Sample> out{
      {"hsops_check_status", "Check status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN", check,
       static_cast<double>(exit_code(r.status))},
      {"hsops_check_success", "1 if the check could decide (status is not UNKNOWN)", check,
       r.status == Status::unknown ? 0.0 : 1.0},
      {"hsops_check_duration_seconds", "How long the check took", check, r.duration_seconds},
      {"hsops_check_last_run_timestamp_seconds", "When the check last ran (Unix time)", check, ran_at_unix},
  };
  for (const auto& m : r.measurements) {
    if (m.metric.empty()) continue;
    out.push_back({m.metric, m.help, m.metric_labels, m.unit == "%" ? m.value / 100.0 : m.value});
  }
  return out;
}

std::string prometheus_text(const std::vector<CheckResult>& results, double now_unix) {
  // Families keep first-seen order, so the hsops_check_* families come first whatever the mix.
  Exposition e;
  for (const auto& r : results) {
    for (const auto& s : result_samples(r, now_unix)) e.add(s.name, s.help, s.labels, s.value);
  }
  return e.text();
}

}  // namespace hsops::output
