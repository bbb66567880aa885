/* vec.c - growable array of pointers */
#include "config.h"

#include <stdlib.h>

#include "sipcause/util/vec.h"

void
sc_vec_fini(struct sc_vec *vec)
{
	free(vec->v);
	sc_vec_init(vec);
}

enum sc_err
sc_vec_push(struct sc_vec *vec, void *item)
{
	if (vec->n == vec->alloc) {
		size_t alloc = vec->alloc ? vec->alloc * 2 : 8;
		void **v = realloc(vec->v, alloc * sizeof(*v));

		if (!v)
			return SC_ENOMEM;
		vec->v = v;
		vec->alloc = alloc;
	}
	vec->v[vec->n++] = item;
	return SC_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t
sc_sort_unique_u64(uint64_t *v, size_t n)
{
	size_t out = 0;

	for (size_t i = 1; i < n; i++) {
		if (v[i - 1] > v[i]) {
			qsort(v, n, sizeof(*v), cmp_u64);
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1] != v[i])
			v[out++] = v[i];
	return out;
}
