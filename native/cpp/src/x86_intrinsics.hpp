// <immintrin.h> for the C++ kernels. GCC 12's AVX-512 intrinsics start from a self-initialized
// "undefined" vector, which its C++ front end reports as uninitialized where they are inlined (GCC bug
// 105593, fixed in 12.3 and 13); an avx512 path's -march brings those headers in even where only
// 256-bit intrinsics are used. The warnings are silenced for this header alone.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
