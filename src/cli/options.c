/* options.c - argv into struct options, and the --help text */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "sipcause/capture/live.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/str.h"

/* In sections: ISO C bounds a string literal at 4095 bytes. */
static const char *const usage_text[] = {
	"Usage: sipcause [OPTIONS] [FILE ...]\n"
	"       sipcause -i IFACE [OPTIONS] [FILTER WORDS ...]\n"
	"       sipcause explain CODE | explain q850 CAUSE | explain warning "
	"CODE\n"
	"\n"
	"Find the SIP messages in packet captures (pcap, pcapng) or on a live\n"
	"interface, rebuild the calls, and explain every response: what it\n"
	"means, its failure category, and the most likely cause in this "
	"capture.\n"
	"\n"
	"Input:\n"
	"  FILE, -r FILE         capture file to read; '-' reads standard "
	"input;\n"
	"                        several files are read in order\n",
	"Live capture:\n"
	"  -i, --interface IFACE capture on IFACE ('any': all); repeatable\n"
	"  -f, --filter EXPR     BPF capture filter (trailing words also "
	"are);\n"
	"                        default none: SIP is found by content\n"
	"      --sip-filter      filter for TCP and UDP on ports 5060, 5061 "
	"and\n"
	"                        --ports, plus every IP fragment\n"
	"  -c, --count N         stop after N packets\n"
	"      --duration S      stop after S seconds\n"
	"  -w, --write FILE      also write every packet to FILE (pcap, ns)\n"
	"  -C, --file-size MB    -w: start a new file after MB million bytes\n"
	"                        (FILE, FILE1, FILE2, ...)\n"
	"  -G, --rotate-seconds S  -w: a new file every S seconds; FILE is a\n"
	"                        strftime pattern\n"
	"  -W, --file-count N    -w: with -C, keep N files (FILE0..) in a "
	"ring;\n"
	"                        with -G alone, stop after N files\n"
	"  -Z, --user USER       run as USER once interfaces and files are "
	"open\n"
	"                        (as root the default is nobody)\n"
	"  -s, --snapshot-length N  bytes kept of each packet (default "
	"262144)\n"
	"  -B, --buffer-size KIB kernel capture buffer in KiB\n"
	"  -p, --no-promiscuous-mode  do not put interfaces in promiscuous "
	"mode\n"
	"      --stats-interval N  every N s, a line of counters on stderr\n"
	"                        (packets, drops, calls, failures, memory)\n"
	"  A call is printed as soon as its outcome is known; SIGINT or "
	"SIGTERM\n"
	"  stops the capture and prints the summary.\n",
	"HEP (Homer Encapsulation Protocol v3):\n"
	"      --hep-send DEST   send every SIP message found, and each "
	"call's\n"
	"                        verdict (payload type 100), to a HEP "
	"collector;\n"
	"                        DEST is [udp:|tcp:]HOST:PORT\n"
	"      --hep-listen SRC  read HEP v2/v3 from agents on "
	"[udp:|tcp:]HOST:PORT\n"
	"                        as a live source (like -i)\n"
	"      --hep-id N        capture agent id sent (default 0)\n"
	"      --hep-password PW  authentication key chunk sent\n"
	"      --hep-node NAME   capture node name chunk sent\n"
	"      --hep-rate N      send at most N messages per second (files)\n",
	"Output:\n"
	"  -T, --format FORMAT   text (default), json, jsonl, csv, markdown, "
	"html;\n"
	"                        live, jsonl and the text lines stream, other\n"
	"                        formats come at the end\n"
	"  -o, --output FILE     write the report to FILE instead of stdout\n"
	"  -V, --detail          text: a ladder of each call listed (--call "
	"implies\n"
	"                        it); -VV adds every message; live: also "
	"print\n"
	"                        each message as it arrives\n"
	"      --all             text: list every call (above 50 calls only "
	"the\n"
	"                        failed ones are listed by default)\n"
	"      --pretty          json: indent every level (the default on a\n"
	"                        terminal; else a line per call, compact)\n"
	"      --color WHEN      auto (default), always, never; NO_COLOR is "
	"honoured\n"
	"      --export-pcap FILE  write the packets of the selected calls to "
	"a\n"
	"                        new pcap file (fragments and TCP segments "
	"too)\n"
	"      --split-calls DIR write one pcap per selected call into DIR\n",
	"Analysis:\n"
	"      --ports LIST      more ports where SIP is expected (5060,5061 "
	"always\n"
	"                        are); SIP is found by content on every port\n"
	"      --link-header H   also link calls whose header H names another\n"
	"                        call's Call-ID (B2BUA legs); repeatable; "
	"X-Call-ID,\n"
	"                        X-CID, Session-ID and P-Charging-Vector "
	"always link\n"
	"  -q, --quiet           no progress or warnings on stderr\n"
	"      --full-parse      parse every message fully with oSIP (slower;\n"
	"                        the reference for the fast path)\n"
	"      --no-spool        json: hold calls in memory, not in a\n"
	"                        temporary file (the spool's reference)\n"
	"      --threads N       read files on N threads, 1 or 2 (2 when the\n"
	"                        machine has two cores; same output)\n",
	"Filters (all given must match):\n"
	"      --call CALL-ID    only this call (or calls linked to it)\n"
	"      --failed          only calls whose verdict is a failure\n"
	"      --category CAT    only calls of this category (auth, busy, "
	"timeout...)\n"
	"      --code N          only calls whose final response is N\n"
	"      --from PATTERN    From user, URI or name contains PATTERN\n"
	"      --to PATTERN      To user, URI or name contains PATTERN\n"
	"      --method M        calls with a request of method M (INVITE...)\n"
	"      --host ADDR       calls with a message from or to ADDR (any "
	"hop)\n"
	"      --time FROM..TO   calls active between FROM and TO (either may "
	"be\n"
	"                        empty): 'YYYY-MM-DD HH:MM:SS', 'HH:MM:SS' "
	"(UTC)\n"
	"                        or seconds since 1970\n"
	"      --user-agent PAT  calls whose User-Agent or Server contains "
	"PAT\n",
	"Other:\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"Exit status: 0 the input was analysed (also when calls failed, and a\n"
	"live capture stopped by a signal), 1 bad usage, 2 an input could not\n"
	"be read, an interface not used (no such interface, no permission:\n"
	"CAP_NET_RAW, interface down, bad filter) or the output not written;\n"
	"the files that could be read are still reported. A damaged file is\n"
	"analysed up to the damage, with a warning (status 0).\n",
	NULL,
};

void
cli_usage_error(const char *fmt, ...)
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
	OPT_METHOD,
	OPT_HOST,
	OPT_TIME,
	OPT_USER_AGENT,
	OPT_EXPORT_PCAP,
	OPT_SPLIT_CALLS,
	OPT_FULL_PARSE,
	OPT_NO_SPOOL,
	OPT_PRETTY,
	OPT_THREADS,
	OPT_HEP_SEND,
	OPT_HEP_LISTEN,
	OPT_HEP_ID,
	OPT_HEP_PASSWORD,
	OPT_HEP_NODE,
	OPT_HEP_RATE,
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
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "user-agent", required_argument, NULL, OPT_USER_AGENT },
	{ "export-pcap", required_argument, NULL, OPT_EXPORT_PCAP },
	{ "split-calls", required_argument, NULL, OPT_SPLIT_CALLS },
	{ "full-parse", no_argument, NULL, OPT_FULL_PARSE },
	{ "no-spool", no_argument, NULL, OPT_NO_SPOOL },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "hep-send", required_argument, NULL, OPT_HEP_SEND },
	{ "hep-listen", required_argument, NULL, OPT_HEP_LISTEN },
	{ "hep-id", required_argument, NULL, OPT_HEP_ID },
	{ "hep-password", required_argument, NULL, OPT_HEP_PASSWORD },
	{ "hep-node", required_argument, NULL, OPT_HEP_NODE },
	{ "hep-rate", required_argument, NULL, OPT_HEP_RATE },
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
	const char **v =
	        realloc(o->link_headers, (o->nlink_headers + 2) * sizeof(*v));

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
	cli_usage_error("%s takes a number from %llu to %llu, not '%s'", opt,
	                (unsigned long long)min, (unsigned long long)max, arg);
	return false;
}

