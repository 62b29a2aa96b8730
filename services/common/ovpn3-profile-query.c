#define G_LOG_DOMAIN "ovpn3-profile"

/* ovpn3-profile-query.c — what the services ask of a parsed profile: lookups, whether it is
 * complete enough to connect (Validate), inline credentials, the static challenge, the remotes
 * and the other settings the backend client and the session manager need.
 */

#include "config.h"

#include <string.h>

#include "ovpn3-profile-private.h"

/* --- lookups ------------------------------------------------------------------------------------ */

static Ovpn3ProfileDirective *
find_last(GPtrArray *directives, const char *name)
{
  for (guint i = directives->len; i > 0; i--)
    {
      Ovpn3ProfileDirective *d = directives->pdata[i - 1];
      if (strcmp(d->name, name) == 0)
        return d;
    }
  return NULL;
}

static gboolean
has_anywhere(Ovpn3Profile *self, const char *name)
{
  for (guint i = 0; i < self->directives->len; i++)
    {
      Ovpn3ProfileDirective *d = self->directives->pdata[i];
      if (strcmp(d->name, name) == 0)
        return TRUE;
      if (d->children != NULL && find_last(d->children, name) != NULL)
        return TRUE;
    }
  return FALSE;
}

gboolean
ovpn3_profile_has_option(Ovpn3Profile *self, const char *name)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  return find_last(self->directives, name) != NULL;
}

const char *const *
ovpn3_profile_get_args(Ovpn3Profile *self, const char *name)
{
  Ovpn3ProfileDirective *d;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), NULL);
  d = find_last(self->directives, name);
  return d != NULL ? (const char *const *) d->args : NULL;
}

const char *
ovpn3_profile_get_block(Ovpn3Profile *self, const char *name)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), NULL);
  for (guint i = self->directives->len; i > 0; i--)
    {
      Ovpn3ProfileDirective *d = self->directives->pdata[i - 1];
      if (d->block != NULL && strcmp(d->name, name) == 0)
        return d->block;
    }
  return NULL;
}

guint
ovpn3_profile_get_n_directives(Ovpn3Profile *self)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), 0);
  return self->directives->len;
}

guint
ovpn3_profile_get_n_connections(Ovpn3Profile *self)
{
  guint n = 0;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), 0);
  for (guint i = 0; i < self->directives->len; i++)
    if (((Ovpn3ProfileDirective *) self->directives->pdata[i])->children != NULL)
      n++;
  return n;
}

/* --- validation --------------------------------------------------------------------------------- */

gboolean
ovpn3_profile_validate(Ovpn3Profile *self, GError **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new();
  g_autofree char *list = NULL;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);

  if (ovpn3_profile_get_block(self, "ca") == NULL && ovpn3_profile_get_block(self, "pkcs12") == NULL
      && !ovpn3_profile_has_option(self, "peer-fingerprint"))
    g_ptr_array_add(missing, "--ca");
  if (!ovpn3_profile_has_option(self, "client") && !ovpn3_profile_has_option(self, "tls-client"))
    g_ptr_array_add(missing, "--client or --tls-client");
  if (!ovpn3_profile_has_option(self, "dev"))
    g_ptr_array_add(missing, "--dev");
  if (!has_anywhere(self, "remote"))
    g_ptr_array_add(missing, "--remote");
  if (missing->len == 0)
    return TRUE;

  g_ptr_array_add(missing, NULL);
  list = g_strjoinv(", ", (char **) missing->pdata);
  g_set_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_MISSING_OPTIONS,
              "Configuration profile is missing required options: %s", list);
  return FALSE;
}

/* --- queries ---------------------------------------------------------------------------------- */

gboolean
ovpn3_profile_get_inline_user_pass(Ovpn3Profile *self, char **username, char **password)
{
  const char *block;
  const char *nl;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  if (username != NULL)
    *username = NULL;
  if (password != NULL)
    *password = NULL;
  block = ovpn3_profile_get_block(self, "auth-user-pass");
  if (block == NULL)
    return FALSE;

  nl = strchr(block, '\n'); /* blocks always end in "\n" */
  if (username != NULL)
    *username = g_strndup(block, nl - block);
  if (password != NULL && nl[1] != '\0')
    {
      const char *pend = strchr(nl + 1, '\n');
      if (pend > nl + 1)
        *password = g_strndup(nl + 1, pend - (nl + 1));
    }
  return TRUE;
}

