#pragma once
// Counts operator new calls, for tests that assert a hot path does not
// allocate. Linking counting_new.cc replaces the global operator new/delete
// of the whole test binary (they forward to malloc/free); only allocations
// made by threads that turned counting on are counted. Linked into the
// binaries that need it only (tests/CMakeLists.txt), never into
// logbook_testing: elsewhere the sanitizers' own operators stay in place.
#include <cstddef>

namespace logbook::testing {

// Counting on or off for the calling thread (off at thread start).
void CountAllocationsOnThisThread(bool on);
// Allocations counted since the last reset, over all threads.
std::size_t CountedAllocations();
void ResetCountedAllocations();

}  // namespace logbook::testing
