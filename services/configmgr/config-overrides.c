#define G_LOG_DOMAIN "ovpn3-config-overrides"

#include "config.h"

#include <string.h>

#include "config-overrides.h"
#include "ovpn3-error.h"

typedef struct
{
  const char *name;
  const char *type;
  /* allowed string values, NULL = any non-empty string; for log-level a range */
  const char *const *values;
  /* readable only by the owner, administrators and the service user */
  gboolean owner_only;
} OverrideSpec;

static const char *const proto_values[] = { "tcp", "udp", NULL };
static const char *const ipv6_values[] = { "yes", "no", "default", NULL };
static const char *const log_level_values[] = { "1", "2", "3", "4", "5", "6", NULL };
static const char *const dns_scope_values[] = { "global", "tunnel", NULL };
static const char *const compression_values[] = { "no", "asym", "yes", NULL };
static const char *const tls_version_values[]
    = { "tls_1_0", "tls_1_1", "tls_1_2", "tls_1_3", NULL };
static const char *const tls_profile_values[] = { "legacy", "preferred", "suiteb", NULL };
static const char *const restart_values[] = { "no", "on-failure", NULL };

static const OverrideSpec overrides[] = {
  { "server-override", "s", NULL },
  { "port-override", "s", NULL },
  { "proto-override", "s", proto_values },
  { "ipv6", "s", ipv6_values },
  { "persist-tun", "b", NULL },
  { "log-level", "s", log_level_values },
  { "dns-fallback-google", "b", NULL },
  { "dns-setup-disabled", "b", NULL },
  { "dns-scope", "s", dns_scope_values },
  { "dns-sync-lookup", "b", NULL },
  { "auth-fail-retry", "b", NULL },
  { "allow-compression", "s", compression_values },
  { "enable-legacy-algorithms", "b", NULL },
  { "tls-version-min", "s", tls_version_values },
  { "tls-cert-profile", "s", tls_profile_values },
  { "proxy-host", "s", NULL },
  { "proxy-port", "s", NULL },
  { "proxy-username", "s", NULL, TRUE },
  { "proxy-password", "s", NULL, TRUE },
  { "proxy-auth-cleartext", "b", NULL },
  { "enterprise-profile", "s", NULL },
  { "automatic-restart", "s", restart_values },
  { "reconnect-on-network-change", "b", NULL },
};

/* Values ovpn3 refuses, with the reason and what to do instead (docs/compatibility.md §4):
 * accepting them would store a setting nothing applies. value NULL: every value. */
typedef struct
{
  const char *name;
  const char *value; /* "true"/"false" for a boolean */
  const char *reason;
} OverrideRefusal;

static const OverrideRefusal refusals[] = {
  { "dns-fallback-google", "true",
    "ovpn3 never sends DNS queries to a third-party resolver; have the server push DNS servers "
    "or configure a resolver on the host" },
  { "dns-sync-lookup", "false",
    "openvpn 2.6 resolves server names synchronously only (true is what it does); unset the "
    "override instead" },
  { "enterprise-profile", NULL,
    "enterprise profiles are an OpenVPN 3 Core feature that openvpn 2.6 does not have; put the "
    "settings in the profile itself" },
  { "persist-tun", "false",
    "ovpn3 always keeps the tunnel device and its routes while a session reconnects (netcfg owns "
    "the device, so no traffic leaves outside the tunnel meanwhile); unset the override or set "
    "it to true" },
};

/* Longest free-form string value we keep. */
#define OVERRIDE_MAX_VALUE 255

static const OverrideSpec *
lookup(const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS(overrides); i++)
    if (g_str_equal(overrides[i].name, name))
      return &overrides[i];
  return NULL;
}

const char *
ovpn3_config_override_type(const char *name)
{
  const OverrideSpec *spec = lookup(name);

  return spec != NULL ? spec->type : NULL;
}

gboolean
ovpn3_config_override_is_owner_only(const char *name)
{
  const OverrideSpec *spec = lookup(name);

  return spec != NULL && spec->owner_only;
}

const char *
ovpn3_config_override_refusal(const char *name, GVariant *value)
{
  for (gsize i = 0; i < G_N_ELEMENTS(refusals); i++)
    {
      const OverrideRefusal *r = &refusals[i];

      if (!g_str_equal(r->name, name))
        continue;
      if (r->value == NULL)
        return r->reason;
      if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)
          && g_str_equal(r->value, g_variant_get_boolean(value) ? "true" : "false"))
        return r->reason;
    }
  return NULL;
}

static gboolean
value_is_clean(const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if (g_ascii_iscntrl(*p))
      return FALSE;
  return TRUE;
}

gboolean
ovpn3_config_override_check(const char *name, GVariant *value, GError **error)
{
  const OverrideSpec *spec = lookup(name);
  const char *str;

  if (spec == NULL)
    {
      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED, "Invalid override key '%s'",
                  name);
      return FALSE;
    }
  if (!g_variant_is_of_type(value, G_VARIANT_TYPE(spec->type)))
    {
      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
                  "(SetOverride) Invalid override data type for '%s': %s", name,
                  g_variant_get_type_string(value));
      return FALSE;
    }
  if (ovpn3_config_override_refusal(name, value) != NULL)
    {
      g_autofree char *shown = g_variant_print(value, FALSE);

      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
                  "(SetOverride) Override '%s' = %s is not supported: %s", name, shown,
                  ovpn3_config_override_refusal(name, value));
      return FALSE;
    }
  if (spec->type[0] == 'b')
    return TRUE;

  str = g_variant_get_string(value, NULL);
  if (spec->values != NULL)
    {
      if (g_strv_contains(spec->values, str))
        return TRUE;
      {
        g_autofree char *allowed = g_strjoinv(", ", (char **) spec->values);
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                    "Invalid value for override '%s'; use one of: %s", name, allowed);
      }
      return FALSE;
    }
  if (*str == '\0' || strlen(str) > OVERRIDE_MAX_VALUE || !value_is_clean(str))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Invalid value for override '%s': it must be 1–%d printable characters", name,
                  OVERRIDE_MAX_VALUE);
      return FALSE;
    }
  return TRUE;
}
