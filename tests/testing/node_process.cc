#include "tests/testing/node_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace logbook::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, STDOUT_FILENO);
  ::dup2(fd, STDERR_FILENO);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(LOGBOOK_BINARY));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ::execv(LOGBOOK_BINARY, argv.data());
  std::_Exit(127);
}

// Exit code, 128+signal, or -1 while still running after `timeout`.
int Reap(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

TempDir::TempDir() : TempDir(std::filesystem::temp_directory_path().string()) {}

TempDir::TempDir(const std::string& parent) {
  std::string pattern = (std::filesystem::path(parent) / "logbook-test-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  path_ = made != nullptr ? std::string(made) : std::string();
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

NodeProcess::NodeProcess(std::string data_dir, std::vector<std::string> args)
    : data_dir_(std::move(data_dir)), args_(std::move(args)) {
  // One output file per object: a restart on the same data dir while the old
  // object lives must not read the old process's "listening" line.
  static std::atomic<int> next_id{0};
  log_path_ = data_dir_ + "." + std::to_string(next_id++) + ".log";
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

bool NodeProcess::Start(std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {"serve", "--host", "127.0.0.1", "--port", "0",
                                   "--data-dir", data_dir_};
  args.insert(args.end(), args_.begin(), args_.end());
  // Emptied here, not only in the child: until the child opens it, this
  // process would otherwise poll the previous run's output.
  std::ofstream(log_path_, std::ios::trunc).close();
  exit_code_ = -1;
  pid_ = Spawn(args, log_path_);
  if (pid_ <= 0) return false;
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string output = ReadFile(log_path_);
    if (std::regex_search(output, match, listening)) {
      port_ = std::stoi(match[1]);
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status)
                   : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                         : -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

int NodeProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  const int code = Reap(pid_, timeout);
  if (code >= 0) pid_ = -1;
  return code;
}

int NodeProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  const int code = Reap(pid_, timeout);
  if (code >= 0) pid_ = -1;
  return code;
}

std::string NodeProcess::Output() const { return ReadFile(log_path_); }

int RunLogbook(const std::vector<std::string>& args, std::string* output,
               std::chrono::milliseconds timeout) {
  TempDir scratch;
  const std::string log_path = scratch.path() + "/output.log";
  const pid_t pid = Spawn(args, log_path);
  int code = Reap(pid, timeout);
  if (code < 0) {
    ::kill(pid, SIGKILL);
    Reap(pid, std::chrono::seconds(5));
  }
  if (output != nullptr) *output = ReadFile(log_path);
  return code;
}

}  // namespace logbook::testing
