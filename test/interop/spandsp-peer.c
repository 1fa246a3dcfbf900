/*
 * spandsp-peer: spandsp 0.0.6's T.38 terminal on a real UDP socket, framed in UDPTL by us.
 *
 * faxd's interop tests run this program as the far end of a T.38 call: it sends or receives
 * one TIFF-F document in real time over UDP on loopback, and prints what spandsp made of the
 * call as one JSON line. It is written from the installed headers of libspandsp 0.0.6
 * (LGPL-2.1: spandsp.h and /usr/include/spandsp/) and from T.38 itself; nothing is taken from
 * spandsp's GPL tests, Asterisk or Wireshark.
 *
 * What the program adds to spandsp, which has no UDPTL in 0.0.6:
 *   - UDPTL (T.38 §9.1) with redundancy error recovery: seq-number (16 bits, big-endian), the
 *     primary IFP as an open type (length determinant + octets), then 0x00 (secondary IFPs),
 *     a count and the previous IFPs newest first. spandsp asks for `count` copies of some
 *     packets (indicators, ends of data); every copy has the same sequence number.
 *   - Receive side: fragments and malformed datagrams are dropped; duplicates and old sequence
 *     numbers are dropped; on a forward gap the secondaries that fill it are handed to spandsp
 *     oldest first, then the primary.
 *   - A real-time loop: every 20 ms (ticks counted from a monotonic clock, so no drift)
 *     t38_terminal_send_timeout(t, 160) moves spandsp's clock on by 160 samples at 8 kHz;
 *     between ticks the socket is polled.
 *   - --spoil-fast-above RATE: a line that cannot carry fast data. Outgoing IFPs of a fast
 *     data type above RATE bit/s have bits of their t4-non-ecm data flipped, so a TCF sent at
 *     that rate fails and the far receiver answers FTT.
 *   - --drop-every N: a lossy line. Every Nth UDPTL packet this peer sends (sequence numbers
 *     N-1, 2N-1, …, with all its repeated copies) is not sent, so the far end has to recover
 *     it from the redundancy of the next packet (or do without it).
 *
 * stdout: first {"listening":PORT} (the bound UDP port, so a test can pick port 0 and learn it
 * without a race), then one result line (see print_result) at phase E, or at exit if phase E
 * never came. Everything else (usage errors, --log output) goes to stderr.
 *
 * Exit status: 0 when the phase E completion code is T30_ERR_OK, 1 otherwise (also after
 * SIGTERM/SIGINT), 2 on a usage error, 3 when --max-seconds ran out.
 *
 * Build: gcc -std=c99 -O2 -Wall -Wextra -Werror spandsp-peer.c $(pkg-config --cflags --libs spandsp)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <spandsp.h>

#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_TIMEOUT 3

/* One tick of the real-time loop: 20 ms, which is 160 samples of spandsp's 8 kHz clock. */
#define TICK_NS 20000000LL
#define TICK_SAMPLES 160
/* After phase E, keep running (so the last packets go out) until spandsp says it is done, or
   this long at most. */
#define LINGER_NS 3000000000LL

#define MAX_IFP 4096
#define MAX_REDUNDANCY 8
#define MAX_SECONDARIES 32
#define MAX_DATAGRAM 65536

/* ---- options ------------------------------------------------------------------------------ */

struct options {
    const char *send_file;
    const char *receive_file;
    int calling; /* -1: by role */
    const char *local_host;
    int local_port;
    const char *remote_host;
    int remote_port;
    int version;
    int ecm;
    int compressions;
    int modems;
    int resolutions; /* 0: spandsp's default */
    const char *ident;
    int min_scan_ms; /* -1: spandsp's default */
    int redundancy;
    int max_seconds; /* 0: no limit */
    int spoil_above; /* 0: off */
    int drop_every;  /* 0: off */
    int log;
    int no_pacing;
    int all_frames;
};

/* ---- state -------------------------------------------------------------------------------- */

struct frame {
    int incoming;
    int len;
    uint8_t *octets;
};

struct page_snapshot {
    int event;
    t30_stats_t stats;
};

struct sent_ifp {
    uint16_t seq;
    int len; /* 0: not kept (too long) */
    uint8_t octets[MAX_IFP];
};

struct peer {
    struct options opt;
    int fd;
    struct sockaddr_in remote;
    int remote_known;

    t38_terminal_state_t *terminal;
    t38_core_state_t *core;
    t30_state_t *t30;

    /* UDPTL transmit: next sequence number and the IFPs already sent, for redundancy. */
    uint16_t tx_seq;
    struct sent_ifp history[MAX_REDUNDANCY];
    int history_count; /* entries in use */
    int history_next;  /* where the next one goes */

    /* UDPTL receive. */
    int rx_started;
    uint16_t rx_last_seq;

    /* Counters for the result line. */
    long datagrams_sent;
    long datagrams_unsent; /* before the peer's address was known */
    long datagrams_received;
    long ifps_recovered;
    long datagrams_duplicate;
    long datagrams_malformed;
    long datagrams_foreign;
    long ifps_spoiled;
    long datagrams_dropped; /* --drop-every */

    /* T.30 frames as the real-time frame handler gave them. */
    struct frame *frames;
    int frame_count;
    int frame_capacity;
    long ecm_frames_tx; /* FCD frames, listed only with --all-frames */
    long ecm_frames_rx;

    /* What t30_get_transfer_statistics said at each phase D (a page's post-message exchange). */
    struct page_snapshot *snapshots;
    int snapshot_count;
    int snapshot_capacity;

