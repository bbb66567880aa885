/* cur.h - bounds-checked reads from untrusted packet bytes (tcpdump GET_*) */
#ifndef SC_CUR_H
#define SC_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A read cursor over borrowed bytes. Invariant: p <= end. Every getter
 * checks the remaining length first (lengths are compared, pointers are
 * never advanced past end) and leaves the cursor unchanged when it fails.
 * Packet bytes are never cast to structs: fields are read at their RFC
 * offsets through these getters.
 */
struct sc_cur {
	const uint8_t *p;
	const uint8_t *end;
};

static inline struct sc_cur
sc_cur_make(const uint8_t *p, size_t len)
{
	struct sc_cur c = { p, p + len };
	return c;
}

static inline size_t
sc_cur_left(const struct sc_cur *c)
{
	return (size_t)(c->end - c->p);
}

static inline bool
sc_cur_skip(struct sc_cur *c, size_t n)
{
	if (sc_cur_left(c) < n)
		return false;
	c->p += n;
	return true;
}

static inline bool
sc_cur_u8(struct sc_cur *c, uint8_t *v)
{
	if (sc_cur_left(c) < 1)
		return false;
	*v = c->p[0];
	c->p += 1;
	return true;
}

static inline bool
sc_cur_be16(struct sc_cur *c, uint16_t *v)
{
	if (sc_cur_left(c) < 2)
		return false;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool
sc_cur_le16(struct sc_cur *c, uint16_t *v)
{
	if (sc_cur_left(c) < 2)
		return false;
	*v = (uint16_t)(c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return true;
}

static inline bool
sc_cur_be32(struct sc_cur *c, uint32_t *v)
{
	if (sc_cur_left(c) < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	     (uint32_t)c->p[2] << 8 | (uint32_t)c->p[3];
	c->p += 4;
	return true;
}

static inline bool
sc_cur_le32(struct sc_cur *c, uint32_t *v)
{
	if (sc_cur_left(c) < 4)
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	     (uint32_t)c->p[1] << 8 | (uint32_t)c->p[0];
	c->p += 4;
	return true;
}

static inline bool
sc_cur_be64(struct sc_cur *c, uint64_t *v)
{
	uint32_t hi, lo;
	struct sc_cur save = *c;

	if (!sc_cur_be32(c, &hi) || !sc_cur_be32(c, &lo)) {
		*c = save;
		return false;
	}
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* Copy @n bytes out; fails without moving when fewer remain. */
static inline bool
sc_cur_bytes(struct sc_cur *c, void *dst, size_t n)
{
	const uint8_t *s = c->p;
	uint8_t *d = dst;

	if (sc_cur_left(c) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	c->p += n;
	return true;
}

/*
 * Split off the next @n bytes as a sub-cursor (to confine an option list
 * or extension header to its declared length) and advance past them.
 */
static inline bool
sc_cur_sub(struct sc_cur *c, size_t n, struct sc_cur *sub)
{
	if (sc_cur_left(c) < n)
		return false;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return true;
}

/* Read a big-endian 16-bit value at @off without moving; false if absent. */
static inline bool
sc_cur_peek_be16(const struct sc_cur *c, size_t off, uint16_t *v)
{
	if (sc_cur_left(c) < 2 || off > sc_cur_left(c) - 2)
		return false;
	*v = (uint16_t)(c->p[off] << 8 | c->p[off + 1]);
	return true;
}

#endif /* SC_CUR_H */
