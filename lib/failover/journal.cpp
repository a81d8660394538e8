// The failover journal: entries to and from JSON, appending one fsynced line per entry, reading a
// journal back (dropping a torn last line), and summing up the last run for status / resume.
#include "failover/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>
#include <system_error>
#include <utility>

namespace hsops::failover {
namespace {

constexpr std::array<std::pair<StepState, std::string_view>, 6> kStateNames{{
    {StepState::started, "started"},
    {StepState::done, "done"},
    {StepState::failed, "failed"},
    {StepState::undone, "undone"},
    {StepState::undo_failed, "undo_failed"},
    {StepState::skipped, "skipped"},
}};

Error io_error(const std::filesystem::path& file, std::string_view what, int err) {
  return Error{ErrorKind::io, file.string() + ": " + std::string(what) + ": " + std::strerror(err)};
}

Error parse_error(std::string why) { return Error{ErrorKind::parse, std::move(why)}; }

// Writes all of `text`: write(2) on a regular file may still write less than asked (a full
// disk, a signal), and the journal line must land whole or report an error.
bool write_all(int fd, std::string_view text, int& err) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The whole file as bytes; a missing file is not an error for the caller that asks (ENOENT
// comes back in `err` with an empty string).
Result<std::string> read_file(const std::filesystem::path& file, int& err) {
  err = 0;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return io_error(file, "open", err);
  }
  std::string bytes;
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      ::close(fd);
      return io_error(file, "read", err);
    }
    if (n == 0) break;
    bytes.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return bytes;
}

Result<JournalEntry> parse_line(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return parse_error("not JSON");
  return journal_entry_from_json(j);
}

// The journal is only appended to, so a line cut short by a crash (the process killed between
// two partial writes) would glue itself to the next run's first line and turn into a bad
// middle line forever. Opening for append therefore ends the file on a line boundary: a tail
// that parses gets its '\n', a tail that does not is dropped (read_journal drops it anyway).
Result<bool> mend_tail(const std::filesystem::path& file, int fd) {
  int err = 0;
  auto bytes = read_file(file, err);
  if (!bytes) return bytes.error();
  const std::string& text = bytes.value();
  if (text.empty() || text.back() == '\n') return true;
  const std::size_t last_newline = text.rfind('\n');
  const std::size_t line_start = last_newline == std::string::npos ? 0 : last_newline + 1;
  if (parse_line(std::string_view(text).substr(line_start))) {
    if (!write_all(fd, "\n", err)) return io_error(file, "write", err);
  } else if (::ftruncate(fd, static_cast<off_t>(line_start)) != 0) {
    return io_error(file, "truncate torn last line", errno);
  }
  if (::fdatasync(fd) != 0) return io_error(file, "fdatasync", errno);
  return true;
}

// A new journal's directory entry must be durable too, else a host crash can lose the whole
// file along with every fsynced line in it.
Result<bool> sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(dir, "open directory", errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error(dir, "fsync directory", err);
  return true;
}

std::filesystem::path parent_or_dot(const std::filesystem::path& file) {
  return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
}

}  // namespace

std::string_view to_string(StepState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<StepState> step_state_from_string(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

nlohmann::json to_json(const JournalEntry& entry) {
  return nlohmann::json{
      {"run_id", entry.run_id}, {"operation", entry.operation}, {"step", entry.step},
      {"type", entry.type},     {"state", to_string(entry.state)}, {"at", entry.at},
      {"detail", entry.detail}, {"data", entry.data},
  };
}

Result<JournalEntry> journal_entry_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return parse_error("not a JSON object");
  const auto string_field = [&](const char* name, std::string& out) -> std::optional<Error> {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return parse_error(std::string("\"") + name + "\" is not a string");
    out = it->get<std::string>();
    return std::nullopt;
  };
  JournalEntry entry;
  std::string state;
  const std::array<std::pair<const char*, std::string*>, 4> strings{{
      {"run_id", &entry.run_id}, {"operation", &entry.operation}, {"type", &entry.type}, {"state", &state}}};
  for (const auto& [name, out] : strings) {
    if (auto error = string_field(name, *out)) return *error;
  }
  const auto parsed_state = step_state_from_string(state);
  if (!parsed_state) return parse_error("unknown state \"" + state + "\"");
  entry.state = *parsed_state;

  const auto step = j.find("step");
  if (step == j.end() || !step->is_number_integer() || step->get<long long>() < 0 ||
      step->get<long long>() > 1'000'000) {
    return parse_error("\"step\" is not a step index");
  }
  entry.step = static_cast<int>(step->get<long long>());
  const auto at = j.find("at");
  if (at == j.end() || !at->is_number()) return parse_error("\"at\" is not a number");
  entry.at = at->get<double>();

  // detail and data are optional: a run-level line may have neither.
  if (const auto detail = j.find("detail"); detail != j.end()) {
    if (!detail->is_string()) return parse_error("\"detail\" is not a string");
    entry.detail = detail->get<std::string>();
  }
  if (const auto data = j.find("data"); data != j.end() && !data->is_null()) entry.data = *data;
  return entry;
}

Result<Journal> Journal::open(const std::filesystem::path& file) {
  const auto dir = parent_or_dot(file);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorKind::io, file.string() + ": create directory " + dir.string() + ": " + ec.message()};

  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(file, "open", errno);
  Journal journal(file, fd);  // closes fd on every error path below
  if (auto mended = mend_tail(file, fd); !mended) return mended.error();
  if (auto synced = sync_directory(dir); !synced) return synced.error();
  return Result<Journal>(std::move(journal));
}