    int phase_e_seen;
    int completion;
    long long phase_e_ns;
    int result_printed;
    int timed_out;
    int interrupted;
    long long start_ns;
};

static struct peer peer;
static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int signo)
{
    (void) signo;
    stop_requested = 1;
}

static long long monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("spandsp-peer: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(EXIT_FAILED);
}

static void usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("spandsp-peer: ", stderr);
    vfprintf(stderr, format, args);
    fputs("\nusage: spandsp-peer (--send FILE.tif | --receive FILE.tif) [--calling | --answering]\n"
          "         [--local-host IP] [--local-port N] [--remote-host IP] [--remote-port N]\n"
          "         [--version 0..3] [--ecm 0|1] [--compressions mh,mr,mmr] [--modems v17,v29,v27ter]\n"
          "         [--resolutions standard,fine,superfine,r8,r16,...] [--ident STRING]\n"
          "         [--min-scan-ms N] [--redundancy N] [--max-seconds N] [--spoil-fast-above RATE]\n"
          "         [--drop-every N] [--no-pacing] [--all-frames] [--log]\n",
          stderr);
    va_end(args);
    exit(EXIT_USAGE);
}

/* ---- octet helpers ------------------------------------------------------------------------ */

static uint8_t reverse_bits(uint8_t x)
{
    uint8_t r = 0;
    for (int i = 0; i < 8; i++) {
        r = (uint8_t) ((r << 1) | ((x >> i) & 1));
    }
    return r;
}

/* Writes an X.691 length determinant for n < 16384; returns octets written. */
static int put_length(uint8_t *out, int n)
{
    if (n < 0x80) {
        out[0] = (uint8_t) n;
        return 1;
    }
    out[0] = (uint8_t) (0x80 | (n >> 8));
    out[1] = (uint8_t) (n & 0xff);
    return 2;
}

/* Reads a length determinant at *pos; -1 for a fragment (≥16K) or running off the end. */
static int get_length(const uint8_t *buf, int len, int *pos)
{
    if (*pos >= len) {
        return -1;
    }
    uint8_t first = buf[*pos];
    if ((first & 0x80) == 0) {
        (*pos)++;
        return first;
    }
    if ((first & 0xc0) == 0x80) {
        if (*pos + 1 >= len) {
            return -1;
        }
        int n = ((first & 0x3f) << 8) | buf[*pos + 1];
        *pos += 2;
        return n;
    }
    return -1; /* fragmented: 0xC0 | k × 16K items follow; nobody sends these for T.38 */
}

/* ---- --spoil-fast-above --------------------------------------------------------------------- */

/* Bit rate of a T.38 data type (T.38 Table: t30-data), 0 for V.8/V.34 (not a fixed rate). */
static int data_type_rate(int type)
{
    switch (type) {
    case T38_DATA_V21: return 300;
    case T38_DATA_V27TER_2400: return 2400;
    case T38_DATA_V27TER_4800: return 4800;
    case T38_DATA_V29_7200: return 7200;
    case T38_DATA_V29_9600: return 9600;
    case T38_DATA_V17_7200: return 7200;
    case T38_DATA_V17_9600: return 9600;
    case T38_DATA_V17_12000: return 12000;
    case T38_DATA_V17_14400: return 14400;
    case T38_DATA_V33_12000: return 12000;
    case T38_DATA_V33_14400: return 14400;
    default: return 0;
    }
}

static void spoil_octets(uint8_t *data, int len)
{
    /* One flipped bit every 8 octets: the longest run of zeros in a TCF stays under 64 bits,
       far below the one second's worth the receiver needs, and image rows turn bad. */
    for (int i = 0; i < len; i += 8) {
        data[i] ^= 0x10;
    }
}

/*
 * Flips bits in the t4-non-ecm-data / t4-non-ecm-sig-end fields of an IFP whose data type is
 * faster than `above`. IFP layout (ASN.1 aligned PER, T.38 §7): octet 0 is data-field-present
 * (bit 7), type-of-msg (bit 6: 1 = data), the extension bit (bit 5) and the value (bits 4..1);
 * versions 0 and 1+ share that layout for data types 0..8. An extended value (types ≥ 9,
 * version ≥ 1) takes two octets. Then the data-field: a count, and per field an optional-data
 * bit, the field-type and, if present, (length − 1) in 16 bits and the octets. In version 0
 * the field-type has no extension bit, so a field without data takes 4 bits and the next one
 * starts mid-octet; in version 1+ each field header is one octet (two for types ≥ 8).
 * Returns 1 when something was flipped.
 */