/* --color WHEN */
static bool
parse_color(const char *arg, enum color_mode *mode)
{
	if (strcmp(arg, "auto") == 0)
		*mode = COLOR_AUTO;
	else if (strcmp(arg, "always") == 0)
		*mode = COLOR_ALWAYS;
	else if (strcmp(arg, "never") == 0)
		*mode = COLOR_NEVER;
	else {
		cli_usage_error("--color takes auto, always or never, not '%s'",
		                arg);
		return false;
	}
	return true;
}

/*
 * Which calls the report shows. Returns -1 when @c is not one of these
 * options, 0 when taken, else an exit status.
 */
static int
parse_filter_option(int c, const char *arg, struct sc_filter *f)
{
	switch (c) {
	case OPT_CALL:
		f->call_id = arg;
		return 0;
	case OPT_FAILED:
		f->failed = true;
		return 0;
	case OPT_CATEGORY:
		if (!sc_category_from_id(arg, &f->category)) {
			cli_usage_error("unknown category '%s'", arg);
			return EXIT_USAGE;
		}
		f->has_category = true;
		return 0;
	case OPT_CODE:
		if (!parse_code(arg, &f->code)) {
			cli_usage_error("--code takes a status code "
			                "100-999, not '%s'",
			                arg);
			return EXIT_USAGE;
		}
		return 0;
	case OPT_FROM:
		f->from = arg;
		return 0;
	case OPT_TO:
		f->to = arg;
		return 0;
	case OPT_METHOD:
		f->method = arg;
		return 0;
	case OPT_HOST:
		f->host = arg;
		return 0;
	case OPT_TIME:
		if (!sc_filter_set_time(f, arg)) {
			cli_usage_error("--time takes FROM..TO (either may be "
			                "empty), each a date and time "
			                "'YYYY-MM-DD HH:MM:SS', a time "
			                "'HH:MM:SS' or seconds since 1970, "
			                "not '%s'",
			                arg);
			return EXIT_USAGE;
		}
		return 0;
	case OPT_USER_AGENT:
		f->user_agent = arg;
		return 0;
	default:
		return -1;
	}
}

