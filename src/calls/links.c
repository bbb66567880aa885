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
	v = sc_grow(c->linked, c->nlinked, sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	c->linked = v;
	c->linked[c->nlinked] = strdup(call_id);
	if (!c->linked[c->nlinked])
		return SC_ENOMEM;
	c->nlinked++;
	return SC_OK;
}

/*
 * One leg of a group: a call, or once the call was released (streamed
 * and freed), its Call-ID alone: later legs still name it.
 */
struct leg {
	struct sc_call *call;
	char *id;             /* owned, when call is NULL */
	uint64_t first_frame; /* of the released call: with id, names it */
};

/* The calls sharing one key; the key is copied (calls drop theirs).
 * Most keys have one leg: it is inline, the others in @more. */
struct leg_group {
	struct leg *more;
	uint32_t n;
	bool overflow;
	uint32_t len;
	uint64_t hash;       /* of the key in the map: hashed once */
	int64_t released_ts; /* last packet of the latest released leg */
	struct leg first;
	char key[];
};

/* Keys remembered at most; beyond, the oldest are forgotten (their
 * legs no longer link to calls that come later). */
#define DEFAULT_MAX_KEYS 262144

/*
 * A key whose legs were all released (streamed and freed) is kept this
 * long on the capture clock after the last packet of its latest leg,
 * then dropped: the legs of one call through a B2BUA end within a
 * transaction timeout of each other (a BYE or a final response relayed),
 * and without this every finished call would leave its "cid:" key behind
 * until the cap (issue #11: ~250 bytes per call in a live soak).
 */
#define RELEASED_KEEP_NS SC__TRANSACTION_TIMEOUT_NS

/* Fewest keys before a scan for released keys that expired. */
#define MIN_SWEEP 4096

/* Link keys of a call whose groups are remembered for its release. */
#define RECENT_KEYS 4

struct sc_linker {
	struct sc_hashmap groups; /* key -> struct leg_group * */
	struct sc_vec all;        /* owns the groups, oldest first */
	size_t max_keys;
	size_t sweep_at;    /* scan for expired keys at this many */
	int64_t now_ns;     /* latest last packet of a call seen */
	uint64_t forgotten; /* keys dropped by the cap */
	bool keep_released; /* released legs stay until the cap */
	sc_late_link_fn *late;
	void *late_ctx;
	/* the call added last and its groups, one per link key: its
	 * release, which usually comes next, finds them without hashing;
	 * NULL once a group may have been freed */
	const struct sc_call *recent;
	struct leg_group *recent_groups[RECENT_KEYS];
};

static struct leg *
leg_at(struct leg_group *g, size_t i)
{
	return i == 0 ? &g->first : &g->more[i - 1];
}

static const char *
leg_id(const struct leg *lg)
{
	return lg->call ? lg->call->call_id : lg->id;
}

static void
group_free(struct leg_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(leg_at(g, i)->id);
	free(g->more);
	free(g);
}

struct sc_linker *
sc_linker_new(void)
{
	struct sc_linker *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	sc_hashmap_init(&l->groups);
	sc_vec_init(&l->all);
	l->max_keys = DEFAULT_MAX_KEYS;
	l->sweep_at = MIN_SWEEP;
	return l;
}

void
sc_linker_free(struct sc_linker *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->all.n; i++)
		group_free(l->all.v[i]);
	sc_vec_fini(&l->all);
	sc_hashmap_fini(&l->groups);
	free(l);
}

void
sc_linker_set_max_keys(struct sc_linker *l, size_t max_keys)
{
	l->max_keys = max_keys ? max_keys : DEFAULT_MAX_KEYS;
}

void
sc_linker_keep_released(struct sc_linker *l, sc_late_link_fn *late, void *ctx)
{
	l->keep_released = true;
	l->late = late;
	l->late_ctx = ctx;
}

uint64_t
sc_linker_forgotten(const struct sc_linker *l)
{
	return l->forgotten;
}

/* Over the cap: forget the oldest eighth of the keys. */
static void
forget_oldest(struct sc_linker *l)
{
	size_t drop = l->all.n - (l->max_keys - l->max_keys / 8), keep = 0;

	l->recent = NULL;

	for (size_t i = 0; i < l->all.n; i++) {
		struct leg_group *g = l->all.v[i];

		if (i < drop) {
			sc_hashmap_del_hashed(&l->groups, g->key, g->len,
			                      g->hash);
			group_free(g);
			l->forgotten++;
			continue;
		}
		l->all.v[keep++] = g;
	}
	l->all.n = keep;
}

/* Are all of @g's legs released, the latest before @now_ns less the
 * time they are kept? */
static bool
expired(const struct sc_linker *l, const struct leg_group *g)
{
	if (l->keep_released || (g->n && g->first.call))
		return false;
	for (size_t i = 1; i < g->n; i++)
		if (g->more[i - 1].call)
			return false;
	return g->released_ts <= l->now_ns - RELEASED_KEEP_NS;
}

/* Forget the legs of @g (all released): its key starts anew. */
static void
group_reset(struct leg_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(leg_at(g, i)->id);
	free(g->more);
	g->more = NULL;
	g->n = 0;
	g->overflow = false;
	g->released_ts = 0;
	g->first = (struct leg){ 0 };
}

