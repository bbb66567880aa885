/* vec.h - growable array of pointers */
#ifndef SC_VEC_H
#define SC_VEC_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/* Elements are not owned: freeing them is the container owner's job. */
struct sc_vec {
	void **v;
	size_t n;
	size_t alloc;
};

static inline void
sc_vec_init(struct sc_vec *vec)
{
	vec->v = NULL;
	vec->n = 0;
	vec->alloc = 0;
}

void sc_vec_fini(struct sc_vec *vec);

/* Append @item; SC_ENOMEM leaves the vector unchanged. */
enum sc_err sc_vec_push(struct sc_vec *vec, void *item) SC_WARN_UNUSED;

/*
 * sc_sort_unique_u64 - sort @v ascending and drop repeats; returns the
 * new count. Already sorted input (the usual case for frame numbers) is
 * only checked, in one pass.
 */
size_t sc_sort_unique_u64(uint64_t *v, size_t n);

#endif /* SC_VEC_H */
