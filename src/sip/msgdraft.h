/* msgdraft.h - private to src/sip: a message while it is being read */
#ifndef SC_SIP_MSGDRAFT_H
#define SC_SIP_MSGDRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sipcause/sip/sipmsg.h"
#include "sipcause/util/arena.h"
#include "sipcause/util/load.h"
#include "sipcause/util/str.h"

/*
 * Who does what (see README.md):
 *   scanner.c   the raw header section: lines, the start line, and whether
 *               the message is in the plain grammar where the scan gives
 *               what oSIP would (then oSIP is not run)
 *   headers.c   the header table and what each header means
 *   values.c    lists, parameters, quoting, folding on views
 *   osip_glue.c everything that touches oSIP
 *   sipmsg.c    the parser object, the order of the steps, the final copy
 */

/* Every string field of struct sc_msg (and where it lives). */
#define MSG_STRINGS(X)                            \
	X(METHOD_NAME, method_name)               \
	X(RURI, ruri)                             \
	X(RURI_USER, ruri_user)                   \
	X(REASON_PHRASE, reason_phrase)           \
	X(CALL_ID, call_id)                       \
	X(FROM_DISPLAY, from.display)             \
	X(FROM_URI, from.uri)                     \
	X(FROM_USER, from.user)                   \
	X(FROM_HOST, from.host)                   \
	X(FROM_TAG, from.tag)                     \
	X(TO_DISPLAY, to.display)                 \
	X(TO_URI, to.uri)                         \
	X(TO_USER, to.user)                       \
	X(TO_HOST, to.host)                       \
	X(TO_TAG, to.tag)                         \
	X(CSEQ_METHOD, cseq_method_name)          \
	X(VIA_BRANCH, via_branch)                 \
	X(VIA_SENT_BY, via_sent_by)               \
	X(VIA_TRANSPORT, via_transport)           \
	X(VIA_RECEIVED, via_received)             \
	X(CONTACT_DISPLAY, contact.display)       \
	X(CONTACT_URI, contact.uri)               \
	X(CONTACT_USER, contact.user)             \
	X(CONTACT_HOST, contact.host)             \
	X(CONTACT_TAG, contact.tag)               \
	X(USER_AGENT, user_agent)                 \
	X(REASON_HDR, reason_hdr)                 \
	X(Q850_TEXT, q850_text)                   \
	X(WARNING_AGENT, warning_agent)           \
	X(WARNING_TEXT, warning_text)             \
	X(ACCEPT, accept)                         \
	X(REQUIRE, require)                       \
	X(SUPPORTED, supported)                   \
	X(UNSUPPORTED, unsupported)               \
	X(ALLOW, allow)                           \
	X(ALLOW_EVENTS, allow_events)             \
	X(EVENT, event)                           \
	X(SUBSCRIPTION_STATE, subscription_state) \
	X(AUTH_USER, auth_user)                   \
	X(AUTH_REALM, auth_realm)                 \
	X(CHALLENGE_REALM, challenge_realm)       \
	X(X_CALL_ID, x_call_id)                   \
	X(SESSION_ID, session_id)                 \
	X(SESSION_ID_REMOTE, session_id_remote)   \
	X(ICID, icid)                             \
	X(CONTENT_TYPE, content_type)

enum fld {
#define FLD_ENUM(name, member) F_##name,
	MSG_STRINGS(FLD_ENUM)
#undef FLD_ENUM
	        F__COUNT
};

/* "Do not store": set_first() ignores it. */
#define F_NONE F__COUNT

/* The fields oSIP may fill: F_METHOD_NAME..F_CONTACT_TAG. */
#define F_OSIP_LAST F_CONTACT_TAG

/* The parts of a struct sc_nameaddr, after its display name field. */
enum { NA_DISPLAY, NA_URI, NA_USER, NA_HOST, NA_TAG };

static inline enum fld
na(enum fld base, int part)
{
	return (enum fld)((int)base + part);
}

