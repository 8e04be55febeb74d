// The `logbook` binary: subcommand dispatch only.
#include <cstdio>
#include <iostream>
#include <string>
#include <variant>

#include "absl/synchronization/mutex.h"
#include "app/big_allocations.h"
#include "app/cli.h"
#include "app/huge_page_heap.h"
#include "app/log_tool.h"
#include "app/serve.h"

int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which leaves Mutex's deadlock
  // detector on: every lock and unlock then updates a process-wide lock
  // graph under a global spinlock (GraphCycles in profiles of the loop and
  // writer threads, which lock on every commit). The test binaries leave it
  // on, so lock order is still checked there.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::StatusOr<std::optional<logbook::app::Command>> command =
      logbook::app::ParseCommandLine(argc, argv, std::cout);
  if (!command.ok()) {
    std::fprintf(stderr, "logbook: %s\n", std::string(command.status().message()).c_str());
    return 2;
  }
  if (!command->has_value()) return 0;  // help was printed
  if (const auto* log = std::get_if<logbook::app::LogCommand>(&**command)) {
    return logbook::app::RunLogCommand(*log, std::cout, std::cerr);
  }
  logbook::app::MaybeReexecWithHugePageHeap(argv);
  logbook::app::MapBigAllocationsSeparately();
  return logbook::app::RunServe(std::get<logbook::app::ServeCommand>(**command).config);
}
