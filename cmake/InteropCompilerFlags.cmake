# Compiler flags shared by every native target: warnings, and the target CPU.
include(CheckCCompilerFlag)

set(INTEROP_C_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
set(INTEROP_CXX_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
set(INTEROP_Fortran_WARNINGS -Wall -Wextra -Wimplicit-interface)
if(INTEROP_WARNINGS_AS_ERRORS)
  list(APPEND INTEROP_C_WARNINGS -Werror)
  list(APPEND INTEROP_CXX_WARNINGS -Werror)
  list(APPEND INTEROP_Fortran_WARNINGS -Werror)
endif()

# A workbench measures the machine it runs on, so the default is -march=native. The portable build
# targets baseline x86-64. These flags are for the code around the kernels; the hand-written kernels
# themselves are compiled once per instruction-set path with INTEROP_ISA_<path>_FLAGS below, in both
# builds, and the path is chosen at run time (native/src/isa.c).
if(INTEROP_PORTABLE)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    set(INTEROP_ARCH_FLAGS -march=x86-64 -mtune=generic)
  else()
    set(INTEROP_ARCH_FLAGS "")
  endif()
  set(INTEROP_TUNE_FLAGS -mtune=generic)
  set(INTEROP_TARGET_CPU "portable")
else()
  check_c_compiler_flag(-march=native INTEROP_HAS_MARCH_NATIVE)
  if(INTEROP_HAS_MARCH_NATIVE)
    set(INTEROP_ARCH_FLAGS -march=native)
    set(INTEROP_TUNE_FLAGS -mtune=native)
  else()
    set(INTEROP_ARCH_FLAGS -mcpu=native)
    set(INTEROP_TUNE_FLAGS "")
  endif()
  set(INTEROP_TARGET_CPU "native")
endif()

# The instruction-set paths (interop.h's INTEROP_ISA_*): x86-64 gets all three, tuned for this CPU
# in the native build; other processors get the portable path only. GCC's tuning for AVX-512 CPUs
# prefers 256-bit vectors when it vectorizes by itself; the avx512 path asks for 512.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(INTEROP_ISAS scalar avx2 avx512)
  set(INTEROP_ISA_scalar_FLAGS -march=x86-64 ${INTEROP_TUNE_FLAGS})
  set(INTEROP_ISA_avx2_FLAGS -march=x86-64-v3 ${INTEROP_TUNE_FLAGS})
  set(INTEROP_ISA_avx512_FLAGS -march=x86-64-v4 ${INTEROP_TUNE_FLAGS} -mprefer-vector-width=512)
else()
  set(INTEROP_ISAS scalar)
  set(INTEROP_ISA_scalar_FLAGS ${INTEROP_ARCH_FLAGS})
endif()
set(INTEROP_ISA_scalar_LEVEL 1)
set(INTEROP_ISA_avx2_LEVEL 2)
set(INTEROP_ISA_avx512_LEVEL 3)

# Applies the project's warnings and CPU flags to a target with C, C++ and/or Fortran sources; ARCH, if
# given, replaces the CPU flags (the per-path kernel variants).
function(interop_target_flags target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "ARCH")
  if(ARG_ARCH)
    set(arch ${ARG_ARCH})
  else()
    set(arch ${INTEROP_ARCH_FLAGS})
  endif()
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:${INTEROP_C_WARNINGS} ${arch}>
    $<$<COMPILE_LANGUAGE:CXX>:${INTEROP_CXX_WARNINGS} ${arch}>
    $<$<COMPILE_LANGUAGE:Fortran>:${INTEROP_Fortran_WARNINGS} ${arch}>)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endfunction()
