// Internal: a fault injected into the exports, for the CTest program only. The test program compiles
// exports.cpp itself with INTEROP_CPP_TEST_HOOKS defined; libinterop_cpp has no such hook at all.
#ifndef INTEROP_CPP_TEST_HOOKS_HPP
#define INTEROP_CPP_TEST_HOOKS_HPP

namespace interop_cpp {
namespace test {

#if defined(INTEROP_CPP_TEST_HOOKS)
// The next export called on this thread that computes something (pi, inversion, plan create/run)
// throws std::runtime_error(message) inside its guard, once.
void throw_on_next_call(const char *message);
// What the injected fault throws: nothing unless throw_on_next_call armed it.
void maybe_throw();
#else
inline void maybe_throw() {}
#endif

}  // namespace test
}  // namespace interop_cpp

#endif
