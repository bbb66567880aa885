/* model.h - what one run learned: input facts, statistics, finished calls */
#ifndef SC_MODEL_H
#define SC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/decode/decode.h"
#include "sipcause/util/error.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/reassembly/ipfrag.h"
#include "sipcause/reassembly/sctp.h"
#include "sipcause/sip/sipmsg.h"
#include "sipcause/reassembly/tcpstream.h"
#include "sipcause/util/vec.h"

/* Highest status code counted individually; the rest go to "other". */
#define SC_MAX_STATUS 999

/* One input file as read. */
struct sc_input_file {
	char *path;
	int linktype;
	uint64_t packets;
	bool truncated; /* the file ended inside a record */
	char *warning;  /* what went wrong while reading, or NULL */
};

/*
 * Caps that bound memory whatever the input, counted when they act
 * (defaults in struct sc_analyzer_opts).
 */
struct sc_caps_stats {
	uint64_t open_calls_evicted;   /* calls finished early: too many
	                                  open calls or held messages */
	uint64_t call_msgs_dropped;    /* messages past a call's cap: in its
	                                  message count, not kept */
	uint64_t calls_not_kept;       /* finished calls past the cap on
	                                  kept calls: counted, not listed */
	uint64_t link_keys_forgotten;  /* B2BUA identifiers forgotten */
	uint64_t peer_calls_untracked; /* INVITE calls of an address pair
	                                  past the cap on peers: in the
	                                  overall figures, not per peer */
};

struct sc_stats {
	uint64_t packets;
	uint64_t bytes;   /* wire length of all frames */
	int64_t first_ts; /* 0 when no packet */
	int64_t last_ts;
	uint64_t sip_messages;
	uint64_t requests[SC_METHOD__COUNT];
	uint64_t requests_other; /* methods outside enum sc_method */
	uint64_t responses[SC_MAX_STATUS + 1];
	uint64_t retransmissions;
	uint64_t duplicates; /* mirror copies of one frame */
	uint64_t malformed;  /* kept through the raw scan */
	uint64_t unparsable; /* looked like SIP, no start line */
	uint64_t no_call_id; /* without Call-ID (a call each txn) */
	uint64_t truncated;  /* messages cut by snaplen or loss */
	uint64_t decode_errors[SC_DR__COUNT];
	uint64_t decode_warnings[SC_DR__COUNT]; /* decoded despite them */
	uint64_t skipped[SC_DR__COUNT];         /* ordinary non-SIP frames */
	uint64_t udp_non_sip;                   /* UDP datagrams without SIP */
	uint64_t udp_resynced; /* SIP found past garbage (SIP ports) */
	uint64_t hep_messages; /* SIP found inside HEP */
	uint64_t hep_non_sip;  /* HEP packets carrying something else */
	uint64_t icmp_errors;  /* ICMP errors quoting SIP */
	uint64_t calls;
	uint64_t calls_by_state[SC_CALL__COUNT]; /* also of calls not kept
	                                            (streamed, capped) */
	struct sc_caps_stats caps;
	/* calls in progress compacted while they waited (their messages
	 * read again from the file later), and messages that could not be
	 * read again (the file changed while it was read) */
	struct {
		uint64_t calls_compacted;
		uint64_t messages_reread;
		uint64_t messages_lost;
	} compaction;
	struct sc_ipfrag_stats ipfrag; /* copied at the end of the run */
	struct sc_tcp_stats tcp;
	struct sc_sctp_stats sctp;
};

/*
 * Delays in ms (PDD, SRD, SDD) and their percentiles, in bounded memory:
 * the values themselves while there are at most SC_DELAYS_EXACT of them
 * (percentiles exact), then a histogram of fixed size: exact below 64
 * ms, 32 buckets per power of two above, so that a percentile is the
 * middle of its bucket, within 1/64 (1.6%) of the exact nearest-rank
 * value, and never outside the least and greatest values (kept exact:
 * the 100th percentile is the greatest). Delays past 2^36 ms (two
 * years) share the last bucket: a percentile there is the greatest.
 */
#define SC_DELAYS_EXACT 1024
#define SC_DELAYS_BUCKETS 1024

struct sc_delays {
	size_t n;    /* delays counted */
	int64_t sum; /* of all of them, for the mean */
	int64_t min; /* the least and greatest (valid when n > 0) */
	int64_t max;
	int64_t *ms;    /* the values while n <= SC_DELAYS_EXACT (grown by
	                   sc_grow), sorted by sc_model_finish(); NULL once
	                   in @hist */
	uint64_t *hist; /* SC_DELAYS_BUCKETS counts, or NULL */
};

/* Count one delay (negative: none, ignored). SC_ENOMEM counts nothing. */
enum sc_err sc_delays_add(struct sc_delays *d, int64_t ms) SC_WARN_UNUSED;

/* Sort the exact values (sc_model_finish() does it for the model's). */
void sc_delays_sort(struct sc_delays *d);

/* Release what @d holds and empty it. */
void sc_delays_fini(struct sc_delays *d);

/*
 * Outcome counters for INVITE calls (one peer, or all). ASR is answered
 * over attempts. NER (ITU-T E.425 in spirit) also counts as delivered the
 * calls the callee's side decided: busy (486, 600), declined (603, 607),
 * and calls that rang before the caller gave up (487) or nobody answered
 * (480, 408): the network did its part.
 */
struct sc_call_stats {
	uint64_t attempts;
	uint64_t answered;
	uint64_t delivered;   /* NER numerator */
	struct sc_delays pdd; /* post-dial delays */
};

