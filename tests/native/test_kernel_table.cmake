# CTest (cmake -P): CMake's reader of a kernel row's "symbols" (cmake/InteropKernelTable.cmake,
# _interop_table_symbols), on rows the real table does not have: a row may name any non-empty subset
# of the workloads, and gets exactly those (so tests/native adds only their tests); an unknown
# workload, an empty map, the old fixed columns or a symbol that is not a C identifier is refused.
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

expect_refused([=[{"symbols": {}}]=] "symbols names no workload")
expect_refused([=[{"symbols": {"ep": "interop_ep_x"}}]=] "symbols: 'ep' is not a workload")
expect_refused([=[{"symbols": {"pi": "interop-pi"}}]=] "symbols: pi is 'interop-pi'")
expect_refused([=[{"symbols": {"pi": 7}}]=] "symbols: 'pi' needs a non-empty string")
expect_refused([=[{"pi_symbol": "interop_pi_count_c", "inv_symbol": "interop_inv_c"}]=] "needs an object 'symbols'")
expect_refused([=[{"symbols": ["interop_pi_count_c"]}]=] "needs an object 'symbols'")
