#pragma once
// Shared by the app tests: an argv for app::ParseCommandLine ("logbook" as
// argv[0]) and the parse call itself.
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/cli.h"

namespace logbook::app::test_support {

class Args {
 public:
  Args(std::initializer_list<std::string> args) : strings_(args) {
    strings_.insert(strings_.begin(), "logbook");
  }
  int argc() const { return static_cast<int>(strings_.size()); }
  // Valid until this object is changed or destroyed.
  char** argv() {
    pointers_.clear();
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
    return pointers_.data();
  }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

// What the command line parses to; `out_text` gets what it printed (help).
inline absl::StatusOr<std::optional<Command>> Parse(Args args, std::string* out_text = nullptr) {
  std::ostringstream out;
  auto result = ParseCommandLine(args.argc(), args.argv(), out);
  if (out_text != nullptr) *out_text = out.str();
  return result;
}

}  // namespace logbook::app::test_support