/* Headers we read; H_LINK is any of the configured link headers. */
enum hid {
	H_NONE,
	H_LINK,
	/* parsed by oSIP when it runs, by the scan otherwise */
	H_CALL_ID,
	H_FROM,
	H_TO,
	H_CSEQ,
	H_VIA,
	H_CONTACT,
	/* always read from the raw bytes */
	H_RECORD_ROUTE,
	H_USER_AGENT,
	H_SERVER,
	H_MAX_FORWARDS,
	H_REASON,
	H_WARNING,
	H_RETRY_AFTER,
	H_EXPIRES,
	H_SESSION_EXPIRES,
	H_MIN_SE,
	H_MIN_EXPIRES,
	H_ACCEPT,
	H_REQUIRE,
	H_SUPPORTED,
	H_UNSUPPORTED,
	H_ALLOW,
	H_ALLOW_EVENTS,
	H_EVENT,
	H_SUBSCRIPTION_STATE,
	H_AUTHORIZATION,
	H_PROXY_AUTHORIZATION,
	H_WWW_AUTHENTICATE,
	H_PROXY_AUTHENTICATE,
	H_SESSION_ID,
	H_P_CHARGING_VECTOR,
	H_CONTENT_TYPE,
	H_CONTENT_LENGTH,
	H__COUNT
};

#define HBIT(h) (UINT64_C(1) << (h))
#define H_OSIP_OWNED                                                  \
	(HBIT(H_CALL_ID) | HBIT(H_FROM) | HBIT(H_TO) | HBIT(H_CSEQ) | \
	 HBIT(H_VIA) | HBIT(H_CONTACT))
#define H_ALL ((UINT64_C(1) << H__COUNT) - 1)
#define H_RAW_OWNED (H_ALL & ~H_OSIP_OWNED)

/* Header names by first letter, and compact forms (headers.c). */
#define SC_HINDEX_ROW 8
struct hindex {
	uint8_t by_letter[26][SC_HINDEX_ROW]; /* H_NONE ends a row */
	uint8_t compact[26];
};

/*
 * Everything found so far, as views into the raw bytes, into oSIP's
 * objects or into the scratch arena; all of them live until the copy.
 */
struct draft {
	struct sc_msg *m; /* &msg: integer fields are written
	                     directly, strings at the final copy */
	struct sc_msg msg;
	struct sc_msg *out;        /* the final allocation, by finish() */
	struct sc_arena *tmp;      /* joined, unfolded, unquoted strings */
	uint64_t set;              /* bit f: s[f] holds a value (the final
	                              copy visits only those) */
	uint64_t joined;           /* bit f: s[f] is a buffer of cap[f]
	                              bytes of tmp (list joins) */
	struct sc_str server;      /* Server, used when no User-Agent */
	struct sc_str from_raw;    /* first From, To, Contact value as */
	struct sc_str to_raw;      /* written: the URI text comes from */
	struct sc_str contact_raw; /* there, not re-serialised by oSIP */
	const struct hindex *ix;
	struct value_memo *memo; /* the parser's; NULL: none */
	const struct sc_str *link;
	size_t nlink;
	size_t link_rank; /* index of the link header kept; nlink: none */
	uint64_t seen;    /* headers present in the raw bytes */
	uint64_t done;    /* single-valued headers already read */
	struct sc_sdp *sdp;
	bool nomem;

	/*
	 * False once anything is seen where oSIP's reading could differ
	 * from the scan's (scanner.c, "the plain grammar"): then oSIP runs.
	 */
	bool plain;
	uint8_t count[H__COUNT]; /* occurrences (saturating) */

	/* layout of the raw bytes */
	const char *p;
	size_t len;
	size_t start;   /* start line (after leading CR/LF) */
	size_t hdrs;    /* first header line */
	size_t hdr_end; /* end of the last complete header line */
	size_t body;    /* body; SIZE_MAX when no blank line ends the head */
	bool clen_set;  /* a Content-Length other than "0" is present */
	bool whole;     /* no byte of the message is missing */
	size_t nclen;   /* Content-Length values (offset, length) */
	size_t clen_at[4][2];

	/*
	 * Last, and not cleared for each message (a third of the draft):
	 * only what the bits of set and joined say is there is read.
	 */
	struct sc_str s[F__COUNT];
	size_t cap[F__COUNT];
};

