/* hashmap.h - open-addressing map from byte-string keys to pointers */
#ifndef SC_HASHMAP_H
#define SC_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"
#include "sipcause/util/siphash.h"

/*
 * Keys are borrowed: the caller keeps the key bytes alive while the entry
 * exists (usually they live in the value). Values are not owned. Lookups
 * and deletions are O(1) on average; deletion uses backward shifting, so
 * there are no tombstones. Keys are hashed with SipHash-1-3 under a key
 * drawn at random for each map, so keys chosen on the wire cannot be
 * made to collide (hash flooding); the order of entries is never
 * visible, so the random key changes no output.
 */
struct sc_hashmap_slot;

struct sc_hashmap {
	struct sc_hashmap_slot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two */
	size_t count;
	struct sc_siphash_key key;
};

/* An empty map with a random hash key (sc_siphash_key_random()). */
void sc_hashmap_init(struct sc_hashmap *m);

/* An empty map hashing under @key: for tests that need a fixed layout. */
void sc_hashmap_init_key(struct sc_hashmap *m,
                         const struct sc_siphash_key *key);

/* Free the slots; the map is empty again and keeps its key. */
void sc_hashmap_fini(struct sc_hashmap *m);

/* Find the value stored under @key, or NULL. */
void *sc_hashmap_get(const struct sc_hashmap *m, const void *key, size_t len);

/* Insert or replace. SC_ENOMEM leaves the map unchanged. */
enum sc_err sc_hashmap_put(struct sc_hashmap *m, const void *key, size_t len,
                           void *value) SC_WARN_UNUSED;

/* Remove @key; returns its value or NULL when absent. */
void *sc_hashmap_del(struct sc_hashmap *m, const void *key, size_t len);

/*
 * The same with the key's hash given, from sc_hashmap_hash(): a key
 * looked up, then added or removed, is hashed once, and a caller that
 * keeps the hash beside its key never hashes it again. @hash must be
 * sc_hashmap_hash(@m, @key, @len).
 */
uint64_t sc_hashmap_hash(const struct sc_hashmap *m, const void *key,
                         size_t len);
void *sc_hashmap_get_hashed(const struct sc_hashmap *m, const void *key,
                            size_t len, uint64_t hash);
enum sc_err sc_hashmap_put_hashed(struct sc_hashmap *m, const void *key,
                                  size_t len, uint64_t hash,
                                  void *value) SC_WARN_UNUSED;
void *sc_hashmap_del_hashed(struct sc_hashmap *m, const void *key, size_t len,
                            uint64_t hash);

/* 64-bit hash of bytes (FNV-1a folded with a seed). Unkeyed: anyone can
 * find colliding inputs, so never use it for keys from the wire. */
uint64_t sc_hash_bytes(const void *p, size_t len, uint64_t seed);

#endif /* SC_HASHMAP_H */
