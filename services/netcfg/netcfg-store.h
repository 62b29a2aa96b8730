/* netcfg-store.h — netcfg's own state (the device record and the
 * resolv.conf backup), out of reach of every other process of the service
 * user (docs/architecture.md §6 "Its own state, and
 * cleanup"; docs/security.md §9), and its settings (netcfg-settings.h).
 *
 * Two directories, each holding its own records: the runtime one (<state
 * dir>, /run/ovpn3/netcfg: what must not outlive the boot, such as the
 * device record) and the persistent one (/var/lib/ovpn3-netcfg, systemd's
 * StateDirectory= of the netcfg unit: the settings). Both follow the rules
 * below; each is opened on its own (netcfg_store_open,
 * netcfg_store_open_persistent) and may be unavailable on its own.
 *
 * After the privilege drop netcfg runs as the service user, like every
 * other service: whatever it could open by name then, any process of that
 * user could open too. So the store's files are opened — created if
 * missing — while netcfg is still root (netcfg_store_open, from
 * netcfg_service_prepare), in a directory that only root can enter or
 * change (<state dir>, root:root 0700, made by tmpfiles.d), and every later
 * read and write goes through those descriptors. Nothing is ever opened,
 * created, renamed or removed there by name after the drop (the directory
 * refuses all of it then).
 *
 * The rule is "the directory and its files belong to the uid netcfg was
 * started as": root for the shipped unit and for scripts/devbus (only root
 * creates a missing directory). Started directly as the service user (with
 * CAP_NET_ADMIN), netcfg accepts an existing directory of that user, and its
 * state is then as exposed as that user.
 * A directory of anyone else, or with group/other write access, is
 * refused; netcfg then runs without a store (no crash recovery, no
 * resolv.conf fallback) and says why once it is on the bus.
 *
 * Rewritten in place, a record cannot be replaced atomically by rename(),
 * so each record has two files, <record>.0 and <record>.1. Each holds one
 * copy: a header line
 *
 *   ovpn3-netcfg-store 1 <record> <generation> <length> <sha256>\n
 *
 * then <length> bytes of payload; the SHA-256 (lower-case hex) is that of
 * "<record>\n<generation>\n<length>\n" followed by the payload. A save
 * writes the file that does not hold the newest copy (offset 0, then
 * ftruncate and fdatasync) with the next generation, so a write cut short
 * (netcfg killed in the middle) leaves a copy that does not verify and
 * the previous one intact. Loading takes the intact copy with the highest
 * generation. An empty payload means "nothing recorded" (files are never
 * removed).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  /* in the runtime directory */
  NETCFG_STORE_DEVICES,       /* netcfg-state.{0,1}: netcfg-state.h */
  NETCFG_STORE_RESOLV_BACKUP, /* resolv.conf.backup.{0,1}: netcfg-dns-resolvconf.h */
  NETCFG_STORE_SETTINGS,      /* netcfg-settings.{0,1}: until a reboot (netcfg-settings.h) */
  NETCFG_STORE_N_RECORDS,     /* the runtime directory's records */
  /* in the persistent directory */
  NETCFG_STORE_SETTINGS_PERSISTENT = NETCFG_STORE_N_RECORDS, /* netcfg-settings.{0,1} */
  NETCFG_STORE_N_ALL,
} NetcfgStoreRecord;

/* Largest payload a record may hold (and be read with). */
#define NETCFG_STORE_MAX_PAYLOAD (16 * 1024 * 1024)

/* Opens (creating them if missing; the directory only as root) the
 * directory and the files of every record, checks they belong to the
 * effective uid (see above), and finds the newest copy of each record.
 * Call while still privileged. On failure the store stays closed and the
 * reason is kept for netcfg_store_unavailable_reason(). */
gboolean netcfg_store_open(const char *dir, GError **error);
/* The same for the persistent directory and its records. */
gboolean netcfg_store_open_persistent(const char *dir, GError **error);
/* Whether the runtime directory is open. */
gboolean netcfg_store_is_open(void);
/* Why the runtime directory is closed ("… : crash recovery is off"), NULL if open. */
const char *netcfg_store_unavailable_reason(void);
/* The same for the directory of record. */
gboolean netcfg_store_record_is_open(NetcfgStoreRecord record);
const char *netcfg_store_record_unavailable_reason(NetcfgStoreRecord record);
/* Closes the descriptors of both directories (tests). */
void netcfg_store_close(void);

/* The record's newest intact payload (empty: nothing recorded). NULL with
 * an error when the store is closed, on I/O errors, or when the files hold
 * copies and none is intact. *damaged (optional) is set when a non-empty
 * copy did not verify (a write cut short, or not netcfg's). */
GBytes *netcfg_store_load(NetcfgStoreRecord record, gboolean *damaged, GError **error);
/* Writes payload as the record's new newest copy. */
gboolean netcfg_store_save(NetcfgStoreRecord record, const void *payload, gsize length,
                           GError **error);

/* The file name of one copy ("netcfg-state.1"), for messages and tests. */
char *netcfg_store_file_name(NetcfgStoreRecord record, guint copy);

G_END_DECLS
