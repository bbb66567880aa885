/* main.c - the sipcause command: options in, stages wired, exit status out
 *
 * Only option parsing and wiring live here; every decision about packets,
 * messages or calls belongs to the library.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipcause/pipeline/analyze.h"
#include "sipcause/pipeline/filter.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/report/report.h"
#include "sipcause/util/str.h"

/* Exit statuses (documented in --help and the man page). */
enum {
	EXIT_ANALYSED = 0,
	EXIT_USAGE = 1,
	EXIT_INPUT = 2,
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	char **files;             /* strings from argv */
	size_t nfiles;
	const char *output;
	enum sc_format format;
	enum color_mode color;
	bool detail;
	bool quiet;
	struct sc_filter filter;
	uint16_t *ports;          /* --ports */
	size_t nports;
	const char **link_headers; /* --link-header, NULL-terminated */
	size_t nlink_headers;
};

static const char usage_text[] =
	"Usage: sipcause [OPTIONS] [FILE ...]\n"
	"       sipcause explain CODE | explain q850 CAUSE\n"
	"\n"
	"Find the SIP messages in packet captures (pcap, pcapng), rebuild the\n"
	"calls, and explain every response: what it means, its failure\n"
	"category, and the most likely cause in this capture.\n"
	"\n"
	"Input:\n"
	"  FILE, -r FILE         capture file to read; '-' reads standard input;\n"
	"                        several files are read in order\n"
	"Output:\n"
	"  -T, --format FORMAT   text (default), json, jsonl\n"
	"  -o, --output FILE     write the report to FILE instead of stdout\n"
	"  -V, --detail          text: list every message of each call\n"
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
	"Exit status: 0 the input was analysed (also when calls failed),\n"
	"1 bad usage, 2 an input could not be read or the output not written.\n";

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
	OPT_VERSION,
	OPT_CALL,
	OPT_FAILED,
	OPT_CATEGORY,
	OPT_CODE,
	OPT_FROM,
	OPT_TO,
	OPT_PORTS,
	OPT_LINK_HEADER,
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'T' },
	{ "output", required_argument, NULL, 'o' },
	{ "detail", no_argument, NULL, 'V' },
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

/* Returns -1 to go on, or an exit status. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "r:T:o:Vqh", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!add_file(o, optarg))
				return EXIT_INPUT;
			break;
		case 'T':
			if (!sc_format_from_name(optarg, &o->format)) {
				usage_error("unknown format '%s' (text, json, "
					    "jsonl)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'V':
			o->detail = true;
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
		default:
			fputs("Try 'sipcause --help' for more information.\n",
			      stderr);
			return EXIT_USAGE;
		}
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

/* A call finished: streaming formats write it at once. */
static void
stream_call(void *report, const struct sc_call *call)
{
	sc_report_call(report, call);
}

static int
run(struct options *o)
{
	struct sc_model model;
	struct sc_analyzer_opts aopts = { 0 };
	struct sc_report_opts ropts = { 0 };
	struct sc_analyzer *an;
	struct sc_report *report = NULL;
	FILE *out = stdout;
	bool progress = !o->quiet && isatty(fileno(stderr));
	int status = EXIT_ANALYSED;
	char errbuf[SC_ERRBUF_SIZE];
	enum sc_err err = SC_OK;

	sc_model_init(&model);
	ropts.format = o->format;
	ropts.detail = o->detail;
	ropts.tool_version = SC_VERSION;
	if (!sc_filter_is_empty(&o->filter)) {
		ropts.filter = sc_filter_match;
		ropts.filter_ctx = &o->filter;
		aopts.keep_pred = sc_filter_match;
		aopts.keep_ctx = &o->filter;
	}
	aopts.keep_messages = sc_format_needs_messages(o->format) || o->detail;
	aopts.ports = o->ports;
	aopts.nports = o->nports;
	aopts.link_headers = o->link_headers;
	if (o->format == SC_FORMAT_JSONL)
		aopts.keep_messages = false;   /* written as calls finish */

	/* open the output first: no analysis for nothing */
	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			fprintf(stderr, "sipcause: %s: %s\n", o->output,
				strerror(errno));
			return EXIT_INPUT;
		}
	}
	ropts.color = o->format == SC_FORMAT_TEXT && want_color(o->color, out);
	report = sc_report_new(&ropts, out);
	aopts.on_call = stream_call;
	aopts.on_call_ctx = report;
	an = report ? sc_analyzer_new(&aopts, &model) : NULL;
	if (!an) {
		fputs("sipcause: out of memory\n", stderr);
		status = EXIT_INPUT;
		goto out;
	}
	for (size_t i = 0; i < o->nfiles && err == SC_OK; i++) {
		if (progress)
			sc_analyzer_set_progress(an, show_progress,
						 o->files[i]);
		err = sc_analyzer_file(an, o->files[i], errbuf);
		if (progress)
			fputs("\r\033[K", stderr);
	}
	if (err == SC_OK)
		err = sc_analyzer_finish(an);
	if (err != SC_OK) {
		fprintf(stderr, "sipcause: %s\n",
			err == SC_ENOMEM ? sc_strerror(err) : errbuf);
		status = EXIT_INPUT;
		goto out;
	}
	for (size_t i = 0; i < model.nfiles && !o->quiet; i++)
		if (model.files[i].truncated)
			fprintf(stderr,
				"sipcause: warning: %s: the file is truncated; "
				"analysed the %llu frames before the damage "
				"(%s)\n",
				model.files[i].path,
				(unsigned long long)model.files[i].packets,
				model.files[i].warning);
	if (sc_report_finish(report, &model) != SC_OK) {
		fprintf(stderr, "sipcause: %s: write error\n",
			o->output ? o->output : "standard output");
		status = EXIT_INPUT;
	}
out:
	sc_analyzer_free(an);
	sc_report_free(report);
	sc_model_fini(&model);
	if (out != stdout && fclose(out) != 0 && status == EXIT_ANALYSED) {
		fprintf(stderr, "sipcause: %s: %s\n", o->output,
			strerror(errno));
		status = EXIT_INPUT;
	}
	return status;
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
		status = run(&o);
	free(o.files);
	free(o.ports);
	free(o.link_headers);
	if (fflush(stdout) != 0 && status == EXIT_ANALYSED)
		status = EXIT_INPUT;
	return status;
}
