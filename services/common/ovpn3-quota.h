/* ovpn3-quota.h — the per-user quotas and global caps of docs/security.md §7,
 * in one place so that the services that count the same thing
 * agree: a user's sessions (sessionmgr) and the tun/tap devices of that
 * user's sessions (netcfg) have the same limit, so a user who may start a
 * session always gets a device for it. Per-user limits count per session
 * or profile owner and do not apply to root; the global caps apply to
 * everyone. The caps on what a VPN server may push (routes, DNS servers,
 * addresses…) are in ovpn3-net-limits.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

/* sessionmgr: sessions per owner (starting ones included), and in all. */
#define OVPN3_QUOTA_SESSIONS_PER_USER 8
#define OVPN3_QUOTA_SESSIONS_TOTAL    64

/* netcfg: devices per session owner (learned from LookupBackend), and in all. */
#define OVPN3_QUOTA_DEVICES_PER_USER OVPN3_QUOTA_SESSIONS_PER_USER
#define OVPN3_QUOTA_DEVICES_TOTAL    OVPN3_QUOTA_SESSIONS_TOTAL

/* configmgr: bytes of stored profiles (rendered profile, name, tags,
 * overrides) per owner, and in all. */
#define OVPN3_QUOTA_CONFIG_BYTES_PER_USER (16u * 1024u * 1024u)
#define OVPN3_QUOTA_CONFIG_BYTES_TOTAL    (256u * 1024u * 1024u)
