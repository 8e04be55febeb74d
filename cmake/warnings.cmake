# Applied per target (logbook_warnings) so Debian's headers and llhttp's generated C stay quiet.
add_library(logbook_warnings INTERFACE)
target_compile_options(logbook_warnings INTERFACE -Wall -Wextra)
if(LOGBOOK_WERROR)
  target_compile_options(logbook_warnings INTERFACE -Werror)
endif()
