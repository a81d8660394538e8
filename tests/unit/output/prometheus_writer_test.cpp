#include <catch2/catch.hpp>

#include <limits>

#include "output/prometheus_writer.h"

using hsops::output::PrometheusWriter;

TEST_CASE("PrometheusWriter writes a family's HELP and TYPE, then its samples", "[prom]") {
  PrometheusWriter out;
  out.family("hsops_x", "What x counts");
  out.sample("hsops_x", 3);
  out.family("hsops_y_total", "Pushes by outcome", "counter");
  out.sample("hsops_y_total", {{"outcome", "accepted"}, {"quantile", "0.5"}}, std::int64_t{7});
  out.sample("hsops_y_total", {{"outcome", "ok"}}, 0.25);
  CHECK(out.text() ==
        "# HELP hsops_x What x counts\n# TYPE hsops_x gauge\nhsops_x 3\n"
        "# HELP hsops_y_total Pushes by outcome\n# TYPE hsops_y_total counter\n"
        "hsops_y_total{outcome=\"accepted\",quantile=\"0.5\"} 7\nhsops_y_total{outcome=\"ok\"} 0.25\n");
}

TEST_CASE("PrometheusWriter escapes label values and help, and prints large integers exactly", "[prom]") {
  PrometheusWriter out;
  out.family("m", "a\\b\nc");
  out.sample("m", {{"v", "q\"\\\n"}}, std::numeric_limits<std::int64_t>::max());
  CHECK(out.take() == "# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{v=\"q\\\"\\\\\\n\"} 9223372036854775807\n");
}
