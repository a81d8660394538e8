#include "output/nagios.h"

#include <algorithm>
#include <cctype>

#include "output/format.h"

namespace hsops::output {
namespace {

// Labels with spaces or quotes are quoted; a quote inside is doubled (plugin guidelines).
std::string quote_label(const std::string& label) {
  std::string quoted = "'";
  for (char c : label) {
    if (c == '\'') quoted += "''";
    else if (c == '=' || c == '|' || c == '\n') quoted += '_';
    else quoted += c;
  }
  return quoted + "'";
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// The first line must stay one line: a summary with a newline would be cut by Nagios.
std::string one_line(const std::string& text) {
  std::string line = text;
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::replace(line.begin(), line.end(), '|', '/');  // '|' would start perfdata
  return line;
}

}  // namespace

std::string perfdata(const std::vector<Measurement>& measurements) {
  std::string out;
  for (const auto& m : measurements) {
    if (m.label.empty()) continue;
    if (!out.empty()) out += ' ';
    out += quote_label(m.label) + '=' + format_number(m.value) + m.unit;
    std::string tail = ';' + (m.warning ? m.warning->text() : "") + ';' + (m.critical ? m.critical->text() : "") +
                       ';' + (m.min ? format_number(*m.min) : "") + ';' + (m.max ? format_number(*m.max) : "");
    while (!tail.empty() && tail.back() == ';') tail.pop_back();  // trailing separators may be dropped
    out += tail;
  }
  return out;
}

std::string nagios_line(const CheckResult& result) {
  std::string line = upper(result.check) + ' ' + std::string(to_string(result.status)) + " - " + one_line(result.summary);
  const std::string perf = perfdata(result.measurements);
  if (!perf.empty()) line += " | " + perf;
  return line;
}

std::string nagios_report(const std::vector<CheckResult>& results, int verbosity) {
  std::string out;
  for (const auto& r : results) {
    out += nagios_line(r) + '\n';
    if (verbosity >= 1) {
      for (const auto& d : r.details) out += "  " + one_line(d) + '\n';
    }
  }
  return out;
}

}  // namespace hsops::output
