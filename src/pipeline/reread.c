/* reread.c - messages read again from their capture file
 *
 * The calls side compacts calls in progress that wait (calls/compact.c):
 * their messages give back their parsed copies and keep where their
 * bytes are. This file is what makes that possible for the analyzer: the
 * reading side marks each message whose bytes lie unchanged in one frame
 * of a classic pcap file (UDP: the bytes on the wire; not a reassembled
 * datagram or stream), and the calls side reads such bytes with pread(2)
 * on a descriptor of its own and parses them again, with its own parser.
 *
 * Reads go through a few blocks of the file kept in memory: calls that
 * started together end together and are read back one after the other,
 * so the messages read back next lie in the blocks just read (on the
 * synthetic captures of bench/peers.sh, one read of 16 KiB serves about
 * 30 messages, where each took a system call of its own).
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "analyze_impl.h"
#include "sipcause/sip/sipmsg.h"

/* The block of @input at @off (a multiple of SC__BLOCK), read if it is
 * not kept: the least recently used one goes. NULL when it cannot be
 * read. */
static const struct sc__block *
block_at(struct sc_analyzer *a, uint32_t input, uint64_t off)
{
	struct sc__block *b, *lru = NULL;
	ssize_t got;

	for (size_t i = 0; i < SC__NBLOCKS; i++) {
		b = &a->blocks[i];
		if (b->bytes && b->input == input && b->off == off) {
			b->used = ++a->block_clock;
			return b;
		}
		if (!lru || b->used < lru->used)
			lru = b;
	}
	b = lru;
	if (!b->bytes && !(b->bytes = malloc(SC__BLOCK)))
		return NULL;
	/* a failed read writes nothing: the block keeps what it held */
	got = pread(a->inputs[input], b->bytes, SC__BLOCK, (off_t)off);
	if (got <= 0)
		return NULL;
	b->input = input;
	b->off = off;
	b->len = (size_t)got;
	b->used = ++a->block_clock;
	return b;
}

static struct sc_msg *
reload(void *ctx, struct sc_rawmsg *raw)
{
	struct sc_analyzer *a = ctx;
	/* the parser of the calls side: on two threads its own */
	struct sc_sipparser *p = a->late_parser ? a->late_parser : a->parser;
	uint64_t off = raw->file_off & ~(uint64_t)(SC__BLOCK - 1);
	const struct sc__block *b = NULL;
	struct sc_msg *m = NULL;
	uint8_t *buf = NULL;

	if (raw->input >= (uint32_t)a->ninputs)
		return NULL;
	/* in one block: from the kept ones; else on its own */
	if (raw->file_off + raw->len <= off + SC__BLOCK)
		b = block_at(a, raw->input, off);
	if (b && raw->file_off + raw->len <= b->off + b->len) {
		raw->data = b->bytes + (raw->file_off - off);
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

void
sc__reread_init(struct sc_analyzer *a)
{
	a->reloader.reload = reload;
	a->reloader.ctx = a;
	a->input = -1;
}

void
sc__reread_fini(struct sc_analyzer *a)
{
	for (int i = 0; i < a->ninputs; i++)
		close(a->inputs[i]);
	a->ninputs = 0;
	for (size_t i = 0; i < SC__NBLOCKS; i++) {
		free(a->blocks[i].bytes);
		a->blocks[i].bytes = NULL;
	}
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
