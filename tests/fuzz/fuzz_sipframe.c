/* fuzz_sipframe.c - SIP framing and parsing of arbitrary datagrams */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sipcause/frame/sipframe.h"
#include "sipcause/sip/sipmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
parse(void *ctx, const struct sc_rawmsg *raw)
{
	struct sc_msg *m = NULL;

	if (sc_sipmsg_parse(ctx, raw, &m) == SC_OK)
		sc_msg_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sc_sipparser *parser;
	struct sc_rawmsg proto;
	size_t n;
	unsigned flags;

	if (!parser) {
		sc_sipmsg_global_init();
		parser = sc_sipparser_new(NULL);  /* lives for the process */
		if (!parser)
			return 0;
	}
	memset(&proto, 0, sizeof(proto));
	proto.frame = 1;
	proto.frames = &proto.frame;
	proto.nframes = 1;
	sc_sipframe_datagram(data, size, &proto, parse, parser);
	(void)sc_sipframe_measure(data, size, true, &n, &flags);
	(void)sc_sipframe_find_start(data, size);
	return 0;
}
