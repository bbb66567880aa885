/* memory-per-call.c - live heap per finished call in summary mode
 *
 * Analyses a capture the way `sipcause` does for a text report (calls
 * summarised as they finish) and prints the bytes still allocated per
 * call at the end, from glibc's mallinfo2(). bench/memory.sh runs it.
 * With --stream, the analyzer keeps no call (stream_only, as jsonl and
 * live output should): the peak RSS is then what the caps bound.
 */
#include "config.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "sipcause/pipeline/analyze.h"

int
main(int argc, char **argv)
{
	struct sc_analyzer_opts opts = { .keep_messages = false };
	struct sc_model model;
	struct sc_analyzer *a;
	struct mallinfo2 before, after;
	char errbuf[SC_ERRBUF_SIZE];
	size_t live;

	struct rusage ru;

	if (argc == 3 && strcmp(argv[1], "--stream") == 0) {
		opts.stream_only = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: memory-per-call [--stream] CAPTURE\n");
		return 1;
	}
	sc_model_init(&model);
	a = sc_analyzer_new(&opts, &model);
	if (!a)
		return 1;
	before = mallinfo2();
	if (sc_analyzer_file(a, argv[1], errbuf) != SC_OK ||
	    sc_analyzer_finish(a) != SC_OK) {
		fprintf(stderr, "memory-per-call: %s\n", errbuf);
		return 1;
	}
	sc_analyzer_free(a);
	after = mallinfo2();
	live = after.uordblks > before.uordblks
		       ? after.uordblks - before.uordblks
		       : 0;
	getrusage(RUSAGE_SELF, &ru);
	/* every call analysed, also those --stream did not keep */
	printf("calls %" PRIu64 ", live heap %zu bytes, %.0f bytes per call "
	       "(heap arena %zu bytes, peak RSS %ld KiB)\n",
	       model.stats.calls, live,
	       model.stats.calls
	               ? (double)live / (double)model.stats.calls
	               : 0.0,
	       after.arena, ru.ru_maxrss);
	sc_model_fini(&model);
	return 0;
}
