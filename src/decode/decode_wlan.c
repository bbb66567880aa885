/* decode_wlan.c - IEEE 802.11 data frames with LLC/SNAP, behind radiotap
 * or PPI capture headers
 *
 * IEEE 802.11-2020 9.2 (MAC frame format) and 9.3.2 (data frames), LLC
 * (IEEE 802.2) with a SNAP header (RFC 1042), the radiotap header
 * (radiotap.org) and CACE's Per-Packet Information header (PPI 1.0.10).
 * Only unprotected data frames can carry IP that we can read: management
 * and control frames are skipped, protected ones are counted as
 * encrypted.
 */
#include "config.h"

#include <string.h>

#include "decode_impl.h"

/* Frame control, first byte: type (bits 2-3) and subtype (bits 4-7). */
enum {
	FC_TYPE_DATA = 2,
	FC_SUB_NULL = 0x4, /* subtype bit: no frame body */
	FC_SUB_QOS = 0x8,  /* subtype bit: QoS control present */
};

/* Frame control, second byte. */
enum {
	FC_TO_DS = 0x01,
	FC_FROM_DS = 0x02,
	FC_PROTECTED = 0x40,
	FC_ORDER = 0x80, /* in QoS data frames: HT control present */
};

/* Radiotap flags field (presence bit 1). */
enum {
	RT_TSFT = 0x1,       /* presence bit 0: u64, 8-byte aligned */
	RT_FLAGS = 0x2,      /* presence bit 1: u8 */
	RT_F_FCS = 0x10,     /* frame ends in a 4-byte FCS */
	RT_F_DATAPAD = 0x20, /* padding after the 802.11 header */
};

/* Radiotap presence word bit 31: another presence word follows. */
#define RT_EXT UINT32_C(0x80000000)

/* PPI field types and the 802.11-common flags. */
enum {
	PPI_80211_COMMON = 2,
	PPI_F_FCS = 0x0001,
};

/*
 * LLC (IEEE 802.2) with SNAP (RFC 1042): DSAP 0xaa, SSAP 0xaa, control
 * 0x03 (UI), OUI(24) 00-00-00 or 00-00-f8 (bridge tunnel), ethertype(16).
 * Other LLC payloads (STP, CDP...) are not IP.
 */
static enum sc_err
decode_llc_snap(struct sc__dctx *d, struct sc__span s)
{
	uint8_t h[6];
	uint16_t type;
	enum sc_err err;

	err = sc__need_link(d, &s, 8);
	if (err != SC_OK)
		return err;
	if (!sc_cur_bytes(&s.c, h, 6) || !sc_cur_be16(&s.c, &type))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] != 0 ||
	    h[4] != 0 || (h[5] != 0 && h[5] != 0xf8))
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	return sc__decode_ethertype(d, type, s);
}

/*
 * The first A-MSDU subframe (802.11-2020 9.3.2.2.2): DA(48) SA(48)
 * length(16, big-endian), then LLC/SNAP and the packet. Later subframes
 * are not read (decode returns one payload per frame).
 */
static enum sc_err
decode_amsdu(struct sc__dctx *d, struct sc__span s)
{
	uint16_t len;
	enum sc_err err;

	err = sc__need_link(d, &s, 14);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, 12) || !sc_cur_be16(&s.c, &len))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (!sc__span_limit(&s, len))
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	return decode_llc_snap(d, s);
}

/* Length of the MAC header of a data frame with frame control @fc. */
static size_t
data_header_len(uint8_t fc0, uint8_t fc1)
{
	size_t n = 24; /* fc, duration, addr1-3, sequence */
	unsigned sub = fc0 >> 4;

	if ((fc1 & FC_TO_DS) && (fc1 & FC_FROM_DS))
		n += 6; /* addr4 */
	if (sub & FC_SUB_QOS) {
		n += 2; /* QoS control */
		if (fc1 & FC_ORDER)
			n += 4; /* HT control */
	}
	return n;
}

/*
 * IEEE 802.11 MAC header (9.2.3), little-endian fields:
 *   0  frame control(16): version(2) type(2) subtype(4), flags(8)
 *   2  duration(16)  4  addr1  10  addr2  16  addr3  22  sequence(16)
 *  24  addr4 (to-DS and from-DS)  then QoS control(16) for QoS data
 *      (bit 7: A-MSDU) and HT control(32) when QoS and order are set
 * @data_pad: radiotap says the header is padded to 4 bytes.
 */
