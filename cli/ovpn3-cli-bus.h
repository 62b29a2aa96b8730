/* ovpn3-cli-bus.h — system-bus calls for the CLI: retry before dispatch, plain-word errors
 *
 * Every call goes through ovpn3_cli_call(). It retries, with back-off, only errors that happen
 * before the call reached a service (the name is not owned or not activatable yet, the manager
 * object is not exported yet), never a timeout or a missing reply, so a retried call can never
 * be carried out twice.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* Retry schedule: the first retry after OVPN3_CLI_RETRY_FIRST_MS, doubling up to
 * OVPN3_CLI_RETRY_MAX_MS per wait, OVPN3_CLI_RETRY_TRIES attempts in all (about 5 s). */
#define OVPN3_CLI_RETRY_TRIES    7
#define OVPN3_CLI_RETRY_FIRST_MS 100
#define OVPN3_CLI_RETRY_MAX_MS   1600

typedef enum
{
  OVPN3_CLI_ERROR_KIND_OTHER,       /* the service refused or failed the request */
  OVPN3_CLI_ERROR_KIND_NOT_FOUND,   /* no object at that path */
  OVPN3_CLI_ERROR_KIND_ACCESS,      /* the service said no (ACL / polkit) */
  OVPN3_CLI_ERROR_KIND_POLICY,      /* the bus's policy said no */
  OVPN3_CLI_ERROR_KIND_UNAVAILABLE, /* service not running and not startable */
  OVPN3_CLI_ERROR_KIND_NO_REPLY,    /* timeout / no reply: outcome unknown */
  OVPN3_CLI_ERROR_KIND_RETRYABLE,   /* before dispatch (internal: retried) */
} Ovpn3CliErrorKind;

/* The system bus (connected on first use); NULL + error if there is none. */
GDBusConnection *ovpn3_cli_bus(GError **error);

/* A method call with the retry rule above.  @reply_type may be NULL. */
GVariant *ovpn3_cli_call(const char *dest, const char *path, const char *iface, const char *method,
                         GVariant *params, const GVariantType *reply_type, GError **error);

/* Properties.GetAll(@iface) on @path: the a{sv} dictionary (only what the caller may read). */
GVariant *ovpn3_cli_get_all(const char *dest, const char *path, const char *iface, GError **error);
/* Properties.Get / Set. */
GVariant *ovpn3_cli_get_property(const char *dest, const char *path, const char *iface,
                                 const char *name, GError **error);
gboolean ovpn3_cli_set_property(const char *dest, const char *path, const char *iface,
                                const char *name, GVariant *value, GError **error);

/* Starts GetAll on every path at once (pipelined) and waits for all replies; returns a new
 * array, one a{sv} GVariant (or NULL when that object failed) per path, in the same order.
 * Pre-dispatch errors are retried per path, as for ovpn3_cli_call(). */
GPtrArray *ovpn3_cli_get_all_many(const char *dest, const char *const *paths, const char *iface);

typedef struct
{
  const char *dest;
  const char *path;
  const char *iface;
  const char *property; /* NULL: GetAll; else Get of this property */
  GVariant *props;      /* out: the a{sv} (or the property's value), or NULL */
  GError *error;        /* out: why not */
} Ovpn3CliGetAll;

/* GetAll (or Get) on every item at once (each may go to another service), waiting for all. */
void ovpn3_cli_get_all_batch(Ovpn3CliGetAll *items, guint n);
/* One GetAll item of @iface at @dest per path of @paths (NULL-terminated), run with
 * ovpn3_cli_get_all_batch(); *n_out = how many.  The items point into @paths.  Free them with
 * ovpn3_cli_get_all_items_free(). */
Ovpn3CliGetAll *ovpn3_cli_get_all_paths(const char *dest, const char *const *paths,
                                        const char *iface, guint *n_out);
void ovpn3_cli_get_all_items_free(Ovpn3CliGetAll *items, guint n);

Ovpn3CliErrorKind ovpn3_cli_error_kind(const GError *error);

/* g_dbus_error_strip_remote_error(), and the same again for a message in upstream's form
 * "GDBus.Error:<name>: <text>" (what some services send, tests/compat/README.md): the text. */
void ovpn3_cli_strip_remote_error(GError *error);

/* Report @error on stderr in plain words: "ovpn3: <what>: <reason>" and, when given, a line with
 * what to do next; the raw D-Bus error name only with --verbose.  Returns the exit code. */
int ovpn3_cli_report(Ovpn3Cli *cli, const GError *error, const char *what, const char *hint);
/* The same for a CLI-made error message (printf-like); returns @code. */
int ovpn3_cli_fail(Ovpn3Cli *cli, int code, const char *hint, const char *format, ...)
    G_GNUC_PRINTF(4, 5);
/* A friendly name of a service from its bus name ("the configuration service"). */
const char *ovpn3_cli_service_label(const char *bus_name);

G_END_DECLS
