/* client-overrides.c — the profile's overrides (docs/dbus-api.md §9.2) as the backend applies
 * them: the log level, the DNS switches and auth-fail-retry; server/port/proto answered on
 * >REMOTE; openvpn flags after --config (compression, TLS, --http-proxy with --proto tcp-client,
 * the legacy algorithms, pull filters for `ipv6 no`); the proxy's credentials answered on the
 * management interface (client-credentials.c); IPv6 dropped from the pushed settings with
 * `ipv6 no`. configmgr refuses the values nothing applies (services/configmgr/config-overrides.c);
 * one this backend cannot use fails the registration with the reason — none is accepted and
 * then ignored (docs/compatibility.md §4).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-overrides"

#include "config.h"

#include <string.h>

#include "client-backend-private.h"
#include "ovpn3-error.h"

/* openvpn 2.6's own --data-ciphers default, and what enable-legacy-algorithms adds to it */
#define DATA_CIPHERS_DEFAULT "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305"
static const char *const legacy_ciphers[] = { "AES-256-CBC", "AES-128-CBC", "BF-CBC", NULL };

const char *
client_override_string(Ovpn3ClientBackend *self, const char *key)
{
  const char *v = NULL;

  if (self->overrides == NULL || !g_variant_lookup(self->overrides, key, "&s", &v))
    return NULL;
  return v;
}

static gboolean
override_bool(Ovpn3ClientBackend *self, const char *key)
{
  gboolean v = FALSE;

  return self->overrides != NULL && g_variant_lookup(self->overrides, key, "b", &v) && v;
}

/* A host name or address openvpn takes as one argument. */
static gboolean
valid_host(const char *v)
{
  return *v != '\0' && strlen(v) <= 253 && strpbrk(v, " \t\r\n\"'\\#;") == NULL;
}

/* server/port/proto overrides (answered on >REMOTE) and the ones that map onto an
 * openvpn flag; FALSE if key is none of them or the value is not valid. */
static gboolean
apply_connection_override(Ovpn3ClientBackend *self, const char *key, const char *v,
                          GStrvBuilder *args)
{
  static const char *const compression[] = { "no", "asym", "yes", NULL };
  static const char *const cert_profiles[] = { "legacy", "preferred", "suiteb", NULL };
  static const char *const tls_versions[][2]
      = { { "tls_1_0", "1.0" }, { "tls_1_1", "1.1" }, { "tls_1_2", "1.2" }, { "tls_1_3", "1.3" } };
  guint64 port;

  if (g_str_equal(key, "server-override") && valid_host(v))
    {
      g_free(self->server_override);
      self->server_override = g_strdup(v);
      return TRUE;
    }
  if (g_str_equal(key, "port-override") && g_ascii_string_to_unsigned(v, 10, 1, 65535, &port, NULL))
    {
      self->port_override = (guint) port;
      return TRUE;
    }
  if (g_str_equal(key, "proto-override") && (g_str_equal(v, "tcp") || g_str_equal(v, "udp")))
    {
      g_free(self->proto_override);
      self->proto_override = g_strdup(v);
      return TRUE;
    }
  if (g_str_equal(key, "allow-compression") && g_strv_contains(compression, v))
    {
      g_strv_builder_add_many(args, "--allow-compression", v, NULL);
      return TRUE;
    }
  if (g_str_equal(key, "tls-cert-profile") && g_strv_contains(cert_profiles, v))
    {
      g_strv_builder_add_many(args, "--tls-cert-profile", v, NULL);
      return TRUE;
    }
  if (g_str_equal(key, "tls-version-min"))
    for (gsize i = 0; i < G_N_ELEMENTS(tls_versions); i++)
      if (g_str_equal(v, tls_versions[i][0]))
        {
          g_strv_builder_add_many(args, "--tls-version-min", tls_versions[i][1], NULL);
          return TRUE;
        }
  return FALSE;
}

