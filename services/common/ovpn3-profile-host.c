#define G_LOG_DOMAIN "ovpn3-profile"

/* ovpn3-profile-host.c — what a profile asks of the host and of the engine: options openvpn
 * cannot honour without capabilities, privileged options, the default route, a local bind
 * (docs/architecture.md §3, §4 and docs/security.md). */

#include "config.h"

#include <string.h>

#include "ovpn3-profile-allowlist.h"
#include "ovpn3-profile-private.h"

static gboolean
scope_has(GPtrArray *scope, const char *name)
{
  for (guint i = 0; i < scope->len; i++)
    if (strcmp(((Ovpn3ProfileDirective *) scope->pdata[i])->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* @name at top level or in any <connection> block. */
static gboolean
has_anywhere(GPtrArray *directives, const char *name)
{
  for (guint i = 0; i < directives->len; i++)
    {
      Ovpn3ProfileDirective *d = directives->pdata[i];

      if (strcmp(d->name, name) == 0 || (d->children != NULL && scope_has(d->children, name)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
scope_binds(GPtrArray *scope)
{
  return scope_has(scope, "bind") || scope_has(scope, "local");
}

/* @engine: the engine's refusals, else the privileged options. @has_bind: this scope binds
 * locally; @inherited: a <connection> block inherits the top level's bind. */
static gboolean
scope_check(GPtrArray *scope, gboolean has_bind, gboolean inherited, gboolean engine,
            GPtrArray *reasons)
{
  gboolean found = FALSE;

  for (guint i = 0; i < scope->len; i++)
    {
      Ovpn3ProfileDirective *d = scope->pdata[i];
      const char *const *args = (const char *const *) d->args;

      if (d->children != NULL)
        found |= scope_check(d->children, inherited || scope_binds(d->children), FALSE, engine,
                             reasons);
      else if (engine ? ovpn3_profile_allowlist_engine_refusal(d->name, args, has_bind, reasons)
                      : ovpn3_profile_allowlist_privileged(d->name, args, reasons))
        found = TRUE;
    }
  return found;
}

static gboolean
collect(Ovpn3Profile *self, gboolean engine, char ***reasons)
{
  GPtrArray *directives = ovpn3_profile_get_directives(self);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
  gboolean top_bind = scope_binds(directives);
  gboolean any_bind = top_bind;
  gboolean any;

  /* the top level's `port` is also the local port of every block that binds */
  for (guint i = 0; i < directives->len && !any_bind; i++)
    {
      Ovpn3ProfileDirective *d = directives->pdata[i];

      any_bind = d->children != NULL && scope_binds(d->children);
    }
  any = scope_check(directives, any_bind, top_bind, engine, found);
  if (reasons != NULL)
    {
      g_ptr_array_add(found, NULL);
      g_ptr_array_set_free_func(found, NULL);
      *reasons = (char **) g_ptr_array_free(g_steal_pointer(&found), FALSE);
    }
  return any;
}

gboolean
ovpn3_profile_engine_cannot_serve(Ovpn3Profile *self, char ***reasons)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  return collect(self, TRUE, reasons);
}

gboolean
ovpn3_profile_needs_privileged_options(Ovpn3Profile *self, char ***reasons)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  return collect(self, FALSE, reasons);
}

gboolean
ovpn3_profile_binds_locally(Ovpn3Profile *self)
{
  GPtrArray *directives;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  directives = ovpn3_profile_get_directives(self);
  return has_anywhere(directives, "lport") || has_anywhere(directives, "bind")
         || has_anywhere(directives, "local");
}

gboolean
ovpn3_profile_redirects_gateway(Ovpn3Profile *self)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  return has_anywhere(ovpn3_profile_get_directives(self), "redirect-gateway");
}
