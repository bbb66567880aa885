/* main.c - the sipcause command: options in, stages wired, exit status out
 *
 * Only option parsing and wiring live here; every decision about packets,
 * messages or calls belongs to the library.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sipcause/capture/live.h"
#include "sipcause/capture/pcapout.h"
#include "sipcause/capture/privdrop.h"
#include "sipcause/pipeline/analyze.h"
#include "sipcause/pipeline/filter.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/report/report.h"
#include "sipcause/report/report_live.h"
#include "sipcause/util/str.h"

/* Exit statuses (documented in --help and the man page). */
enum {
	EXIT_ANALYSED = 0,
	EXIT_USAGE = 1,
	EXIT_INPUT = 2,
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* Live capture (-i); every string comes from argv. */
struct live_options {
	const char **ifaces;
	size_t nifaces;
	const char *bpf;          /* -f */
	char *bpf_words;          /* trailing words joined (owned) */
	bool sip_filter;
	uint64_t count;           /* -c, 0: no limit */
	uint64_t duration_s;      /* --duration, 0: until stopped */
	const char *write_path;   /* -w */
	uint64_t rotate_mb;       /* -C */
	uint64_t rotate_secs;     /* -G */
	uint64_t max_files;       /* -W */
	const char *user;         /* -Z */
	uint64_t stats_interval;  /* --stats-interval, s */
	uint64_t snaplen;         /* -s */
	uint64_t buffer_kib;      /* -B */
	bool no_promisc;          /* -p */
	bool any;                 /* an option that needs -i was given */
};

struct options {
	char **files;             /* strings from argv */
	size_t nfiles;
	const char *output;
	enum sc_format format;
	enum color_mode color;
	bool detail;
	unsigned verbose;         /* -V count: 2 adds every message */
	bool all_calls;           /* --all */
	bool quiet;
	struct sc_filter filter;
	uint16_t *ports;          /* --ports */
	size_t nports;
	const char **link_headers; /* --link-header, NULL-terminated */
	size_t nlink_headers;
	struct live_options live;
};

static const char usage_text[] =
	"Usage: sipcause [OPTIONS] [FILE ...]\n"
	"       sipcause -i IFACE [OPTIONS] [FILTER WORDS ...]\n"
	"       sipcause explain CODE | explain q850 CAUSE\n"
	"\n"
	"Find the SIP messages in packet captures (pcap, pcapng) or on a live\n"
	"interface, rebuild the calls, and explain every response: what it\n"
	"means, its failure category, and the most likely cause in this capture.\n"
	"\n"
	"Input:\n"
	"  FILE, -r FILE         capture file to read; '-' reads standard input;\n"
	"                        several files are read in order\n"
	"Live capture:\n"
	"  -i, --interface IFACE capture on IFACE ('any': all); repeatable\n"
	"  -f, --filter EXPR     BPF capture filter (trailing words also are);\n"
	"                        default none: SIP is found by content\n"
	"      --sip-filter      filter for TCP and UDP on ports 5060, 5061 and\n"
	"                        --ports, plus every IP fragment\n"
	"  -c, --count N         stop after N packets\n"
	"      --duration S      stop after S seconds\n"
	"  -w, --write FILE      also write every packet to FILE (pcap, ns)\n"
	"  -C, --file-size MB    -w: start a new file after MB million bytes\n"
	"                        (FILE, FILE1, FILE2, ...)\n"
	"  -G, --rotate-seconds S  -w: a new file every S seconds; FILE is a\n"
	"                        strftime pattern\n"
	"  -W, --file-count N    -w: with -C, keep N files (FILE0..) in a ring;\n"
	"                        with -G alone, stop after N files\n"
	"  -Z, --user USER       run as USER once interfaces and files are open\n"
	"                        (as root the default is nobody)\n"
	"  -s, --snapshot-length N  bytes kept of each packet (default 262144)\n"
	"  -B, --buffer-size KIB kernel capture buffer in KiB\n"
	"  -p, --no-promiscuous-mode  do not put interfaces in promiscuous mode\n"
	"      --stats-interval N  every N s, a line of counters on stderr\n"
	"                        (packets, drops, calls, failures, memory)\n"
	"  A call is printed as soon as its outcome is known; SIGINT or SIGTERM\n"
	"  stops the capture and prints the summary.\n"
	"Output:\n"
	"  -T, --format FORMAT   text (default), json, jsonl, csv, markdown, html;\n"
	"                        live, jsonl and the text lines stream, other\n"
	"                        formats come at the end\n"
	"  -o, --output FILE     write the report to FILE instead of stdout\n"
	"  -V, --detail          text: a ladder of each call listed (--call implies\n"
	"                        it); -VV adds every message; live: also print\n"
	"                        each message as it arrives\n"
	"      --all             text: list every call (above 50 calls only the\n"
	"                        failed ones are listed by default)\n"
	"      --color WHEN      auto (default), always, never; NO_COLOR is honoured\n"
	"Analysis:\n"
	"      --ports LIST      more ports where SIP is expected (5060,5061 always\n"
	"                        are); SIP is found by content on every port\n"
	"      --link-header H   also link calls whose header H names another\n"
	"                        call's Call-ID (B2BUA legs); repeatable; X-Call-ID,\n"
	"                        X-CID, Session-ID and P-Charging-Vector always link\n"
	"  -q, --quiet           no progress or warnings on stderr\n"
	"Filters (all given must match):\n"
	"      --call CALL-ID    only this call (or calls linked to it)\n"
	"      --failed          only calls whose verdict is a failure\n"
	"      --category CAT    only calls of this category (auth, busy, timeout...)\n"
	"      --code N          only calls whose final response is N\n"
	"      --from PATTERN    From user, URI or name contains PATTERN\n"
	"      --to PATTERN      To user, URI or name contains PATTERN\n"
	"Other:\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"Exit status: 0 the input was analysed (also when calls failed, and a\n"
	"live capture stopped by a signal), 1 bad usage, 2 an input could not\n"
	"be read, an interface not used (no such interface, no permission:\n"
	"CAP_NET_RAW, interface down, bad filter) or the output not written.\n";

static void SC_PRINTF(1, 2)
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sipcause: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sipcause --help' for more information.\n", stderr);
}

enum long_only {
	OPT_COLOR = 256,
	OPT_ALL,
	OPT_VERSION,
	OPT_CALL,
	OPT_FAILED,
	OPT_CATEGORY,
	OPT_CODE,
	OPT_FROM,
	OPT_TO,
	OPT_PORTS,
	OPT_LINK_HEADER,
	OPT_SIP_FILTER,
	OPT_DURATION,
	OPT_STATS_INTERVAL,
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'T' },
	{ "output", required_argument, NULL, 'o' },
	{ "detail", no_argument, NULL, 'V' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "call", required_argument, NULL, OPT_CALL },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "category", required_argument, NULL, OPT_CATEGORY },
	{ "code", required_argument, NULL, OPT_CODE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "link-header", required_argument, NULL, OPT_LINK_HEADER },
	{ "interface", required_argument, NULL, 'i' },
	{ "filter", required_argument, NULL, 'f' },
	{ "sip-filter", no_argument, NULL, OPT_SIP_FILTER },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "write", required_argument, NULL, 'w' },
	{ "file-size", required_argument, NULL, 'C' },
	{ "rotate-seconds", required_argument, NULL, 'G' },
	{ "file-count", required_argument, NULL, 'W' },
	{ "user", required_argument, NULL, 'Z' },
	{ "snapshot-length", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "no-promiscuous-mode", no_argument, NULL, 'p' },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ NULL, 0, NULL, 0 },
};