static int spoil_ifp(uint8_t *ifp, int len, int version, int above)
{
    if (len < 2 || (ifp[0] & 0x40) == 0 || (ifp[0] & 0x80) == 0) {
        return 0; /* an indicator, or data without a data-field */
    }
    int type;
    int pos;
    if (ifp[0] & 0x20) {
        int word = (ifp[0] << 8) | ifp[1];
        type = 9 + ((word >> 6) & 0x3f);
        pos = 2;
    } else {
        type = (ifp[0] >> 1) & 0x0f;
        pos = 1;
    }
    int rate = data_type_rate(type);
    if (rate == 0 || rate <= above) {
        return 0;
    }
    int fields = get_length(ifp, len, &pos);
    if (fields < 0) {
        return 0;
    }
    int flipped = 0;
    int bit = 0; /* version 0: bit offset within ifp[pos], 0 or 4 */
    for (int f = 0; f < fields; f++) {
        int present;
        int field_type;
        if (pos >= len) {
            return flipped;
        }
        if (version == 0) {
            int nibble = bit == 0 ? ifp[pos] >> 4 : ifp[pos] & 0x0f;
            present = (nibble >> 3) & 1;
            field_type = nibble & 0x07;
            if (bit == 0 && !present) {
                bit = 4;
            } else {
                bit = 0;
                pos++;
            }
        } else {
            present = ifp[pos] >> 7;
            if (ifp[pos] & 0x40) {
                field_type = 8; /* cm/jm/ci/v34rate: never image data */
                pos += 2;
            } else {
                field_type = (ifp[pos] >> 3) & 0x07;
                pos += 1;
            }
        }
        if (!present) {
            continue;
        }
        if (pos + 2 > len) {
            return flipped;
        }
        int field_len = ((ifp[pos] << 8) | ifp[pos + 1]) + 1;
        pos += 2;
        if (pos + field_len > len) {
            return flipped;
        }
        if (field_type == T38_FIELD_T4_NON_ECM_DATA || field_type == T38_FIELD_T4_NON_ECM_SIG_END) {
            spoil_octets(ifp + pos, field_len);
            flipped = 1;
        }
        pos += field_len;
    }
    return flipped;
}

/* ---- UDPTL transmit ----------------------------------------------------------------------- */

static int tx_packet_handler(t38_core_state_t *core, void *user_data, const uint8_t *buf, int len, int count)
{
    struct peer *p = user_data;
    static uint8_t datagram[MAX_DATAGRAM];
    uint8_t ifp[MAX_IFP];
    (void) core;

    if (len <= 0 || len > MAX_IFP) {
        fprintf(stderr, "spandsp-peer: spandsp handed over an IFP of %d octets; not sent\n", len);
        return -1;
    }
    memcpy(ifp, buf, (size_t) len);
    if (p->opt.spoil_above > 0 && spoil_ifp(ifp, len, p->opt.version, p->opt.spoil_above)) {
        p->ifps_spoiled++;
    }

    int n = 0;
    datagram[n++] = (uint8_t) (p->tx_seq >> 8);
    datagram[n++] = (uint8_t) (p->tx_seq & 0xff);
    n += put_length(datagram + n, len);
    memcpy(datagram + n, ifp, (size_t) len);
    n += len;
    /* error-recovery: secondary-ifp-packets, newest first, as many as are kept (and asked for) */
    datagram[n++] = 0x00;
    int secondaries = p->history_count < p->opt.redundancy ? p->history_count : p->opt.redundancy;
    int count_at = n;
    n += put_length(datagram + n, secondaries);
    int included = 0;
    for (int i = 0; i < secondaries; i++) {
        int slot = (p->history_next - 1 - i + 2 * MAX_REDUNDANCY) % MAX_REDUNDANCY;
        const struct sent_ifp *old = &p->history[slot];
        if (old->len == 0 || (uint16_t) (p->tx_seq - 1 - i) != old->seq) {
            break; /* only an unbroken run of the packets just before this one */
        }
        n += put_length(datagram + n, old->len);
        memcpy(datagram + n, old->octets, (size_t) old->len);
        n += old->len;
        included++;
    }
    if (included != secondaries) {
        /* fewer than planned: rewrite the count (it stays one octet, as it is < 128) */
        datagram[count_at] = (uint8_t) included;
    }

    int drop = p->opt.drop_every > 0 && (p->tx_seq % p->opt.drop_every) == (p->opt.drop_every - 1);
    if (drop) {
        p->datagrams_dropped++;
    } else if (p->remote_known) {
        for (int i = 0; i < (count < 1 ? 1 : count); i++) {
            if (sendto(p->fd, datagram, (size_t) n, 0, (const struct sockaddr *) &p->remote, sizeof(p->remote)) < 0) {
                if (p->opt.log) {
                    fprintf(stderr, "spandsp-peer: sendto: %s\n", strerror(errno));
                }
            } else {
                p->datagrams_sent++;
            }
        }
    } else {
        p->datagrams_unsent++;
    }

    struct sent_ifp *slot = &p->history[p->history_next];
    slot->seq = p->tx_seq;
    slot->len = len;
    memcpy(slot->octets, ifp, (size_t) len);
    p->history_next = (p->history_next + 1) % MAX_REDUNDANCY;
    if (p->history_count < MAX_REDUNDANCY) {
        p->history_count++;
    }
    p->tx_seq++;
    return 0;
}

/* ---- UDPTL receive ------------------------------------------------------------------------ */

struct ifp_ref {
    const uint8_t *octets;
    int len;
};

