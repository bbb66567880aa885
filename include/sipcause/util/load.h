/* load.h - unaligned loads of 2, 4 and 8 bytes, to compare several at once */
#ifndef SC_LOAD_H
#define SC_LOAD_H

#include <stdint.h>
#include <string.h>

/*
 * The bytes at @p as one word in the machine's byte order (memcpy() is
 * how C says "unaligned load"; compilers make it one instruction).
 */
static inline uint16_t
sc_load_u16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
sc_load_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
sc_load_u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#endif /* SC_LOAD_H */
