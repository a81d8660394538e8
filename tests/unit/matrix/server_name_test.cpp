// Server-name resolution per the spec, with well-known and SRV answers injected.
#include <catch2/catch.hpp>

#include <arpa/nameser.h>

#include <map>

#include "matrix/server_name.h"

using namespace hsops;
using namespace hsops::matrix;

namespace {

struct Fakes {
  std::map<std::string, std::pair<long, std::string>> well_known;  // host -> answer; absent = error
  std::map<std::string, std::vector<SrvRecord>> srv;
  std::vector<std::string> srv_asked;
  ResolveDeps deps() {
    return ResolveDeps{
        [this](const std::string& host) -> Result<std::pair<long, std::string>> {
          const auto it = well_known.find(host);
          if (it == well_known.end()) return Error{ErrorKind::refused, "connection refused"};
          return it->second;
        },
        [this](const std::string& name) -> Result<std::vector<SrvRecord>> {
          srv_asked.push_back(name);
          const auto it = srv.find(name);
          return it == srv.end() ? std::vector<SrvRecord>{} : it->second;
        }};
  }
};

}  // namespace

TEST_CASE("server names parse per the grammar", "[matrix][server_name]") {
  auto hp = parse_server_name("matrix.org:8888").value();
  CHECK(hp.host == "matrix.org");
  CHECK(hp.port == std::optional<std::uint16_t>(8888));
  CHECK_FALSE(hp.ip_literal);
  CHECK(parse_server_name("1.2.3.4").value().ip_literal);
  auto v6 = parse_server_name("[1234:5678::abcd]:5678").value();
  CHECK(v6.host == "1234:5678::abcd");
  CHECK(v6.ip_literal);
  CHECK(v6.port == std::optional<std::uint16_t>(5678));
  CHECK_FALSE(parse_server_name("").ok());
  CHECK_FALSE(parse_server_name("bad_name.org").ok());
  CHECK_FALSE(parse_server_name("x.org:99999").ok());
  CHECK_FALSE(parse_server_name("x.org:").ok());
  CHECK_FALSE(parse_server_name("[::1").ok());
}

TEST_CASE("IP literals and explicit ports skip well-known and SRV", "[matrix][server_name]") {
  Fakes f;
  auto t = resolve_server_name("1.2.3.4", f.deps()).value();
  CHECK(t.base_url() == "https://1.2.3.4:8448");
  auto p = resolve_server_name("example.org:1234", f.deps()).value();
  CHECK(p.base_url() == "https://example.org:1234");
  CHECK(p.host_header == "example.org:1234");
  CHECK(f.srv_asked.empty());
}

TEST_CASE("well-known delegation / then SRV on the delegated name", "[matrix][server_name]") {
  Fakes f;
  f.well_known["example.org"] = {200, R"({"m.server":"fed.example.org"})"};
  f.srv["_matrix-fed._tcp.fed.example.org"] = {{10, 5, 8443, "srv-target.example.net"}};
  auto t = resolve_server_name("example.org", f.deps()).value();
  CHECK(t.connect_host == "srv-target.example.net");
  CHECK(t.port == 8443);
  CHECK(t.host_header == "fed.example.org");
  CHECK(t.tls_name == "fed.example.org");
}

TEST_CASE("delegation with a port goes straight there", "[matrix][server_name]") {
  Fakes f;
  f.well_known["example.org"] = {200, R"({"m.server":"fed.example.org:443"})"};
  auto t = resolve_server_name("example.org", f.deps()).value();
  CHECK(t.base_url() == "https://fed.example.org:443");
  CHECK(t.host_header == "fed.example.org:443");
  CHECK(f.srv_asked.empty());
}

TEST_CASE("no well-known: _matrix-fed / then legacy _matrix / then 8448", "[matrix][server_name]") {
  Fakes f;
  SECTION("legacy SRV") {
    f.srv["_matrix._tcp.example.org"] = {{0, 0, 8449, "legacy.example.org"}};
    auto t = resolve_server_name("example.org", f.deps()).value();
    CHECK(t.base_url() == "https://legacy.example.org:8449");
    CHECK(t.tls_name == "example.org");
    CHECK(f.srv_asked == std::vector<std::string>{"_matrix-fed._tcp.example.org", "_matrix._tcp.example.org"});
  }
  SECTION("nothing: port 8448") {
    f.well_known["example.org"] = {200, "not json"};  // invalid is not fatal
    auto t = resolve_server_name("example.org", f.deps()).value();
    CHECK(t.base_url() == "https://example.org:8448");
    CHECK(t.steps.front().find("not a JSON object") != std::string::npos);
  }
}

TEST_CASE("an SRV answer is parsed and ordered", "[matrix][server_name]") {
  // Hand-built DNS answer: header, question, two SRV records.
  std::vector<unsigned char> msg{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
  auto name = [&](std::initializer_list<std::string> labels) {
    for (const auto& l : labels) {
      msg.push_back(static_cast<unsigned char>(l.size()));
      msg.insert(msg.end(), l.begin(), l.end());
    }
    msg.push_back(0);
  };
  name({"_matrix-fed", "_tcp", "example", "org"});
  msg.insert(msg.end(), {0, 33, 0, 1});
  auto record = [&](int prio, int weight, int port, std::initializer_list<std::string> target) {
    msg.insert(msg.end(), {0xc0, 12, 0, 33, 0, 1, 0, 0, 0x0e, 0x10});
    std::size_t target_len = 1;
    for (const auto& l : target) target_len += l.size() + 1;
    const auto rdlen = 6 + target_len;
    msg.push_back(static_cast<unsigned char>(rdlen >> 8));
    msg.push_back(static_cast<unsigned char>(rdlen & 0xff));
    for (int v : {prio, weight, port}) {
      msg.push_back(static_cast<unsigned char>(v >> 8));
      msg.push_back(static_cast<unsigned char>(v & 0xff));
    }
    name(target);
  };
  record(20, 0, 8448, {"b", "example", "org"});
  record(10, 0, 443, {"a", "example", "org"});
  auto r = parse_srv_answer(msg.data(), static_cast<int>(msg.size()));
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 2);
  CHECK(r.value()[0].target == "a.example.org");
  CHECK(r.value()[0].port == 443);
  CHECK(r.value()[1].target == "b.example.org");
}
