# Helpers shared by tests/, benchmarks/, tools/ and examples/.
#
# Every component folder (tests/<component>/, benchmarks/<component>/) owns a CMakeLists.txt that
# calls c2s_add_test_suite() / c2s_add_benchmark(); the parent folder adds each such subfolder, so a
# new component never edits a shared list. C2S_COMPONENTS restricts the build to some folders.

function(c2s_component_enabled name out)
  if(C2S_COMPONENTS STREQUAL "" OR name IN_LIST C2S_COMPONENTS)
    set(${out} ON PARENT_SCOPE)
  else()
    set(${out} OFF PARENT_SCOPE)
  endif()
endfunction()

# Adds every immediate subfolder of the current source dir that has a CMakeLists.txt and is enabled.
function(c2s_add_component_subdirectories)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      c2s_component_enabled(${child} enabled)
      if(enabled)
        add_subdirectory(${child})
      endif()
    endif()
  endforeach()
endfunction()

function(c2s_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion)
  if(C2S_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(c2s_apply_sanitizers target)
  if(C2S_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# c2s_add_test_suite(NAME <name> SOURCES <files...> [LINK <targets...>] [LABELS <labels...>]
#                    [TIMEOUT <seconds>])
# One doctest executable per component; each TEST_CASE is registered with ctest on its own through
# doctest_discover_tests, so ctest's summary counts test cases.
function(c2s_add_test_suite)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LINK;LABELS" ${ARGN})
  set(exe test_${ARG_NAME})
  add_executable(${exe} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/support/doctest_main.cpp)
  target_link_libraries(${exe} PRIVATE c2s::c2s doctest::doctest ${ARG_LINK})
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  target_compile_definitions(${exe} PRIVATE
    C2S_SOURCE_DIR="${PROJECT_SOURCE_DIR}" C2S_BINARY_DIR="${PROJECT_BINARY_DIR}")
  c2s_set_warnings(${exe})
  c2s_apply_sanitizers(${exe})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  doctest_discover_tests(${exe} WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    TEST_PREFIX "${ARG_NAME}: " PROPERTIES LABELS "${ARG_NAME};${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# c2s_add_benchmark(NAME <name> SOURCES <files...> [LINK <targets...>])
function(c2s_add_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LINK" ${ARGN})
  set(exe bench_${ARG_NAME})
  add_executable(${exe} ${ARG_SOURCES})
  target_link_libraries(${exe} PRIVATE c2s::c2s benchmark::benchmark ${ARG_LINK})
  target_compile_definitions(${exe} PRIVATE C2S_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  c2s_set_warnings(${exe})
endfunction()

# c2s_add_program(<target> OUTPUT_NAME <name> MAIN <main.cpp> SOURCES_GLOB <pattern> COMPONENT_REGEX <regex>)
# An executable in bin/ made of MAIN plus the files matching SOURCES_GLOB whose component (the
# first capture of COMPONENT_REGEX applied to the file's stem) is enabled; core and data are always
# in. Links every optional component target that exists (sources guard with C2S_HAVE_*).
function(c2s_add_program target)
  cmake_parse_arguments(ARG "" "OUTPUT_NAME;MAIN;SOURCES_GLOB;COMPONENT_REGEX" "" ${ARGN})
  file(GLOB candidates CONFIGURE_DEPENDS ${ARG_SOURCES_GLOB})
  set(sources)
  foreach(src IN LISTS candidates)
    get_filename_component(stem ${src} NAME_WE)
    string(REGEX REPLACE "${ARG_COMPONENT_REGEX}" "\\1" component ${stem})
    c2s_component_enabled(${component} enabled)
    if(enabled OR component STREQUAL "core" OR component STREQUAL "data")
      list(APPEND sources ${src})
    endif()
  endforeach()
  add_executable(${target} ${ARG_MAIN} ${sources})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME}
                        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${target} PRIVATE C2S_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_link_libraries(${target} PRIVATE c2s::c2s)
  foreach(t blas chem vision plot)
    if(TARGET c2s::${t})
      target_link_libraries(${target} PRIVATE c2s::${t})
    endif()
  endforeach()
  c2s_set_warnings(${target})
endfunction()

# c2s_add_cli_tests(LABEL "case|test name" ...): when the c2s tool is built, one ctest test per case
# of the calling folder's cli.sh (run as `bash cli.sh CASE C2S SOURCE_DIR`; helpers in
# tests/support/cli_lib.sh), labelled LABEL, 120 s each.
function(c2s_add_cli_tests label)
  if(NOT TARGET c2s_cli)
    return()
  endif()
  foreach(entry IN LISTS ARGN)
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 case_name)
    list(GET parts 1 test_name)
    add_test(NAME "${test_name}"
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli.sh ${case_name} $<TARGET_FILE:c2s_cli> ${PROJECT_SOURCE_DIR})
    set_tests_properties("${test_name}" PROPERTIES LABELS ${label} TIMEOUT 120)
  endforeach()
endfunction()
