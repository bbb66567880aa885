/* reread.c - messages read again from their capture file
 *
 * The calls side compacts calls in progress that wait (calls/compact.c):
 * their messages give back their parsed copies and keep where their
 * bytes are. This file is what makes that possible for the analyzer: the
 * reading side marks each message whose bytes lie unchanged in one frame
 * of a classic pcap file (UDP: the bytes on the wire; not a reassembled
 * datagram or stream), and the calls side reads such bytes with pread(2)
 * on a descriptor of its own and parses them again, with its own parser.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "analyze_impl.h"
#include "sipcause/sip/sipmsg.h"

/* Can @m be read again (and parsed on the calls side)? */
static bool
reloadable(void *ctx, const struct sc_msg *m)
{
	const struct sc_analyzer *a = ctx;

	return m->file_off && m->input < (uint32_t)a->ninputs &&
	       m->transport == SC_TRANSPORT_UDP &&
	       (!a->opts.two_threads || a->late_parser);
}

static struct sc_msg *
reload(void *ctx, struct sc_rawmsg *raw)
{
	struct sc_analyzer *a = ctx;
	/* the parser of the calls side: on two threads its own */
	struct sc_sipparser *p = a->late_parser ? a->late_parser : a->parser;
	struct sc_msg *m = NULL;
	uint8_t *buf = NULL;

	if (raw->input >= (uint32_t)a->ninputs)
		return NULL;
	if (raw->input == a->span_input && raw->file_off >= a->span_off &&
	    raw->file_off - a->span_off <= a->span_len &&
	    raw->len <= a->span_len - (raw->file_off - a->span_off)) {
		raw->data = a->span + (raw->file_off - a->span_off);
	} else {
		buf = malloc(raw->len ? raw->len : 1);
		if (!buf || pread(a->inputs[raw->input], buf, raw->len,
		                  (off_t)raw->file_off) != (ssize_t)raw->len) {
			free(buf);
			return NULL;
		}
		raw->data = buf;
	}
	if (sc_sipmsg_parse(p, raw, &m) != SC_OK)
		m = NULL;
	free(buf);
	return m;
}

/* Read [off, off + len) of @input at once for the reloads to come. */
static void
will_reload(void *ctx, uint16_t input, uint64_t off, uint64_t len)
{
	struct sc_analyzer *a = ctx;
	ssize_t got;

	a->span_len = 0;
	if (input >= a->ninputs)
		return;
	if (!a->span)
		a->span = malloc(SC_RELOAD_SPAN_MAX);
	if (!a->span || len > SC_RELOAD_SPAN_MAX)
		return;
	got = pread(a->inputs[input], a->span, len, (off_t)off);
	if (got < 0)
		return;
	a->span_len = (size_t)got;
	a->span_off = off;
	a->span_input = input;
}

void
sc__reread_init(struct sc_analyzer *a)
{
	a->reloader.reloadable = reloadable;
	a->reloader.reload = reload;
	a->reloader.will_reload = will_reload;
	a->reloader.ctx = a;
	a->input = -1;
}

void
sc__reread_fini(struct sc_analyzer *a)
{
	for (int i = 0; i < a->ninputs; i++)
		close(a->inputs[i]);
	a->ninputs = 0;
	free(a->span);
	a->span = NULL;
	a->span_len = 0;
}

int
sc__reread_add(struct sc_analyzer *a, const struct sc_capture *cap)
{
	int fd;

	if (a->ninputs >= SC__MAX_INPUTS)
		return -1;
	fd = sc_capture_reread_fd(cap);
	if (fd < 0)
		return -1;
	a->inputs[a->ninputs] = fd;
	return a->ninputs++;
}

void
sc__reread_mark(const struct sc_analyzer *a, struct sc_rawmsg *raw)
{
	const struct sc_frame *f = a->frame;

	raw->file_off = 0;
	raw->input = 0;
	if (!f || a->input < 0 || !f->file_off ||
	    raw->transport != SC_TRANSPORT_UDP || raw->frame != f->number ||
	    raw->nframes != 1 || !raw->frames || raw->frames[0] != f->number ||
	    !raw->data || (uintptr_t)raw->data < (uintptr_t)f->data ||
	    (uintptr_t)raw->data - (uintptr_t)f->data > f->caplen ||
	    raw->len > f->caplen - ((uintptr_t)raw->data - (uintptr_t)f->data))
		return;
	raw->file_off = f->file_off + (uint64_t)(raw->data - f->data);
	raw->input = (uint32_t)a->input;
}
