# Compiler flags shared by every native target: warnings, and the target CPU.
include(CheckCCompilerFlag)

set(INTEROP_C_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
set(INTEROP_Fortran_WARNINGS -Wall -Wextra -Wimplicit-interface)
if(INTEROP_WARNINGS_AS_ERRORS)
  list(APPEND INTEROP_C_WARNINGS -Werror)
  list(APPEND INTEROP_Fortran_WARNINGS -Werror)
endif()

# A workbench measures the machine it runs on, so the default is -march=native. The portable
# build targets baseline x86-64; the AVX-512 kernels are still used there, chosen at run time.
if(INTEROP_PORTABLE)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    set(INTEROP_ARCH_FLAGS -march=x86-64 -mtune=generic)
  else()
    set(INTEROP_ARCH_FLAGS "")
  endif()
  set(INTEROP_TARGET_CPU "portable")
else()
  check_c_compiler_flag(-march=native INTEROP_HAS_MARCH_NATIVE)
  if(INTEROP_HAS_MARCH_NATIVE)
    set(INTEROP_ARCH_FLAGS -march=native)
  else()
    set(INTEROP_ARCH_FLAGS -mcpu=native)
  endif()
  set(INTEROP_TARGET_CPU "native")
endif()

# Applies the project's warnings and CPU flags to a target with C and/or Fortran sources.
function(interop_target_flags target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:${INTEROP_C_WARNINGS} ${INTEROP_ARCH_FLAGS}>
    $<$<COMPILE_LANGUAGE:Fortran>:${INTEROP_Fortran_WARNINGS} ${INTEROP_ARCH_FLAGS}>)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endfunction()
