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