/* Parses one UDPTL datagram; 0 when it is well formed and not fragmented. */
static int parse_udptl(const uint8_t *buf, int len, uint16_t *seq, struct ifp_ref *primary,
                       struct ifp_ref *secondaries, int *secondary_count)
{
    if (len < 4) {
        return -1;
    }
    *seq = (uint16_t) ((buf[0] << 8) | buf[1]);
    int pos = 2;
    int n = get_length(buf, len, &pos);
    if (n <= 0 || pos + n > len) {
        return -1;
    }
    primary->octets = buf + pos;
    primary->len = n;
    pos += n;
    if (pos >= len) {
        return -1;
    }
    *secondary_count = 0;
    if (buf[pos] == 0x00) {
        pos++;
        int count = get_length(buf, len, &pos);
        if (count < 0 || count > MAX_SECONDARIES) {
            return -1;
        }
        for (int i = 0; i < count; i++) {
            int m = get_length(buf, len, &pos);
            if (m <= 0 || pos + m > len) {
                return -1;
            }
            secondaries[i].octets = buf + pos;
            secondaries[i].len = m;
            pos += m;
        }
        *secondary_count = count;
    } else if (buf[pos] == 0x80) {
        /* fec-info: fec-npackets, then a SEQUENCE OF OCTET STRING. We check its framing and
           use only the primary (no FEC recovery here). */
        pos++;
        int npackets_len = get_length(buf, len, &pos);
        if (npackets_len <= 0 || pos + npackets_len > len) {
            return -1;
        }
        pos += npackets_len;
        int entries = get_length(buf, len, &pos);
        if (entries < 0) {
            return -1;
        }
        for (int i = 0; i < entries; i++) {
            int m = get_length(buf, len, &pos);
            if (m < 0 || pos + m > len) {
                return -1;
            }
            pos += m;
        }
    } else {
        return -1;
    }
    return pos == len ? 0 : -1;
}

static void rx_datagram(struct peer *p, const uint8_t *buf, int len)
{
    uint16_t seq;
    struct ifp_ref primary;
    struct ifp_ref secondaries[MAX_SECONDARIES];
    int secondary_count;

    if (parse_udptl(buf, len, &seq, &primary, secondaries, &secondary_count) != 0) {
        p->datagrams_malformed++;
        if (p->opt.log) {
            fprintf(stderr, "spandsp-peer: dropped a malformed UDPTL datagram of %d octets\n", len);
        }
        return;
    }
    p->datagrams_received++;
    if (p->rx_started) {
        uint16_t gap = (uint16_t) (seq - (uint16_t) (p->rx_last_seq + 1));
        if (gap >= 0x8000) {
            p->datagrams_duplicate++; /* a repeat, or older than the last one handed on */
            return;
        }
        int recover = gap < secondary_count ? gap : secondary_count;
        for (int i = recover - 1; i >= 0; i--) {
            t38_core_rx_ifp_packet(p->core, secondaries[i].octets, secondaries[i].len, (uint16_t) (seq - 1 - i));
            p->ifps_recovered++;
        }
    }
    t38_core_rx_ifp_packet(p->core, primary.octets, primary.len, seq);
    p->rx_started = 1;
    p->rx_last_seq = seq;
}

static void drain_socket(struct peer *p)
{
    static uint8_t buf[MAX_DATAGRAM];
    for (;;) {
        struct sockaddr_in from;
        socklen_t from_len = sizeof(from);
        ssize_t n = recvfrom(p->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *) &from, &from_len);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && p->opt.log) {
                fprintf(stderr, "spandsp-peer: recvfrom: %s\n", strerror(errno));
            }
            return;
        }
        if (!p->remote_known) {
            p->remote = from;
            p->remote_known = 1;
            if (p->opt.log) {
                fprintf(stderr, "spandsp-peer: peer is %s:%d\n", inet_ntoa(from.sin_addr), ntohs(from.sin_port));
            }
        } else if (from.sin_addr.s_addr != p->remote.sin_addr.s_addr || from.sin_port != p->remote.sin_port) {
            p->datagrams_foreign++;
            continue;
        }
        rx_datagram(p, buf, (int) n);
    }
}

/* ---- T.30 callbacks ----------------------------------------------------------------------- */

/*
 * Bit order: spandsp 0.0.6 keeps HDLC frames LSB first inside, the first bit sent in bit 0 of
 * each octet (t30_fcf.h: T30_DIS is 0x80 "[0000 0001]"), and reverses each octet at the T.38
 * edge. The real-time frame handler gets the frame in that internal order, without FCS, e.g. a
 * DCS from the caller is `ff 13 83 …`. "hex" is that; "wireHex" is every octet bit-reversed,
 * which is how the frame travels in T.38 hdlc-data (`ff c8 c1 …`) and how the transmission
 * brief writes frames.
 */
static void real_time_frame_handler(t30_state_t *s, void *user_data, int direction, const uint8_t msg[], int len)
{
    struct peer *p = user_data;
    (void) s;
    if (len <= 0) {
        return;
    }
    if (len >= 3 && msg[2] == T4_FCD) {
        if (direction) {
            p->ecm_frames_rx++;
        } else {
            p->ecm_frames_tx++;
        }
        if (!p->opt.all_frames) {
            return; /* 260 octets each, hundreds a page: counted, not listed */
        }
    }
    if (p->frame_count == p->frame_capacity) {
        int capacity = p->frame_capacity == 0 ? 64 : 2 * p->frame_capacity;
        struct frame *grown = realloc(p->frames, (size_t) capacity * sizeof(*grown));
        if (grown == NULL) {
            return;
        }
        p->frames = grown;
        p->frame_capacity = capacity;
    }
    uint8_t *copy = malloc((size_t) len);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, msg, (size_t) len);
    p->frames[p->frame_count].incoming = direction ? 1 : 0;
    p->frames[p->frame_count].len = len;
    p->frames[p->frame_count].octets = copy;
    p->frame_count++;
}

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *) (text == NULL ? "" : text); *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            fputc('\\', out);
            fputc(*c, out);
        } else if (*c < 0x20 || *c >= 0x7f) {
            fprintf(out, "\\u%04x", *c); /* Latin-1 reading of odd octets keeps the line valid JSON */
        } else {
            fputc(*c, out);
        }
    }
    fputc('"', out);
}