Journal::Journal(Journal&& other) noexcept : file_(std::move(other.file_)), fd_(std::exchange(other.fd_, -1)) {}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<bool> Journal::append(const JournalEntry& entry) {
  if (fd_ < 0) return Error{ErrorKind::io, file_.string() + ": append: journal is not open"};
  // Invalid UTF-8 in a detail (a command's output) must not throw or lose the line.
  std::string line = to_json(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  int err = 0;
  if (!write_all(fd_, line, err)) return io_error(file_, "write", err);
  if (::fdatasync(fd_) != 0) return io_error(file_, "fdatasync", errno);
  return true;
}

Result<JournalRead> read_journal(const std::filesystem::path& file) {
  int err = 0;
  auto bytes = read_file(file, err);
  if (!bytes) {
    if (err == ENOENT) return JournalRead{};
    return bytes.error();
  }
  const std::string_view text = bytes.value();
  JournalRead read;
  std::size_t start = 0;
  for (int line_number = 1; start < text.size(); ++line_number) {
    const std::size_t end = text.find('\n', start);
    const bool terminated = end != std::string_view::npos;
    const std::string_view line = text.substr(start, terminated ? end - start : std::string_view::npos);
    start = terminated ? end + 1 : text.size();
    auto entry = parse_line(line);
    if (entry) {
      read.entries.push_back(std::move(entry).value());
    } else if (!terminated) {
      read.torn = true;  // the process died mid-write: that step never got recorded
    } else {
      return parse_error(file.string() + ":" + std::to_string(line_number) + ": " + entry.error().message);
    }
  }
  return read;
}

std::optional<RunSummary> last_run(const std::vector<JournalEntry>& entries) {
  if (entries.empty()) return std::nullopt;
  RunSummary run;
  run.run_id = entries.back().run_id;
  // Latest entry of each step, with its position in the file to tell what came after what.
  std::map<int, std::pair<std::size_t, const JournalEntry*>> latest;
  std::optional<std::size_t> last_step_at;
  std::optional<std::size_t> run_end_at;  // the latest run-level line, when it says done/failed
  bool seen_start = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const JournalEntry& entry = entries[i];
    if (entry.run_id != run.run_id) continue;
    if (run.operation.empty()) run.operation = entry.operation;
    if (entry.step > 0) {
      latest[entry.step] = {i, &entry};
      last_step_at = i;
      if (entry.state == StepState::started) run.started_at[entry.step] = entry.at;
    } else if (entry.type == "run") {
      const bool first_start = entry.state == StepState::started && !seen_start;
      if (first_start) run.started_data = entry.data;
      seen_start = seen_start || entry.state == StepState::started;
      // A later run-level line (a resume starting again) cancels an earlier end.
      const bool ends = entry.state == StepState::done || entry.state == StepState::failed;
      run_end_at = ends ? std::optional<std::size_t>(i) : std::nullopt;
    }
  }
  run.finished = run_end_at && (!last_step_at || *last_step_at < *run_end_at);

  std::optional<std::size_t> in_flight_at;
  for (const auto& item : latest) {
    const auto& [position, entry] = item.second;
    run.steps.push_back(*entry);
    // Only one step runs at a time; should the journal show several, the latest one is in flight.
    if (entry->state == StepState::started && (!in_flight_at || position > *in_flight_at)) {
      in_flight_at = position;
      run.in_flight = *entry;
    }
  }
  return run;
}

const JournalEntry* RunSummary::step(int index) const {
  for (const auto& s : steps) {
    if (s.step == index) return &s;
  }
  return nullptr;
}

}  // namespace hsops::failover
