// FUZZ_CHECK: an invariant of a fuzz target. A violation prints what broke and aborts, which
// libFuzzer reports as a crash and saves the input as build-fuzz/artifacts/<target>/crash-*.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                            \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::fprintf(stderr, "invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, \
                   #condition);                                                                \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)
