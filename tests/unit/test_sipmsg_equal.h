/* test_sipmsg_equal.h - are two parsed messages the same, field by field? */
#ifndef SC_TEST_SIPMSG_EQUAL_H
#define SC_TEST_SIPMSG_EQUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sipcause/sip/sipmsg.h"

/* Both absent, or the same bytes. */
static inline bool
eq_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static inline bool
eq_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	if (!a || !b)
		return a == b && alen == blen;
	return alen == blen && memcmp(a, b, alen) == 0;
}

static inline const char *
nameaddr_diff(const struct sc_nameaddr *a, const struct sc_nameaddr *b)
{
	if (!eq_str(a->display, b->display))
		return "display";
	if (!eq_str(a->uri, b->uri))
		return "uri";
	if (!eq_str(a->user, b->user))
		return "user";
	if (!eq_str(a->host, b->host))
		return "host";
	if (!eq_bytes(a->tag, a->tag_len, b->tag, b->tag_len))
		return "tag";
	return NULL;
}

static inline const char *
sdp_diff(const struct sc_sdp *a, const struct sc_sdp *b)
{
	if (!a || !b)
		return a == b ? NULL : "sdp";
	if (!eq_str(a->conn, b->conn) || !eq_str(a->origin, b->origin) ||
	    a->nmedia != b->nmedia)
		return "sdp";
	for (size_t i = 0; i < a->nmedia; i++) {
		const struct sc_sdp_media *x = &a->media[i], *y = &b->media[i];

		if (!eq_str(x->type, y->type) || x->port != y->port ||
		    !eq_str(x->proto, y->proto) ||
		    !eq_str(x->codecs, y->codecs) ||
		    !eq_str(x->conn, y->conn) ||
		    !eq_str(x->direction, y->direction))
			return "sdp media";
	}
	return NULL;
}

/* NULL when @a and @b hold the same values; else the first field that
 * differs. */
static inline const char *
sipmsg_diff(const struct sc_msg *a, const struct sc_msg *b)
{
	const char *d;

#define INT(f) \
	if (a->f != b->f) \
		return #f
#define STR(f) \
	if (!eq_str(a->f, b->f)) \
		return #f
	INT(frame);
	INT(ts_ns);
	INT(flags);
	INT(wire_len);
	INT(is_request);
	INT(method);
	STR(method_name);
	STR(ruri);
	STR(ruri_user);
	INT(status);
	STR(reason_phrase);
	if (!eq_bytes(a->call_id, a->call_id_len, b->call_id, b->call_id_len))
		return "call_id";
	if ((d = nameaddr_diff(&a->from, &b->from)))
		return "from";
	if ((d = nameaddr_diff(&a->to, &b->to)))
		return "to";
	INT(cseq);
	INT(cseq_method);
	STR(cseq_method_name);
	if (!eq_bytes(a->via_branch, a->via_branch_len, b->via_branch,
	              b->via_branch_len))
		return "via_branch";
	STR(via_sent_by);
	STR(via_transport);
	STR(via_received);
	INT(via_count);
	if ((d = nameaddr_diff(&a->contact, &b->contact)))
		return "contact";
	INT(contact_expires);
	INT(record_route_count);
	STR(user_agent);
	INT(max_forwards);
	STR(reason_hdr);
	INT(q850_cause);
	STR(q850_text);
	INT(sip_reason_cause);
	INT(warning_code);
	STR(warning_agent);
	STR(warning_text);
	INT(retry_after);
	INT(expires);
	INT(session_expires);
	INT(min_se);
	INT(min_expires);
	STR(accept);
	STR(require);
	STR(supported);
	STR(unsupported);
	STR(allow);
	STR(allow_events);
	STR(event);
	STR(subscription_state);
	INT(has_credentials);
	STR(auth_user);
	STR(auth_realm);
	STR(challenge_realm);
	if (!eq_bytes(a->x_call_id, a->x_call_id_len, b->x_call_id,
	              b->x_call_id_len))
		return "x_call_id";
	STR(session_id);
	STR(session_id_remote);
	STR(icid);
	STR(content_type);
	INT(content_length);
	INT(body_len);
#undef INT
#undef STR
	return sdp_diff(a->sdp, b->sdp);
}

#endif /* SC_TEST_SIPMSG_EQUAL_H */