/* The string overrides; FALSE if the value cannot be used. */
static gboolean
apply_string(Ovpn3ClientBackend *self, const char *key, const char *v, GStrvBuilder *args)
{
  guint64 level;

  if (g_str_equal(key, "log-level"))
    {
      if (!g_ascii_string_to_unsigned(v, 10, 0, OVPN3_LOG_LEVEL_MAX, &level, NULL))
        return FALSE;
      self->log_level = (guint) level;
      return TRUE;
    }
  if (g_str_equal(key, "dns-scope"))
    {
      if (!g_str_equal(v, OVPN3_DNS_SCOPE_GLOBAL) && !g_str_equal(v, OVPN3_DNS_SCOPE_TUNNEL))
        return FALSE;
      g_free(self->dns_scope);
      self->dns_scope = g_strdup(v);
      return TRUE;
    }
  if (g_str_equal(key, "ipv6"))
    {
      /* yes and default: whatever the server pushes */
      self->ipv6_off = g_str_equal(v, "no");
      return self->ipv6_off || g_str_equal(v, "yes") || g_str_equal(v, "default");
    }
  /* applied together by apply_proxy(); automatic-restart is the session manager's */
  if (g_str_has_prefix(key, "proxy-") || g_str_equal(key, "automatic-restart"))
    return TRUE;
  return apply_connection_override(self, key, v, args);
}

/* The boolean overrides; FALSE if this value is not one ovpn3 applies. */
static gboolean
apply_bool(Ovpn3ClientBackend *self, const char *key, gboolean v)
{
  if (g_str_equal(key, "dns-setup-disabled"))
    self->dns_disabled = v;
  else if (g_str_equal(key, OVPN3_OVERRIDE_AUTH_FAIL_RETRY))
    self->auth_fail_retry = v;
  else if (g_str_equal(key, "enable-legacy-algorithms"))
    self->legacy_algorithms = v;
  /* what the backend always does: the device is kept across reconnects (--persist-tun),
   * openvpn resolves synchronously, no third-party resolver is added; the other values are
   * refused by configmgr */
  else if (g_str_equal(key, "persist-tun") || g_str_equal(key, "dns-sync-lookup"))
    return v;
  else if (g_str_equal(key, "dns-fallback-google"))
    return !v;
  /* read by apply_proxy(); reconnect-on-network-change is the session manager's */
  else if (!g_str_equal(key, "proxy-auth-cleartext") && !g_str_equal(key, OVPN3_OVERRIDE_RECONNECT))
    return FALSE;
  return TRUE;
}

/* proxy-host/-port: --http-proxy HOST PORT and --proto tcp-client (openvpn reaches a proxy over
 * TCP only). With proxy-username, `stdin basic` when proxy-auth-cleartext allows Basic (not
 * `auto`: openvpn 2.6 re-sends refused Basic credentials in a tight loop there; named, a refused
 * login is retried at openvpn's restart pace), else `auto-nct` (Digest or NTLM as the proxy asks,
 * never Basic); openvpn asks >PASSWORD:Need 'HTTP Proxy' and client-credentials.c answers. */
static gboolean
apply_proxy(Ovpn3ClientBackend *self, GStrvBuilder *args, GError **error)
{
  const char *host = client_override_string(self, "proxy-host");
  const char *port = client_override_string(self, "proxy-port");
  const char *user = client_override_string(self, "proxy-username");
  const char *const keys[] = { "proxy-port", "proxy-username", "proxy-password", NULL };
  guint64 n;

  /* proxy settings without proxy-host, or a password without a user name */
  for (guint i = host == NULL ? 0 : 2; keys[i] != NULL; i++)
    if ((host == NULL || user == NULL) && client_override_string(self, keys[i]) != NULL)
      {
        const char *missing = host == NULL ? "proxy-host" : "proxy-username";

        g_set_error(error, OVPN3_ERROR_CLIENT, OVPN3_ERROR_FAILED,
                    "The %s override is set but %s is not: set %s or unset %s", keys[i], missing,
                    missing, keys[i]);
        return FALSE;
      }
  if (host == NULL)
    return TRUE;
  if (!valid_host(host) || port == NULL
      || !g_ascii_string_to_unsigned(port, 10, 1, 65535, &n, NULL))
    {
      g_set_error_literal(error, OVPN3_ERROR_CLIENT, OVPN3_ERROR_FAILED,
                          "The proxy-host override needs a host name and a proxy-port of 1-65535");
      return FALSE;
    }
  if (g_strcmp0(self->proto_override, "udp") == 0)
    {
      g_set_error_literal(error, OVPN3_ERROR_CLIENT, OVPN3_ERROR_FAILED,
                          "An HTTP proxy (proxy-host) is reached over TCP only: unset "
                          "proto-override udp");
      return FALSE;
    }
  self->http_proxy = TRUE;
  g_strv_builder_add_many(args, "--http-proxy", host, port, NULL);
  if (user != NULL && override_bool(self, "proxy-auth-cleartext"))
    g_strv_builder_add_many(args, "stdin", "basic", NULL);
  else if (user != NULL)
    g_strv_builder_add(args, "auto-nct");
  g_strv_builder_add_many(args, "--proto", "tcp-client", NULL);
  return TRUE;
}