static bool
parse_code(const char *s, int *code)
{
	uint64_t v;

	if (!sc_str_to_u64(sc_str_from_cstr(s), 999, &v) || v < 100)
		return false;
	*code = (int)v;
	return true;
}

/* "5080,5090": each a port number 1..65535. */
static bool
parse_ports(struct options *o, const char *list)
{
	struct sc_str rest = sc_str_from_cstr(list);

	while (rest.len > 0) {
		const char *comma = memchr(rest.p, ',', rest.len);
		size_t n = comma ? (size_t)(comma - rest.p) : rest.len;
		uint64_t port;
		uint16_t *v;

		if (!sc_str_to_u64(sc_str_make(rest.p, n), 65535, &port) ||
		    port == 0)
			return false;
		v = realloc(o->ports, (o->nports + 1) * sizeof(*v));
		if (!v)
			return false;
		o->ports = v;
		o->ports[o->nports++] = (uint16_t)port;
		rest.p += n;
		rest.len -= n;
		if (comma) {
			rest.p++;
			rest.len--;
			if (rest.len == 0)
				return false;
		}
	}
	return o->nports > 0;
}

static bool add_one_link_header(struct options *o, const char *name);

/* Headers given are added to the usual ones, X-Call-ID and X-CID. */
static bool
add_link_header(struct options *o, const char *name)
{
	if (o->nlink_headers == 0 && (!add_one_link_header(o, "X-Call-ID") ||
				      !add_one_link_header(o, "X-CID")))
		return false;
	return add_one_link_header(o, name);
}

static bool
add_one_link_header(struct options *o, const char *name)
{
	const char **v = realloc(o->link_headers,
				 (o->nlink_headers + 2) * sizeof(*v));

	if (!v)
		return false;
	o->link_headers = v;
	o->link_headers[o->nlink_headers++] = name;
	o->link_headers[o->nlink_headers] = NULL;
	return true;
}

