/* links.c - B2BUA legs: calls that share an identifier
 *
 * A B2BUA gives each leg its own Call-ID; legs are tied by a header that
 * names the other leg (X-Call-ID...), an RFC 7989 Session-ID, or an IMS
 * P-Charging-Vector icid-value (collected as the call's link keys).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/vec.h"

/* Groups larger than this are not legs of one call but a shared value
 * (a constant X-CID from a misconfigured box): they link nothing. */
#define MAX_LEGS 16

static enum sc_err
add_linked(struct sc_call *c, const char *call_id)
{
	char **v;

	if (strcmp(c->call_id, call_id) == 0)
		return SC_OK;
	for (size_t i = 0; i < c->nlinked; i++)
		if (strcmp(c->linked[i], call_id) == 0)
			return SC_OK;
	v = realloc(c->linked, (c->nlinked + 1) * sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	c->linked = v;
	c->linked[c->nlinked] = strdup(call_id);
	if (!c->linked[c->nlinked])
		return SC_ENOMEM;
	c->nlinked++;
	return SC_OK;
}

/* The calls sharing one key; the key is copied (calls pack theirs). */
struct leg_group {
	struct sc_call *legs[MAX_LEGS];
	size_t n;
	bool overflow;
	size_t len;
	char key[];
};

struct sc_linker {
	struct sc_hashmap groups;    /* key -> struct leg_group * */
	struct sc_vec all;           /* owns the groups */
};

struct sc_linker *
sc_linker_new(void)
{
	struct sc_linker *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	sc_hashmap_init(&l->groups);
	sc_vec_init(&l->all);
	return l;
}

void
sc_linker_free(struct sc_linker *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->all.n; i++)
		free(l->all.v[i]);
	sc_vec_fini(&l->all);
	sc_hashmap_fini(&l->groups);
	free(l);
}

/* The group of @key, created when new; NULL when out of memory. */
static struct leg_group *
group_of(struct sc_linker *l, const char *key)
{
	size_t len = strlen(key);
	struct leg_group *g = sc_hashmap_get(&l->groups, key, len);

	if (g)
		return g;
	g = calloc(1, sizeof(*g) + len + 1);
	if (!g)
		return NULL;
	memcpy(g->key, key, len + 1);
	g->len = len;
	if (sc_vec_push(&l->all, g) != SC_OK) {
		free(g);
		return NULL;
	}
	if (sc_hashmap_put(&l->groups, g->key, len, g) != SC_OK) {
		l->all.n--;   /* not in the map: only this free */
		free(g);
		return NULL;
	}
	return g;
}

enum sc_err
sc_linker_add(struct sc_linker *l, struct sc_call *c)
{
	enum sc_err err = SC_OK;

	for (size_t k = 0; k < c->nlink_keys && err == SC_OK; k++) {
		struct leg_group *g = group_of(l, c->link_keys[k]);
		bool member = false;

		if (!g)
			return SC_ENOMEM;
		for (size_t i = 0; i < g->n; i++)
			member |= g->legs[i] == c;
		if (member)
			continue;
		if (g->n == MAX_LEGS) {
			g->overflow = true;
			continue;
		}
		for (size_t i = 0; i < g->n && err == SC_OK; i++) {
			err = add_linked(g->legs[i], c->call_id);
			if (err == SC_OK)
				err = add_linked(c, g->legs[i]->call_id);
		}
		g->legs[g->n++] = c;
	}
	return err;
}

enum sc_err
sc_calls_link(struct sc_call **calls, size_t n)
{
	struct sc_linker *l = sc_linker_new();
	enum sc_err err = l ? SC_OK : SC_ENOMEM;

	for (size_t i = 0; i < n && err == SC_OK; i++)
		err = sc_linker_add(l, calls[i]);
	sc_linker_free(l);
	return err;
}
