# Every dependency comes from Debian packages; .ci/run and tools/setup.sh install them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
pkg_check_modules(ROCKSDB REQUIRED IMPORTED_TARGET rocksdb)
find_package(simdjson REQUIRED)
find_package(CLI11 QUIET)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)
# zlib: gzip documents built from separately compressed pieces (net/eureka/gzip.h).
find_package(ZLIB REQUIRED)
# libcrypto: SHA-256 and a constant-time compare for Basic auth passwords.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
if(LOGBOOK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
