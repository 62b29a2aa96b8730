#define G_LOG_DOMAIN "ovpn3-netcfg-validate"

#include "config.h"

#include <string.h>

#include "netcfg-validate.h"

gboolean
netcfg_check_ifname_prefix(const char *prefix, GError **error)
{
  gsize len = prefix != NULL ? strlen(prefix) : 0;

  if (len >= 1 && len <= NETCFG_IFNAME_PREFIX_MAX)
    {
      gsize i;

      for (i = 0; i < len; i++)
        if (!g_ascii_isalnum(prefix[i]) && prefix[i] != '_')
          break;
      if (i == len)
        return TRUE;
    }
  {
    g_autofree char *shown = ovpn3_net_escape(prefix);

    g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                "Invalid device name '%s' (1 to %d letters, digits or '_'; an index is "
                "appended)",
                shown, NETCFG_IFNAME_PREFIX_MAX);
    return FALSE;
  }
}
