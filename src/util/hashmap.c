/* hashmap.c - open addressing with linear probing and backward shift,
 * SipHash-1-3 under a per-map random key */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/util/hashmap.h"

struct sc_hashmap_slot {
	const void *key; /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *value;
};

uint64_t
sc_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	/* final avalanche so the low bits used for indexing are well mixed */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void
sc_hashmap_init_key(struct sc_hashmap *m, const struct sc_siphash_key *key)
{
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
	m->key = *key;
}

void
sc_hashmap_init(struct sc_hashmap *m)
{
	struct sc_siphash_key key;

	sc_siphash_key_random(&key);
	sc_hashmap_init_key(m, &key);
}

void
sc_hashmap_fini(struct sc_hashmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

static struct sc_hashmap_slot *
find(const struct sc_hashmap *m, const void *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & m->mask;

	for (;;) {
		struct sc_hashmap_slot *s = &m->slots[i];

		if (!s->key)
			return s;
		if (s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
		i = (i + 1) & m->mask;
	}
}

static enum sc_err
grow(struct sc_hashmap *m)
{
	size_t cap = m->slots ? (m->mask + 1) * 2 : 16;
	struct sc_hashmap_slot *old = m->slots;
	size_t oldcap = m->slots ? m->mask + 1 : 0;
	struct sc_hashmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return SC_ENOMEM;
	m->slots = slots;
	m->mask = cap - 1;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key)
			*find(m, old[i].key, old[i].len, old[i].hash) = old[i];
	}
	free(old);
	return SC_OK;
}

uint64_t
sc_hashmap_hash(const struct sc_hashmap *m, const void *key, size_t len)
{
	return sc_siphash13(&m->key, key, len);
}

void *
sc_hashmap_get_hashed(const struct sc_hashmap *m, const void *key, size_t len,
                      uint64_t hash)
{
	struct sc_hashmap_slot *s;

	if (!m->slots)
		return NULL;
	s = find(m, key, len, hash);
	return s->key ? s->value : NULL;
}

void *
sc_hashmap_get(const struct sc_hashmap *m, const void *key, size_t len)
{
	if (!m->slots)
		return NULL;
	return sc_hashmap_get_hashed(m, key, len, sc_hashmap_hash(m, key, len));
}

enum sc_err
sc_hashmap_put_hashed(struct sc_hashmap *m, const void *key, size_t len,
                      uint64_t hash, void *value)
{
	struct sc_hashmap_slot *s;

	/* keep the load factor under 3/4 */
	if (!m->slots || (m->count + 1) * 4 > (m->mask + 1) * 3) {
		enum sc_err err = grow(m);

		if (err != SC_OK)
			return err;
	}
	s = find(m, key, len, hash);
	if (!s->key)
		m->count++;
	s->key = key;
	s->len = len;
	s->hash = hash;
	s->value = value;
	return SC_OK;
}

enum sc_err
sc_hashmap_put(struct sc_hashmap *m, const void *key, size_t len, void *value)
{
	return sc_hashmap_put_hashed(m, key, len, sc_hashmap_hash(m, key, len),
	                             value);
}

void *
sc_hashmap_del_hashed(struct sc_hashmap *m, const void *key, size_t len,
                      uint64_t hash)
{
	struct sc_hashmap_slot *s;
	size_t i, j;
	void *value;

	if (!m->slots)
		return NULL;
	s = find(m, key, len, hash);
	if (!s->key)
		return NULL;
	value = s->value;
	i = (size_t)(s - m->slots);
	/* backward-shift the following cluster so lookups never see a hole
	 * between an entry and its home slot */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & m->mask;
		if (!m->slots[j].key)
			break;
		home = (size_t)m->slots[j].hash & m->mask;
		/* move j to i if i lies cyclically in [home, j) */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->count--;
	return value;
}

void *
sc_hashmap_del(struct sc_hashmap *m, const void *key, size_t len)
{
	if (!m->slots)
		return NULL;
	return sc_hashmap_del_hashed(m, key, len, sc_hashmap_hash(m, key, len));
}
