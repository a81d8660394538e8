#include "metrics/process_metrics.h"

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <unistd.h>

namespace hsops::metrics {
namespace {

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return prometheus::MetricFamily{name, help, type, {m}};
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace

ProcessMetrics::ProcessMetrics(std::filesystem::path proc_self) : proc_self_(std::move(proc_self)) {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  std::ifstream stat(proc_self_ / "stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the command name, which may itself hold spaces and ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::vector<std::string> f;
    for (std::string x; rest >> x;) f.push_back(x);
    if (f.size() > 21) {
      const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      // Field numbers in proc(5) minus 3: utime 14, stime 15, num_threads 20, starttime 22, vsize 23, rss 24.
      out.push_back(family("process_cpu_seconds_total", "User and system CPU time spent in seconds",
                           prometheus::MetricType::Counter, (std::stod(f[11]) + std::stod(f[12])) / ticks));
      out.push_back(family("process_threads", "Number of OS threads in the process", prometheus::MetricType::Gauge,
                           std::stod(f[17])));
      out.push_back(family("process_start_time_seconds", "Start time of the process since unix epoch in seconds",
                           prometheus::MetricType::Gauge, boot_time_seconds() + std::stod(f[19]) / ticks));
      out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes",
                           prometheus::MetricType::Gauge, std::stod(f[20])));
      out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes",
                           prometheus::MetricType::Gauge, std::stod(f[21]) * page));
    }
  }
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it(proc_self_ / "fd", ec), end; !ec && it != end; it.increment(ec)) ++fds;
  if (!ec) out.push_back(family("process_open_fds", "Number of open file descriptors", prometheus::MetricType::Gauge, fds));
  return out;
}

}  // namespace hsops::metrics
