/* parse_later.c - framed messages the calls side parses when it has time
 *
 * On two threads the reading side is the slower half, and parsing is
 * most of its work: the calls side waits for it. So while the calls side
 * has little queued, the reading side hands a framed message over as a
 * copy of its bytes and framing data, unparsed, and the calls side
 * parses it with a parser of its own. When the calls side falls behind,
 * the reading side parses again; the work settles between the two cores.
 * A parse depends only on the bytes, their framing data and the options,
 * so the messages, their order and the output are the same whichever
 * thread parses (tests/differential compares --threads 1 and 2).
 */
#include "config.h"

#include <string.h>

#include "analyze_impl.h"
#include "sipcause/sip/sipmsg.h"

/* Bigger messages are parsed where they are read. */
#define MAX_UNPARSED 2048

/* A framed message and what it was framed from, in one piece of the
 * handoff batch's room: the struct, the frame numbers, the bytes. */
struct unparsed {
	struct sc_rawmsg raw;
	uint64_t frames[];
};

bool
sc__hand_over_unparsed(struct sc_analyzer *a, const struct sc_rawmsg *raw)
{
	size_t nframes = raw->frames ? raw->nframes : 0;
	struct unparsed *u;
	uint8_t *bytes;

	if (!a->late_parser || raw->len > MAX_UNPARSED ||
	    !sc__handoff_hungry(a->handoff))
		return false;
	u = sc__handoff_room(
	        a->handoff, sizeof(*u) + nframes * sizeof(uint64_t) + raw->len);
	if (!u)
		return false; /* parsed here instead */
	u->raw = *raw;
	/* the parser reads no tunnel; the reading side's may be reused */
	u->raw.tunnel = NULL;
	if (nframes)
		memcpy(u->frames, raw->frames, nframes * sizeof(uint64_t));
	u->raw.frames = nframes ? u->frames : NULL;
	bytes = (uint8_t *)(u->frames + nframes);
	if (raw->len)
		memcpy(bytes, raw->data, raw->len);
	u->raw.data = raw->data ? bytes : NULL;
	sc__emit(a, &(struct sc__event){
	                    .kind = SC__EV_MSG, .unparsed = true, .p = u });
	return true;
}

enum sc_err
sc__parse_handed_over(struct sc_analyzer *a, void *p, struct sc_msg **msg)
{
	struct unparsed *u = p;

	return sc_sipmsg_parse(a->late_parser, &u->raw, msg);
}
