// The failover journal: entries written are read back as written, a torn last line is dropped
// and flagged, a bad middle line names file:line, and last_run sums up the last run.
#include "failover/journal.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

using hsops::ErrorKind;
using hsops::failover::JournalEntry;
using hsops::failover::StepState;

namespace {

JournalEntry entry(const std::string& run_id, int step, const std::string& type, StepState state) {
  JournalEntry e;
  e.run_id = run_id;
  e.operation = "switchover";
  e.step = step;
  e.type = type;
  e.state = state;
  e.at = 1'796'588'100.25 + step;
  e.detail = type + " " + std::string(to_string(state));
  return e;
}

void append_all(const std::filesystem::path& file, const std::vector<JournalEntry>& entries) {
  auto journal = hsops::failover::Journal::open(file);
  REQUIRE(journal);
  for (const auto& e : entries) REQUIRE(journal.value().append(e));
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

TEST_CASE("journal: entries appended are read back with their data", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "sub" / "dir" / "journal.jsonl";  // parent created on open
  JournalEntry fence = entry("r1", 1, "pg.fence", StepState::done);
  fence.data = {{"server", "db1"}, {"lsn", "0/3000148"}, {"units", {"postgresql", "synapse"}}};
  fence.detail = "fenced db1: stopped by systemd";
  append_all(file, {entry("r1", 0, "run", StepState::started), fence});

  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string text = read_text(file);
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);

  const auto read = hsops::failover::read_journal(file);
  REQUIRE(read);
  CHECK_FALSE(read->torn);
  REQUIRE(read->entries.size() == 2);
  const JournalEntry& back = read->entries[1];
  CHECK(back.run_id == "r1");
  CHECK(back.operation == "switchover");
  CHECK(back.step == 1);
  CHECK(back.type == "pg.fence");
  CHECK(back.state == StepState::done);
  CHECK(back.at == Approx(1'796'588'101.25));
  CHECK(back.detail == "fenced db1: stopped by systemd");
  CHECK(back.data == fence.data);
  CHECK(read->entries[0].type == "run");
}

TEST_CASE("journal: reopening appends after what is there", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  append_all(file, {entry("r1", 1, "pg.fence", StepState::started)});
  append_all(file, {entry("r1", 1, "pg.fence", StepState::done)});
  const auto read = hsops::failover::read_journal(file);
  REQUIRE(read);
  REQUIRE(read->entries.size() == 2);
  CHECK(read->entries[1].state == StepState::done);
}

TEST_CASE("journal: a missing file reads as an empty journal", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto read = hsops::failover::read_journal(dir.path() / "none.jsonl");
  REQUIRE(read);
  CHECK(read->entries.empty());
  CHECK_FALSE(read->torn);
}

TEST_CASE("journal: a torn last line is dropped and flagged", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  append_all(file, {entry("r1", 1, "pg.fence", StepState::done)});
  { std::ofstream(file, std::ios::app) << R"({"run_id":"r1","operation":"swi)"; }

  const auto read = hsops::failover::read_journal(file);
  REQUIRE(read);
  CHECK(read->torn);
  REQUIRE(read->entries.size() == 1);
  CHECK(read->entries[0].type == "pg.fence");
}

TEST_CASE("journal: a complete last line without its newline is kept", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  append_all(file, {entry("r1", 1, "pg.fence", StepState::done)});
  std::string text = read_text(file);
  text.pop_back();
  write_text(file, text);

  const auto read = hsops::failover::read_journal(file);
  REQUIRE(read);
  CHECK_FALSE(read->torn);
  CHECK(read->entries.size() == 1);
}

TEST_CASE("journal: reopening after a torn line drops it so the next line stays whole", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  append_all(file, {entry("r1", 1, "pg.fence", StepState::done)});
  { std::ofstream(file, std::ios::app) << R"({"run_id":"r1","ste)"; }
  append_all(file, {entry("r1", 2, "pg.promote", StepState::started)});

  const auto read = hsops::failover::read_journal(file);
  REQUIRE(read);
  CHECK_FALSE(read->torn);
  REQUIRE(read->entries.size() == 2);
  CHECK(read->entries[1].type == "pg.promote");
}

TEST_CASE("journal: reopening after a whole line without newline ends that line first", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  append_all(file, {entry("r1", 1, "pg.fence", StepState::done)});
  std::string text = read_text(file);
  text.pop_back();
  write_text(file, text);
  append_all(file, {entry("r1", 2, "pg.promote", StepState::started)});

  const auto read = hsops::failover::read_journal(file);
  REQUIRE(read);
  REQUIRE(read->entries.size() == 2);
  CHECK(read->entries[0].type == "pg.fence");
  CHECK(read->entries[1].type == "pg.promote");
}

TEST_CASE("journal: a bad middle line is a parse error naming file and line", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  append_all(file, {entry("r1", 1, "pg.fence", StepState::done)});
  { std::ofstream(file, std::ios::app) << "{not json\n"; }
  append_all(file, {entry("r1", 2, "pg.promote", StepState::done)});

  const auto read = hsops::failover::read_journal(file);
  REQUIRE_FALSE(read);
  CHECK(read.error().kind == ErrorKind::parse);
  CHECK(read.error().message.rfind(file.string() + ":2: ", 0) == 0);
}

TEST_CASE("journal: a JSON line that is not an entry is a parse error saying why", "[failover][journal]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "journal.jsonl";
  write_text(file, R"({"run_id":"r1","operation":"drill","step":1,"type":"x","state":"paused","at":1})" "\n");
  const auto read = hsops::failover::read_journal(file);
  REQUIRE_FALSE(read);
  CHECK(read.error().kind == ErrorKind::parse);
  CHECK(read.error().message == file.string() + ":1: unknown state \"paused\"");
}

TEST_CASE("journal: every step state survives its JSON round trip", "[failover][journal]") {
  for (const StepState state : {StepState::started, StepState::done, StepState::failed, StepState::undone,
                                StepState::undo_failed, StepState::skipped}) {
    const auto back = hsops::failover::journal_entry_from_json(to_json(entry("r", 3, "t", state)));
    REQUIRE(back);
    CHECK(back->state == state);
  }
  CHECK_FALSE(hsops::failover::step_state_from_string("paused"));
}

TEST_CASE("journal: opening where no directory can be made is an io error naming the file", "[failover][journal]") {
  hsops::test::TempDir dir;
  write_text(dir.path() / "plain", "x");
  const auto file = dir.path() / "plain" / "journal.jsonl";
  const auto journal = hsops::failover::Journal::open(file);
  REQUIRE_FALSE(journal);
  CHECK(journal.error().kind == ErrorKind::io);
  CHECK(journal.error().message.rfind(file.string() + ": ", 0) == 0);
}

TEST_CASE("last run: picks the last run and finds the step in flight", "[failover][journal]") {
  const std::vector<JournalEntry> entries{
      entry("r1", 0, "run", StepState::started), entry("r1", 1, "pg.fence", StepState::started),
      entry("r1", 1, "pg.fence", StepState::done), entry("r1", 0, "run", StepState::done),
      entry("r2", 0, "run", StepState::started), entry("r2", 1, "pg.fence", StepState::started),
      entry("r2", 1, "pg.fence", StepState::done), entry("r2", 2, "pg.promote", StepState::started),
  };
  const auto run = hsops::failover::last_run(entries);
  REQUIRE(run);
  CHECK(run->run_id == "r2");
  CHECK(run->operation == "switchover");
  CHECK_FALSE(run->finished);
  REQUIRE(run->steps.size() == 2);
  CHECK(run->steps[0].step == 1);
  CHECK(run->steps[0].state == StepState::done);
  CHECK(run->steps[1].step == 2);
  REQUIRE(run->in_flight);
  CHECK(run->in_flight->type == "pg.promote");
}

TEST_CASE("last run: steps come in step order with their latest state", "[failover][journal]") {
  const std::vector<JournalEntry> entries{
      entry("r1", 2, "b", StepState::done), entry("r1", 1, "a", StepState::done),
      entry("r1", 2, "b", StepState::undone), entry("r1", 1, "a", StepState::undo_failed),
  };
  const auto run = hsops::failover::last_run(entries);
  REQUIRE(run);
  REQUIRE(run->steps.size() == 2);
  CHECK(run->steps[0].type == "a");
  CHECK(run->steps[0].state == StepState::undo_failed);
  CHECK(run->steps[1].state == StepState::undone);
  CHECK_FALSE(run->in_flight);
}

TEST_CASE("last run: finished when a run-level done or failed line follows the steps", "[failover][journal]") {
  std::vector<JournalEntry> entries{
      entry("r1", 0, "run", StepState::started), entry("r1", 1, "pg.fence", StepState::failed),
      entry("r1", 0, "run", StepState::failed),
  };
  auto run = hsops::failover::last_run(entries);
  REQUIRE(run);
  CHECK(run->finished);
  CHECK_FALSE(run->in_flight);

  SECTION("a step after the end line (a rollback continuing) makes it unfinished again") {
    entries.push_back(entry("r1", 1, "pg.fence", StepState::started));
    run = hsops::failover::last_run(entries);
    REQUIRE(run);
    CHECK_FALSE(run->finished);
    REQUIRE(run->in_flight);
    CHECK(run->in_flight->step == 1);
  }
  SECTION("a run-level started line after the end makes it unfinished again") {
    entries.push_back(entry("r1", 0, "run", StepState::started));
    run = hsops::failover::last_run(entries);
    REQUIRE(run);
    CHECK_FALSE(run->finished);
  }
  SECTION("a step-0 line that is not the run line does not finish it") {
    entries.pop_back();
    entries.push_back(entry("r1", 0, "note", StepState::done));
    run = hsops::failover::last_run(entries);
    REQUIRE(run);
    CHECK_FALSE(run->finished);
  }
}

TEST_CASE("last run: an empty journal has no run", "[failover][journal]") {
  CHECK_FALSE(hsops::failover::last_run({}));
}