/* Drop the keys of released legs kept long enough (not counted: their
 * time is over, no cap acted). A scan when the keys grew by a quarter
 * since the last one, so O(1) per key: at 2000 calls/s, 32 s of keys
 * are kept, and doubling before a scan held 99,000 keys at the peak of
 * the 100k-call capture, 12 MB; a quarter cut the text report's peak
 * from 54 MiB to 46, in the same time. */
static void
sweep_released(struct sc_linker *l)
{
	size_t keep = 0;

	l->recent = NULL;
	for (size_t i = 0; i < l->all.n; i++) {
		struct leg_group *g = l->all.v[i];

		if (expired(l, g)) {
			sc_hashmap_del_hashed(&l->groups, g->key, g->len,
			                      g->hash);
			group_free(g);
			continue;
		}
		l->all.v[keep++] = g;
	}
	l->all.n = keep;
	l->sweep_at = keep > MIN_SWEEP / 2 ? keep + keep / 4 : MIN_SWEEP;
}

/* The group of @key, created when new; NULL when out of memory. */
static struct leg_group *
group_of(struct sc_linker *l, const char *key)
{
	size_t len = strlen(key);
	uint64_t hash = sc_hashmap_hash(&l->groups, key, len);
	struct leg_group *g = sc_hashmap_get_hashed(&l->groups, key, len, hash);

	if (g)
		return g;
	if (len > UINT32_MAX)
		return NULL;
	/* expired keys go before the cap forgets any other */
	if (l->all.n >= l->sweep_at || l->all.n >= l->max_keys)
		sweep_released(l);
	if (l->all.n >= l->max_keys)
		forget_oldest(l);
	g = calloc(1, sizeof(*g) + len + 1);
	if (!g)
		return NULL;
	memcpy(g->key, key, len + 1);
	g->len = (uint32_t)len;
	g->hash = hash;
	if (sc_vec_push(&l->all, g) != SC_OK) {
		free(g);
		return NULL;
	}
	if (sc_hashmap_put_hashed(&l->groups, g->key, len, hash, g) != SC_OK) {
		l->all.n--; /* not in the map: only this free */
		free(g);
		return NULL;
	}
	return g;
}

/* Add @c as a leg of @g. */
static enum sc_err
add_leg(struct leg_group *g, struct sc_call *c)
{
	struct leg *v;

	if (g->n > 0) {
		v = sc_grow(g->more, g->n - 1, sizeof(*v));
		if (!v)
			return SC_ENOMEM;
		g->more = v;
	}
	*leg_at(g, g->n) = (struct leg){ .call = c };
	g->n++;
	return SC_OK;
}

enum sc_err
sc_linker_add(struct sc_linker *l, struct sc_call *c)
{
	enum sc_err err = SC_OK;

	if (c->last_ts > l->now_ns)
		l->now_ns = c->last_ts;
	/* a sweep in group_of() may free a group found before it: it
	 * clears recent */
	l->recent = c->nlink_keys <= RECENT_KEYS ? c : NULL;
	for (size_t k = 0; k < c->nlink_keys && err == SC_OK; k++) {
		struct leg_group *g = group_of(l, c->link_keys[k]);
		bool member = false;

		if (!g) {
			l->recent = NULL;
			return SC_ENOMEM;
		}
		if (k < RECENT_KEYS)
			l->recent_groups[k] = g;
		if (g->n && expired(l, g))
			group_reset(g); /* not swept yet: as if new */
		for (size_t i = 0; i < g->n; i++)
			member |= leg_at(g, i)->call == c;
		if (member)
			continue;
		if (g->n == MAX_LEGS) {
			g->overflow = true;
			continue;
		}
		for (size_t i = 0; i < g->n && err == SC_OK; i++) {
			struct leg *lg = leg_at(g, i);

			if (!leg_id(lg))
				continue; /* released without memory */
			if (lg->call)
				err = add_linked(lg->call, c->call_id);
			else if (l->late)
				l->late(l->late_ctx, lg->id, lg->first_frame,
				        c->call_id);
			if (err == SC_OK)
				err = add_linked(c, leg_id(lg));
		}
		if (err == SC_OK)
			err = add_leg(g, c);
	}
	if (err != SC_OK)
		l->recent = NULL;
	return err;
}

void
sc_linker_release(struct sc_linker *l, const struct sc_call *c)
{
	bool recent = c == l->recent;

	if (c->last_ts > l->now_ns)
		l->now_ns = c->last_ts;
	l->recent = NULL;
	for (size_t k = 0; k < c->nlink_keys; k++) {
		struct leg_group *g =
		        recent ? l->recent_groups[k]
		               : sc_hashmap_get(&l->groups, c->link_keys[k],
		                                strlen(c->link_keys[k]));

		for (size_t i = 0; g && i < g->n; i++) {
			struct leg *lg = leg_at(g, i);

			if (lg->call != c)
				continue;
			/* out of memory: the leg is forgotten, not dangling */
			lg->id = strdup(c->call_id ? c->call_id : "");
			lg->first_frame = c->first_frame;
			lg->call = NULL;
			if (c->last_ts > g->released_ts)
				g->released_ts = c->last_ts;
		}
	}
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
