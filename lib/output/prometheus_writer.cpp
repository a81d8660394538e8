#include "output/prometheus_writer.h"

#include "output/format.h"

namespace hsops::output {

std::string escape_label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void PrometheusWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PrometheusWriter::begin_sample(std::string_view name, PromLabels labels) {
  out_.append(name);
  if (labels.size() == 0) {
    out_ += ' ';
    return;
  }
  char separator = '{';
  for (const auto& [key, value] : labels) {
    out_ += separator;
    out_.append(key).append("=\"").append(escape_label_value(value)).append("\"");
    separator = ',';
  }
  out_.append("} ");
}

void PrometheusWriter::sample(std::string_view name, PromLabels labels, std::int64_t value) {
  begin_sample(name, labels);
  out_.append(std::to_string(value)).append("\n");
}

void PrometheusWriter::sample(std::string_view name, PromLabels labels, double value) {
  begin_sample(name, labels);
  out_.append(format_number(value)).append("\n");
}

}  // namespace hsops::output
