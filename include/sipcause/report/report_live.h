/* report_live.h - the lines a live capture prints as things happen */
#ifndef SC_REPORT_LIVE_H
#define SC_REPORT_LIVE_H

#include <stdbool.h>
#include <stdio.h>

#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/sip/sipmsg.h"

/*
 * sc_report_live_call - one line for a call whose outcome is known:
 * start time (UTC), kind, from -> to, final response, state, and for a
 * failure its category and one-line cause, then the Call-ID. Everything
 * from the wire is escaped. @color adds ANSI colours (a terminal).
 */
void sc_report_live_call(FILE *out, const struct sc_diagnosis *d, bool color);

/*
 * sc_report_live_msg - one line for a SIP message as it arrives (-V):
 * time, frame, source -> destination, transport, start line, CSeq and
 * Call-ID.
 */
void sc_report_live_msg(FILE *out, const struct sc_msg *m);

#endif /* SC_REPORT_LIVE_H */
