/* ovpn3-net-limits.h — the one set of limits on network settings pushed by a
 * VPN server (docs/architecture.md §6), for the backend client (which drops
 * what is beyond them, with a refusal each) and netcfg (which refuses a call
 * that goes beyond them). Per-user device quotas are in ovpn3-quota.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

/* List caps. */
#define OVPN3_NET_MAX_DNS_SERVERS 32
#define OVPN3_NET_MAX_DNS_SEARCH  64
#define OVPN3_NET_MAX_ROUTES      1000
#define OVPN3_NET_MAX_ADDRESSES   32

/* The tunnel MTU. */
#define OVPN3_NET_MTU_MIN 576
#define OVPN3_NET_MTU_MAX 65535

/* DNS names: a whole name without its (refused) final dot, one label. */
#define OVPN3_NET_DOMAIN_MAX 253
#define OVPN3_NET_LABEL_MAX  63

/* The longest IP literal accepted (belt and braces before inet_pton). */
#define OVPN3_NET_IP_STRING_MAX 64

/* Untrusted text quoted in messages is cut after this many bytes. */
#define OVPN3_NET_ESCAPE_MAX 64
