/* siphash.h - SipHash, a keyed hash for tables that hold keys from the wire */
#ifndef SC_SIPHASH_H
#define SC_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012). With a key the sender cannot guess, nobody can choose inputs
 * offline that share a hash, so a capture cannot turn a hash table into
 * a list (hash flooding). SipHash-1-3 (one compression round per word,
 * three finalisation rounds) is what the tables use; SipHash-2-4 is the
 * paper's reference variant, kept to check the shared code against the
 * paper's test vector.
 */
struct sc_siphash_key {
	uint64_t k0; /* key bytes 0..7, little-endian */
	uint64_t k1; /* key bytes 8..15, little-endian */
};

/* SipHash-1-3 of @len bytes at @p under @key. */
uint64_t sc_siphash13(const struct sc_siphash_key *key, const void *p,
                      size_t len);

/* SipHash-2-4 of @len bytes at @p under @key. */
uint64_t sc_siphash24(const struct sc_siphash_key *key, const void *p,
                      size_t len);

/*
 * sc_siphash_key_random - a fresh key from getrandom(). When the kernel
 * has none to give (no getrandom, entropy not ready), the key is mixed
 * from the clock, the process id and addresses: weaker, never fatal.
 */
void sc_siphash_key_random(struct sc_siphash_key *key);

/* The key of the 16 bytes at @b (little-endian halves). */
void sc_siphash_key_from_bytes(struct sc_siphash_key *key, const uint8_t b[16]);

#endif /* SC_SIPHASH_H */
