/* carrier.h - SIP carried inside another protocol: HEP */
#ifndef SC_CARRIER_H
#define SC_CARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * One message a HEP capture agent (HOMER) forwarded: the addresses and
 * time of the original packet and its payload. Pointers are borrowed
 * from the HEP packet.
 */
struct sc_hep {
	uint8_t version;      /* 2 or 3 */
	uint8_t ipproto;      /* original transport (17 UDP, 6 TCP...) */
	uint8_t payload_type; /* HEP3 protocol type: 1 is SIP; 0 if none */
	struct sc_endpoint src;
	struct sc_endpoint dst;
	int64_t ts_ns; /* original capture time; 0 if absent */
	const uint8_t *payload;
	size_t len;
};

/*
 * sc_hep_decode - read a HEP packet from a UDP (or TCP) payload.
 * HEPv3 ("HEP3", chunked) and HEPv2 (fixed header) are recognised by
 * content. Returns SC_OK with @out filled; SC_ENOTPROTO when the bytes
 * are not HEP; SC_ETRUNC or SC_EMALFORMED when they are damaged HEP;
 * SC_EUNSUPPORTED for a compressed payload.
 */
enum sc_err sc_hep_decode(const uint8_t *p, size_t len,
                          struct sc_hep *out) SC_WARN_UNUSED;

#endif /* SC_CARRIER_H */
