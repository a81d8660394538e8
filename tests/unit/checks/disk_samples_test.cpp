#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "checks/common/samples.h"

using namespace hsops::checks::disk;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hsops-disk-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("disk samples: prune keeps the window / drops future samples and forgotten paths", "[disk][samples]") {
  const double now = 1'700'000'000;
  SampleBounds b;  // 6 h window, 256 samples, forget after 7 d
  SampleMap m;
  m["/var"] = {{now - 6 * 3600 - 1, 1, 1}, {now - 6 * 3600, 2, 2}, {now - 60, 3, 3}, {now + 60, 4, 4}};
  m["/gone"] = {{now - 8 * 86400, 1, 1}};
  m["/empty"] = {};
  prune(m, now, b);
  REQUIRE(m.size() == 1);
  REQUIRE(m["/var"].size() == 2);
  CHECK(m["/var"][0].avail_bytes == 2);  // exactly at the window edge is kept
  CHECK(m["/var"][1].avail_bytes == 3);  // the sample "from the future" (clock stepped back) is gone
}

TEST_CASE("disk samples: at most max_samples per path / spaced over the window", "[disk][samples]") {
  SampleBounds b;
  b.window = std::chrono::seconds(1000);
  b.max_samples = 10;  // -> at least 100 s apart
  SampleMap m;
  CHECK(add_sample(m, "/", {0, 1, 1}, b));
  CHECK_FALSE(add_sample(m, "/", {99, 1, 1}, b));  // too close to the last stored one
  CHECK(add_sample(m, "/", {100, 1, 1}, b));
  for (int i = 2; i < 30; ++i) add_sample(m, "/", {100.0 * i, 1, 1}, b);
  REQUIRE(m["/"].size() == 10);
  CHECK(m["/"].front().t == 2000);
  CHECK(m["/"].back().t == 2900);
  prune(m, 2900, b);
  CHECK(m["/"].size() == 10);
  b.max_samples = 4;
  prune(m, 2900, b);
  CHECK(m["/"].size() == 4);
  CHECK(m["/"].front().t == 2600);
}

TEST_CASE("disk samples: JSON round trip and corrupt text", "[disk][samples]") {
  SampleMap m;
  m["/var/lib/postgresql"] = {{1.5, 1e12, 123}, {2.5, 9e11, 122}};
  const auto back = from_json(to_json(m));
  REQUIRE(back.ok());
  REQUIRE(back->at("/var/lib/postgresql").size() == 2);
  CHECK(back->at("/var/lib/postgresql")[1].avail_bytes == 9e11);
  CHECK_FALSE(from_json("{not json").ok());
  CHECK_FALSE(from_json(R"({"version":1,"paths":{"/":[["x",1,2]]}})").ok());
  CHECK_FALSE(from_json(R"({"version":99,"paths":{}})").ok());
}

TEST_CASE("disk samples: the state file is created / saved atomically and reloaded", "[disk][samples]") {
  TempDir tmp;
  const auto file = tmp.path / "state" / "sub" / "disk-samples.json";
  SampleMap m;
  m["/"] = {{10, 100, 5}};
  {
    auto f = SampleFile::open(file, std::chrono::milliseconds(100));
    REQUIRE(f.ok());
    struct stat st {};
    REQUIRE(::stat(file.parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0755);
    const auto empty = f.value().load();
    REQUIRE(empty.ok());
    CHECK(empty->empty());  // missing file = empty store
    REQUIRE(f.value().save(m).ok());
  }
  CHECK_FALSE(std::filesystem::exists(file.string() + ".tmp"));
  auto f = SampleFile::open(file, std::chrono::milliseconds(100));
  REQUIRE(f.ok());
  const auto loaded = f.value().load();
  REQUIRE(loaded.ok());
  CHECK(loaded->at("/").at(0).avail_bytes == 100);
}

TEST_CASE("disk samples: a second opener waits for the lock / then gives up", "[disk][samples]") {
  TempDir tmp;
  const auto file = tmp.path / "disk-samples.json";
  auto first = SampleFile::open(file, std::chrono::milliseconds(100));
  REQUIRE(first.ok());
  auto second = SampleFile::open(file, std::chrono::milliseconds(50));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().kind == hsops::ErrorKind::timeout);
}

TEST_CASE("disk samples: a corrupt file loads as an error / an uncreatable dir fails open", "[disk][samples]") {
  TempDir tmp;
  const auto file = tmp.path / "disk-samples.json";
  write(file, "{\"version\":1,\"paths\":{\"/\":[[1,2");
  auto f = SampleFile::open(file, std::chrono::milliseconds(100));
  REQUIRE(f.ok());
  CHECK(f.value().load().error().kind == hsops::ErrorKind::parse);
  // A regular file where the directory should be: fails even as root.
  write(tmp.path / "blocker", "x");
  const auto bad = SampleFile::open(tmp.path / "blocker" / "sub" / "disk-samples.json", std::chrono::milliseconds(10));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("cannot create state directory") != std::string::npos);
}
