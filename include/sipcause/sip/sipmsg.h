/* sipmsg.h - one parsed SIP message as our own plain struct */
#ifndef SC_SIPMSG_H
#define SC_SIPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/arena.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"
#include "sipcause/frame/sipframe.h"

/* Methods we recognise (RFC 3261 and extensions); others are OTHER. */
#define SC_METHODS(X)             \
	X(OTHER, "")              \
	X(INVITE, "INVITE")       \
	X(ACK, "ACK")             \
	X(BYE, "BYE")             \
	X(CANCEL, "CANCEL")       \
	X(REGISTER, "REGISTER")   \
	X(OPTIONS, "OPTIONS")     \
	X(PRACK, "PRACK")         \
	X(SUBSCRIBE, "SUBSCRIBE") \
	X(NOTIFY, "NOTIFY")       \
	X(PUBLISH, "PUBLISH")     \
	X(INFO, "INFO")           \
	X(REFER, "REFER")         \
	X(MESSAGE, "MESSAGE")     \
	X(UPDATE, "UPDATE")

enum sc_method {
#define SC_METHOD_ENUM(name, text) SC_METHOD_##name,
	SC_METHODS(SC_METHOD_ENUM)
#undef SC_METHOD_ENUM
	        SC_METHOD__COUNT
};

/*
 * Method from its name (case-sensitive, as RFC 3261 says); OTHER if new,
 * empty or NULL. @name need not be NUL-terminated.
 */
enum sc_method sc_method_from_name(const char *name, size_t len);

/* Canonical name; "" for OTHER. Static lifetime. */
const char *sc_method_name(enum sc_method m);

/* Flags on a message (the SC_RAW_* framing flags are kept as they are). */
enum {
	SC_MSG_MALFORMED = 1u << 8,  /* oSIP rejected it: fields via raw scan */
	SC_MSG_NO_CALL_ID = 1u << 9, /* no Call-ID even in the raw scan */
};

/* From/To/Contact: "Display" <uri>;tag=x. Absent parts are NULL. */
struct sc_nameaddr {
	const char *display;
	const char *uri;
	const char *user; /* user part of the URI ("alice", "+4930123") */
	const char *host; /* host[:port] part of the URI */
	const char *tag;
	size_t tag_len; /* bytes of tag (it may hold a NUL byte) */
};

/* One m= line of an SDP body. */
struct sc_sdp_media {
	const char *type; /* "audio", "video", "image"... */
	uint16_t port;
	const char *proto;     /* "RTP/AVP", "udptl"... */
	const char *codecs;    /* "PCMU/8000 PCMA/8000 telephone-event/8000" */
	const char *conn;      /* media-level c= address, or NULL */
	const char *direction; /* sendrecv/sendonly/recvonly/inactive or NULL */
};

/* Summary of an SDP body; NULL on a message when there is none. */
struct sc_sdp {
	const char *conn;   /* session-level c= address, or NULL */
	const char *origin; /* o= address, or NULL */
	size_t nmedia;
	struct sc_sdp_media *media;
};

/* m= lines kept per SDP body; further ones are ignored. */
#define SC_SDP_MAX_MEDIA 16

/*
 * sc_sdp_parse - summarise one SDP body (RFC 4566) with a bounded line
 * scanner (lines end in CRLF or a bare LF; the last one may end the
 * buffer). Session c= and o= addresses; for each m= line (at most
 * SC_SDP_MAX_MEDIA): type, port, proto, codecs as "NAME/RATE" from
 * a=rtpmap, else from the RFC 3551 static payload table for RTP
 * profiles, else the format as written; the media c= address and the
 * direction attribute (a session-level one applies to media without
 * their own). @body need not be NUL-terminated and may hold any bytes.
 * Returns SC_OK with *out allocated in @a (strings too; valid until
 * sc_arena_reset/fini), SC_EMALFORMED when no SDP line is found (*out
 * NULL), SC_ENOMEM.
 */
enum sc_err sc_sdp_parse(const char *body, size_t len, struct sc_arena *a,
                         struct sc_sdp **out) SC_WARN_UNUSED;

/*
 * sc_sdp_from_body - find the SDP in a message body and summarise it with
 * sc_sdp_parse(): @ctype (the Content-Type value, @ctype_len bytes, may
 * be NULL) is application/sdp, or multipart/... with a part of that type
 * (its boundary= parameter delimits the parts), or absent while the body
 * starts with "v=0". Returns SC_OK with *out NULL when there is no SDP,
 * or the summary allocated in @a; SC_ENOMEM.
 */
