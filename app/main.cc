// The `logbook` binary: subcommand dispatch only.
#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli.h"
#include "app/serve.h"

int main(int argc, char** argv) {
  absl::StatusOr<std::optional<logbook::app::ServeCommand>> command =
      logbook::app::ParseCommandLine(argc, argv, std::cout);
  if (!command.ok()) {
    std::fprintf(stderr, "logbook: %s\n", std::string(command.status().message()).c_str());
    return 2;
  }
  if (!command->has_value()) return 0;  // help was printed
  return logbook::app::RunServe((*command)->config);
}