/* --data-ciphers with CBC (the profile's list or openvpn's default, plus the CBC ciphers it
 * lacks) and the OpenSSL legacy provider BF-CBC needs — added here, never taken from a profile
 * (`providers` is refused there). */
static void
apply_legacy(Ovpn3ClientBackend *self, GStrvBuilder *args)
{
  const char *const *own = ovpn3_profile_get_args(self->profile, "data-ciphers");
  g_autoptr(GString) list
      = g_string_new(own != NULL && own[0] != NULL ? own[0] : DATA_CIPHERS_DEFAULT);
  g_auto(GStrv) have = g_strsplit(list->str, ":", -1);

  for (guint i = 0; legacy_ciphers[i] != NULL; i++)
    if (!g_strv_contains((const char *const *) have, legacy_ciphers[i]))
      g_string_append_printf(list, ":%s", legacy_ciphers[i]);
  g_strv_builder_add_many(args, "--providers", "legacy", "default", "--data-ciphers", list->str,
                          NULL);
}

gboolean
client_overrides_apply(Ovpn3ClientBackend *self, GError **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;
  gint verb = ovpn3_profile_get_verb(self->profile);
  g_autoptr(GStrvBuilder) args = g_strv_builder_new();

  if (verb >= 0)
    self->log_level = (guint) MIN(verb, OVPN3_LOG_LEVEL_MAX);
  if (self->overrides != NULL)
    g_variant_iter_init(&iter, self->overrides);
  while (self->overrides != NULL && g_variant_iter_next(&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) v = value;
      gboolean ok = g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)
                        ? apply_bool(self, key, g_variant_get_boolean(v))
                    : g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)
                        ? apply_string(self, key, g_variant_get_string(v, NULL), args)
                        : FALSE;

      if (!ok)
        {
          g_set_error(error, OVPN3_ERROR_CLIENT, OVPN3_ERROR_FAILED,
                      "The %s override cannot be applied by this backend (unknown, or a value it "
                      "does not support): unset it",
                      key);
          return FALSE;
        }
    }
  if (!apply_proxy(self, args, error))
    return FALSE;
  if (self->legacy_algorithms)
    apply_legacy(self, args);
  if (self->ipv6_off)
    g_strv_builder_add_many(args, "--pull-filter", "ignore", "ifconfig-ipv6", "--pull-filter",
                            "ignore", "route-ipv6", "--pull-filter", "ignore", "dhcp-option DNS6",
                            NULL);
  self->extra_args = g_strv_builder_end(args);
  return TRUE;
}

/* `ipv6 no`: whatever IPv6 is left after the pull filters (a profile's own `pull-filter accept`
 * comes first, `dns server` addresses, redirect-gateway ipv6) is dropped before netcfg; a device
 * given no IPv6 has none at all, not even a link-local address (netcfg-autoconf.c). */
void
client_overrides_filter_network(Ovpn3ClientBackend *self, Ovpn3NetSettings *settings)
{
  guint dropped = 0;

  if (!self->ipv6_off)
    return;
  for (guint i = settings->addresses->len; i-- > 0;)
    if (((Ovpn3NetAddress *) g_ptr_array_index(settings->addresses, i))->ipv6 && ++dropped)
      g_ptr_array_remove_index(settings->addresses, i);
  for (guint i = settings->routes->len; i-- > 0;)
    if (((Ovpn3NetRoute *) g_ptr_array_index(settings->routes, i))->ipv6 && ++dropped)
      g_ptr_array_remove_index(settings->routes, i);
  for (guint i = settings->dns_servers->len; i-- > 0;)
    if (strchr(g_ptr_array_index(settings->dns_servers, i), ':') != NULL && ++dropped)
      g_ptr_array_remove_index(settings->dns_servers, i);
  if (settings->reroute_ipv6)
    dropped++;
  settings->reroute_ipv6 = FALSE;
  if (dropped > 0)
    client_log(self, OVPN3_LOG_CATEGORY_INFO,
               "IPv6 is off for this profile (override ipv6 no): %u pushed IPv6 settings ignored",
               dropped);
}