static const char *coding_name(int encoding)
{
    switch (encoding) {
    case T4_COMPRESSION_ITU_T4_1D: return "mh";
    case T4_COMPRESSION_ITU_T4_2D: return "mr";
    case T4_COMPRESSION_ITU_T6: return "mmr";
    case T4_COMPRESSION_ITU_T85: return "t85";
    case T4_COMPRESSION_ITU_T85_L0: return "t85-l0";
    default: return "";
    }
}

/*
 * The result line:
 *   completion, completionText    phase E completion code (T30_ERR_*) and spandsp's text
 *   pagesTx, pagesRx, pagesInFile t30_stats_t
 *   bitRate, ecm                  image modem rate in bit/s; 1 when ECM was used
 *   encoding, coding              spandsp's T4_COMPRESSION_* code (1 T.4 1-D, 2 T.4 2-D, 3 T.6)
 *                                 and "mh" | "mr" | "mmr"
 *   resolutionX, resolutionY      of the last page, in pixels per metre (8031 = R8 "204 dpi";
 *                                 3850 standard, 7700 fine, 15400 superfine)
 *   width, length                 of the last page, pixels and rows
 *   badRows, longestBadRowRun, ecmRetries, imageSize
 *   remoteIdent                   the far end's TSI (when receiving) or CSI (when sending)
 *   frames                        T.30 frames in order: {"dir","name","hex","wireHex"}; ECM FCD
 *                                 frames only with --all-frames
 *   ecmFrames                     FCD frames sent and received: {"tx","rx"}
 *   phaseD                        t30_get_transfer_statistics at each phase D (per page): a
 *                                 receiver's page length and image size are only here, as 0.0.6
 *                                 has reset them by phase E
 *   udptl                         datagram counters
 *   elapsedMs, timedOut, interrupted
 */
static void print_result(struct peer *p)
{
    if (p->result_printed) {
        return;
    }
    p->result_printed = 1;
    t30_stats_t stats;
    memset(&stats, 0, sizeof(stats));
    t30_get_transfer_statistics(p->t30, &stats);
    FILE *out = stdout;
    long long elapsed_ms = (monotonic_ns() - p->start_ns) / 1000000LL;

    fprintf(out, "{\"completion\":%d,\"completionText\":", p->completion);
    json_string(out, t30_completion_code_to_str(p->completion));
    fprintf(out, ",\"pagesTx\":%d,\"pagesRx\":%d,\"pagesInFile\":%d", stats.pages_tx, stats.pages_rx, stats.pages_in_file);
    fprintf(out, ",\"bitRate\":%d,\"ecm\":%d,\"encoding\":%d,\"coding\":", stats.bit_rate, stats.error_correcting_mode ? 1 : 0, stats.encoding);
    json_string(out, coding_name(stats.encoding));
    fprintf(out, ",\"resolutionX\":%d,\"resolutionY\":%d,\"width\":%d,\"length\":%d", stats.x_resolution, stats.y_resolution, stats.width, stats.length);
    fprintf(out, ",\"badRows\":%d,\"longestBadRowRun\":%d,\"ecmRetries\":%d,\"imageSize\":%d", stats.bad_rows, stats.longest_bad_row_run, stats.error_correcting_mode_retries, stats.image_size);
    fputs(",\"remoteIdent\":", out);
    json_string(out, t30_get_rx_ident(p->t30));
    fputs(",\"frames\":[", out);
    for (int i = 0; i < p->frame_count; i++) {
        const struct frame *f = &p->frames[i];
        fprintf(out, "%s{\"dir\":\"%s\",\"name\":", i == 0 ? "" : ",", f->incoming ? "rx" : "tx");
        json_string(out, f->len >= 3 ? t30_frametype(f->octets[2]) : "");
        fputs(",\"hex\":\"", out);
        for (int j = 0; j < f->len; j++) {
            fprintf(out, "%02x", f->octets[j]);
        }
        fputs("\",\"wireHex\":\"", out);
        for (int j = 0; j < f->len; j++) {
            fprintf(out, "%02x", reverse_bits(f->octets[j]));
        }
        fputs("\"}", out);
    }
    fprintf(out, "],\"ecmFrames\":{\"tx\":%ld,\"rx\":%ld},\"phaseD\":[", p->ecm_frames_tx, p->ecm_frames_rx);
    for (int i = 0; i < p->snapshot_count; i++) {
        const struct page_snapshot *snap = &p->snapshots[i];
        fprintf(out, "%s{\"event\":", i == 0 ? "" : ",");
        json_string(out, t30_frametype((uint8_t) snap->event));
        fprintf(out, ",\"pagesTx\":%d,\"pagesRx\":%d,\"bitRate\":%d,\"width\":%d,\"length\":%d,\"badRows\":%d,\"imageSize\":%d}",
                snap->stats.pages_tx, snap->stats.pages_rx, snap->stats.bit_rate, snap->stats.width, snap->stats.length,
                snap->stats.bad_rows, snap->stats.image_size);
    }
    fprintf(out, "],\"udptl\":{\"sent\":%ld,\"unsent\":%ld,\"received\":%ld,\"recovered\":%ld,\"duplicates\":%ld,"
                 "\"malformed\":%ld,\"foreign\":%ld,\"spoiledIfps\":%ld,\"dropped\":%ld}",
            p->datagrams_sent, p->datagrams_unsent, p->datagrams_received, p->ifps_recovered,
            p->datagrams_duplicate, p->datagrams_malformed, p->datagrams_foreign, p->ifps_spoiled,
            p->datagrams_dropped);
    fprintf(out, ",\"elapsedMs\":%lld,\"timedOut\":%s,\"interrupted\":%s}\n", elapsed_ms,
            p->timed_out ? "true" : "false", p->interrupted ? "true" : "false");
    fflush(out);
}

