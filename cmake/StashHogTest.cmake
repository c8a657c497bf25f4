# One helper registers every test, so each gets a timeout, labels and an
# isolated scratch directory (tests never share fixed paths or ports).
#
#   stashhog_add_unit_test(NAME foo SOURCES foo_test.c LIBS stashhog_server [TIMEOUT 30] [LABELS a;b])
#     builds a cmocka executable and registers it.
#   stashhog_add_script_test(NAME foo COMMAND cmd args... [TIMEOUT 120] [LABELS ...])
#     registers a command (integration tests driven by a script or a C driver).
set(STASHHOG_TEST_SCRATCH "${CMAKE_BINARY_DIR}/test-scratch")

function(stashhog_add_unit_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT STASHHOG_BUILD_TESTS)
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "unit;${T_LABELS}"
    ENVIRONMENT "STASHHOG_TEST_SCRATCH=${STASHHOG_TEST_SCRATCH}/${T_NAME};CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()

function(stashhog_add_script_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "COMMAND;LABELS;ENVIRONMENT" ${ARGN})
  if(NOT STASHHOG_BUILD_TESTS)
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "integration;${T_LABELS}"
    ENVIRONMENT "STASHHOG_TEST_SCRATCH=${STASHHOG_TEST_SCRATCH}/${T_NAME};STASHHOG_BIN_DIR=${CMAKE_BINARY_DIR}/bin;STASHHOG_SOURCE_DIR=${CMAKE_SOURCE_DIR};${T_ENVIRONMENT}")
endfunction()
