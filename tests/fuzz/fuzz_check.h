#pragma once
// The one assertion the fuzz targets use: an invariant that fails is a
// finding, so it prints what broke and aborts, and libFuzzer saves the input
// as a crash artifact (tools/run_fuzzers.sh prints its path).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                     \
  do {                                                                            \
    if (!(condition)) {                                                           \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                   #condition);                                                   \
      std::abort();                                                               \
    }                                                                             \
  } while (0)
