/* compiler.h - attribute macros used by every sipcause header */
#ifndef SC_COMPILER_H
#define SC_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define SC_WARN_UNUSED __attribute__((warn_unused_result))
#define SC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SC_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define SC_UNUSED __attribute__((unused))
#else
#define SC_WARN_UNUSED
#define SC_PRINTF(fmt, args)
#define SC_NONNULL(...)
#define SC_UNUSED
#endif

/* Number of elements of a true array (not a pointer). */
#define SC_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#endif /* SC_COMPILER_H */