enum sc_err
sc__decode_80211(struct sc__dctx *d, struct sc__span s, bool data_pad)
{
	struct sc_cur h = s.c;
	uint8_t fc0, fc1, qos = 0;
	uint16_t seq;
	size_t hlen;
	enum sc_err err;

	err = sc__need_link(d, &s, 2);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&h, &fc0) || !sc_cur_u8(&h, &fc1))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if ((fc0 & 0x03) != 0)
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	if (((fc0 >> 2) & 0x03) != FC_TYPE_DATA || ((fc0 >> 4) & FC_SUB_NULL))
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	hlen = data_header_len(fc0, fc1);
	err = sc__need_link(d, &s, hlen);
	if (err != SC_OK)
		return err;
	h = s.c;
	if (!sc_cur_skip(&h, 22) || !sc_cur_le16(&h, &seq))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if ((fc0 >> 4) & FC_SUB_QOS) {
		h = s.c;
		(void)sc_cur_skip(&h, hlen - ((fc1 & FC_ORDER) ? 6 : 2));
		(void)sc_cur_u8(&h, &qos);
	}
	if (!sc_cur_skip(&s.c, hlen))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (data_pad && (hlen & 3)) {
		err = sc__need_link(d, &s, 4 - (hlen & 3));
		if (err != SC_OK)
			return err;
		(void)sc_cur_skip(&s.c, 4 - (hlen & 3));
	}
	if (fc1 & FC_PROTECTED)
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_LINK_ENCRYPTED);
	if (seq & 0x000f) /* a later fragment of an MSDU */
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	if (qos & 0x80)
		return decode_amsdu(d, s);
	return decode_llc_snap(d, s);
}

/*
 * Offset of the flags field in a radiotap header whose first presence
 * word is @present and whose fields start at @off (after all presence
 * words): a TSFT field before it is 8 bytes, aligned to 8 from the start
 * of the header.
 */
static size_t
radiotap_flags_at(uint32_t present, size_t off)
{
	if (present & RT_TSFT)
		off = ((off + 7) & ~(size_t)7) + 8;
	return off;
}

/*
 * Radiotap header (radiotap.org), little-endian:
 *   0  version(8): 0   1  pad(8)   2  length(16): the whole header
 *   4  present(32), more presence words while bit 31 is set
 *      then the fields, each aligned to its own size
 * Only the flags field is read (FCS at the end, header padding).
 */
enum sc_err
sc__decode_radiotap(struct sc__dctx *d, struct sc__span s)
{
	struct sc_cur h = s.c;
	uint8_t version, flags = 0;
	uint16_t len;
	uint32_t present, word;
	size_t off = 4;
	enum sc_err err;

	err = sc__need_link(d, &s, 8);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&h, &version) || !sc_cur_skip(&h, 1) ||
	    !sc_cur_le16(&h, &len) || !sc_cur_le32(&h, &present))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (version != 0 || len < 8)
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	err = sc__need_link(d, &s, len);
	if (err != SC_OK)
		return err;
	h = sc_cur_make(s.c.p, len);
	(void)sc_cur_skip(&h, 4);
	for (word = present; word & RT_EXT; off += 4) {
		if (off / 4 > SC_DECODE_MAX_LINK_EXT)
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
		if (!sc_cur_le32(&h, &word))
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	}
	off += 4;
	if (present & RT_FLAGS) {
		off = radiotap_flags_at(present, off);
		h = sc_cur_make(s.c.p, len);
		if (!sc_cur_skip(&h, off) || !sc_cur_u8(&h, &flags))
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	}
	(void)sc_cur_skip(&s.c, len);
	if (flags & RT_F_FCS)
		sc__span_drop_tail(&s, 4);
	return sc__decode_80211(d, s, (flags & RT_F_DATAPAD) != 0);
}

/*
 * PPI fields, little-endian: type(16) length(16) data. The 802.11-common
 * field (type 2) holds TSF timer(64) then flags(16), bit 0: FCS present.
 */
static bool
ppi_fcs(struct sc_cur fields)
{
	uint16_t type, len, flags;
	struct sc_cur f;

	while (sc_cur_le16(&fields, &type) && sc_cur_le16(&fields, &len) &&
	       sc_cur_sub(&fields, len, &f)) {
		if (type == PPI_80211_COMMON && sc_cur_skip(&f, 8) &&
		    sc_cur_le16(&f, &flags))
			return (flags & PPI_F_FCS) != 0;
	}
	return false;
}

/*
 * PPI header (CACE PPI 1.0.10), little-endian:
 *   0  version(8): 0   1  flags(8)   2  length(16): header and fields
 *   4  DLT(32): link type of the frame after the header
 */
enum sc_err
sc__decode_ppi(struct sc__dctx *d, struct sc__span s)
{
	struct sc_cur h = s.c;
	uint8_t version;
	uint16_t len;
	uint32_t dlt;
	bool fcs;
	enum sc_err err;

	err = sc__need_link(d, &s, 8);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&h, &version) || !sc_cur_skip(&h, 1) ||
	    !sc_cur_le16(&h, &len) || !sc_cur_le32(&h, &dlt))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (version != 0 || len < 8 || dlt == SC__LT_PPI)
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	err = sc__need_link(d, &s, len);
	if (err != SC_OK)
		return err;
	fcs = ppi_fcs(sc_cur_make(s.c.p + 8, (size_t)len - 8));
	(void)sc_cur_skip(&s.c, len);
	if (fcs && dlt == SC__LT_IEEE802_11)
		sc__span_drop_tail(&s, 4);
	err = sc__nest_enter(d);
	if (err != SC_OK)
		return err;
	return sc__decode_link(d, (int)dlt, s);
}