/* Phase D: the post-message exchange after each page; `result` is the FCF spandsp reports
   (the command sent or received, in its internal bit order). */
static int phase_d_handler(t30_state_t *s, void *user_data, int result)
{
    struct peer *p = user_data;
    if (p->snapshot_count == p->snapshot_capacity) {
        int capacity = p->snapshot_capacity == 0 ? 8 : 2 * p->snapshot_capacity;
        struct page_snapshot *grown = realloc(p->snapshots, (size_t) capacity * sizeof(*grown));
        if (grown == NULL) {
            return T30_ERR_OK;
        }
        p->snapshots = grown;
        p->snapshot_capacity = capacity;
    }
    struct page_snapshot *snap = &p->snapshots[p->snapshot_count++];
    snap->event = result;
    memset(&snap->stats, 0, sizeof(snap->stats));
    t30_get_transfer_statistics(s, &snap->stats);
    return T30_ERR_OK;
}

static void phase_e_handler(t30_state_t *s, void *user_data, int completion_code)
{
    struct peer *p = user_data;
    (void) s;
    if (p->phase_e_seen) {
        return;
    }
    p->phase_e_seen = 1;
    p->completion = completion_code;
    p->phase_e_ns = monotonic_ns();
    print_result(p);
}

static void log_to_stderr(int level, const char *text)
{
    (void) level;
    fputs(text, stderr);
}

/* ---- option parsing ----------------------------------------------------------------------- */

static int parse_int(const char *name, const char *text, int min, int max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        usage_error("%s wants a whole number from %d to %d, not '%s'", name, min, max, text);
    }
    return (int) value;
}

struct name_bit {
    const char *name;
    int bit;
};

static int parse_list(const char *option, const char *text, const struct name_bit *names)
{
    int bits = 0;
    char *copy = strdup(text);
    if (copy == NULL) {
        die("out of memory");
    }
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (const struct name_bit *n = names; n->name != NULL; n++) {
            if (strcasecmp(item, n->name) == 0) {
                bits |= n->bit;
                found = 1;
            }
        }
        if (!found) {
            free(copy);
            usage_error("%s: unknown name '%s'", option, item);
        }
    }
    free(copy);
    if (bits == 0) {
        usage_error("%s wants at least one name", option);
    }
    return bits;
}

static const struct name_bit COMPRESSIONS[] = {
    { "mh", T30_SUPPORT_T4_1D_COMPRESSION },
    { "mr", T30_SUPPORT_T4_2D_COMPRESSION },
    { "mmr", T30_SUPPORT_T6_COMPRESSION },
    { NULL, 0 },
};

static const struct name_bit MODEMS[] = {
    { "v27ter", T30_SUPPORT_V27TER },
    { "v29", T30_SUPPORT_V29 },
    { "v17", T30_SUPPORT_V17 },
    { NULL, 0 },
};

static const struct name_bit RESOLUTIONS[] = {
    { "standard", T30_SUPPORT_STANDARD_RESOLUTION },
    { "fine", T30_SUPPORT_FINE_RESOLUTION },
    { "superfine", T30_SUPPORT_SUPERFINE_RESOLUTION },
    { "r4", T30_SUPPORT_R4_RESOLUTION },
    { "r8", T30_SUPPORT_R8_RESOLUTION },
    { "r16", T30_SUPPORT_R16_RESOLUTION },
    { "300x300", T30_SUPPORT_300_300_RESOLUTION },
    { "400x400", T30_SUPPORT_400_400_RESOLUTION },
    { "600x600", T30_SUPPORT_600_600_RESOLUTION },
    { "1200x1200", T30_SUPPORT_1200_1200_RESOLUTION },
    { "300x600", T30_SUPPORT_300_600_RESOLUTION },
    { "400x800", T30_SUPPORT_400_800_RESOLUTION },
    { "600x1200", T30_SUPPORT_600_1200_RESOLUTION },
    { NULL, 0 },
};