static bool
add_file(struct options *o, char *path)
{
	char **v = realloc(o->files, (o->nfiles + 1) * sizeof(*v));

	if (!v)
		return false;
	o->files = v;
	o->files[o->nfiles++] = path;
	return true;
}

static bool
add_iface(struct live_options *l, const char *name)
{
	const char **v = realloc(l->ifaces, (l->nifaces + 1) * sizeof(*v));

	if (!v)
		return false;
	l->ifaces = v;
	l->ifaces[l->nifaces++] = name;
	return true;
}

/* A whole number in [min, max] for option @opt, or a usage error. */
static bool
parse_number(const char *opt, const char *arg, uint64_t min, uint64_t max,
	     uint64_t *v)
{
	if (sc_str_to_u64(sc_str_from_cstr(arg), max, v) && *v >= min)
		return true;
	usage_error("%s takes a number from %llu to %llu, not '%s'", opt,
		    (unsigned long long)min, (unsigned long long)max, arg);
	return false;
}

/* Sizes and counts small enough for libpcap's ints and for -C * 1e6. */
#define MAX_INT_OPT 2147483647ULL

/*
 * The options of live capture (tcpdump's letters). Returns -1 when @c is
 * not one of them, 0 when taken, else an exit status.
 */
static int
parse_live_option(int c, const char *arg, struct live_options *l)
{
	bool ok = true;

	switch (c) {
	case 'i':
		if (!add_iface(l, arg))
			return EXIT_INPUT;
		return 0;
	case 'f':
		l->bpf = arg;
		break;
	case OPT_SIP_FILTER:
		l->sip_filter = true;
		break;
	case 'c':
		ok = parse_number("-c", arg, 1, UINT64_MAX, &l->count);
		break;
	case OPT_DURATION:
		ok = parse_number("--duration", arg, 1, MAX_INT_OPT,
				  &l->duration_s);
		break;
	case 'w':
		l->write_path = arg;
		break;
	case 'C':
		ok = parse_number("-C", arg, 1, 1000000, &l->rotate_mb);
		break;
	case 'G':
		ok = parse_number("-G", arg, 1, MAX_INT_OPT, &l->rotate_secs);
		break;
	case 'W':
		ok = parse_number("-W", arg, 1, 1000000, &l->max_files);
		break;
	case 'Z':
		l->user = arg;
		break;
	case 's':
		ok = parse_number("-s", arg, 64, SC_LIVE_SNAPLEN, &l->snaplen);
		break;
	case 'B':
		ok = parse_number("-B", arg, 1, MAX_INT_OPT / 1024,
				  &l->buffer_kib);
		break;
	case 'p':
		l->no_promisc = true;
		break;
	case OPT_STATS_INTERVAL:
		ok = parse_number("--stats-interval", arg, 1, MAX_INT_OPT,
				  &l->stats_interval);
		break;
	default:
		return -1;
	}
	l->any = true;
	return ok ? 0 : EXIT_USAGE;
}

/* Trailing words of a live capture are its filter, as with tcpdump. */
static int
join_filter_words(struct live_options *l, int argc, char **argv, int first)
{
	size_t len = 1;
	char *p;

	if (l->bpf || l->sip_filter) {
		usage_error("%s", "give the capture filter once: -f EXPR, "
				  "--sip-filter or trailing words");
		return EXIT_USAGE;
	}
	for (int i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	l->bpf_words = malloc(len);
	if (!l->bpf_words)
		return EXIT_INPUT;
	p = l->bpf_words;
	for (int i = first; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > first)
			*p++ = ' ';
		memcpy(p, argv[i], n);
		p += n;
	}
	*p = 0;
	l->bpf = l->bpf_words;
	return -1;
}

/* Combinations that cannot work. Returns -1 to go on, or EXIT_USAGE. */
static int
check_live_options(const struct options *o)
{
	const struct live_options *l = &o->live;

	if (l->bpf && l->sip_filter) {
		usage_error("%s", "give -f EXPR or --sip-filter, not both");
		return EXIT_USAGE;
	}
	if (!l->write_path && (l->rotate_mb || l->rotate_secs ||
			       l->max_files)) {
		usage_error("%s", "-C, -G and -W need -w FILE");
		return EXIT_USAGE;
	}
	if (l->write_path && strcmp(l->write_path, "-") == 0 &&
	    (l->rotate_mb || l->rotate_secs || !o->output)) {
		usage_error("%s", "-w - (standard output) needs -o FILE for "
				  "the report, and cannot rotate");
		return EXIT_USAGE;
	}
	return -1;
}

