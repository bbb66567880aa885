/* tls_detect.c - recognise TLS records (RFC 8446 5.1) to count
 * encrypted flows; nothing is decrypted */
#include "config.h"

#include "sipcause/frame/tls_detect.h"

/* TLSPlaintext.length is at most 2^14; ciphertexts may add 2048. */
#define MAX_RECORD (16384 + 2048)

bool
sc_tls_is_record(const uint8_t *p, size_t len)
{
	size_t rlen;

	if (len < SC_TLS_RECORD_HEADER)
		return false;
	rlen = (size_t)p[3] << 8 | p[4];
	return p[0] >= 20 && p[0] <= 24 && p[1] == 3 && p[2] <= 4 && rlen > 0 &&
	       rlen <= MAX_RECORD;
}

size_t
sc_tls_record_size(const uint8_t *p)
{
	return SC_TLS_RECORD_HEADER + ((size_t)p[3] << 8 | p[4]);
}
