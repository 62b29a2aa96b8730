/* ovpn3-mgmt-control.c — the commands that steer openvpn (hold, signal,
 * state/log/echo, bytecount, remote, proxy, …): most are constant and cannot
 * fail; the ones with a host or a type check it (docs/openvpn-management.md §3).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-mgmt-command"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-command-private.h"

Ovpn3MgmtCommand *
ovpn3_mgmt_command_hold(Ovpn3MgmtHoldAction action)
{
  static const char *const args[] = { NULL, "on", "off", "release" };

  g_return_val_if_fail(action <= OVPN3_MGMT_HOLD_RELEASE, NULL);
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "hold", args[action], NULL);
}

static const char *const signal_names[] = { "SIGHUP", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGINT" };

Ovpn3MgmtCommand *
ovpn3_mgmt_command_signal(Ovpn3MgmtSignal sig)
{
  g_return_val_if_fail((gsize) sig < G_N_ELEMENTS(signal_names), NULL);
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "signal", signal_names[sig], NULL);
}

gboolean
ovpn3_mgmt_signal_from_name(const char *name, Ovpn3MgmtSignal *sig)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS(signal_names); i++)
    if (strcmp(name, signal_names[i]) == 0)
      {
        *sig = (Ovpn3MgmtSignal) i;
        return TRUE;
      }
  return FALSE;
}

static const char *const stream_verbs[] = { "state", "log", "echo" };
static const char *const realtime_names[] = { "on", "off", "all", "on all" };

Ovpn3MgmtCommand *
ovpn3_mgmt_command_realtime(Ovpn3MgmtStream stream, Ovpn3MgmtRealtime mode)
{
  const char *verb;

  g_return_val_if_fail((gsize) stream < G_N_ELEMENTS(stream_verbs), NULL);
  verb = stream_verbs[stream];
  switch (mode)
    {
      case OVPN3_MGMT_REALTIME_ON:
        return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, verb, "on", NULL);
      case OVPN3_MGMT_REALTIME_OFF:
        return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, verb, "off", NULL);
      case OVPN3_MGMT_REALTIME_ALL:
        return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_MULTI, FALSE, NULL, verb, "all", NULL);
      case OVPN3_MGMT_REALTIME_ON_ALL:
        return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_SUCCESS_MULTI, FALSE, NULL, verb, "on",
                                      "all", NULL);
    }
  g_return_val_if_reached(NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_state(Ovpn3MgmtRealtime mode)
{
  return ovpn3_mgmt_command_realtime(OVPN3_MGMT_STREAM_STATE, mode);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_log(Ovpn3MgmtRealtime mode)
{
  return ovpn3_mgmt_command_realtime(OVPN3_MGMT_STREAM_LOG, mode);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_echo(Ovpn3MgmtRealtime mode)
{
  return ovpn3_mgmt_command_realtime(OVPN3_MGMT_STREAM_ECHO, mode);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_history(Ovpn3MgmtStream stream, guint n)
{
  g_autofree gchar *count = g_strdup_printf("%u", n);

  g_return_val_if_fail((gsize) stream < G_N_ELEMENTS(stream_verbs), NULL);
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_MULTI, FALSE, NULL, stream_verbs[stream], count,
                                NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_state_query(void)
{
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_MULTI, FALSE, NULL, "state", NULL);
}

gboolean
ovpn3_mgmt_realtime_from_name(const char *name, Ovpn3MgmtRealtime *mode)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS(realtime_names); i++)
    if (strcmp(name, realtime_names[i]) == 0)
      {
        *mode = (Ovpn3MgmtRealtime) i;
        return TRUE;
      }
  return FALSE;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_bytecount(guint interval)
{
  g_autofree gchar *n = g_strdup_printf("%u", interval);

  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "bytecount", n, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_status(void)
{
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_MULTI, FALSE, NULL, "status", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_needok(const char *type, gboolean ok, GError **error)
{
  if (!ovpn3_mgmt_command_require(error, type, ""))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, FALSE, error, "needok", type, ok ? "ok" : "cancel", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_needstr(const char *type, const char *value, GError **error)
{
  if (!ovpn3_mgmt_command_require(error, type, value))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, TRUE, error, "needstr", type, value, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_remote_accept(void)
{
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "remote", "ACCEPT", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_remote_skip(guint n)
{
  g_autofree gchar *s = g_strdup_printf("%u", n);

  if (n == 0)
    return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "remote", "SKIP", NULL);
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "remote", "SKIP", s, NULL);
}

static gboolean
check_port(guint port, GError **error)
{
  if (port == 0 || port > 65535)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Invalid port");
      return FALSE;
    }
  return TRUE;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_remote_mod(const char *host, guint port, GError **error)
{
  g_autofree gchar *p = g_strdup_printf("%u", port);

  if (!ovpn3_mgmt_command_require(error, host, "") || !check_port(port, error))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, FALSE, error, "remote", "MOD", host, p, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_proxy_none(void)
{
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "proxy", "NONE", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_proxy_http(const char *host, guint port, gboolean nct, GError **error)
{
  g_autofree gchar *p = g_strdup_printf("%u", port);

  if (!ovpn3_mgmt_command_require(error, host, "") || !check_port(port, error))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, FALSE, error, "proxy", "HTTP", host, p, nct ? "nct" : NULL,
                                NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_proxy_socks(const char *host, guint port, GError **error)
{
  g_autofree gchar *p = g_strdup_printf("%u", port);

  if (!ovpn3_mgmt_command_require(error, host, "") || !check_port(port, error))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, FALSE, error, "proxy", "SOCKS", host, p, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_version(guint n)
{
  g_autofree gchar *s = g_strdup_printf("%u", n);

  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_NONE, FALSE, NULL, "version", s, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_pid(void)
{
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "pid", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_forget_passwords(void)
{
  return ovpn3_mgmt_command_new(SINGLE, FALSE, NULL, "forget-passwords", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_exit(void)
{
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_NONE, FALSE, NULL, "exit", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_pkcs11_id_count(void)
{
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_PKCS11, FALSE, NULL, "pkcs11-id-count", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_pkcs11_id_get(guint index)
{
  g_autofree gchar *i = g_strdup_printf("%u", index);

  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_PKCS11, FALSE, NULL, "pkcs11-id-get", i, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_remote_entry_count(void)
{
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_MULTI, FALSE, NULL, "remote-entry-count", NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_remote_entry_get_all(void)
{
  return ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_MULTI, FALSE, NULL, "remote-entry-get", "all",
                                NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_auth_retry(const char *mode, GError **error)
{
  if (g_strcmp0(mode, "none") != 0 && g_strcmp0(mode, "nointeract") != 0
      && g_strcmp0(mode, "interact") != 0)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Invalid auth-retry mode");
      return NULL;
    }
  return ovpn3_mgmt_command_new(SINGLE, FALSE, error, "auth-retry", mode, NULL);
}
