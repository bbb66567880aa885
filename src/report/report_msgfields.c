/* report_msgfields.c - a kept message as "Header: value" lines
 *
 * The model stores parsed fields, not the bytes of a message, so the
 * "full message" of -VV, Markdown and HTML is rebuilt from them in the
 * order of RFC 3261's examples (start line, Via, dialog identifiers,
 * the rest, then the SDP summary).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "report_impl.h"

struct emitter {
	sc__field_fn *fn;
	void *ctx;
};

static void
put(const struct emitter *e, const char *name, const char *value)
{
	if (value && value[0])
		e->fn(e->ctx, name, value);
}

static void
put_int(const struct emitter *e, const char *name, int64_t v)
{
	char buf[24];

	if (v < 0)
		return;
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	e->fn(e->ctx, name, buf);
}

static void
put_nameaddr(const struct emitter *e, const char *name,
             const struct sc_nameaddr *na)
{
	char buf[1024];

	if (!na->uri)
		return;
	snprintf(buf, sizeof(buf), "%s%s%s<%s>%s%s", na->display ? "\"" : "",
	         na->display ? na->display : "", na->display ? "\" " : "",
	         na->uri, na->tag ? ";tag=" : "", na->tag ? na->tag : "");
	e->fn(e->ctx, name, buf);
}

static void
start_line(const struct emitter *e, const struct sc_msg *m)
{
	char buf[1024];

	if (m->is_request)
		snprintf(buf, sizeof(buf), "%s %s SIP/2.0",
		         m->method_name ? m->method_name : "?",
		         m->ruri ? m->ruri : "?");
	else
		snprintf(buf, sizeof(buf), "SIP/2.0 %d %s", m->status,
		         m->reason_phrase ? m->reason_phrase : "");
	e->fn(e->ctx, NULL, buf);
}

static void
dialog_fields(const struct emitter *e, const struct sc_msg *m)
{
	char buf[512];

	if (m->via_sent_by) {
		snprintf(buf, sizeof(buf), "SIP/2.0/%s %s%s%s%s%s",
		         m->via_transport ? m->via_transport : "?",
		         m->via_sent_by, m->via_branch ? ";branch=" : "",
		         m->via_branch ? m->via_branch : "",
		         m->via_received ? ";received=" : "",
		         m->via_received ? m->via_received : "");
		e->fn(e->ctx, "Via", buf);
	}
	put_nameaddr(e, "From", &m->from);
	put_nameaddr(e, "To", &m->to);
	put(e, "Call-ID", m->call_id);
	snprintf(buf, sizeof(buf), "%" PRIu32 " %s", m->cseq,
	         m->cseq_method_name ? m->cseq_method_name : "?");
	e->fn(e->ctx, "CSeq", buf);
	put_nameaddr(e, "Contact", &m->contact);
	put_int(e, "Max-Forwards", m->max_forwards);
	put(e, m->is_request ? "User-Agent" : "Server", m->user_agent);
}

static void
other_fields(const struct emitter *e, const struct sc_msg *m)
{
	char buf[512];

	put(e, "Reason", m->reason_hdr);
	if (m->warning_code >= 0 && m->warning_text) {
		snprintf(buf, sizeof(buf), "%d %s \"%s\"", m->warning_code,
		         m->warning_agent ? m->warning_agent : "-",
		         m->warning_text);
		e->fn(e->ctx, "Warning", buf);
	}
	put_int(e, "Retry-After", m->retry_after);
	put_int(e, "Expires", m->expires);
	put_int(e, "Session-Expires", m->session_expires);
	put_int(e, "Min-SE", m->min_se);
	put_int(e, "Min-Expires", m->min_expires);
	put(e, "Event", m->event);
	put(e, "Subscription-State", m->subscription_state);
	put(e, "Require", m->require);
	put(e, "Supported", m->supported);
	put(e, "Unsupported", m->unsupported);
	put(e, "Allow", m->allow);
	put(e, "Accept", m->accept);
	if (m->has_credentials) {
		snprintf(buf, sizeof(buf), "username=\"%s\", realm=\"%s\"",
		         m->auth_user ? m->auth_user : "",
		         m->auth_realm ? m->auth_realm : "");
		e->fn(e->ctx, "Authorization", buf);
	}
	if (m->challenge_realm) {
		snprintf(buf, sizeof(buf), "realm=\"%s\"", m->challenge_realm);
		e->fn(e->ctx, "WWW-Authenticate", buf);
	}
	put(e, "Content-Type", m->content_type);
	put_int(e, "Content-Length", m->content_length);
}

static void
sdp_fields(const struct emitter *e, const struct sc_sdp *sdp)
{
	char buf[1024];

	if (sdp->origin) {
		snprintf(buf, sizeof(buf), "SDP origin %s", sdp->origin);
		e->fn(e->ctx, "", buf);
	}
	if (sdp->conn) {
		snprintf(buf, sizeof(buf), "SDP connection %s", sdp->conn);
		e->fn(e->ctx, "", buf);
	}
	for (size_t i = 0; i < sdp->nmedia; i++) {
		const struct sc_sdp_media *md = &sdp->media[i];

		snprintf(buf, sizeof(buf), "SDP m=%s %u %s: %s%s%s%s%s",
		         md->type ? md->type : "?", md->port,
		         md->proto ? md->proto : "?",
		         md->codecs ? md->codecs : "", md->conn ? ", c=" : "",
		         md->conn ? md->conn : "", md->direction ? ", a=" : "",
		         md->direction ? md->direction : "");
		e->fn(e->ctx, "", buf);
	}
}

void
sc__msg_fields(const struct sc_msg *m, sc__field_fn *emit, void *ctx)
{
	struct emitter e = { emit, ctx };

	start_line(&e, m);
	dialog_fields(&e, m);
	other_fields(&e, m);
	if (m->sdp)
		sdp_fields(&e, m->sdp);
}