/*
 * RFC 6076 section 4 metrics over the INVITE calls (one INVITE request
 * each: the headline attempt, auth retries folded, retransmissions not
 * counted; mid-dialog captures left out).
 *   SER  = answered / (invites - redirected)             (4.6)
 *   SEER = (2xx, 480, 486, 600, 603) / (invites - redirected)  (4.7)
 *   ISA  = (408, 500, 503, 504, or no final answer) / invites  (4.8)
 *   SCR  = answered and ended by a BYE that got a 2xx / invites (4.9)
 *   SRD  = INVITE to its first 18x, else to its final response: 2xx or
 *          failure (not 3xx, nor calls cancelled before any)     (4.3)
 *   SDD  = BYE to its final response                          (4.4)
 * Delays are measured on the transaction nearest the caller while the
 * call keeps its transactions; a summarised call gives SRD from its
 * timings (18x or 2xx) and no SDD.
 */
struct sc_rfc6076 {
	uint64_t invites;
	uint64_t redirected;  /* final 3xx */
	uint64_t established; /* 2xx */
	uint64_t effective;   /* 2xx, 480, 486, 600, 603 */
	uint64_t ineffective; /* 408, 500, 503, 504, no final */
	uint64_t completed;
	struct sc_delays srd;
	struct sc_delays sdd;
};

/* The RFC 6076 ratios in percent; -1 when the denominator is 0. */
double sc_rfc6076_ser(const struct sc_rfc6076 *r);
double sc_rfc6076_seer(const struct sc_rfc6076 *r);
double sc_rfc6076_isa(const struct sc_rfc6076 *r);
double sc_rfc6076_scr(const struct sc_rfc6076 *r);

/* The @pct-th percentile (nearest rank) of sorted delays; -1 if none
 * (past SC_DELAYS_EXACT values, within 1.6%: see struct sc_delays). */
int64_t sc_delays_percentile(const struct sc_delays *d, unsigned pct);

/* Counters per pair of caller and callee addresses, for at most
 * SC_MAX_PEERS pairs (the calls of others: caps.peer_calls_untracked). */
#define SC_MAX_PEERS 16384

struct sc_peer {
	struct sc_addr caller;
	struct sc_addr callee;
	struct sc_call_stats s;
};

/* Ratios in percent (0 when there was no attempt). */
double sc_call_stats_asr(const struct sc_call_stats *s);
double sc_call_stats_ner(const struct sc_call_stats *s);

/* Mean and 95th percentile (nearest rank, see struct sc_delays) of
 * PDD in ms; -1 if none. */
int64_t sc_call_stats_pdd_mean(const struct sc_call_stats *s);
int64_t sc_call_stats_pdd_p95(const struct sc_call_stats *s);

/* A security finding across calls (diagnosis/security.h), copied. */
struct sc_security_item {
	const char *rule_id; /* static */
	struct sc_addr src;
	char *user;       /* may be NULL */
	char *user_agent; /* may be NULL */
	uint32_t requests;
	uint32_t failures;
	uint32_t successes;
	uint32_t distinct;
	bool distinct_capped;
	int64_t first_ts;
	int64_t last_ts;
	char **call_ids;
	size_t ncall_ids;
	uint32_t more_call_ids;
	char *text;
};

/*
 * The result of a run. Reports read it and nothing else. Calls are
 * ordered by first frame once sc_model_finish() ran.
 */
struct sc_model {
	struct sc_input_file *files;
	size_t nfiles;
	struct sc_stats stats;
	struct sc_vec calls; /* struct sc_diagnosis *, owned: the finished
	                        calls with what diagnosis said of them */
	struct sc_call_stats overall;
	struct sc_rfc6076 rfc6076; /* over every INVITE call, kept or not */
	struct sc_vec peers;       /* struct sc_peer *, owned, by first call */
	struct sc_hashmap peer_index;
	struct sc_security_item *security; /* scanners, guessing, fraud */
	size_t nsecurity;
	uint64_t security_untracked;
	bool finished;
};

/* Initialise an empty model. */
void sc_model_init(struct sc_model *m);

/* Release everything the model owns. */
void sc_model_fini(struct sc_model *m);

/* Add an input file entry; returns it, or NULL when out of memory. */
struct sc_input_file *sc_model_add_file(struct sc_model *m, const char *path);

/* Count one parsed message in the statistics. */
void sc_stats_count_msg(struct sc_stats *s, const struct sc_msg *msg);

/*
 * sc_stats_add_reading - add to @to the counters the reading side keeps
 * (decode errors, warnings and skips; UDP without SIP or resynced; HEP;
 * unparsable messages): @from counted them on a thread of its own.
 */
void sc_stats_add_reading(struct sc_stats *to, const struct sc_stats *from);

/*
 * Take ownership of a diagnosed call, already counted with
 * sc_model_count_call() (before it was summarised: the delays of its
 * transactions are counted from its messages). SC_ENOMEM frees it.
 */
enum sc_err sc_model_add_call(struct sc_model *m,
                              struct sc_diagnosis *d) SC_WARN_UNUSED;

/*
 * sc_model_count_call - count a finished call in the statistics, once,
 * while it still has its messages; the caller keeps ownership.
 */
enum sc_err sc_model_count_call(struct sc_model *m,
                                const struct sc_call *call) SC_WARN_UNUSED;

/*
 * sc_model_add_security - copy one security finding into the model.
 * Strings are copied; SC_ENOMEM leaves the model without it.
 */
struct sc_sec_finding;
enum sc_err
sc_model_add_security(struct sc_model *m,
                      const struct sc_sec_finding *f) SC_WARN_UNUSED;

/* Sort the calls by first frame; call once at the end. */
void sc_model_finish(struct sc_model *m);

#endif /* SC_MODEL_H */