enum sc_err sc_sdp_from_body(const char *ctype, size_t ctype_len,
                             const char *body, size_t len, struct sc_arena *a,
                             struct sc_sdp **out) SC_WARN_UNUSED;

/*
 * A parsed message. Strings are NUL-terminated, already free of control
 * characters only in the sense that they hold what the wire held: escape
 * them before display. A NUL byte from the wire stays inside a string:
 * the identifiers (Call-ID, X-Call-ID, top Via branch, From/To tags)
 * carry their length in bytes (0 when absent), to be used instead of
 * strlen(). All memory belongs to the message and is released
 * by sc_msg_free(). Integer fields are -1 when the header is absent.
 *
 * Header values are trimmed; folded lines are joined with one space.
 * Headers that may repeat or hold lists (Accept, Allow, Allow-Events,
 * Require, Supported, Unsupported, Reason) are all occurrences joined
 * with ", "; other headers: the first occurrence. Compact forms (i f t v
 * m l c k o u x...) are read as their long names. Display names, auth
 * parameters, Warning and Reason texts are unquoted (backslash escapes
 * removed). Numbers that cannot be read stay -1 (cseq stays 0).
 */
struct sc_msg {
	/* where it was seen (from the framed message) */
	uint64_t frame;
	uint64_t *frames;
	size_t nframes;
	int64_t ts_ns;
	struct sc_endpoint src;
	struct sc_endpoint dst;
	enum sc_transport transport;
	unsigned flags;    /* SC_RAW_* | SC_MSG_* */
	size_t wire_len;   /* bytes of the whole message */
	uint64_t file_off; /* where its wire_len bytes can be read again */
	uint32_t input;    /* in which input file (sc_rawmsg) */

	/* start line */
	bool is_request;
	bool has_credentials;    /* Authorization or Proxy-Authorization
	                            (here to fill a hole in the struct) */
	enum sc_method method;   /* request method */
	const char *method_name; /* as on the wire, also for OTHER */
	const char *ruri;
	const char *ruri_user;
	int status; /* response status, 0 for requests */
	const char *reason_phrase;

	/* dialog and transaction identifiers */
	const char *call_id;
	size_t call_id_len; /* bytes of call_id: a NUL byte on the
	                       wire is kept, so compare with this */
	struct sc_nameaddr from;
	struct sc_nameaddr to;
	uint32_t cseq;
	enum sc_method cseq_method;
	const char *cseq_method_name;
	const char *via_branch; /* top Via branch, NULL if none */
	size_t via_branch_len;
	const char *via_sent_by;   /* top Via host[:port] */
	const char *via_transport; /* top Via transport ("UDP", "TCP"...) */
	const char *via_received;  /* top Via received= parameter */
	unsigned via_count;        /* Via header values in the message */
	unsigned record_route_count;
	struct sc_nameaddr contact; /* first Contact */
	int64_t contact_expires;    /* expires= on the first Contact */

	/* headers used by the diagnosis */
	const char *user_agent; /* User-Agent, or Server on responses */
	int max_forwards;
	int q850_cause;         /* Reason: Q.850;cause=N */
	const char *reason_hdr; /* raw Reason header value */
	const char *q850_text;  /* its text= */
	int sip_reason_cause;   /* Reason: SIP;cause=N */
	int warning_code;
	const char *warning_agent;
	const char *warning_text;
	int64_t retry_after;
	int64_t expires;
	int64_t session_expires;
	int64_t min_se;
	int64_t min_expires;
	const char *accept;
	const char *require;
	const char *supported;
	const char *unsupported;
	const char *allow;
	const char *allow_events; /* Allow-Events (compact u) */
	const char *event;
	const char *subscription_state;
	const char *auth_user;       /* username= of the credentials */
	const char *auth_realm;      /* realm= of the credentials */
	const char *challenge_realm; /* realm= of WWW-/Proxy-Authenticate */
	const char *x_call_id;       /* first of X-Call-ID, X-CID... */
	size_t x_call_id_len;
	const char *session_id;        /* RFC 7989 local uuid */
	const char *session_id_remote; /* RFC 7989 remote= uuid */
	const char *icid;              /* P-Charging-Vector icid-value */

