/* kb.h - read-only knowledge about SIP response codes, Q.850 and Warning */
#ifndef SC_KB_H
#define SC_KB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The knowledge base is compiled-in data (src/kb/ *.def X-macro tables),
 * looked up by code. Every string has static lifetime. Nothing here looks
 * at a capture: that is classify's job.
 */

/* Class of a response code: its first digit (stable JSON ids). */
#define SC_CLASSES(X)                       \
	X(PROVISIONAL, "provisional")       \
	X(SUCCESS, "success")               \
	X(REDIRECTION, "redirection")       \
	X(CLIENT_FAILURE, "client-failure") \
	X(SERVER_FAILURE, "server-failure") \
	X(GLOBAL_FAILURE, "global-failure") \
	X(VENDOR, "vendor")

enum sc_class {
#define SC_CLASS_ENUM(name, id) SC_CLASS_##name,
	SC_CLASSES(SC_CLASS_ENUM)
#undef SC_CLASS_ENUM
	        SC_CLASS__COUNT
};

/* Failure category of a response or a call (stable JSON ids, DESIGN.md). */
#define SC_CATEGORIES(X)              \
	X(OK, "ok")                   \
	X(REDIRECT, "redirect")       \
	X(AUTH, "auth")               \
	X(FORBIDDEN, "forbidden")     \
	X(NOT_FOUND, "not-found")     \
	X(ADDRESS, "address")         \
	X(BUSY, "busy")               \
	X(DECLINED, "declined")       \
	X(UNAVAILABLE, "unavailable") \
	X(CANCELLED, "cancelled")     \
	X(TIMEOUT, "timeout")         \
	X(MEDIA, "media")             \
	X(LOOP, "loop")               \
	X(IDENTITY, "identity")       \
	X(OVERLOAD, "overload")       \
	X(SERVER, "server")           \
	X(PROTOCOL, "protocol")       \
	X(UNKNOWN, "unknown")

enum sc_category {
#define SC_CAT_ENUM(name, id) SC_CAT_##name,
	SC_CATEGORIES(SC_CAT_ENUM)
#undef SC_CAT_ENUM
	        SC_CAT__COUNT
};

/* Stable ids ("client-failure", "not-found"); static lifetime. */
const char *sc_class_id(enum sc_class c);
const char *sc_category_id(enum sc_category c);

/* Category from its id; false when @id names none. */
bool sc_category_from_id(const char *id, enum sc_category *out);

/* Everything known about one response code. */
struct sc_status_info {
	int code;
	const char *reason; /* reason phrase as the RFC spells it */
	enum sc_class cls;
	enum sc_category cat;
	const char *ref;     /* defining document: "RFC 3261 21.4.24" */
	const char *meaning; /* what the code says, in plain words */
	const char *cause;   /* the usual cause when nothing more is known */
	const char *tip;     /* what to check next */
	bool deprecated;     /* 409, 411... */
};

/*
 * sc_kb_status - knowledge for @code. A code not in the table falls back
 * to the x00 code of its class (RFC 3261 8.1.3.2) and *unknown is set
 * true; codes 700-999 not listed are "vendor" with generic text. Returns
 * NULL only for codes outside 100..999. @unknown may be NULL.
 */
const struct sc_status_info *sc_kb_status(int code, bool *unknown);

/* The class of @code by its first digit (7..9 are VENDOR). */
enum sc_class sc_kb_class_of(int code);

/* Iterate the status table in code order: index 0..count-1. */
size_t sc_kb_status_count(void);
const struct sc_status_info *sc_kb_status_at(size_t i);

/* One ITU-T Q.850 cause value. */
struct sc_q850_info {
	int cause;           /* 1..127 */
	const char *name;    /* "User busy" */
	const char *meaning; /* plain-language explanation */
};

/* Q.850 cause @cause (1..127), or NULL when unassigned. */
const struct sc_q850_info *sc_kb_q850(int cause);
size_t sc_kb_q850_count(void);
const struct sc_q850_info *sc_kb_q850_at(size_t i);

/*
 * The usual mapping of a SIP failure to an ISDN/Q.850 cause (from the
 * interworking table in the seeds, after RFC 3398). Returns the cause
 * value or 0 when the table has no row for @code.
 */
int sc_kb_sip_to_q850(int code);

/* One RFC 3261 20.43 Warning code (300..399). */
struct sc_warning_info {
	int code;
	const char *text; /* "Incompatible media format" */
	const char *meaning;
};

/* Warning code info, or NULL when unassigned. */
const struct sc_warning_info *sc_kb_warning(int code);

#endif /* SC_KB_H */
