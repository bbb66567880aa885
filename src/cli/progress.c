/* progress.c - the progress bar of a long read, on a terminal's stderr
 *
 * "sipcause: trace.pcap [#######.............]  35%  812k pkt/s
 *  41,230 calls  311 failed": drawn at most ten times a second and erased
 * when the file is done, so that it never mixes with the report.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/progress.h"

#define BAR_WIDTH 20

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
cli_progress_begin(struct cli_progress *p, const char *path,
                   const struct sc_model *model)
{
	const char *slash = strrchr(path, '/');

	p->path = slash ? slash + 1 : path;
	p->model = model;
	p->start_ns = now_ns();
	p->drawn_ns = 0;
	p->start_packets = model->stats.packets;
}

/* Calls whose outcome is a failure so far (every state but success). */
static uint64_t
failed_calls(const struct sc_stats *s)
{
	return s->calls_by_state[SC_CALL_FAILED] +
	       s->calls_by_state[SC_CALL_TIMEOUT] +
	       s->calls_by_state[SC_CALL_REFUSED] +
	       s->calls_by_state[SC_CALL_ANSWERED_NO_ACK];
}

/* "812k", "1.2M": a rate in four characters or so. */
static void
short_count(char *buf, size_t len, double v)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.0fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

void
cli_progress_show(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	const struct sc_stats *s = &p->model->stats;
	int64_t t = now_ns();
	double secs = (double)(t - p->start_ns) / 1e9;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 0;
	char bar[BAR_WIDTH + 1], rate[16];
	unsigned fill = pct * BAR_WIDTH / 100;

	if (total == 0 || (p->drawn_ns && t - p->drawn_ns < 100000000))
		return;
	p->drawn_ns = t;
	for (unsigned i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = 0;
	short_count(rate, sizeof(rate),
	            secs > 0 ? (double)(s->packets - p->start_packets) / secs
	                     : 0);
	fprintf(stderr,
	        "\rsipcause: %.30s [%s] %3u%%  %s pkt/s  %llu calls  "
	        "%llu failed\033[K",
	        p->path, bar, pct, rate, (unsigned long long)s->calls,
	        (unsigned long long)failed_calls(s));
}

void
cli_progress_end(struct cli_progress *p)
{
	if (p->drawn_ns)
		fputs("\r\033[K", stderr);
}
