# p360_module(NAME SOURCES ... DEPS ... [PRIVATE_DEPS ...])
#   One architectural module = one static library target `p360_<name>` with alias `p360::<name>`.
#   DEPS lists what the module may use; the target graph is the architecture, so a module that
#   includes a header of a module it does not declare fails to link. PRIVATE_DEPS stay inside
#   the module (e.g. only storage may include sqlite3.h).
# p360_tests(NAME SOURCES ... DEPS ... [LABEL unit] [SERIAL])
#   A GoogleTest executable registered with CTest under the given label. SERIAL: its tests run
#   alone, never beside others (they disturb shared services, e.g. restart the database).

function(p360_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(p360_${name} STATIC ${ARG_SOURCES})
    add_library(p360::${name} ALIAS p360_${name})
    target_include_directories(p360_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(p360_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    target_compile_features(p360_${name} PUBLIC cxx_std_20)
    p360_apply_warnings(p360_${name})
endfunction()

function(p360_tests name)
    cmake_parse_arguments(ARG "SERIAL" "LABEL" "SOURCES;DEPS" ${ARGN})
    if(NOT ARG_LABEL)
        set(ARG_LABEL unit)
    endif()
    add_executable(${name}_test ${ARG_SOURCES})
    target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
    p360_apply_warnings(${name}_test)
    set(serial FALSE)
    if(ARG_SERIAL)
        set(serial TRUE)
    endif()
    gtest_discover_tests(${name}_test
        PROPERTIES LABELS ${ARG_LABEL} RUN_SERIAL ${serial}
        DISCOVERY_TIMEOUT 60)
endfunction()
