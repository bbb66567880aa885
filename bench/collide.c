/*
 * collide.c - Call-IDs that share the low bits of a hash, for the hash
 * flooding benchmark of bench/hostile.sh (issue #14).
 *
 *   collide fnv|siphash|ordinary N BITS > ids.txt
 *
 * fnv: IDs whose hash under the scheme sipcause used before SipHash
 * (FNV-1a from a fixed seed, then a 64-bit avalanche; tests/hostile/gen.py
 * has the same function) agree in their low BITS bits, so they shared
 * one run of slots in every table of up to 2^BITS slots: the offline
 * attack. siphash: the same under SipHash-1-3 with the FIXED key
 * 00 01 .. 0f, showing that such a search is easy when the key is known;
 * sipcause draws a new random key per table and run, so these IDs are
 * ordinary there. ordinary: N IDs of the same length and shape, no
 * search. The search costs 2^BITS hashes per ID.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/siphash.h"

#define FNV_SEED 0x9e3779b97f4a7c15ULL

static uint64_t
old_hash(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ FNV_SEED;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int
usage(void)
{
	fputs("usage: collide fnv|siphash|ordinary N BITS\n", stderr);
	return 1;
}

int
main(int argc, char **argv)
{
	static const uint8_t kb[16] = { 0, 1, 2, 3, 4, 5, 6, 7,
					8, 9, 10, 11, 12, 13, 14, 15 };
	struct sc_siphash_key key;
	unsigned long n, bits;
	uint64_t mask, i = 0;
	char id[64];

	if (argc != 4)
		return usage();
	n = strtoul(argv[2], NULL, 10);
	bits = strtoul(argv[3], NULL, 10);
	if (bits > 40)
		return usage();
	mask = (UINT64_C(1) << bits) - 1;
	sc_siphash_key_from_bytes(&key, kb);
	for (unsigned long found = 0; found < n; i++) {
		int len = snprintf(id, sizeof(id), "flood-%012" PRIx64 "@hostile",
				   i);
		uint64_t h;

		if (len < 0)
			return 1;
		if (strcmp(argv[1], "fnv") == 0)
			h = old_hash(id, (size_t)len);
		else if (strcmp(argv[1], "siphash") == 0)
			h = sc_siphash13(&key, id, (size_t)len);
		else if (strcmp(argv[1], "ordinary") == 0)
			h = 0;
		else
			return usage();
		if ((h & mask) == 0) {
			puts(id);
			found++;
		}
	}
	return 0;
}
