/* extsort.h - records sorted in bounded memory, spilling runs to a file */
#ifndef SC_EXTSORT_H
#define SC_EXTSORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"

/*
 * Records of any length are added one by one, then read back once in
 * the order of @cmp. While they fit in the memory given, nothing else
 * happens; past it, the records held are sorted and written to an
 * unnamed temporary file as a run, and the reading merges the runs. The
 * sort is stable: records that compare equal come back in the order
 * they were added.
 *
 * Used where a report must order something per call at the end of a
 * capture of any size (the JSON document's spooled calls).
 */
typedef int sc_extsort_cmp(const void *a, size_t alen, const void *b,
                           size_t blen);

struct sc_extsort;

/*
 * sc_extsort_new - an empty sorter holding about @memory bytes of
 * records (with their bookkeeping) before it writes a run. NULL when out
 * of memory.
 */
struct sc_extsort *sc_extsort_new(sc_extsort_cmp *cmp, size_t memory);

/*
 * sc_extsort_add - copy in record @rec of @len bytes (at most
 * UINT32_MAX). False, and the sorter failed, when memory or the
 * temporary file fails; later calls then do nothing.
 */
bool sc_extsort_add(struct sc_extsort *x, const void *rec,
                    size_t len) SC_WARN_UNUSED;

/*
 * sc_extsort_next - the next record in order, and its length in @len;
 * NULL after the last one, or when reading a run failed (then
 * sc_extsort_failed() says so). The first call ends the adding. The
 * bytes stay valid until the next call.
 */
const void *sc_extsort_next(struct sc_extsort *x, size_t *len);

/* Whether memory or the temporary file failed at some point. */
bool sc_extsort_failed(const struct sc_extsort *x);

/* Records added; runs written to the file (0 while all fit). */
uint64_t sc_extsort_count(const struct sc_extsort *x);
size_t sc_extsort_runs(const struct sc_extsort *x);

void sc_extsort_free(struct sc_extsort *x);

#endif /* SC_EXTSORT_H */
