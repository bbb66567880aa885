/* security.h - findings across calls: scanners, password guessing, fraud
 *
 * One call rarely shows an attack; the pattern over many does. A tracker
 * is fed one request at a time (an initial request outside a dialog and
 * its final response: each REGISTER, INVITE, OPTIONS... transaction of a
 * call, retries included), as calls finish, and asked for its findings
 * at the end. Its memory is bounded: past a cap, new sources and accounts
 * are not tracked, and that is counted.
 */
#ifndef SC_SECURITY_H
#define SC_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/* Rules (stable ids, for JSON "security": [...] and the text report). */
#define SC_SEC_RULES(X)                                        \
	X(SCANNER, "security.scanner")                         \
	X(PASSWORD_GUESSING, "security.password-guessing")     \
	X(ACCOUNT_COMPROMISED, "security.account-compromised") \
	X(TOLL_FRAUD, "security.toll-fraud")

enum sc_sec_rule {
#define SC_SEC_RULE_ENUM(name, id) SC_SEC_##name,
	SC_SEC_RULES(SC_SEC_RULE_ENUM)
#undef SC_SEC_RULE_ENUM
	        SC_SEC__COUNT
};

/* Stable id of a rule ("security.scanner"); "" when out of range. */
const char *sc_sec_rule_id(enum sc_sec_rule r);

/* Call-IDs kept per finding; more are counted, not kept. */
#define SC_SEC_MAX_CALL_IDS 8
/* Bytes kept of a user name, User-Agent or Call-ID (cut, not escaped). */
#define SC_SEC_WIRE_MAX 96

/*
 * One request and its outcome, as the tracker needs it. Strings are
 * borrowed for the call of sc_security_add() only; any may be NULL.
 */
struct sc_sec_request {
	const char *call_id;
	struct sc_addr src; /* source IP address of the request */
	const char *user_agent;
	const char *method; /* "REGISTER", "INVITE"... */
	const char *from_user;
	const char *to_user;
	const char *ruri_user;
	const char *auth_user; /* username= of its credentials; NULL when
	                          it carried none */
	int final_code;        /* final response, 0 when none came */
	/* a 401/407 that is an expected step (stale nonce, IMS AKA first
	 * challenge), not a refusal of the password */
	bool expected_challenge;
	int64_t ts_ns; /* when the request was sent */
};

/* Thresholds and caps; 0 in a field means its default. */
struct sc_security_opts {
	unsigned scan_users;     /* distinct target users from one source,
	                            mostly refused, that make a scan (10) */
	unsigned guess_failures; /* refused credentials for one user from
	                            one source ... (5, at most 16) */
	int64_t guess_window_ns; /* ... within this time (60 s) */
	unsigned toll_rejected;  /* rejected calls to international
	                            numbers from one source ... (3) */
	unsigned toll_numbers;   /* ... to at least this many distinct
	                            numbers (2) */
	size_t max_sources;      /* source addresses tracked (4096) */
	size_t max_accounts;     /* (source, user) pairs tracked (4096) */
};

/*
 * One finding. Everything points into the tracker and stays valid until
 * the next sc_security_add(), sc_security_findings() or
 * sc_security_free(). Times are capture-clock nanoseconds.
 */
struct sc_sec_finding {
	enum sc_sec_rule rule;
	const char *rule_id;    /* sc_sec_rule_id(rule) */
	struct sc_addr src;     /* the source address it is about */
	const char *user;       /* guessing, compromise: the account;
	                           toll fraud: the first number; or NULL */
	const char *user_agent; /* the scanner's User-Agent, else the
	                           first one seen from the source; NULL */
	uint32_t requests;      /* requests counted by the rule */
	uint32_t failures;      /* of them refused */
	uint32_t successes;     /* of them accepted (2xx) */
	uint32_t distinct;      /* scanner: distinct target users; toll
	                           fraud: distinct numbers; else 0 */
	bool distinct_capped;   /* distinct stopped counting: "at least" */
	int64_t first_ts;
	int64_t last_ts;
	const char *const *call_ids; /* the first Call-IDs involved */
	size_t ncall_ids;
	uint32_t more_call_ids; /* involved but not listed */
	const char *text;       /* one plain sentence */
};

struct sc_security;

/* A new tracker; @opts may be NULL for defaults. NULL when out of memory. */
struct sc_security *sc_security_new(const struct sc_security_opts *opts);

/* Release a tracker and its findings; NULL is a no-op. */
void sc_security_free(struct sc_security *s);

/*
 * sc_security_add - count one request. Feed requests roughly in the order
 * they happened (calls as they finish is fine): a success counts as a
 * compromise only after the guessing seen before it. A request from a
 * source or account beyond the caps is counted by sc_security_untracked()
 * and otherwise ignored. Returns SC_ENOMEM (the tracker stays usable).
 */
enum sc_err sc_security_add(struct sc_security *s,
                            const struct sc_sec_request *r) SC_WARN_UNUSED;

/*
 * sc_security_findings - the findings so far: scanners (sources in the
 * order first seen), then accounts (in the order first seen) with either
 * a compromise (a guessing burst followed by a success) or password
 * guessing, then toll fraud (sources in order). *out is owned by the
 * tracker (see struct sc_sec_finding). Returns SC_ENOMEM with *n 0.
 */
enum sc_err sc_security_findings(struct sc_security *s,
                                 const struct sc_sec_finding **out,
                                 size_t *n) SC_WARN_UNUSED;

/* Requests not tracked because max_sources or max_accounts was reached. */
uint64_t sc_security_untracked(const struct sc_security *s);

/* True when @ua names a known SIP scanning tool (friendly-scanner,
 * sipvicious, sipcli, VaxSIPUserAgent, pplsip, sundayddr...). */
bool sc_security_scanner_ua(const char *ua);

/*
 * True when @user is a number in international form: "+" then at least 8
 * digits; or digits only, "00" or "011" (the international prefix),
 * possibly after an outside-line prefix of 1-3 digits that does not start
 * with 0 ("9", "101"), then at least 8 digits: "0097239287044",
 * "9011442079460000". National numbers ("03001234567") are not.
 */
bool sc_security_international(const char *user);

#endif /* SC_SECURITY_H */
