#define G_LOG_DOMAIN "ovpn3-net-redirect"

#include "config.h"

#include <string.h>

#include "ovpn3-net-redirect.h"

void
ovpn3_net_redirect_from_args(const char *const *args, Ovpn3NetRedirect *redirect)
{
  gboolean v4 = TRUE, v6 = FALSE;

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      if (g_str_equal(args[i], "!ipv4"))
        v4 = FALSE;
      else if (g_str_equal(args[i], "ipv6"))
        v6 = TRUE;
    }
  redirect->redirect_ipv4 |= v4;
  redirect->redirect_ipv6 |= v6;
}

/* pull-filter: the first rule whose text is a prefix of the option decides. */
static gboolean
pull_filter_accepts(const char *option, const char *const *pull_filters)
{
  for (guint i = 0; pull_filters != NULL && pull_filters[i] != NULL; i++)
    {
      g_auto(GStrv) rule = g_strsplit(pull_filters[i], "\t", 2);

      if (rule[0] == NULL || rule[1] == NULL)
        continue;
      if (!g_str_has_prefix(option, rule[1]))
        continue;
      return g_str_equal(rule[0], "accept");
    }
  return TRUE;
}

gboolean
ovpn3_net_parse_push_reply(const char *line, const char *const *pull_filters, gboolean route_nopull,
                           Ovpn3NetRedirect *redirect)
{
  static const char marker[] = "PUSH: Received control message: '";
  const char *start = strstr(line, marker);
  g_autofree char *body = NULL;
  g_auto(GStrv) options = NULL;
  gsize len;

  if (start == NULL)
    return FALSE;
  start += strlen(marker);
  if (!g_str_has_prefix(start, "PUSH_REPLY,"))
    return FALSE;
  body = g_strdup(start + strlen("PUSH_REPLY,"));
  len = strlen(body);
  if (len > 0 && body[len - 1] == '\'')
    body[len - 1] = '\0';
  options = g_strsplit(body, ",", -1);
  for (guint i = 0; options[i] != NULL; i++)
    {
      g_auto(GStrv) args = NULL;

      if (!g_str_has_prefix(options[i], "redirect-gateway"))
        continue;
      if (route_nopull || !pull_filter_accepts(options[i], pull_filters))
        continue;
      args = g_strsplit(options[i], " ", -1);
      if (!g_str_equal(args[0], "redirect-gateway"))
        continue;
      ovpn3_net_redirect_from_args((const char *const *) args + 1, redirect);
    }
  return TRUE;
}