/*
 * Export, HEP and the reference parser. Returns -1 when @c is not one of them,
 * 0 when taken, else an exit status.
 */
static int
parse_more_option(int c, const char *arg, struct options *o)
{
	switch (c) {
	case OPT_EXPORT_PCAP:
		o->export_pcap = arg;
		return 0;
	case OPT_SPLIT_CALLS:
		o->split_dir = arg;
		return 0;
	case OPT_FULL_PARSE:
		o->full_parse = true;
		return 0;
	case OPT_NO_SPOOL:
		o->no_spool = true;
		return 0;
	case OPT_PRETTY:
		o->pretty = true;
		return 0;
	case OPT_THREADS:
		return parse_number("--threads", arg, 1, 2, &o->threads)
		               ? 0
		               : EXIT_USAGE;
	case OPT_HEP_SEND:
		o->hep.send = arg;
		return 0;
	case OPT_HEP_LISTEN:
		o->hep.listen = arg;
		return 0;
	case OPT_HEP_ID:
		return parse_number("--hep-id", arg, 0, UINT32_MAX, &o->hep.id)
		               ? 0
		               : EXIT_USAGE;
	case OPT_HEP_PASSWORD:
		o->hep.password = arg;
		return 0;
	case OPT_HEP_NODE:
		o->hep.node = arg;
		return 0;
	case OPT_HEP_RATE:
		return parse_number("--hep-rate", arg, 1, 10000000,
		                    &o->hep.rate)
		               ? 0
		               : EXIT_USAGE;
	default:
		return -1;
	}
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
		cli_usage_error("%s", "give the capture filter once: -f EXPR, "
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
		cli_usage_error("%s", "give -f EXPR or --sip-filter, not both");
		return EXIT_USAGE;
	}
	if (!l->write_path &&
	    (l->rotate_mb || l->rotate_secs || l->max_files)) {
		cli_usage_error("%s", "-C, -G and -W need -w FILE");
		return EXIT_USAGE;
	}
	if (l->write_path && strcmp(l->write_path, "-") == 0 &&
	    (l->rotate_mb || l->rotate_secs || !o->output)) {
		cli_usage_error("%s",
		                "-w - (standard output) needs -o FILE for "
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

	if (o->hep.listen) {
		if (l->nifaces > 0 || o->nfiles || optind < argc) {
			cli_usage_error("%s", "--hep-listen is the input: no "
			                      "files, interfaces or filter "
			                      "words with it");
			return EXIT_USAGE;
		}
		return check_live_options(o);
	}
	if (l->nifaces > 0) {
		int rc;

		if (o->nfiles) {
			cli_usage_error("%s", "read files or capture on "
			                      "interfaces (-i), not both");
			return EXIT_USAGE;
		}
		rc = optind < argc ? join_filter_words(l, argc, argv, optind)
		                   : -1;
		return rc < 0 ? check_live_options(o) : rc;
	}
	if (l->any) {
		cli_usage_error("%s", "capture options need an interface "
		                      "(-i IFACE)");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!add_file(o, argv[i]))
			return EXIT_INPUT;
	for (size_t i = 0; i < o->nfiles; i++) {
		if ((o->export_pcap || o->split_dir) &&
		    strcmp(o->files[i], "-") == 0) {
			cli_usage_error("%s", "--export-pcap and --split-calls "
			                      "read the input again: save "
			                      "standard input to a file first");
			return EXIT_USAGE;
		}
	}
	if (o->nfiles == 0) {
		cli_usage_error("%s",
		                "no capture file given (a FILE or -r FILE; "
		                "'-' reads standard input)");
		return EXIT_USAGE;
	}
	return -1;
}

/* Returns -1 to go on, or an exit status. */
int
cli_parse(int argc, char **argv, struct options *o)
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
				cli_usage_error(
				        "unknown format '%s' (text, json, "
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
			if (!parse_color(optarg, &o->color))
				return EXIT_USAGE;
			break;
		case 'h':
			for (size_t i = 0; usage_text[i]; i++)
				fputs(usage_text[i], stdout);
			return EXIT_ANALYSED;
		case OPT_VERSION:
			cli_print_version(stdout);
			return EXIT_ANALYSED;
		case OPT_PORTS:
			if (!parse_ports(o, optarg)) {
				cli_usage_error("--ports takes port numbers "
				                "separated by commas, not '%s'",
				                optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_LINK_HEADER:
			if (!optarg[0] || !add_link_header(o, optarg)) {
				cli_usage_error("--link-header takes a header "
				                "name, not '%s'",
				                optarg);
				return EXIT_USAGE;
			}
			break;
		default: {
			int rc = parse_filter_option(c, optarg, &o->filter);

			if (rc < 0)
				rc = parse_more_option(c, optarg, o);

			if (rc < 0)
				rc = parse_live_option(c, optarg, &o->live);

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

void
cli_options_free(struct options *o)
{
	free(o->files);
	free(o->live.ifaces);
	free(o->live.bpf_words);
	free(o->ports);
	free(o->link_headers);
}
