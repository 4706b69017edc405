// Internal: the guard of every export of libinterop_cpp, which keeps every C++ exception on this side of
// the C boundary. Not part of the exported ABI.
#ifndef INTEROP_CPP_GUARD_HPP
#define INTEROP_CPP_GUARD_HPP

#include "interop_cpp.h"
#include "test_hooks.hpp"

#include <cstdint>
#include <exception>
#include <new>

namespace interop_cpp {

// Keeps `message` as this thread's last error, for interop_cpp_last_error (exports.cpp).
void remember(const char *message) noexcept;

// Runs body() and returns its status; an exception becomes INTEROP_STATUS_NO_MEMORY (std::bad_alloc)
// or INTEROP_STATUS_INTERNAL with its message kept for interop_cpp_last_error.
template <class Body>
std::int32_t guarded(Body &&body) noexcept
{
    try {
        test::maybe_throw();
        return body();
    } catch (const std::bad_alloc &) {
        return INTEROP_STATUS_NO_MEMORY;
    } catch (const std::exception &e) {
        remember(e.what());
    } catch (...) {
        remember("unknown C++ exception");
    }
    return INTEROP_STATUS_INTERNAL;
}

}  // namespace interop_cpp

#endif