static void parse_options(int argc, char **argv, struct options *opt)
{
    enum {
        OPT_SEND = 1000, OPT_RECEIVE, OPT_CALLING, OPT_ANSWERING, OPT_LOCAL_HOST, OPT_LOCAL_PORT,
        OPT_REMOTE_HOST, OPT_REMOTE_PORT, OPT_VERSION, OPT_ECM, OPT_COMPRESSIONS, OPT_MODEMS,
        OPT_RESOLUTIONS, OPT_IDENT, OPT_MIN_SCAN, OPT_REDUNDANCY, OPT_MAX_SECONDS, OPT_SPOIL,
        OPT_LOG, OPT_NO_PACING, OPT_ALL_FRAMES, OPT_DROP_EVERY, OPT_HELP
    };
    static const struct option long_options[] = {
        { "send", required_argument, NULL, OPT_SEND },
        { "receive", required_argument, NULL, OPT_RECEIVE },
        { "calling", no_argument, NULL, OPT_CALLING },
        { "answering", no_argument, NULL, OPT_ANSWERING },
        { "local-host", required_argument, NULL, OPT_LOCAL_HOST },
        { "local-port", required_argument, NULL, OPT_LOCAL_PORT },
        { "remote-host", required_argument, NULL, OPT_REMOTE_HOST },
        { "remote-port", required_argument, NULL, OPT_REMOTE_PORT },
        { "version", required_argument, NULL, OPT_VERSION },
        { "ecm", required_argument, NULL, OPT_ECM },
        { "compressions", required_argument, NULL, OPT_COMPRESSIONS },
        { "modems", required_argument, NULL, OPT_MODEMS },
        { "resolutions", required_argument, NULL, OPT_RESOLUTIONS },
        { "ident", required_argument, NULL, OPT_IDENT },
        { "min-scan-ms", required_argument, NULL, OPT_MIN_SCAN },
        { "redundancy", required_argument, NULL, OPT_REDUNDANCY },
        { "max-seconds", required_argument, NULL, OPT_MAX_SECONDS },
        { "spoil-fast-above", required_argument, NULL, OPT_SPOIL },
        { "log", no_argument, NULL, OPT_LOG },
        { "no-pacing", no_argument, NULL, OPT_NO_PACING },
        { "all-frames", no_argument, NULL, OPT_ALL_FRAMES },
        { "drop-every", required_argument, NULL, OPT_DROP_EVERY },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };

    memset(opt, 0, sizeof(*opt));
    opt->calling = -1;
    opt->local_host = "127.0.0.1";
    opt->remote_host = "127.0.0.1";
    opt->ecm = 1;
    opt->compressions = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION;
    opt->modems = T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17;
    opt->min_scan_ms = -1;
    opt->redundancy = 3;

    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_SEND: opt->send_file = optarg; break;
        case OPT_RECEIVE: opt->receive_file = optarg; break;
        case OPT_CALLING: opt->calling = 1; break;
        case OPT_ANSWERING: opt->calling = 0; break;
        case OPT_LOCAL_HOST: opt->local_host = optarg; break;
        case OPT_LOCAL_PORT: opt->local_port = parse_int("--local-port", optarg, 0, 65535); break;
        case OPT_REMOTE_HOST: opt->remote_host = optarg; break;
        case OPT_REMOTE_PORT: opt->remote_port = parse_int("--remote-port", optarg, 0, 65535); break;
        case OPT_VERSION: opt->version = parse_int("--version", optarg, 0, 3); break;
        case OPT_ECM: opt->ecm = parse_int("--ecm", optarg, 0, 1); break;
        case OPT_COMPRESSIONS: opt->compressions = parse_list("--compressions", optarg, COMPRESSIONS); break;
        case OPT_MODEMS: opt->modems = parse_list("--modems", optarg, MODEMS); break;
        case OPT_RESOLUTIONS: opt->resolutions = parse_list("--resolutions", optarg, RESOLUTIONS); break;
        case OPT_IDENT:
            if (strlen(optarg) > T30_MAX_IDENT_LEN) {
                usage_error("--ident is at most %d characters", T30_MAX_IDENT_LEN);
            }
            opt->ident = optarg;
            break;
        case OPT_MIN_SCAN: opt->min_scan_ms = parse_int("--min-scan-ms", optarg, 0, 40); break;
        case OPT_REDUNDANCY: opt->redundancy = parse_int("--redundancy", optarg, 0, MAX_REDUNDANCY); break;
        case OPT_MAX_SECONDS: opt->max_seconds = parse_int("--max-seconds", optarg, 1, 86400); break;
        case OPT_SPOIL: opt->spoil_above = parse_int("--spoil-fast-above", optarg, 300, 33600); break;
        case OPT_LOG: opt->log = 1; break;
        case OPT_NO_PACING: opt->no_pacing = 1; break;
        case OPT_ALL_FRAMES: opt->all_frames = 1; break;
        case OPT_DROP_EVERY: opt->drop_every = parse_int("--drop-every", optarg, 2, 65535); break;
        case OPT_HELP: usage_error("help"); break;
        default:
            usage_error("unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        usage_error("unexpected argument '%s'", argv[optind]);
    }
    if ((opt->send_file == NULL) == (opt->receive_file == NULL)) {
        usage_error("give exactly one of --send FILE and --receive FILE");
    }
    if (opt->calling < 0) {
        opt->calling = opt->send_file != NULL;
    }
    if (opt->send_file != NULL && access(opt->send_file, R_OK) != 0) {
        usage_error("cannot read %s: %s", opt->send_file, strerror(errno));
    }
    struct in_addr probe;
    if (inet_pton(AF_INET, opt->local_host, &probe) != 1) {
        usage_error("--local-host wants an IPv4 address, not '%s'", opt->local_host);
    }
    if (inet_pton(AF_INET, opt->remote_host, &probe) != 1) {
        usage_error("--remote-host wants an IPv4 address, not '%s'", opt->remote_host);
    }
}

/* ---- main --------------------------------------------------------------------------------- */

