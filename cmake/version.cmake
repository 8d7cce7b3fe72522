# Writes OUT (a header with the git description of SOURCE_DIR) when it changed; run at every
# build so that the provenance in output files names the code that produced them.
execute_process(COMMAND git describe --always --dirty --tags
                WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE version
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
if(failed OR version STREQUAL "")
  set(version "unknown (not a git checkout)")
endif()
set(text "#pragma once\nnamespace nessmap {\ninline constexpr const char *nessmap_version = \"${version}\";\n}\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
