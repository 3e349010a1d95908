#include "replay_in_child.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "report/replay_outputs.hpp"
#include "scenario/load.hpp"
#include "sim/replay.hpp"

namespace cloudpact::test {

namespace {
void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) _exit(90);
    done += static_cast<size_t>(n);
  }
}

std::string frame(const std::string& s) { return std::to_string(s.size()) + "\n" + s; }

// The replay of the scenario `make` gives, made and run in the child.
template <class MakeScenario>
ReplayTexts run_in_child(const MakeScenario& make) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  // Flush first: the child would otherwise print the parent's buffered output again.
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    std::string payload;
    int code = 0;
    try {
      const Scenario sc = make();
      const ReplayResult r = run_replay(sc);
      payload = "ok\n" + frame(summary_json(sc, r)) + frame(timeseries_csv(r)) + frame(ledger_csv(r)) +
                frame(events_jsonl(sc, r));
    } catch (const InputError& e) {
      std::string all;
      for (const auto& l : e.lines()) all += l + "\n";
      payload = "error\n" + frame(all);
      code = 2;
    } catch (const std::exception& e) {
      payload = "error\n" + frame(e.what());
      code = 3;
    }
    write_all(fds[1], payload);
    ::close(fds[1]);
    _exit(code);
  }
  ::close(fds[1]);
  std::string data;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::istringstream in(data);
  std::string head;
  std::getline(in, head);
  auto read_frame = [&]() {
    std::string len_text;
    std::getline(in, len_text);
    const size_t len = len_text.empty() ? 0 : std::stoul(len_text);
    std::string s(len, '\0');
    in.read(s.data(), static_cast<std::streamsize>(len));
    return s;
  };
  if (head != "ok") {
    const std::string msg = head == "error" ? read_frame() : "child died (status " + std::to_string(status) + ")";
    throw std::runtime_error("replay failed: " + msg);
  }
  ReplayTexts t;
  t.summary = read_frame();
  t.timeseries = read_frame();
  t.ledger = read_frame();
  t.events = read_frame();
  return t;
}
}  // namespace

ReplayTexts replay_in_child(const std::string& scenario_text) {
  return run_in_child([&] { return parse_scenario(scenario_text, "test.json"); });
}

ReplayTexts replay_in_child(const Scenario& sc) {
  return run_in_child([&] { return sc; });
}

double ledger_sum(const std::string& ledger_csv, const std::string& item, const std::string& contract) {
  std::istringstream in(ledger_csv);
  std::string line;
  std::getline(in, line);  // header
  double sum = 0.0;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, ',')) cols.push_back(c);
    if (cols.size() < 4) continue;
    if (cols[2] == item && (contract.empty() || cols[1] == contract)) sum += std::stod(cols[3]);
  }
  return sum;
}

std::vector<nlohmann::json> events_of_type(const std::string& events_jsonl, const std::string& type) {
  std::vector<nlohmann::json> out;
  std::istringstream in(events_jsonl);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.value("type", "") == type) out.push_back(j);
  }
  return out;
}

}  // namespace cloudpact::test