static void open_socket(struct peer *p)
{
    p->fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (p->fd < 0) {
        die("socket: %s", strerror(errno));
    }
    struct sockaddr_in local;
    memset(&local, 0, sizeof(local));
    local.sin_family = AF_INET;
    local.sin_port = htons((uint16_t) p->opt.local_port);
    inet_pton(AF_INET, p->opt.local_host, &local.sin_addr);
    if (bind(p->fd, (struct sockaddr *) &local, sizeof(local)) < 0) {
        die("bind %s:%d: %s", p->opt.local_host, p->opt.local_port, strerror(errno));
    }
    socklen_t local_len = sizeof(local);
    if (getsockname(p->fd, (struct sockaddr *) &local, &local_len) < 0) {
        die("getsockname: %s", strerror(errno));
    }
    if (p->opt.remote_port > 0) {
        memset(&p->remote, 0, sizeof(p->remote));
        p->remote.sin_family = AF_INET;
        p->remote.sin_port = htons((uint16_t) p->opt.remote_port);
        inet_pton(AF_INET, p->opt.remote_host, &p->remote.sin_addr);
        p->remote_known = 1;
    }
    printf("{\"listening\":%d}\n", ntohs(local.sin_port));
    fflush(stdout);
}

static void set_up_spandsp(struct peer *p)
{
    const struct options *o = &p->opt;
    span_set_message_handler(log_to_stderr);
    p->terminal = t38_terminal_init(NULL, o->calling, tx_packet_handler, p);
    if (p->terminal == NULL) {
        die("t38_terminal_init failed");
    }
    p->core = t38_terminal_get_t38_core_state(p->terminal);
    p->t30 = t38_terminal_get_t30_state(p->terminal);
    t38_set_t38_version(p->core, o->version);
    if (o->no_pacing) {
        t38_terminal_set_config(p->terminal, T38_TERMINAL_OPTION_NO_PACING);
    }
    if (o->log) {
        int level = SPAN_LOG_SHOW_SEVERITY | SPAN_LOG_SHOW_PROTOCOL | SPAN_LOG_FLOW;
        logging_state_t *logs[] = {
            t38_terminal_get_logging_state(p->terminal),
            t38_core_get_logging_state(p->core),
            t30_get_logging_state(p->t30),
        };
        for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
            span_log_set_level(logs[i], level);
            span_log_set_tag(logs[i], o->send_file != NULL ? "send" : "receive");
            span_log_set_message_handler(logs[i], log_to_stderr);
        }
    }
    if (o->ident != NULL) {
        t30_set_tx_ident(p->t30, o->ident);
    }
    t30_set_ecm_capability(p->t30, o->ecm);
    t30_set_supported_compressions(p->t30, o->compressions);
    t30_set_supported_modems(p->t30, o->modems);
    if (o->resolutions != 0) {
        t30_set_supported_resolutions(p->t30, o->resolutions);
    }
    if (o->min_scan_ms >= 0) {
        t30_set_minimum_scan_line_time(p->t30, o->min_scan_ms);
    }
    if (o->send_file != NULL) {
        t30_set_tx_file(p->t30, o->send_file, -1, -1);
    } else {
        t30_set_rx_file(p->t30, o->receive_file, -1);
    }
    t30_set_phase_d_handler(p->t30, phase_d_handler, p);
    t30_set_phase_e_handler(p->t30, phase_e_handler, p);
    t30_set_real_time_frame_handler(p->t30, real_time_frame_handler, p);
}

static int exit_code(const struct peer *p)
{
    if (p->timed_out) {
        return EXIT_TIMEOUT;
    }
    return p->phase_e_seen && p->completion == T30_ERR_OK && !p->interrupted ? EXIT_OK : EXIT_FAILED;
}

/* Ends the call early (timeout or signal): spandsp reports phase E itself if it was active. */
static void end_call(struct peer *p)
{
    if (!p->phase_e_seen) {
        t30_terminate(p->t30);
    }
    if (!p->phase_e_seen) {
        p->completion = T30_ERR_CALLDROPPED;
        p->phase_e_seen = 1;
    }
    print_result(p);
}

int main(int argc, char **argv)
{
    struct peer *p = &peer;
    memset(p, 0, sizeof(*p));
    parse_options(argc, argv, &p->opt);

    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    open_socket(p);
    set_up_spandsp(p);

    p->start_ns = monotonic_ns();
    long long deadline = p->opt.max_seconds > 0 ? p->start_ns + (long long) p->opt.max_seconds * 1000000000LL : 0;
    long long ticks = 0;
    for (;;) {
        if (stop_requested) {
            p->interrupted = 1;
            end_call(p);
            break;
        }
        long long now = monotonic_ns();
        long long next_tick = p->start_ns + ticks * TICK_NS;
        if (now >= next_tick) {
            int done = t38_terminal_send_timeout(p->terminal, TICK_SAMPLES);
            ticks++;
            if (p->phase_e_seen && (done || now - p->phase_e_ns > LINGER_NS)) {
                break;
            }
            if (deadline != 0 && now >= deadline) {
                if (!p->phase_e_seen) {
                    p->timed_out = 1;
                    end_call(p);
                }
                break;
            }
            continue; /* behind schedule: run the missed ticks before waiting */
        }
        struct pollfd pfd = { .fd = p->fd, .events = POLLIN, .revents = 0 };
        int wait_ms = (int) ((next_tick - now + 999999) / 1000000);
        int ready = poll(&pfd, 1, wait_ms);
        if (ready > 0 && (pfd.revents & POLLIN)) {
            drain_socket(p);
        }
    }

    print_result(p);
    int code = exit_code(p);
    t38_terminal_release(p->terminal);
    t38_terminal_free(p->terminal);
    close(p->fd);
    for (int i = 0; i < p->frame_count; i++) {
        free(p->frames[i].octets);
    }
    free(p->frames);
    free(p->snapshots);
    return code;
}