gboolean
ovpn3_profile_needs_user_pass(Ovpn3Profile *self)
{
  g_autofree char *user = NULL;
  char *pass = NULL;
  gboolean complete;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  if (!ovpn3_profile_has_option(self, "auth-user-pass"))
    return FALSE;
  if (!ovpn3_profile_get_inline_user_pass(self, &user, &pass))
    return TRUE;
  complete = user != NULL && user[0] != '\0' && pass != NULL;
  if (pass != NULL)
    {
      explicit_bzero(pass, strlen(pass));
      g_free(pass);
    }
  return !complete;
}

gboolean
ovpn3_profile_get_static_challenge(Ovpn3Profile *self, char **text, gboolean *echo)
{
  const char *const *args;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  args = ovpn3_profile_get_args(self, "static-challenge");
  if (args == NULL)
    return FALSE;
  if (text != NULL)
    *text = g_strdup(args[0]);
  if (echo != NULL)
    *echo = g_strcmp0(args[1], "1") == 0;
  return TRUE;
}

gboolean
ovpn3_profile_has_encrypted_key(Ovpn3Profile *self)
{
  const char *key;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  key = ovpn3_profile_get_block(self, "key");
  if (key == NULL)
    return FALSE;
  return strstr(key, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL
         || strstr(key, "Proc-Type: 4,ENCRYPTED") != NULL;
}

Ovpn3ProfileDevType
ovpn3_profile_get_dev_type(Ovpn3Profile *self)
{
  const char *const *args;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), OVPN3_PROFILE_DEV_TUN);
  args = ovpn3_profile_get_args(self, "dev-type");
  if (args != NULL)
    return strcmp(args[0], "tap") == 0 ? OVPN3_PROFILE_DEV_TAP : OVPN3_PROFILE_DEV_TUN;
  args = ovpn3_profile_get_args(self, "dev");
  if (args != NULL && g_str_has_prefix(args[0], "tap"))
    return OVPN3_PROFILE_DEV_TAP;
  return OVPN3_PROFILE_DEV_TUN;
}

void
ovpn3_profile_remote_free(Ovpn3ProfileRemote *remote)
{
  if (remote == NULL)
    return;
  g_free(remote->host);
  g_free(remote->port);
  g_free(remote->proto);
  g_free(remote);
}

static const char *
scope_port(GPtrArray *scope, const char *fallback)
{
  Ovpn3ProfileDirective *p = find_last(scope, "rport");
  if (p == NULL)
    p = find_last(scope, "port");
  return p != NULL ? p->args[0] : fallback;
}

static const char *
scope_proto(GPtrArray *scope, const char *fallback)
{
  Ovpn3ProfileDirective *p = find_last(scope, "proto");
  return p != NULL ? p->args[0] : fallback;
}

static void
collect_remotes(GPtrArray *out, GPtrArray *scope, const char *def_port, const char *def_proto)
{
  const char *port = scope_port(scope, def_port);
  const char *proto = scope_proto(scope, def_proto);

  for (guint i = 0; i < scope->len; i++)
    {
      Ovpn3ProfileDirective *d = scope->pdata[i];
      Ovpn3ProfileRemote *r;

      if (strcmp(d->name, "remote") != 0)
        continue;
      r = g_new0(Ovpn3ProfileRemote, 1);
      r->host = g_strdup(d->args[0]);
      r->port = g_strdup(d->args[1] != NULL ? d->args[1] : port);
      r->proto = g_strdup(d->args[1] != NULL && d->args[2] != NULL ? d->args[2] : proto);
      g_ptr_array_add(out, r);
    }
}

GPtrArray *
ovpn3_profile_get_remotes(Ovpn3Profile *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_remote_free);
  const char *port;
  const char *proto;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), out);
  port = scope_port(self->directives, "1194");
  proto = scope_proto(self->directives, "udp");
  collect_remotes(out, self->directives, port, proto);
  for (guint i = 0; i < self->directives->len; i++)
    {
      Ovpn3ProfileDirective *d = self->directives->pdata[i];
      if (d->children != NULL)
        collect_remotes(out, d->children, port, proto);
    }
  return out;
}

gint
ovpn3_profile_get_verb(Ovpn3Profile *self)
{
  const char *const *args;
  guint64 v = 0;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), -1);
  args = ovpn3_profile_get_args(self, "verb");
  if (args == NULL || !g_ascii_string_to_unsigned(args[0], 10, 0, 11, &v, NULL))
    return -1;
  return (gint) v;
}

gboolean
ovpn3_profile_has_http_proxy(Ovpn3Profile *self)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  return has_anywhere(self, "http-proxy");
}

gboolean
ovpn3_profile_has_socks_proxy(Ovpn3Profile *self)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), FALSE);
  return has_anywhere(self, "socks-proxy");
}
