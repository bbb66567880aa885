/* memo.c - From, To, Contact and Via values read once, then recalled
 *
 * The messages of a dialog repeat these values byte for byte: a response
 * copies its request's From, To and Via, every message of a call has the
 * same From and To, and a user agent sends the same Contact each time
 * (on the corpus, about 60% of From, 70% of To, 95% of Contact and 50%
 * of top Via values had been seen in the 256 values before them). The
 * plain readers (scanner.c) spend 10 to 15 instructions a byte on them,
 * and what they give depends on the value's bytes alone. So the parser
 * keeps, for recent values, whether each is plain and its parts as
 * offsets into it: found again by a hash of the bytes, then checked
 * against a copy of them, so a value is recalled only when it is the
 * same to the byte.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msgdraft.h"
#include "sipcause/util/load.h"

/* Values kept (a power of 2), and the longest one kept. */
#define MEMO_SLOTS 1024
#define MEMO_MAX 120

_Static_assert(MEMO_MAX < 256, "offsets and lengths fit in a byte");

struct memo_slot {
	uint64_t hash; /* 0: empty */
	uint8_t len;
	uint8_t kind;
	bool plain;
	uint8_t n;
	uint8_t found; /* bit i: part i was found (.p not NULL) */
	uint8_t off[VALUE_PARTS];
	uint8_t plen[VALUE_PARTS];
	char bytes[MEMO_MAX];
};

struct value_memo {
	struct memo_slot slot[MEMO_SLOTS];
};

struct value_memo *
memo_new(void)
{
	return calloc(1, sizeof(struct value_memo));
}

void
memo_free(struct value_memo *memo)
{
	free(memo);
}

/*
 * A hash of the @len bytes at @p (8 to MEMO_MAX) and @kind, from four
 * words of them: the first, the middle and the last two. Values that
 * differ elsewhere only (rare: tags and branches are at the end) share
 * a slot and push each other out. Never 0.
 */
static inline uint64_t
memo_hash(const char *p, size_t len, unsigned kind)
{
	const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
	uint64_t h = (uint64_t)len << 8 | kind;

	h = (h ^ sc_load_u64(p)) * k;
	h = (h ^ sc_load_u64(p + len / 2 - 4)) * k;
	h = (h ^ sc_load_u64(p + (len >= 16 ? len - 16 : 0))) * k;
	h = (h ^ sc_load_u64(p + len - 8)) * k;
	h ^= h >> 32;
	return h | 1;
}

bool
memo_read(struct value_memo *memo, value_reader *read, unsigned kind,
          struct sc_str v, struct value_parts *out)
{
	struct memo_slot *s;
	uint64_t hash;
	bool plain;

	if (!memo || v.len < 8 || v.len > MEMO_MAX)
		return read(v, out);
	hash = memo_hash(v.p, v.len, kind);
	s = &memo->slot[hash >> (64 - 10)];
	_Static_assert(MEMO_SLOTS == 1 << 10, "the index is the top 10 bits");
	if (s->hash == hash && s->len == v.len && s->kind == kind &&
	    same_bytes(s->bytes, v.p, v.len)) {
		for (size_t i = 0; i < VALUE_PARTS; i++)
			out->part[i] = sc_str_make(v.p + s->off[i], s->plen[i]);
		/* only an empty part can be one not found */
		for (unsigned i = 0; i < VALUE_PARTS; i++)
			if (!s->plen[i] && !(s->found & 1u << i))
				out->part[i].p = NULL;
		out->n = s->n;
		return s->plain;
	}
	memset(out, 0, sizeof(*out));
	plain = read(v, out);
	s->hash = hash;
	s->len = (uint8_t)v.len;
	s->kind = (uint8_t)kind;
	s->plain = plain;
	s->n = (uint8_t)(out->n < 255 ? out->n : 255);
	memcpy(s->bytes, v.p, v.len);
	s->found = 0;
	for (unsigned i = 0; i < VALUE_PARTS; i++) {
		const struct sc_str *part = &out->part[i];

		/* parts are views into the value, or not found */
		s->off[i] = part->p ? (uint8_t)(part->p - v.p) : 0;
		s->plen[i] = (uint8_t)part->len;
		s->found |= (uint8_t)((part->p != NULL) << i);
	}
	return plain;
}
