/* dlt.h - libpcap's DLT_* values and the LINKTYPE_* values of files
 *
 * libpcap reports DLT_* values, a few of which differ between platforms
 * (DLT_RAW is 12 on Linux, 14 on OpenBSD; DLT_LOOP is 12 on OpenBSD).
 * Files always hold LINKTYPE_* values, and so does struct sc_frame, so
 * that decode stays libpcap-free. The one mapping, both ways, for the
 * live interfaces (live.c), the -w files (pcapout.c) and capture files
 * (capture.c). Internal to src/capture/, the folder that includes pcap.h.
 */
#ifndef SC_CAPTURE_DLT_H
#define SC_CAPTURE_DLT_H

#include <pcap/pcap.h>

#include "sipcause/capture/capture.h"

/* A DLT_* value from libpcap as LINKTYPE_* (enum sc_linktype). */
static inline int
sc__dlt_to_linktype(int dlt)
{
	switch (dlt) {
	case DLT_NULL:
		return SC_LINK_NULL;
	case DLT_EN10MB:
		return SC_LINK_ETHERNET;
#ifdef DLT_RAW
	case DLT_RAW:
		return SC_LINK_RAW;
#endif
#if defined(DLT_LOOP) && DLT_LOOP != DLT_RAW
	case DLT_LOOP:
		return SC_LINK_LOOP;
#endif
	default:
		return dlt; /* the remaining values are identical */
	}
}

/* The reverse, for pcap_open_dead(): LINKTYPE_* as libpcap's DLT_*. */
static inline int
sc__linktype_to_dlt(int linktype)
{
	switch (linktype) {
#ifdef DLT_RAW
	case SC_LINK_RAW:
		return DLT_RAW;
#endif
#ifdef DLT_LOOP
	case SC_LINK_LOOP:
		return DLT_LOOP;
#endif
	default:
		return linktype;
	}
}

#endif /* SC_CAPTURE_DLT_H */
