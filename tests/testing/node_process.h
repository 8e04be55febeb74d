#pragma once
// Runs the real `logbook serve` binary as a child process on 127.0.0.1 with
// an ephemeral port, for end-to-end and crash tests.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace logbook::testing {

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir();
  // Under `parent` (an existing directory) instead of the system temp dir.
  explicit TempDir(const std::string& parent);
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class NodeProcess {
 public:
  // `args` follow "serve --host 127.0.0.1 --port 0 --data-dir DIR".
  NodeProcess(std::string data_dir, std::vector<std::string> args = {});
  ~NodeProcess();  // SIGKILLs a process still running

  // Starts and waits (up to `timeout`) for the "listening" line; false if the
  // process exited or never listened. port() is valid after success.
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits for exit; returns the exit status (128+sig for
  // a signal death), or -1 on timeout.
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits for the process to exit by itself; exit code (also when it exited
  // during Start()) or -1 on timeout.
  int WaitForExit(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }
  // Everything the child wrote to stdout and stderr so far.
  std::string Output() const;

 private:
  std::string data_dir_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;  // of a process that exited during Start()
};

// Runs the binary with `args` to completion; returns the exit code and
// fills *output with stdout+stderr.
int RunLogbook(const std::vector<std::string>& args, std::string* output,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace logbook::testing
