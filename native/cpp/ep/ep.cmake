# NPB EP in libinterop_cpp (interop_ep_cpp, native/include/interop_ep.h), included by
# native/cpp/CMakeLists.txt once its targets exist: the kernel compiled once per instruction-set path
# as src/kernels.cpp is, with the flags ep_kernels.cpp's header comment explains; the export; the
# CTest program and the check that each EP object defines its kernel table only.
set(INTEROP_CPP_EP_OBJECTS "")
foreach(isa IN LISTS INTEROP_ISAS)
  set(variant interop_cpp_ep_${isa})
  add_library(${variant} OBJECT ep/ep_kernels.cpp)
  interop_cpp_target_flags(${variant} ARCH ${INTEROP_ISA_${isa}_FLAGS})
  target_compile_definitions(${variant} PRIVATE
    INTEROP_CPP_ISA_LEVEL=${INTEROP_ISA_${isa}_LEVEL}
    INTEROP_CPP_ISA_NAMESPACE=isa_${isa})
  target_compile_options(${variant} PRIVATE -ffp-contract=off -fopenmp-simd -fno-math-errno -fno-trapping-math)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Clang maps log to libmvec's variants only when told (clang 14: the AVX2 one; AVX-512 stays scalar).
    target_compile_options(${variant} PRIVATE -fveclib=libmvec)
  endif()
  list(APPEND INTEROP_CPP_EP_OBJECTS $<TARGET_OBJECTS:${variant}>)
endforeach()
target_sources(interop_cpp PRIVATE ep/ep_exports.cpp ${INTEROP_CPP_EP_OBJECTS})
target_include_directories(interop_cpp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/ep)
# libmvec (the vector paths' log) is libm's: glibc's libm.so links it as needed.
target_link_libraries(interop_cpp PRIVATE m)

# Per path (exit 77, "skipped", where the CPU lacks it): class S against NPB on 1..3 threads; then the
# counts across paths and the argument checks, through the library's exports.
add_executable(test_cpp_ep ep/test_cpp_ep.cpp)
interop_cpp_target_flags(test_cpp_ep)
target_link_libraries(test_cpp_ep PRIVATE interop_cpp)
set_target_properties(test_cpp_ep PROPERTIES BUILD_RPATH "${INTEROP_BIN_DIR}")
foreach(isa IN LISTS INTEROP_ISAS)
  add_test(NAME cpp_ep_${isa} COMMAND test_cpp_ep path ${isa})
  set_tests_properties(cpp_ep_${isa} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()
add_test(NAME cpp_ep_args COMMAND test_cpp_ep args)
set_tests_properties(cpp_ep_args PROPERTIES TIMEOUT 300)
if(INTEROP_NM)
  add_test(NAME cpp_ep_exports COMMAND ${CMAKE_COMMAND} -DNM=${INTEROP_NM} -DLIBRARY=$<TARGET_FILE:interop_cpp>
    -DHEADER=${CMAKE_CURRENT_SOURCE_DIR}/../include/interop_cpp.h "-DOBJECTS=${INTEROP_CPP_EP_OBJECTS}"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/check_exports.cmake)
endif()