/* Files to read, or the words of a live capture's filter. */
static int
parse_operands(int argc, char **argv, struct options *o)
{
	struct live_options *l = &o->live;

	if (l->nifaces > 0) {
		int rc;

		if (o->nfiles) {
			usage_error("%s", "read files or capture on "
					  "interfaces (-i), not both");
			return EXIT_USAGE;
		}
		rc = optind < argc
			     ? join_filter_words(l, argc, argv, optind)
			     : -1;
		return rc < 0 ? check_live_options(o) : rc;
	}
	if (l->any) {
		usage_error("%s", "capture options need an interface "
				  "(-i IFACE)");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!add_file(o, argv[i]))
			return EXIT_INPUT;
	if (o->nfiles == 0) {
		usage_error("%s", "no capture file given (a FILE or -r FILE; "
				  "'-' reads standard input)");
		return EXIT_USAGE;
	}
	return -1;
}

/* Returns -1 to go on, or an exit status. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "r:T:o:Vqhi:f:c:w:C:G:W:Z:s:B:p",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!add_file(o, optarg))
				return EXIT_INPUT;
			break;
		case 'T':
			if (!sc_format_from_name(optarg, &o->format)) {
				usage_error("unknown format '%s' (text, json, "
					    "jsonl, csv, markdown, html)",
					    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'V':
			o->detail = true;
			o->verbose++;
			break;
		case OPT_ALL:
			o->all_calls = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				o->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->color = COLOR_NEVER;
			else {
				usage_error("--color takes auto, always or "
					    "never, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_ANALYSED;
		case OPT_VERSION:
			printf("sipcause %s\n", SC_VERSION);
			return EXIT_ANALYSED;
		case OPT_CALL:
			o->filter.call_id = optarg;
			break;
		case OPT_FAILED:
			o->filter.failed = true;
			break;
		case OPT_CATEGORY:
			if (!sc_category_from_id(optarg, &o->filter.category)) {
				usage_error("unknown category '%s'", optarg);
				return EXIT_USAGE;
			}
			o->filter.has_category = true;
			break;
		case OPT_CODE:
			if (!parse_code(optarg, &o->filter.code)) {
				usage_error("--code takes a status code "
					    "100-999, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FROM:
			o->filter.from = optarg;
			break;
		case OPT_TO:
			o->filter.to = optarg;
			break;
		case OPT_PORTS:
			if (!parse_ports(o, optarg)) {
				usage_error("--ports takes port numbers "
					    "separated by commas, not '%s'",
					    optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_LINK_HEADER:
			if (!optarg[0] || !add_link_header(o, optarg)) {
				usage_error("--link-header takes a header "
					    "name, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		default: {
			int rc = parse_live_option(c, optarg, &o->live);

			if (rc == 0)
				break;
			if (rc < 0)
				fputs("Try 'sipcause --help' for more "
				      "information.\n",
				      stderr);
			return rc < 0 ? EXIT_USAGE : rc;
		}
		}
	}
	return parse_operands(argc, argv, o);
}

static bool
want_color(enum color_mode mode, FILE *out)
{
	const char *no_color = getenv("NO_COLOR");

	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	if (no_color && no_color[0])
		return false;
	return isatty(fileno(out));
}

/* "reading FILE: 42%" on a terminal's stderr. */
static void
show_progress(void *ctx, uint64_t done, uint64_t total)
{
	const char *path = ctx;   /* a file name from argv */

	if (total == 0)
		return;
	fprintf(stderr, "\rsipcause: reading %s: %3u%%", path,
		(unsigned)(done * 100 / total));
}

/* Receives each finished call (struct sc_analyzer_opts.on_call). */
typedef void sc_call_done_fn(void *ctx, const struct sc_call *call);

/*
 * Prompt mode: the analyzer hands each call over as soon as its outcome
 * is known rather than when it has been quiet for a while. The one place
 * to switch it on.
 */
static void
set_prompt(struct sc_analyzer_opts *aopts, bool prompt)
{
	aopts->prompt = prompt;
}

/*
 * One run: the pipeline (analyzer, model, report) and, for a live
 * capture, its sources and sinks. Stages keep their own state; this only
 * holds what main wires together.
 */
struct run {
	struct options *o;   /* filters are passed as void * */
	struct sc_model model;
	struct sc_report *report;
	struct sc_analyzer *an;
	FILE *out;
	bool color;
	/* live capture */
	struct sc_live *live;
	struct sc_pcapout *pcap;
	size_t first_input;        /* model.files index of the first iface */
	int statm_fd;              /* /proc/self/statm, opened before -Z */
	uint64_t finished;         /* calls handed over */
	uint64_t failed[SC_CAT__COUNT];
	bool stop;                 /* -c, -W or an error: stop capturing */
	enum sc_err failure;       /* first error met in a callback */
	char errbuf[SC_ERRBUF_SIZE];
};

/* A call finished: streaming formats write it at once. */
static void
stream_call(void *report, const struct sc_call *call)
{
	sc_report_call(report, call);
}

