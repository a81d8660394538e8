#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "checks/probe/state.h"

using namespace hsops::checks::probe;
namespace fs = std::filesystem;

TEST_CASE("probe state: round trip / missing file / corrupt file", "[probe][state]") {
  const fs::path dir = fs::temp_directory_path() / ("hsops-probe-state-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path file = dir / "sub" / "probe-state.json";

  auto empty = load_state(file);
  REQUIRE(empty.ok());
  CHECK(empty.value().room_id.empty());
  CHECK_FALSE(empty.value().last_success);

  REQUIRE(save_state(file, State{"https://m.example.org", "@p:example.org", "!r:example.org", 1700000000.5}).ok());
  auto back = load_state(file);
  REQUIRE(back.ok());
  CHECK(back.value().homeserver == "https://m.example.org");
  CHECK(back.value().user_id == "@p:example.org");
  CHECK(back.value().room_id == "!r:example.org");
  CHECK(back.value().last_success == 1700000000.5);
  CHECK_FALSE(fs::exists(file.string() + ".tmp"));

  std::ofstream(file) << "{not json";
  auto bad = load_state(file);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("not a JSON object") != std::string::npos);
  fs::remove_all(dir);
}
