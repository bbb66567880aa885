/* live-heap.c - heap in use as calls finish, the way a live capture runs
 *
 * Feeds a capture's frames to the analyzer as `sipcause -i` does (prompt
 * mode: a call is handed over as soon as its outcome is known; stream
 * only: written and freed; the call table expires on the capture clock)
 * and prints the heap in use and the heap's size (glibc mallinfo2:
 * uordblks, arena) every EVERY finished calls. Issue #11: in stream-only
 * mode nothing stays per finished call, so the figure must level off,
 * whatever the number of calls.
 *
 * Built as BUILD/bench/live-heap.
 * usage: live-heap CAPTURE [EVERY]   (EVERY: 20000)
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "sipcause/capture/capture.h"
#include "sipcause/pipeline/analyze.h"

struct count {
	unsigned long calls, every;
};

static void
on_call(void *ctx, const struct sc_diagnosis *d)
{
	struct count *n = ctx;

	(void)d;
	if (++n->calls % n->every == 0) {
		struct mallinfo2 mi = mallinfo2();

		printf("calls %9lu  heap in use %10zu bytes, arena %10zu\n",
		       n->calls, mi.uordblks, mi.arena);
	}
}

int
main(int argc, char **argv)
{
	struct count n = { 0, 20000 };
	struct sc_analyzer_opts opts = { .prompt = true, .stream_only = true };
	char errbuf[SC_ERRBUF_SIZE];
	struct sc_capture *cap;
	struct sc_analyzer *a;
	struct sc_model model;
	struct sc_frame f;
	enum sc_err err;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: live-heap CAPTURE [EVERY]\n");
		return 1;
	}
	if (argc == 3)
		n.every = strtoul(argv[2], NULL, 10);
	if (!n.every)
		n.every = 20000;
	opts.on_call = on_call;
	opts.on_call_ctx = &n;
	sc_model_init(&model);
	a = sc_analyzer_new(&opts, &model);
	if (!a || sc_capture_open_file(argv[1], &cap, errbuf) != SC_OK) {
		fprintf(stderr, "live-heap: %s\n", a ? errbuf : "no memory");
		return 1;
	}
	while ((err = sc_capture_next(cap, &f, errbuf)) == SC_OK)
		if (sc_analyzer_frame(a, &f) != SC_OK)
			break;
	sc_capture_close(cap);
	printf("calls %9lu  heap in use %10zu bytes (end of input)\n",
	       n.calls, mallinfo2().uordblks);
	if (sc_analyzer_finish(a) != SC_OK)
		return 1;
	sc_analyzer_free(a);
	sc_model_fini(&model);
	return 0;
}