/* Open -o (before privileges are dropped, for a live capture). */
static int
open_output(struct run *r)
{
	r->out = stdout;
	if (r->o->output) {
		r->out = fopen(r->o->output, "w");
		if (!r->out) {
			fprintf(stderr, "sipcause: %s: %s\n", r->o->output,
				strerror(errno));
			r->out = stdout;
			return EXIT_INPUT;
		}
	}
	return -1;
}

/* Report and analyzer for @o, handing calls to @on_call (ctx: @r). */
static bool
pipeline_new(struct run *r, sc_call_done_fn *on_call, bool prompt)
{
	struct options *o = r->o;
	struct sc_analyzer_opts aopts = { 0 };
	struct sc_report_opts ropts = { 0 };

	ropts.format = o->format;
	ropts.detail = o->detail ||
		       (o->filter.call_id && o->format == SC_FORMAT_TEXT);
	ropts.full_messages = o->verbose >= 2;
	ropts.all_calls = o->all_calls;
	ropts.tool_version = SC_VERSION;
	if (!sc_filter_is_empty(&o->filter)) {
		ropts.filter = sc_filter_match;
		ropts.filter_ctx = &o->filter;
	}
	aopts.keep_messages = sc_format_needs_messages(o->format) ||
			      ropts.detail;
	aopts.ports = o->ports;
	aopts.nports = o->nports;
	aopts.link_headers = o->link_headers;
	if (o->format == SC_FORMAT_JSONL)
		aopts.keep_messages = false;   /* written as calls finish */
	r->color = o->format == SC_FORMAT_TEXT && want_color(o->color, r->out);
	ropts.color = r->color;
	r->report = sc_report_new(&ropts, r->out);
	/* messages are kept only for the calls the report draws */
	aopts.keep_pred = sc_report_wants_messages;
	aopts.keep_ctx = r->report;
	aopts.on_call = on_call;
	aopts.on_call_ctx = on_call == stream_call ? (void *)r->report
						   : (void *)r;
	set_prompt(&aopts, prompt);
	r->an = r->report ? sc_analyzer_new(&aopts, &r->model) : NULL;
	if (!r->an) {
		fputs("sipcause: out of memory\n", stderr);
		return false;
	}
	return true;
}

/* Finish the analysis and write the report; returns the exit status. */
static int
pipeline_end(struct run *r, enum sc_err err)
{
	const struct options *o = r->o;

	if (err == SC_OK)
		err = sc_analyzer_finish(r->an);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: %s\n",
			err == SC_ENOMEM ? sc_strerror(err) : r->errbuf);
		return EXIT_INPUT;
	}
	for (size_t i = 0; i < r->model.nfiles && !o->quiet; i++)
		if (r->model.files[i].truncated)
			fprintf(stderr,
				"sipcause: warning: %s: the file is truncated; "
				"analysed the %llu frames before the damage "
				"(%s)\n",
				r->model.files[i].path,
				(unsigned long long)r->model.files[i].packets,
				r->model.files[i].warning);
	if (sc_report_finish(r->report, &r->model) != SC_OK) {
		fprintf(stderr, "sipcause: %s: write error\n",
			o->output ? o->output : "standard output");
		return EXIT_INPUT;
	}
	return EXIT_ANALYSED;
}

/* Free what the run holds; a failed close of -o turns 0 into 2. */
static int
run_free(struct run *r, int status)
{
	sc_analyzer_free(r->an);
	sc_report_free(r->report);
	sc_model_fini(&r->model);
	if (r->out && r->out != stdout && fclose(r->out) != 0 &&
	    status == EXIT_ANALYSED) {
		fprintf(stderr, "sipcause: %s: %s\n", r->o->output,
			strerror(errno));
		status = EXIT_INPUT;
	}
	return status;
}

static int
run_files(struct options *o)
{
	struct run r = { .o = o, .statm_fd = -1 };
	bool progress = !o->quiet && isatty(fileno(stderr));
	enum sc_err err = SC_OK;
	int status;

	sc_model_init(&r.model);
	/* open the output first: no analysis for nothing */
	status = open_output(&r);
	if (status >= 0)
		return run_free(&r, status);
	if (!pipeline_new(&r, stream_call, false))
		return run_free(&r, EXIT_INPUT);
	for (size_t i = 0; i < o->nfiles && err == SC_OK; i++) {
		if (progress)
			sc_analyzer_set_progress(r.an, show_progress,
						 o->files[i]);
		err = sc_analyzer_file(r.an, o->files[i], r.errbuf);
		if (progress)
			fputs("\r\033[K", stderr);
	}
	return run_free(&r, pipeline_end(&r, err));
}

/*
 * Set by SIGINT and SIGTERM, read by the capture loop: the one piece of
 * process-wide state, as a signal handler can reach nothing else.
 */
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* No SA_RESTART: the signal must cut the poll short. */
static void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A call's outcome is known: the text line or the JSON object now, and
 * the counters of --stats-interval.
 */
