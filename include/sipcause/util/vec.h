/* vec.h - growable array of pointers */
#ifndef SC_VEC_H
#define SC_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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
/*
 * sc_grow - room for element @n (0-based) of an array holding @n
 * elements of @size bytes: returns the array, reallocated to twice its
 * size when @n reached its capacity, or NULL when out of memory (the
 * array is then unchanged). The capacity is implied by the count (the
 * power of two at or above it: most arrays of a call hold one element,
 * and a flood of one-message calls should not pay for four), so records
 * need no capacity field; an array must only ever grow through this
 * helper.
 */
static inline void *
sc_grow(void *arr, size_t n, size_t size)
{
	size_t cap;

	if ((n & (n - 1)) != 0)
		return arr; /* below an implied capacity */
	cap = n ? n * 2 : 1;
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(arr, cap * size);
}

size_t sc_sort_unique_u64(uint64_t *v, size_t n);

#endif /* SC_VEC_H */
