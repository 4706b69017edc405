# The array workload in libinterop_cpp (interop_array_cpp, native/include/interop_array.h), included by
# native/cpp/CMakeLists.txt once its targets exist: the pieces compiled once per instruction-set path as
# src/kernels.cpp is, with -ffp-contract=off (y and the column sums must round as the spec's loops do,
# whatever a later edit adds); the export; the CTest program and the check that each array object
# defines its kernel table only. native/array's test_array_kernels tests the export against the spec
# bit for bit on every path, since native/kernels.json's cpp row names it.
set(INTEROP_CPP_ARRAY_OBJECTS "")
foreach(isa IN LISTS INTEROP_ISAS)
  set(variant interop_cpp_array_${isa})
  add_library(${variant} OBJECT array/array_kernels.cpp)
  interop_cpp_target_flags(${variant} ARCH ${INTEROP_ISA_${isa}_FLAGS})
  target_compile_definitions(${variant} PRIVATE
    INTEROP_CPP_ISA_LEVEL=${INTEROP_ISA_${isa}_LEVEL}
    INTEROP_CPP_ISA_NAMESPACE=isa_${isa})
  target_compile_options(${variant} PRIVATE -ffp-contract=off)
  list(APPEND INTEROP_CPP_ARRAY_OBJECTS $<TARGET_OBJECTS:${variant}>)
endforeach()
target_sources(interop_cpp PRIVATE array/array_exports.cpp ${INTEROP_CPP_ARRAY_OBJECTS})
target_include_directories(interop_cpp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/array)

# Per path (exit 77, "skipped", where the CPU lacks it): what is the C++ export's own, through the
# library: more threads than pieces and than test_array_kernels's three, every chunk's pairing of
# blocks against the spec's loops, the statuses.
add_executable(test_cpp_array array/test_cpp_array.cpp)
interop_cpp_target_flags(test_cpp_array)
target_compile_options(test_cpp_array PRIVATE -ffp-contract=off)
target_link_libraries(test_cpp_array PRIVATE interop_cpp)
set_target_properties(test_cpp_array PROPERTIES BUILD_RPATH "${INTEROP_BIN_DIR}")
foreach(isa IN LISTS INTEROP_ISAS)
  add_test(NAME cpp_array_${isa} COMMAND test_cpp_array ${isa})
  set_tests_properties(cpp_array_${isa} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()
if(INTEROP_NM)
  add_test(NAME cpp_array_exports COMMAND ${CMAKE_COMMAND} -DNM=${INTEROP_NM} -DLIBRARY=$<TARGET_FILE:interop_cpp>
    -DHEADER=${CMAKE_CURRENT_SOURCE_DIR}/../include/interop_cpp.h "-DOBJECTS=${INTEROP_CPP_ARRAY_OBJECTS}"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/check_exports.cmake)
endif()