static void
live_call(void *ctx, const struct sc_call *call)
{
	struct run *r = ctx;

	r->finished++;
	if (call->verdict.cat != SC_CAT_OK)
		r->failed[call->verdict.cat]++;
	if (r->o->format == SC_FORMAT_JSONL) {
		sc_report_call(r->report, call);
		fflush(r->out);
	} else if (r->o->format == SC_FORMAT_TEXT &&
		   (sc_filter_is_empty(&r->o->filter) ||
		    sc_filter_match(&r->o->filter, call))) {
		sc_report_live_call(r->out, call, r->color);
	}
}

/* A frame arrived: to the -w file, then through the analysis. */
static void
live_frame(void *ctx, const struct sc_frame *f)
{
	struct run *r = ctx;
	enum sc_err err;

	if (r->stop)
		return;   /* a limit was hit inside this batch */
	if (r->pcap) {
		err = sc_pcapout_write(r->pcap, f, r->errbuf);
		if (err != SC_OK) {
			r->stop = true;
			if (err != SC_ELIMIT)
				r->failure = err;
			return;
		}
	}
	err = sc_analyzer_frame(r->an, f);
	if (err != SC_OK) {
		r->stop = true;
		r->failure = err;
		snprintf(r->errbuf, sizeof(r->errbuf), "%s",
			 sc_strerror(err));
	}
}

/* The filter the user asked for, built into @buf for --sip-filter. */
static const char *
live_filter(const struct options *o, char *buf, size_t len)
{
	if (!o->live.sip_filter)
		return o->live.bpf;
	if (!sc_live_sip_filter(o->ports, o->nports, buf, len))
		return NULL;
	return buf;
}

