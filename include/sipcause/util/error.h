/* error.h - the one result code of sipcause (curl's CURLcode, libuv's map) */
#ifndef SC_ERROR_H
#define SC_ERROR_H

#include "sipcause/util/compiler.h"

/*
 * Every fallible function returns enum sc_err; 0 is success. The numbers
 * are part of no external contract but are frozen anyway: append, never
 * renumber.
 *
 * Two tiers: data faults (ETRUNC, EMALFORMED, EUNSUPPORTED) describe one
 * packet or message, are counted and never stop a run; environment faults
 * (ENOMEM, EIO, EPCAP, EUSAGE) stop it.
 *
 * Three outcomes are not faults at all, and each has its own code so no
 * caller has to guess which one ENOTFOUND meant: EAGAIN, the bytes so far
 * are a valid beginning and more are needed (a fragment or a stream
 * pending); ENOTPROTO, the bytes are not the protocol asked about (not
 * HEP, not a WebSocket upgrade); EOF, the input ended cleanly. ENOTFOUND
 * is left for look-ups of a key that does not exist.
 */
#define SC_ERRORS(X)                               \
	X(OK, "success")                  /* 0 */  \
	X(ENOMEM, "out of memory")        /* 1 */  \
	X(EIO, "I/O error")               /* 2 */  \
	X(EPCAP, "unreadable capture")    /* 3 */  \
	X(ETRUNC, "truncated data")       /* 4 */  \
	X(EMALFORMED, "malformed data")   /* 5 */  \
	X(EUNSUPPORTED, "unsupported")    /* 6 */  \
	X(ELIMIT, "limit exceeded")       /* 7 */  \
	X(EUSAGE, "invalid argument")     /* 8 */  \
	X(ENOTFOUND, "not found")         /* 9 */  \
	X(EAGAIN, "need more data")       /* 10 */ \
	X(ENOTPROTO, "not this protocol") /* 11 */ \
	X(EOF, "end of input")            /* 12 */

enum sc_err {
#define SC_ERR_ENUM(name, text) SC_##name,
	SC_ERRORS(SC_ERR_ENUM)
#undef SC_ERR_ENUM
	        SC_ERR__COUNT
};

/* Size of the caller-supplied buffer for error messages (libpcap idiom). */
#define SC_ERRBUF_SIZE 512

/*
 * sc_strerror - a short static description of @err.
 * Returns a string with static lifetime; never NULL.
 */
const char *sc_strerror(enum sc_err err);

#endif /* SC_ERROR_H */
