# LOGBOOK_FUZZ: libFuzzer targets (tests/fuzz/), clang only. Every library is
# compiled with coverage instrumentation and ASan + UBSan; the fuzz drivers
# link libFuzzer's main. Debian's g++-built dependencies (RocksDB, simdjson,
# expat, libdeflate, abseil) are linked as they are: only our code is
# instrumented. The normal build is unchanged when the option is off.
option(LOGBOOK_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)
if(LOGBOOK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "LOGBOOK_FUZZ needs clang: configure with CC=clang CXX=clang++ "
                        "(tools/run_fuzzers.sh does)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -g)
  add_link_options(-fsanitize=address,undefined)
endif()
