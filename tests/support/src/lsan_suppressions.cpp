// LeakSanitizer's suppressions for every test binary (linked into each through
// hc_test_support; tests/CMakeLists.txt makes the linker keep this file): libpqxx 6.4.5 leaks
// one PGresult (~2 KB) when a connection breaks under it, a leak inside the library, once per
// broken connection (tests/support/libpqxx.lsan.supp says the same for the hc processes the
// tests start). Any test that breaks a connection on purpose (a server stopped or a backend
// terminated) would otherwise fail under ASan on the library's leak, not on one of hc's.

// NOLINTNEXTLINE(bugprone-reserved-identifier,readability-identifier-naming): LSan's hook name.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\n"; }