/* Open the interfaces and the first -w file (still privileged). */
static int
live_open(struct run *r)
{
	const struct live_options *l = &r->o->live;
	struct sc_live_opts lo = { 0 };
	struct sc_pcapout_opts po = { 0 };
	char filter[1024];

	lo.ifaces = l->ifaces;
	lo.nifaces = l->nifaces;
	lo.filter = live_filter(r->o, filter, sizeof(filter));
	lo.snaplen = (int)l->snaplen;
	lo.buffer_kib = (int)l->buffer_kib;
	lo.promisc = !l->no_promisc;
	if (l->sip_filter && !lo.filter) {
		fputs("sipcause: --sip-filter: too many --ports\n", stderr);
		return EXIT_USAGE;
	}
	if (sc_live_open(&lo, &r->live, r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: %s\n", r->errbuf);
		return EXIT_INPUT;
	}
	for (size_t i = 1; i < sc_live_count(r->live); i++) {
		if (l->write_path && sc_live_linktype(r->live, i) !=
					     sc_live_linktype(r->live, 0)) {
			fprintf(stderr, "sipcause: -w: %s and %s have "
					"different link types; a pcap file "
					"holds one (capture on 'any')\n",
				sc_live_name(r->live, 0),
				sc_live_name(r->live, i));
			return EXIT_INPUT;
		}
	}
	if (!l->write_path)
		return -1;
	po.path = l->write_path;
	po.linktype = sc_live_linktype(r->live, 0);
	po.snaplen = l->snaplen ? (int)l->snaplen : SC_LIVE_SNAPLEN;
	po.rotate_bytes = l->rotate_mb * 1000000;
	po.rotate_secs = (int64_t)l->rotate_secs;
	po.max_files = (unsigned)l->max_files;
	if (sc_pcapout_open(&po, clock_ns(CLOCK_REALTIME), &r->pcap,
			    r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: -w: %s\n", r->errbuf);
		return EXIT_INPUT;
	}
	return -1;
}

/*
 * Everything that needs privileges is open: become -Z USER (as root
 * without -Z, nobody), and forbid core dumps, which would hold packets.
 */
static int
drop_privileges(const struct options *o)
{
	const char *user = o->live.user;
	char errbuf[SC_ERRBUF_SIZE];
	enum sc_err err;

	sc_privdrop_no_dumps();
	if (!sc_privdrop_is_root()) {
		if (user && !o->quiet)
			fprintf(stderr, "sipcause: warning: -Z %s: not "
					"running as root, nothing to drop\n",
				user);
		return -1;
	}
	err = sc_privdrop_to(user ? user : SC_PRIVDROP_DEFAULT_USER, errbuf);
	if (err == SC_OK)
		return -1;
	if (!user && err == SC_ENOTFOUND) {
		if (!o->quiet)
			fprintf(stderr, "sipcause: warning: %s; staying "
					"root (use -Z USER)\n",
				errbuf);
		return -1;
	}
	fprintf(stderr, "sipcause: -Z: %s\n", errbuf);
	return EXIT_INPUT;
}

/* Resident memory in bytes, from the statm opened at start; 0: unknown. */
static uint64_t
rss_bytes(int fd)
{
	char buf[128];
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;
	const char *sp;
	uint64_t pages;
	long page = sysconf(_SC_PAGESIZE);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	sp = strchr(buf, ' ');   /* "size resident shared ..." */
	if (!sp)
		return 0;
	sp++;
	if (!sc_str_to_u64(sc_str_make(sp, strcspn(sp, " \n")), UINT64_MAX,
			   &pages))
		return 0;
	return pages * (uint64_t)(page > 0 ? page : 4096);
}

/* The --stats-interval line on stderr. */
static void
live_stats_line(struct run *r)
{
	struct sc_live_stats st;
	char clock[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *sep = " (";
	uint64_t failed = 0;

	sc_live_get_stats(r->live, &st);
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	fprintf(stderr, "sipcause: %s packets %llu, kernel drops %llu, "
			"interface drops %llu, calls finished %llu, failed",
		clock, (unsigned long long)st.frames,
		(unsigned long long)st.kernel_drops,
		(unsigned long long)st.iface_drops,
		(unsigned long long)r->finished);
	for (int i = 0; i < SC_CAT__COUNT; i++)
		failed += r->failed[i];
	fprintf(stderr, " %llu", (unsigned long long)failed);
	for (int i = 0; i < SC_CAT__COUNT; i++) {
		if (!r->failed[i])
			continue;
		fprintf(stderr, "%s%s %llu", sep,
			sc_category_id((enum sc_category)i),
			(unsigned long long)r->failed[i]);
		sep = ", ";
	}
	fprintf(stderr, "%s, RSS %.1f MB\n", failed ? ")" : "",
		(double)rss_bytes(r->statm_fd) / 1e6);
}

/*
 * The capture clock moves on when no packet comes: let timers (Timer B,
 * missing ACK) fire so that such calls are printed on time. Wall-clock
 * time is the capture clock of a live capture.
 */
static void
live_tick(struct run *r)
{
	enum sc_err err = sc_analyzer_tick(r->an, clock_ns(CLOCK_REALTIME));

	if (err != SC_OK && r->failure == SC_OK) {
		r->failure = err;
		r->stop = true;
	}
}

/* -c: how many more frames may come (0: no limit). */
static uint64_t
frames_left(const struct run *r, uint64_t frames)
{
	uint64_t count = r->o->live.count;

	if (!count)
		return 0;
	return frames < count ? count - frames : 0;
}

/* Hand over what is ready; stop at -c. *n receives how many came. */
static enum sc_err
live_dispatch(struct run *r, uint64_t *n)
{
	struct sc_live_stats st;
	uint64_t max;
	enum sc_err err;

	sc_live_get_stats(r->live, &st);
	max = frames_left(r, st.frames);
	*n = 0;
	if (r->o->live.count && max == 0) {
		r->stop = true;
		return SC_OK;
	}
	err = sc_live_dispatch(r->live, max, live_frame, r, n, r->errbuf);
	if (r->o->live.count && *n >= max)
		r->stop = true;
	sc_pcapout_flush(r->pcap);
	return err;
}

/* How long to sleep: to the next stats line, the end, or 200 ms. */
static int
live_timeout_ms(int64_t now, int64_t next_stats, int64_t deadline)
{
	int64_t t = now + 200000000;

	if (next_stats && next_stats < t)
		t = next_stats;
	if (deadline && deadline < t)
		t = deadline;
	return t <= now ? 0 : (int)((t - now + 999999) / 1000000);
}

/* After the stop: what libpcap still holds, without blocking. */
static enum sc_err
live_drain(struct run *r)
{
	uint64_t n = 1;
	enum sc_err err = SC_OK;

	/* bounded: under a flood, new frames would never stop coming */
	for (int i = 0; i < 64 && n > 0 && !r->stop && err == SC_OK; i++)
		err = live_dispatch(r, &n);
	return err;
}

static enum sc_err
live_loop(struct run *r)
{
	const struct live_options *l = &r->o->live;
	int64_t start = clock_ns(CLOCK_MONOTONIC);
	int64_t interval = (int64_t)l->stats_interval * 1000000000;
	int64_t next_stats = interval ? start + interval : 0;
	int64_t deadline = l->duration_s
				   ? start + (int64_t)l->duration_s * 1000000000
				   : 0;
	uint64_t n;
	enum sc_err err = SC_OK;

	while (!stop_signal && !r->stop && err == SC_OK) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);

		if (deadline && now >= deadline)
			break;
		if (next_stats && now >= next_stats) {
			live_stats_line(r);
			next_stats += interval;
		}
		err = sc_live_wait(r->live,
				   live_timeout_ms(now, next_stats, deadline),
				   r->errbuf);
		if (err == SC_OK)
			err = live_dispatch(r, &n);
		live_tick(r);
	}
	if (err == SC_OK)
		err = live_drain(r);
	return err;
}

/* Each interface is an input of the model, as a file would be. */
static int
live_inputs(struct run *r)
{
	r->first_input = r->model.nfiles;
	for (size_t i = 0; i < sc_live_count(r->live); i++) {
		struct sc_input_file *f =
			sc_model_add_file(&r->model, sc_live_name(r->live, i));

		if (!f) {
			fputs("sipcause: out of memory\n", stderr);
			return EXIT_INPUT;
		}
		f->linktype = sc_live_linktype(r->live, i);
	}
	return -1;
}

/* tcpdump's closing counters, on stderr. */
static void
live_counters(struct run *r)
{
	struct sc_live_stats st;

	sc_live_get_stats(r->live, &st);
	for (size_t i = 0; i < sc_live_count(r->live); i++)
		r->model.files[r->first_input + i].packets =
			sc_live_frames(r->live, i);
	if (r->o->quiet)
		return;
	fprintf(stderr, "sipcause: %llu packets captured, %llu received by "
			"filter, %llu dropped by kernel, %llu dropped by "
			"interface\n",
		(unsigned long long)st.frames,
		(unsigned long long)st.received,
		(unsigned long long)st.kernel_drops,
		(unsigned long long)st.iface_drops);
}

static void
live_listening(const struct run *r)
{
	if (r->o->quiet)
		return;
	for (size_t i = 0; i < sc_live_count(r->live); i++)
		fprintf(stderr, "sipcause: listening on %s, link-type %s%s\n",
			sc_live_name(r->live, i),
			sc_capture_linktype_name(sc_live_linktype(r->live, i)),
			sc_live_nanosecond(r->live, i)
				? ""
				: " (microsecond timestamps)");
}

/* Open everything that needs privileges, then give them up. */
static int
live_setup(struct run *r)
{
	int status = live_open(r);

	if (status < 0)
		status = open_output(r);
	if (status < 0)
		status = live_inputs(r);
	if (status >= 0)
		return status;
	r->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	tzset();   /* -G names use local time; zone files stay readable */
	status = drop_privileges(r->o);
	if (status < 0 && !pipeline_new(r, live_call, true))
		status = EXIT_INPUT;
	return status;
}

static int
run_live(struct options *o)
{
	struct run r = { .o = o, .statm_fd = -1 };
	enum sc_err err;
	int status;

	sc_model_init(&r.model);
	status = live_setup(&r);
	if (status < 0) {
		catch_stop_signals();
		live_listening(&r);
		err = live_loop(&r);
		if (err == SC_OK)
			err = r.failure;
		live_counters(&r);
		if (err == SC_ELIMIT && !o->quiet)
			fprintf(stderr, "sipcause: -W %llu: the last file is "
					"complete; stopping\n",
				(unsigned long long)o->live.max_files);
		if (err != SC_OK && err != SC_ELIMIT && err != SC_ENOMEM)
			fprintf(stderr, "sipcause: %s\n", r.errbuf);
		status = pipeline_end(&r, err == SC_ENOMEM ? err : SC_OK);
		if (err != SC_OK && err != SC_ELIMIT)
			status = EXIT_INPUT;
	}
	if (sc_pcapout_close(r.pcap, r.errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: -w: %s\n", r.errbuf);
		status = EXIT_INPUT;
	}
	sc_live_close(r.live);
	if (r.statm_fd >= 0)
		close(r.statm_fd);
	return run_free(&r, status);
}

/* "sipcause explain 503", "sipcause explain q850 17" */
static int
explain(int argc, char **argv)
{
	uint64_t n;
	bool q850 = argc == 2 && strcmp(argv[0], "q850") == 0;
	const char *arg = q850 ? argv[1] : argv[0];
	enum sc_err err;

	if ((argc != 1 && !q850) ||
	    !sc_str_to_u64(sc_str_from_cstr(arg), 999, &n)) {
		usage_error("%s", "usage: sipcause explain CODE | "
				  "explain q850 CAUSE");
		return EXIT_USAGE;
	}
	err = q850 ? sc_report_explain_q850(stdout, (int)n)
		   : sc_report_explain_code(stdout, (int)n);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: %s %s is not known\n",
			q850 ? "Q.850 cause" : "status code", arg);
		return EXIT_USAGE;
	}
	return EXIT_ANALYSED;
}

int
main(int argc, char **argv)
{
	struct options o;
	int status;

	memset(&o, 0, sizeof(o));
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return explain(argc - 2, argv + 2);
	status = parse_options(argc, argv, &o);
	if (status < 0)
		status = o.live.nifaces ? run_live(&o) : run_files(&o);
	free(o.files);
	free(o.live.ifaces);
	free(o.live.bpf_words);
	free(o.ports);
	free(o.link_headers);
	if (fflush(stdout) != 0 && status == EXIT_ANALYSED)
		status = EXIT_INPUT;
	return status;
}
