// Clang's thread-safety analysis (-Wthread-safety), as LevelDB's port/thread_annotations.h:
// a member that a mutex guards says so (GUARDED_BY), a function that needs the mutex held or
// not held says so (REQUIRES / EXCLUDES), and clang checks every access at compile time.
// Other compilers see nothing. hc::Mutex (mutex.h) is the annotated mutex to use.
#pragma once

#if defined(__clang__)
#define HC_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define HC_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(name) HC_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY HC_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(mutex) HC_THREAD_ANNOTATION(guarded_by(mutex))
#define PT_GUARDED_BY(mutex) HC_THREAD_ANNOTATION(pt_guarded_by(mutex))
#define REQUIRES(...) HC_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) HC_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) HC_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) HC_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) HC_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) HC_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) HC_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(mutex) HC_THREAD_ANNOTATION(assert_capability(mutex))
#define NO_THREAD_SAFETY_ANALYSIS HC_THREAD_ANNOTATION(no_thread_safety_analysis)
