#define G_LOG_DOMAIN "ovpn3-profile"

/* ovpn3-profile.c — the profile object: its directives, errors, construction from text
 * (parsed in ovpn3-profile-parse.c) and rendering. Lookups and queries are in
 * ovpn3-profile-query.c, the JSON form in ovpn3-profile-json.c.
 */

#include "config.h"

#include <string.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-lexer.h"
#include "ovpn3-profile-private.h"

G_DEFINE_QUARK(ovpn3 - profile - error - quark, ovpn3_profile_error)

G_DEFINE_FINAL_TYPE(Ovpn3Profile, ovpn3_profile, G_TYPE_OBJECT)

static void
ovpn3_profile_finalize(GObject *object)
{
  Ovpn3Profile *self = OVPN3_PROFILE(object);

  g_clear_pointer(&self->directives, g_ptr_array_unref);
  G_OBJECT_CLASS(ovpn3_profile_parent_class)->finalize(object);
}

static void
ovpn3_profile_class_init(Ovpn3ProfileClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_profile_finalize;
}

static void
ovpn3_profile_init(Ovpn3Profile *self)
{
}

/* --- directives ------------------------------------------------------------------------------ */

Ovpn3ProfileDirective *
ovpn3_profile_directive_new(const char *name, const char *const *args, const char *block,
                            guint line)
{
  Ovpn3ProfileDirective *d = g_new0(Ovpn3ProfileDirective, 1);

  d->name = g_strdup(name);
  d->args = args != NULL ? g_strdupv((char **) args) : g_new0(char *, 1);
  d->block = g_strdup(block);
  d->line = line;
  return d;
}

void
ovpn3_profile_directive_free(Ovpn3ProfileDirective *d)
{
  if (d == NULL)
    return;
  g_free(d->name);
  g_strfreev(d->args);
  if (d->block != NULL)
    {
      /* Blocks may hold keys and inline passwords. */
      explicit_bzero(d->block, strlen(d->block));
      g_free(d->block);
    }
  g_clear_pointer(&d->children, g_ptr_array_unref);
  g_free(d);
}

static gboolean
directives_equal(GPtrArray *a, GPtrArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!ovpn3_profile_directive_equal(a->pdata[i], b->pdata[i]))
      return FALSE;
  return TRUE;
}

gboolean
ovpn3_profile_directive_equal(const Ovpn3ProfileDirective *a, const Ovpn3ProfileDirective *b)
{
  return g_strcmp0(a->name, b->name) == 0
         && g_strv_equal((const char *const *) a->args, (const char *const *) b->args)
         && g_strcmp0(a->block, b->block) == 0 && directives_equal(a->children, b->children);
}

void
ovpn3_profile_set_error(GError **error, gint code, guint line, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start(ap, format);
  msg = g_strdup_vprintf(format, ap);
  va_end(ap);
  if (line > 0)
    g_set_error(error, OVPN3_PROFILE_ERROR, code, "Invalid configuration profile: line %u: %s",
                line, msg);
  else
    g_set_error(error, OVPN3_PROFILE_ERROR, code, "Invalid configuration profile: %s", msg);
}

Ovpn3Profile *
ovpn3_profile_new_take(GPtrArray *directives)
{
  Ovpn3Profile *self = g_object_new(OVPN3_TYPE_PROFILE, NULL);
  self->directives = directives;
  return self;
}

/* What Fetch returns must be importable again, so the rendered profile obeys the size limit
 * as well (quoting can make it slightly longer than the text it came from). */
gboolean
ovpn3_profile_check_rendered_size(GPtrArray *directives, GError **error)
{
  g_autoptr(GString) s = g_string_new(NULL);

  ovpn3_profile_render_directives(s, directives, OVPN3_PROFILE_RENDER_DEFAULT);
  if (s->len > OVPN3_PROFILE_MAX_SIZE)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, 0,
                              "the profile is larger than %d bytes (1 MiB)",
                              OVPN3_PROFILE_MAX_SIZE);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ovpn3_profile_get_directives(Ovpn3Profile *self)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(self), NULL);
  return self->directives;
}

Ovpn3Profile *
ovpn3_profile_new_from_text(const char *text, gssize length, GError **error)
{
  g_autoptr(GPtrArray) directives = NULL;
  gsize len;
  guint count = 0;

  g_return_val_if_fail(text != NULL || length == 0, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  if (length < 0)
    len = strnlen(text, OVPN3_PROFILE_MAX_SIZE + 1);
  else
    len = length;
  if (len > OVPN3_PROFILE_MAX_SIZE)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, 0,
                              "the profile is larger than %d bytes (1 MiB)",
                              OVPN3_PROFILE_MAX_SIZE);
      return NULL;
    }
  directives = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_directive_free);
  if (!ovpn3_profile_parse_into(directives, text != NULL ? text : "", len, FALSE, 1, &count, error)
      || !ovpn3_profile_check_rendered_size(directives, error))
    return NULL;
  return ovpn3_profile_new_take(g_steal_pointer(&directives));
}
/* --- rendering -------------------------------------------------------------------------------- */

void
ovpn3_profile_render_directive_line(GString *out, const char *name, char **args)
{
  g_string_append(out, name);
  for (char **a = args; *a != NULL; a++)
    {
      g_autofree char *q = ovpn3_profile_lex_quote(*a);
      g_string_append_c(out, ' ');
      g_string_append(out, q);
    }
  g_string_append_c(out, '\n');
}

void
ovpn3_profile_render_directives(GString *out, GPtrArray *directives, Ovpn3ProfileRenderFlags flags)
{
  for (guint i = 0; i < directives->len; i++)
    {
      Ovpn3ProfileDirective *d = directives->pdata[i];

      if (d->children != NULL)
        {
          g_string_append_printf(out, "<%s>\n", d->name);
          ovpn3_profile_render_directives(out, d->children, flags);
          g_string_append_printf(out, "</%s>\n", d->name);
        }
      else if (d->block != NULL)
        {
          if ((flags & OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS)
              && strcmp(d->name, "auth-user-pass") == 0)
            {
              g_string_append(out, "auth-user-pass\n");
              continue;
            }
          g_string_append_printf(out, "<%s>\n%s</%s>\n", d->name, d->block, d->name);
        }
      else
        {
          ovpn3_profile_render_directive_line(out, d->name, d->args);
        }
    }
}

char *
ovpn3_profile_render(Ovpn3Profile *self, Ovpn3ProfileRenderFlags flags)
{
  GString *out;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), NULL);
  out = g_string_new(NULL);
  ovpn3_profile_render_directives(out, self->directives, flags);
  return g_string_free(out, FALSE);
}

gboolean
ovpn3_profile_equal(Ovpn3Profile *a, Ovpn3Profile *b)
{
  g_return_val_if_fail(OVPN3_IS_PROFILE(a), FALSE);
  g_return_val_if_fail(OVPN3_IS_PROFILE(b), FALSE);
  return directives_equal(a->directives, b->directives);
}
