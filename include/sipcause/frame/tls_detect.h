/* tls_detect.h - recognise TLS records (RFC 8446 5.1), never decrypt */
#ifndef SC_TLS_DETECT_H
#define SC_TLS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of a TLS record header: type, version (2), length (2). */
#define SC_TLS_RECORD_HEADER 5

/*
 * sc_tls_is_record - true when @p starts like a TLS record: content type
 * 20..24, version 3.0..3.4, a length of 1..2^14+2048.
 */
bool sc_tls_is_record(const uint8_t *p, size_t len);

/* Bytes of the whole record (header included) that @p starts; @p holds
 * at least SC_TLS_RECORD_HEADER bytes of a record. */
size_t sc_tls_record_size(const uint8_t *p);

#endif /* SC_TLS_DETECT_H */
