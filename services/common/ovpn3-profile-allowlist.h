/* ovpn3-profile-allowlist.h — which OpenVPN 2.6 directives a profile may hold
 * (docs/architecture.md §4) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  OVPN3_OPT_CONNECTION = 1 << 0, /* also allowed inside a <connection> block */
  OVPN3_OPT_BLOCK = 1 << 1,      /* may be given as an inline <name>…</name> block */
  OVPN3_OPT_BLOCK_ONLY = 1 << 2, /* must be inline (an argument would be a file path) */
  OVPN3_OPT_REPEAT = 1 << 3,     /* docs/dbus-api.md §9.1 repeatable: always an array of arrays */
} Ovpn3ProfileOptFlags;

/* Checks the arguments' values; returns NULL if fine, else a newly allocated text that
 * completes "invalid argument for 'name': …". */
typedef char *(*Ovpn3ProfileArgCheck)(const char *const *args);

typedef struct
{
  const char *name;
  guint8 min_args;
  guint8 max_args;
  guint flags;
  Ovpn3ProfileArgCheck check;
} Ovpn3ProfileOptInfo;

/* The allowlist entry for @name, or NULL if it is not allowed. */
const Ovpn3ProfileOptInfo *ovpn3_profile_allowlist_lookup(const char *name);

/* Why @name (with @args; @is_block: given as inline block) is refused, as a static text a user
 * understands, or NULL if it is not refused.  Covers the docs/architecture.md §4 refused list,
 * server options, Windows-only options, file paths and unknown options.  *shown gets the
 * directive as it should appear in the message (e.g. "setenv opt", "ca ca.crt"), newly
 * allocated. */
const char *ovpn3_profile_allowlist_refusal(const char *name, const char *const *args,
                                            gboolean is_block, gboolean in_connection,
                                            char **shown);

/* What openvpn cannot do without capabilities (`lport` < 1024 — `port` < 1024 too when the
 * scope binds —, `mark`, `lladdr`, `nice` < 0, `mlock`): appends texts to @reasons (may be NULL)
 * and returns TRUE if this directive must be refused at session start.
 * @has_bind: whether the same scope has `bind` or `local`. */
gboolean ovpn3_profile_allowlist_engine_refusal(const char *name, const char *const *args,
                                                gboolean has_bind, GPtrArray *reasons);

/* Findings for the polkit action net.openvpn.v3.profile.privileged-options (`bind-dev`, `dev`
 * naming a host device): appends texts to @reasons (may be NULL) and returns TRUE if this
 * directive is privileged. */
gboolean ovpn3_profile_allowlist_privileged(const char *name, const char *const *args,
                                            GPtrArray *reasons);

/* For tests: every name on the refused list (NULL-terminated, static). */
const char *const *ovpn3_profile_allowlist_refused_names(void);
/* For tests: the allowlist (terminated by an entry with name NULL). */
const Ovpn3ProfileOptInfo *ovpn3_profile_allowlist_table(void);

G_END_DECLS
