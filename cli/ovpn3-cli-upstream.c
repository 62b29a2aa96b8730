#define G_LOG_DOMAIN "ovpn3-cli-upstream"

#include "config.h"

#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-upstream.h"

/* ---- one option per override (openvpn3 config-manage) --------------------------------------- */

static GPtrArray *collected;

static gboolean
on_override(const char *option_name, const char *value, gpointer data, GError **error)
{
  const char *key = option_name + 2; /* GOption passes "--KEY" */

  if (collected == NULL)
    collected = g_ptr_array_new_null_terminated(4, g_free, TRUE);
  if (g_str_equal(key, "proxy-password"))
    {
      /* a password in argv is visible to every user (ps, /proc): "-" only, then it is asked */
      if (!g_str_equal(value, "-"))
        {
          g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                      "do not put the proxy password on the command line (other users can see "
                      "it): give --proxy-password - and type it when asked, or pipe it on stdin");
          return FALSE;
        }
      g_ptr_array_add(collected, g_strdup(key));
      return TRUE;
    }
  g_ptr_array_add(collected, g_strdup_printf("%s=%s", key, value));
  return TRUE;
}

#define OVERRIDE(key, help, arg)                                        \
  {                                                                     \
    key, 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) on_override, help, arg \
  }

const GOptionEntry *
ovpn3_cli_upstream_override_entries(void)
{
  static const GOptionEntry entries[] = {
    OVERRIDE("server-override", "Connect to this server instead (override)", "HOST"),
    OVERRIDE("port-override", "Connect to this port instead (override)", "PORT"),
    OVERRIDE("proto-override", "Use this protocol instead (override)", "tcp|udp"),
    OVERRIDE("ipv6", "IPv6 policy (override)", "yes|no|default"),
    OVERRIDE("persist-tun", "Keep the tun device across reconnects (override)", "true|false"),
    OVERRIDE("log-level", "The profile's verb instead (override)", "1-6"),
    OVERRIDE("dns-fallback-google", "Google's DNS servers if none are pushed (override)",
             "true|false"),
    OVERRIDE("dns-setup-disabled", "Leave the system's DNS alone (override)", "true|false"),
    OVERRIDE("dns-scope", "What the VPN's DNS servers answer for (override)", "global|tunnel"),
    OVERRIDE("dns-sync-lookup", "Synchronous DNS lookups (override)", "true|false"),
    OVERRIDE("auth-fail-retry", "Wait for new credentials after a failed login (override)",
             "true|false"),
    OVERRIDE("allow-compression", "Compression mode (override)", "no|asym|yes"),
    OVERRIDE("enable-legacy-algorithms", "Legacy non-AEAD data ciphers (override)", "true|false"),
    OVERRIDE("tls-version-min", "Minimum TLS version (override)", "tls_1_0|…|tls_1_3"),
    OVERRIDE("tls-cert-profile", "TLS certificate profile (override)", "legacy|preferred|suiteb"),
    OVERRIDE("proxy-host", "Connect through this HTTP proxy (override)", "HOST"),
    OVERRIDE("proxy-port", "The HTTP proxy's port (override)", "PORT"),
    OVERRIDE("proxy-username", "User name for the HTTP proxy (override)", "USER"),
    OVERRIDE("proxy-password", "Password for the HTTP proxy, asked for (override)", "-"),
    OVERRIDE("proxy-auth-cleartext", "Allow clear-text proxy authentication (override)",
             "true|false"),
    OVERRIDE("enterprise-profile", "Enterprise profile (override)", "NAME"),
    OVERRIDE("automatic-restart", "Restart policy of the backend (override)", "no|on-failure"),
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

char **
ovpn3_cli_upstream_overrides(void)
{
  return collected != NULL ? (char **) collected->pdata : NULL;
}

static gboolean
is_number(const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit(*s))
      return FALSE;
  return TRUE;
}

void
ovpn3_cli_join_optional(int *argc, char ***argv, const char *option, gboolean digits)
{
  GPtrArray *out = g_ptr_array_new();

  for (int i = 0; i < *argc; i++)
    {
      const char *next = i + 1 < *argc ? (*argv)[i + 1] : NULL;

      if (g_str_equal((*argv)[i], option) && next != NULL
          && (digits ? is_number(next) : next[0] != '-'))
        {
          g_ptr_array_add(out, g_strconcat(option, "=", next, NULL));
          i++;
          continue;
        }
      g_ptr_array_add(out, (*argv)[i]);
    }
  *argc = (int) out->len;
  g_ptr_array_add(out, NULL);
  *argv = (char **) g_ptr_array_free(out, FALSE); /* lives as long as the process */
}

GOptionEntry *
ovpn3_cli_entries_join(const GOptionEntry *a, const GOptionEntry *b)
{
  guint na = 0, nb = 0;
  GOptionEntry *all;

  while (a[na].long_name != NULL)
    na++;
  while (b[nb].long_name != NULL)
    nb++;
  all = g_new0(GOptionEntry, na + nb + 1);
  memcpy(all, a, na * sizeof(GOptionEntry));
  memcpy(all + na, b, nb * sizeof(GOptionEntry));
  return all;
}

/* ---- config-manage --exists ----------------------------------------------------------------- */

static int
not_present(Ovpn3Cli *cli, gboolean quiet, int code, const char *what)
{
  if (!quiet)
    ovpn3_cli_fail(cli, code, "`ovpn3 configs-list` shows your profiles", "%s", what);
  return code;
}

/* The path of the one profile named @name; NULL (*code set) when there is none or several. */
static char *
find_by_name(Ovpn3Cli *cli, const char *name, gboolean quiet, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *what = NULL;

  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                         "LookupConfigName", g_variant_new("(s)", name), G_VARIANT_TYPE("(ao)"),
                         &error);
  if (reply == NULL)
    {
      *code = quiet ? OVPN3_EXIT_UNAVAILABLE
                    : ovpn3_cli_report(cli, error, "cannot look up the profile", NULL);
      return NULL;
    }
  g_variant_get(reply, "(^ao)", &paths);
  if (g_strv_length(paths) == 1)
    return g_strdup(paths[0]);
  what = paths[0] == NULL
             ? g_strdup_printf("there is no profile named '%s'", name)
             : g_strdup_printf("%u profiles are named '%s'", g_strv_length(paths), name);
  *code = not_present(cli, quiet, paths[0] == NULL ? OVPN3_EXIT_NOT_FOUND : OVPN3_EXIT_ERROR, what);
  return NULL;
}

int
ovpn3_cli_upstream_exists(Ovpn3Cli *cli, const char *name, const char *path, gboolean quiet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autofree char *found = NULL;
  int code = OVPN3_EXIT_OK;

  if ((name == NULL) == (path == NULL))
    return ovpn3_cli_usage_error(cli, "give --config NAME or --path PATH");
  found = name != NULL ? find_by_name(cli, name, quiet, &code) : g_strdup(path);
  if (found == NULL)
    return code;
  if (!g_variant_is_object_path(found))
    return not_present(cli, quiet, OVPN3_EXIT_NOT_FOUND, "that is not a profile path");
  v = ovpn3_cli_get_property(OVPN3_CONFIG_BUS_NAME, found, OVPN3_CONFIG_INTERFACE, "name", &error);
  if (v == NULL)
    {
      if (quiet)
        return ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_ACCESS ? OVPN3_EXIT_ACCESS_DENIED
                                                                          : OVPN3_EXIT_NOT_FOUND;
      return ovpn3_cli_report(cli, error, "the profile is not there", NULL);
    }
  if (!quiet)
    printf("Profile '%s' is present: %s\n",
           g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ? g_variant_get_string(v, NULL) : "?",
           found);
  return OVPN3_EXIT_OK;
}