	/* body */
	const char *content_type;
	int64_t content_length; /* header value; -1 if absent/unreadable */
	size_t body_len;        /* bytes of body present (at most
	                           content_length when that is set) */
	struct sc_sdp *sdp;
	/* The struct, frames, SDP and strings are one block from the
	 * parser's slab (util/slab.h); it may outlive the parser. */
};

struct sc_sipparser;

/*
 * sc_sipmsg_global_init - one-time set-up of the oSIP library: its parser
 * tables, a trace sink that keeps oSIP quiet (it would print to stdout)
 * and the allocators (osip_set_allocators(): blocks come from the scratch
 * arena of the parser that is parsing on this thread, from malloc
 * otherwise). oSIP has process-wide state; call this before any other
 * use of oSIP in the process. Idempotent and thread-safe.
 */
void sc_sipmsg_global_init(void);

/*
 * Names of headers that link B2BUA legs (X-Call-ID...); NULL-terminated.
 * The first name present in a message, in this order, wins. The names
 * are copied by sc_sipparser_new().
 */
struct sc_sipparser_opts {
	const char *const *link_headers; /* NULL: X-Call-ID, X-CID */
	/* Parse every message with oSIP (the reference path, for
	 * differential tests) instead of only those outside the plain
	 * grammar that the hand scanner is sure of. */
	bool full_parse;
};

/*
 * sc_sipparser_new - a parser with its scratch memory. @opts may be NULL.
 * NULL when out of memory. Free with sc_sipparser_free(). A parser is
 * used by one thread at a time; use one parser per thread.
 */
struct sc_sipparser *sc_sipparser_new(const struct sc_sipparser_opts *opts);

/*
 * sc_sipparser_counts - messages parsed so far by @p: *scanned read by
 * the hand scanner alone (plain grammar), *osip given to oSIP (not
 * plain, or full_parse). For tests and statistics.
 */
void sc_sipparser_counts(const struct sc_sipparser *p, uint64_t *scanned,
                         uint64_t *osip);

/*
 * Release a parser; NULL is a no-op. Messages it returned stay valid
 * until their sc_msg_free(): the last one frees the parser's slab. No
 * other thread may be freeing one of its messages meanwhile.
 */
void sc_sipparser_free(struct sc_sipparser *p);

/*
 * sc_sipmsg_parse - parse one framed message into a new struct sc_msg.
 * sc_sipmsg_global_init() must have run. A hand scanner reads the start
 * line and every header; when the message keeps to the plain grammar
 * (src/sip/README.md), where oSIP would accept it and read the same
 * values, that is all. Otherwise (and for every message with
 * opts.full_parse) oSIP parses the start line and the header section
 * (Call-ID, From, To, CSeq, Via, Contact); the other headers,
 * Content-Length and the body are read from @raw directly in every case,
 * so that oSIP's handling of bodies (dropped without Content-Type,
 * rejected when shorter than Content-Length) and of headers it drops when
 * invalid (Authorization, Record-Route, Accept...) does not lose them.
 * Both ways give the same struct sc_msg.
 * A message oSIP rejects, or whose headers hold a NUL byte, is still
 * returned (flag SC_MSG_MALFORMED) with what a raw scan recovers: start
 * line, Call-ID, CSeq, From/To, Via, Contact and the other headers. A
 * message without Call-ID gets SC_MSG_NO_CALL_ID and call_id NULL.
 * Returns SC_OK with *out owned by the caller (free with sc_msg_free());
 * SC_EMALFORMED when not even a start line can be read (*out NULL);
 * SC_ENOMEM (*out NULL). Never prints.
 */
enum sc_err sc_sipmsg_parse(struct sc_sipparser *p, const struct sc_rawmsg *raw,
                            struct sc_msg **out) SC_WARN_UNUSED;

/*
 * Release a message; NULL is a no-op. Any thread may free a message,
 * also while its parser parses on another thread (util/slab.h), and
 * after the parser is freed.
 */
void sc_msg_free(struct sc_msg *m);

/*
 * sc_sipmsg_scan - the raw-scan fallback on its own: the start line and
 * every header field of struct sc_msg from the bytes of @raw, without
 * oSIP (URIs are not unescaped). Does not set SC_MSG_MALFORMED (the
 * caller decides; sc_sipmsg_parse() does). Same results and ownership as
 * sc_sipmsg_parse(). Exposed for tests.
 */
enum sc_err sc_sipmsg_scan(const struct sc_rawmsg *raw,
                           struct sc_msg **out) SC_WARN_UNUSED;

#endif /* SC_SIPMSG_H */
