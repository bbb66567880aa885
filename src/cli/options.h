/* options.h - the command line of sipcause: what the user asked for
 *
 * Filled by cli_parse() from argv and read by the runs (run.c,
 * run_live.c, hep.c, export.c). Every string is borrowed from argv.
 */
#ifndef SC_CLI_OPTIONS_H
#define SC_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipcause/pipeline/filter.h"
#include "sipcause/report/report.h"
#include "sipcause/util/compiler.h"

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
	const char *bpf; /* -f */
	char *bpf_words; /* trailing words joined (owned) */
	bool sip_filter;
	uint64_t count;          /* -c, 0: no limit */
	uint64_t duration_s;     /* --duration, 0: until stopped */
	const char *write_path;  /* -w */
	uint64_t rotate_mb;      /* -C */
	uint64_t rotate_secs;    /* -G */
	uint64_t max_files;      /* -W */
	const char *user;        /* -Z */
	uint64_t stats_interval; /* --stats-interval, s */
	uint64_t snaplen;        /* -s */
	uint64_t buffer_kib;     /* -B */
	bool no_promisc;         /* -p */
	bool any;                /* an option that needs -i was given */
};

/* HEP (the Homer Encapsulation Protocol): out to a collector, or in. */
struct hep_options {
	const char *send;     /* --hep-send [udp:|tcp:]HOST:PORT */
	const char *listen;   /* --hep-listen [udp:|tcp:]HOST:PORT */
	uint64_t id;          /* --hep-id: capture agent id */
	const char *password; /* --hep-password */
	const char *node;     /* --hep-node: capture node name */
	uint64_t rate;        /* --hep-rate: messages/s, 0: no pacing */
};

struct options {
	char **files; /* strings from argv */
	size_t nfiles;
	const char *output;
	enum sc_format format;
	enum color_mode color;
	bool detail;
	unsigned verbose; /* -V count: 2 adds every message */
	bool all_calls;   /* --all */
	bool quiet;
	bool full_parse;  /* --full-parse: oSIP parses every message */
	bool no_spool;    /* --no-spool: json keeps its calls in memory */
	bool pretty;      /* --pretty: json indented at every level */
	uint64_t threads; /* --threads: 1 or 2; 0: 2 on two cores or more */
	struct sc_filter filter;
	uint16_t *ports; /* --ports */
	size_t nports;
	const char **link_headers; /* --link-header, NULL-terminated */
	size_t nlink_headers;
	const char *export_pcap; /* --export-pcap FILE */
	const char *split_dir;   /* --split-calls DIR */
	struct live_options live;
	struct hep_options hep;
};

/*
 * cli_parse - fill @o (zeroed by the caller) from the command line.
 * Returns -1 to go on, or the exit status to end with (--help, errors).
 */
int cli_parse(int argc, char **argv, struct options *o);

/* Release what cli_parse() allocated. */
void cli_options_free(struct options *o);

/* "sipcause: MESSAGE" and the --help hint, on stderr. */
void SC_PRINTF(1, 2) cli_usage_error(const char *fmt, ...);

/* --version: ours, then the libraries' that shape the run (version.c). */
void cli_print_version(FILE *out);

#endif /* SC_CLI_OPTIONS_H */
