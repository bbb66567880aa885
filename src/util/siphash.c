/* siphash.c - SipHash-c-d, from the description in the SipHash paper
 *
 * The state is four 64-bit words initialised from the key and four
 * constants ("somepseudorandomlygeneratedbytes"). Each 8-byte
 * little-endian word m of the input is mixed in as v3 ^= m, c rounds,
 * v0 ^= m; the last word holds the remaining bytes and the length mod
 * 256 in its top byte. Then v2 ^= 0xff, d rounds, and the result is
 * v0 ^ v1 ^ v2 ^ v3.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sipcause/util/siphash.h"

struct sipstate {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* The ARX round: two parallel add-rotate-xor lanes, then swapped. */
static inline void
sipround(struct sipstate *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static inline void
compress(struct sipstate *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sipround(s);
	s->v0 ^= m;
}

static inline uint64_t
siphash(const struct sc_siphash_key *key, const void *data, size_t len, int c,
        int d)
{
	const uint8_t *p = data;
	struct sipstate s = {
		key->k0 ^ 0x736f6d6570736575ULL,
		key->k1 ^ 0x646f72616e646f6dULL,
		key->k0 ^ 0x6c7967656e657261ULL,
		key->k1 ^ 0x7465646279746573ULL,
	};
	size_t left = len;
	uint64_t last = (uint64_t)(len & 0xff) << 56;

	for (; left >= 8; left -= 8, p += 8)
		compress(&s, load_le64(p), c);
	if (left > 0 && len >= 8) {
		/* the word that ends the input, its bytes already mixed
		 * in shifted out: one load, not a loop over the rest */
		last |= load_le64(p + left - 8) >> (8 * (8 - left));
	} else {
		for (size_t i = 0; i < left; i++)
			last |= (uint64_t)p[i] << (8 * i);
	}
	compress(&s, last, c);
	s.v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t
sc_siphash13(const struct sc_siphash_key *key, const void *p, size_t len)
{
	return siphash(key, p, len, 1, 3);
}

uint64_t
sc_siphash24(const struct sc_siphash_key *key, const void *p, size_t len)
{
	return siphash(key, p, len, 2, 4);
}

void
sc_siphash_key_from_bytes(struct sc_siphash_key *key, const uint8_t b[16])
{
	key->k0 = load_le64(b);
	key->k1 = load_le64(b + 8);
}

void
sc_siphash_key_random(struct sc_siphash_key *key)
{
	uint8_t b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, GRND_NONBLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(b)) {
		/* no kernel entropy: a key nobody can know in advance
		 * offline still beats a fixed one */
		struct timespec ts;
		struct sc_siphash_key mix = { (uint64_t)(uintptr_t)key,
			                      (uint64_t)getpid() };
		uint64_t v[2];

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v[0] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
		v[1] = (uint64_t)ts.tv_nsec;
		key->k0 = sc_siphash24(&mix, v, sizeof(v));
		clock_gettime(CLOCK_REALTIME, &ts);
		v[0] ^= (uint64_t)ts.tv_sec;
		v[1] ^= (uint64_t)ts.tv_nsec;
		key->k1 = sc_siphash24(&mix, v, sizeof(v));
		return;
	}
	sc_siphash_key_from_bytes(key, b);
}
