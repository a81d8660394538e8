#include <catch2/catch.hpp>

#include "failover/haproxy_runtime.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::failover;
using namespace std::chrono_literals;

TEST_CASE("haproxy runtime: show stat rows of one backend become server statuses", "[failover][haproxy]") {
  // The first 18 columns of haproxy 2.6's `show stat` (status is the 18th).
  const std::string csv =
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight\n"
      "front,FRONTEND,,,0,1,100,3,0,0,0,0,0,,,,,OPEN,\n"
      "synapse,master,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1\n"
      "synapse,spare,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1\n"
      "synapse,BACKEND,0,0,0,1,10,3,0,0,0,0,,0,0,0,0,UP,1\n"
      "other,x,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1\n";
  const auto servers = parse_show_stat(csv, "synapse");
  REQUIRE(servers.size() == 2);
  CHECK(servers[0].name == "master");
  CHECK(servers[0].status == "UP");
  CHECK(servers[1].name == "spare");
  CHECK(servers[1].status == "MAINT");
  CHECK(parse_show_stat(csv, "nothing").empty());
}

TEST_CASE("haproxy runtime: a missing socket is a connect error that says what to configure", "[failover][haproxy]") {
  test::TempDir dir;
  const auto r = haproxy_command(dir.path() / "admin.sock", "show stat", 500ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::connect);
  CHECK(r.error().message.find("level admin") != std::string::npos);
}