/* ---- views (values.c) ---------------------------------------------------- */

static inline struct sc_str
view_at(const char *p, const char *end)
{
	return sc_str_make(p, (size_t)(end - p));
}

/* The end of @s (no arithmetic on the NULL of an absent view). */
static inline const char *
end_of(struct sc_str s)
{
	return s.p ? s.p + s.len : NULL;
}

/* The part of @s after offset @i (empty view when past the end). */
static inline struct sc_str
view_from(struct sc_str s, size_t i)
{
	return i < s.len ? sc_str_make(s.p + i, s.len - i)
	                 : sc_str_make(end_of(s), 0);
}

static inline const char *
find_char(struct sc_str s, char c)
{
	return s.len ? memchr(s.p, c, s.len) : NULL;
}

/* @s up to the first @c (all of it when there is none). */
static inline struct sc_str
cut_at(struct sc_str s, char c)
{
	const char *q = find_char(s, c);

	return q ? view_at(s.p, q) : s;
}

static inline bool
is_ws(char c)
{
	return sc_ascii_is_blank(c);
}

/* Whether field @f holds a value. */
static inline bool
has(const struct draft *d, enum fld f)
{
	return d->set & (UINT64_C(1) << f);
}

/* Field @f (.p NULL when it holds none). */
static inline struct sc_str
field(const struct draft *d, enum fld f)
{
	return has(d, f) ? d->s[f] : sc_str_make(NULL, 0);
}

/* Keep the first non-empty value of a field. */
static inline void
set_first(struct draft *d, enum fld f, struct sc_str v)
{
	if (f < F__COUNT && !has(d, f) && v.p && v.len > 0) {
		d->s[f] = v;
		d->set |= UINT64_C(1) << f;
	}
}

void join(struct draft *d, enum fld f, struct sc_str v);
struct sc_str concat3(struct draft *d, struct sc_str a, const char *sep,
                      struct sc_str b);
struct sc_str unfold(struct draft *d, struct sc_str v);
size_t quoted_end(struct sc_str s, size_t i);
struct sc_str unquote(struct draft *d, struct sc_str v);
bool list_next(struct sc_str *rest, struct sc_str *item);
unsigned list_count(struct sc_str v);
struct sc_str list_first(struct sc_str v);
bool param_find_sep(struct sc_str s, char sep, const char *name,
                    struct sc_str *val);
bool param_find(struct sc_str s, const char *name, struct sc_str *val);
struct sc_str params_of(struct sc_str s);
int64_t lead_int(struct sc_str v, uint64_t max);

/* ---- headers (headers.c) ------------------------------------------------- */

/* Fill @ix from the header table. */
void header_index_init(struct hindex *ix);

/* The header a name stands for (long or compact form, link headers). */
enum hid header_id(const struct draft *d, struct sc_str name, size_t *rank);

/* Read one header value into the draft (the header table decides how). */
void on_header(struct draft *d, enum hid id, size_t rank, struct sc_str v);

/*
 * Whether a value of header @id is in the plain grammar (scanner.c):
 * where oSIP accepts it and reads it as the scan does; true for headers
 * oSIP cannot reject a message for. For the headers whose check finds
 * their parts anyway (From, To, Contact, Via) it reads a plain value too,
 * as on_header() would, when @read is not NULL: then *@read is set and
 * on_header() need not run.
 */
bool header_check(struct draft *d, enum hid id, struct sc_str v, bool *read);

/* oSIP rejects a message with a second header @id. */
bool header_osip_single(enum hid id);

/* A URI as written into fields @f_uri, @f_user, @f_host (or F_NONE). */
void uri_parts(struct draft *d, enum fld f_uri, enum fld f_user,
               enum fld f_host, struct sc_str uri);

/* The parts of a name-addr / addr-spec (RFC 3261 20.10, 25.1). */
struct naddr {
	struct sc_str disp; /* as written, maybe quoted; .p NULL if none */
	struct sc_str uri;
	struct sc_str params; /* header parameters after the address */
};

