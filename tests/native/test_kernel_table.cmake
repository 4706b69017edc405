# CTest (cmake -P): CMake's reader of a kernel row's "symbols" (cmake/InteropKernelTable.cmake,
# _interop_table_symbols), on rows the real table does not have: a row may name any non-empty set of
# workloads, a workload this reader never heard of included, and gets exactly those (so tests/native
# adds only their tests); a key that is no workload name, an empty map, the old fixed columns or a
# symbol that is not a C identifier is refused.
#   cmake -DINTEROP_TABLE_MODULE=<cmake/InteropKernelTable.cmake> -P test_kernel_table.cmake
# Each refusal runs in a child cmake (FATAL_ERROR ends the script), -DCASE=<row JSON>.
cmake_minimum_required(VERSION 3.20)
include("${INTEROP_TABLE_MODULE}")

if(DEFINED CASE)
  _interop_table_symbols(workloads initializers "${CASE}" "kernel 'case'")
  return()
endif()

set(failures 0)
function(expect_workloads row expected expected_c)
  _interop_table_symbols(workloads initializers "${row}" "kernel 'case'")
  if(NOT "${workloads}" STREQUAL "${expected}" OR NOT "${initializers}" STREQUAL "${expected_c}")
    message(SEND_ERROR "${row}: workloads '${workloads}' (${initializers}), expected '${expected}' (${expected_c})")
  endif()
endfunction()

function(expect_refused row message)
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DINTEROP_TABLE_MODULE=${INTEROP_TABLE_MODULE}" "-DCASE=${row}"
    -P "${CMAKE_CURRENT_LIST_FILE}" RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX REPLACE "[ \n]+" " " err "${err}") # CMake wraps its messages
  string(FIND "${err}" "${message}" at)
  if(code EQUAL 0 OR at EQUAL -1)
    message(SEND_ERROR "${row}: exit ${code}, expected a refusal with '${message}', got: ${err}")
  endif()
endfunction()

# CMake lists a map's members in sorted order; the order is of no meaning in a map.
expect_workloads([=[{"symbols": {"pi": "interop_pi_count_c", "inv": "interop_inv_c"}}]=] "inv;pi"
  [=[{"inv", "interop_inv_c"}, {"pi", "interop_pi_count_c"}, ]=])
expect_workloads([=[{"symbols": {"pi": "interop_pi_count_x"}}]=] "pi" [=[{"pi", "interop_pi_count_x"}, ]=])
expect_workloads([=[{"symbols": {"inv": "interop_inv_x"}}]=] "inv" [=[{"inv", "interop_inv_x"}, ]=])
# A workload the reader does not know by name is taken as it is.
expect_workloads([=[{"symbols": {"pi": "interop_pi_count_x", "new_work2": "interop_new_x"}}]=] "new_work2;pi"
  [=[{"new_work2", "interop_new_x"}, {"pi", "interop_pi_count_x"}, ]=])

expect_refused([=[{"symbols": {}}]=] "symbols names no workload")
expect_refused([=[{"symbols": {"Pi-2": "interop_pi_x"}}]=] "symbols: 'Pi-2' is not a workload name")
expect_refused([=[{"symbols": {"": "interop_pi_x"}}]=] "symbols: '' is not a workload name")
expect_refused([=[{"symbols": {"pi": "interop-pi"}}]=] "symbols: pi is 'interop-pi'")
expect_refused([=[{"symbols": {"pi": 7}}]=] "symbols: 'pi' needs a non-empty string")
expect_refused([=[{"pi_symbol": "interop_pi_count_c", "inv_symbol": "interop_inv_c"}]=] "needs an object 'symbols'")
expect_refused([=[{"symbols": ["interop_pi_count_c"]}]=] "needs an object 'symbols'")