struct naddr naddr_split(struct sc_str v);

/* ---- scanner (scanner.c) ------------------------------------------------- */

/* Leading CR/LF, the start line and where the headers begin. */
void find_start(struct draft *d);

/*
 * Read the headers in @mask from the raw bytes. The first pass also
 * finds the layout, notes which headers are present and, with
 * @check_plain, whether the message stays in the plain grammar.
 */
void scan_headers(struct draft *d, uint64_t mask, bool first_pass,
                  bool check_plain);

/* The start line without oSIP; false when it is none. */
bool scan_start_line(struct draft *d);

/*
 * After the first pass with check_plain: true when the start line and
 * the layout are plain as well, so that the scan's fields are those oSIP
 * would give and oSIP need not run; the start line is then read too.
 */
bool scan_plain(struct draft *d);

/* The plain grammar of the headers oSIP may reject (header table). */
bool plain_call_id(struct sc_str v);

/*
 * memcmp(@a, @b, @len) == 0 without a call for the short strings of a
 * message: words from the start, the last one overlapping the one before.
 */
static inline bool
same_bytes(const char *a, const char *b, size_t len)
{
	if (len >= 8) {
		for (size_t i = 0; i + 8 < len; i += 8)
			if (sc_load_u64(a + i) != sc_load_u64(b + i))
				return false;
		return sc_load_u64(a + len - 8) == sc_load_u64(b + len - 8);
	}
	if (len >= 4)
		return sc_load_u32(a) == sc_load_u32(b) &&
		       sc_load_u32(a + len - 4) == sc_load_u32(b + len - 4);
	if (len >= 2)
		return sc_load_u16(a) == sc_load_u16(b) &&
		       sc_load_u16(a + len - 2) == sc_load_u16(b + len - 2);
	return len == 0 || a[0] == b[0];
}

/* ---- values read once, then recalled (memo.c) ---------------------------- */

/*
 * What a plain reader finds in a value: views into it (.p NULL for a
 * part not found). From, To, Contact: NA_DISPLAY..NA_TAG, then
 * VALUE_EXPIRES (Contact). Via: its elements in n, the top one's parts.
 */
enum { VALUE_EXPIRES = NA_TAG + 1, VALUE_PARTS };
enum { VIA_TRANSPORT, VIA_SENT_BY, VIA_BRANCH, VIA_RECEIVED };

struct value_parts {
	struct sc_str part[VALUE_PARTS];
	unsigned n;
};

/* Whether @v is plain; its parts in @out. Depends on @v's bytes alone. */
typedef bool value_reader(struct sc_str v, struct value_parts *out);

struct value_memo *memo_new(void);
void memo_free(struct value_memo *memo);

/*
 * @read(@v, @out), or what it gave for the same bytes lately (@kind
 * tells readers apart). Without @memo, @read is called.
 */
bool memo_read(struct value_memo *memo, value_reader *read, unsigned kind,
               struct sc_str v, struct value_parts *out);

/*
 * The plain check of a From, To (@base their display field) or Contact
 * value that reads it into the draft (when @store) as on_header() does.
 */
bool plain_read_nameaddr(struct draft *d, enum fld base, struct sc_str v,
                         bool contact, bool store);

/* The plain check of a Via value that reads it (when @store) as
 * on_header() does. */
bool plain_read_via(struct draft *d, struct sc_str v, bool store);

/* The plain check of a CSeq value that reads it (when @store) as
 * on_header() does. */
bool plain_read_cseq(struct draft *d, struct sc_str v, bool store);
bool plain_content_type_value(struct sc_str v);

/* ---- oSIP (osip_glue.c) -------------------------------------------------- */

/*
 * Run oSIP over the head of the message and copy what it parsed into the
 * draft, with its blocks in @scratch. Returns SC_OK when oSIP accepted
 * the message and gave a start line we accept, SC_EMALFORMED when not
 * (or when the message is not one to hand oSIP), SC_ENOMEM.
 */
enum sc_err osip_read(struct draft *d, struct sc_arena *scratch);

#endif /* SC_SIP_MSGDRAFT_H */
