#define G_LOG_DOMAIN "ovpn3-profile"

#include "config.h"

#include <string.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-allowlist.h"
#include "ovpn3-profile-lexer.h"
#include "ovpn3-profile-private.h"

G_DEFINE_QUARK(ovpn3 - profile - error - quark, ovpn3_profile_error)

struct _Ovpn3Profile
{
  GObject parent_instance;
  GPtrArray *directives; /* Ovpn3ProfileDirective, in profile order */
};

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

/* --- parsing ---------------------------------------------------------------------------------- */

static gboolean
has_control(const char *s)
{
  for (; *s != '\0'; s++)
    if (((guchar) *s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7f)
      return TRUE;
  return FALSE;
}

static void
render_directive_line(GString *out, const char *name, char **args)
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

static char *
arity_text(const Ovpn3ProfileOptInfo *o)
{
  if (o->max_args == 0)
    return g_strdup("no arguments");
  if (o->min_args == o->max_args)
    return g_strdup_printf("%u argument%s", o->min_args, o->min_args == 1 ? "" : "s");
  return g_strdup_printf("%u to %u arguments", o->min_args, o->max_args);
}

/* openvpn 2.6 reads an inline block with fgets() into a 256-byte buffer and looks for the closing
 * tag at the start (after blanks) of every piece, so a line longer than 255 bytes is also cut at
 * 255, 510, …: a closing tag there would end the block early in openvpn (and let the rest of the
 * "content" be read as options) although our lexer sees one line.  Such content is refused. */
static gboolean
block_line_closes_early(const char *line, gsize len, const char *close_tag)
{
  gsize tlen = strlen(close_tag);

  for (gsize off = 255; off < len; off += 255)
    {
      const char *s = line + off;
      const char *end = line + len;
      while (s < end && (*s == ' ' || *s == '\t'))
        s++;
      if ((gsize) (end - s) >= tlen && strncmp(s, close_tag, tlen) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Checks an inline block's content and returns it normalised (LF line ends, ending in "\n"). */
static char *
check_block(const char *name, const char *content, gboolean in_connection, guint line,
            GError **error)
{
  g_autofree char *close_tag = g_strdup_printf("</%s>", name);
  g_autoptr(GString) norm = g_string_new(NULL);

  if (strlen(content) > OVPN3_PROFILE_MAX_BLOCK)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, line,
                              "the <%s> block is larger than %d bytes", name,
                              OVPN3_PROFILE_MAX_BLOCK);
      return NULL;
    }
  if (!g_utf8_validate(content, -1, NULL))
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "the <%s> block is not valid UTF-8 text", name);
      return NULL;
    }
  for (const char *p = content; *p != '\0';)
    {
      const char *nl = strchr(p, '\n');
      gsize len = nl != NULL ? (gsize) (nl - p) : strlen(p);
      const char *s = p;

      if (len > 0 && p[len - 1] == '\r')
        len--;
      g_string_append_len(norm, p, len);
      g_string_append_c(norm, '\n');
      while (*s == ' ' || *s == '\t')
        s++;
      if (g_str_has_prefix(s, close_tag) || (in_connection && g_str_has_prefix(s, "</connection>")))
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "the <%s> block contains a closing tag", name);
          return NULL;
        }
      if (in_connection && len > OVPN3_PROFILE_MAX_LINE)
        {
          /* openvpn re-reads a <connection> block in 255-byte pieces and drops a byte at each
           * cut, so a longer line would reach it damaged */
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "a line of the <%s> block inside <connection> is longer than %d "
                                  "characters",
                                  name, OVPN3_PROFILE_MAX_LINE);
          return NULL;
        }
      if (block_line_closes_early(p, len, close_tag))
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "a long line of the <%s> block contains %s after 255 "
                                  "characters, where openvpn would end the block",
                                  name, close_tag);
          return NULL;
        }
      p = nl != NULL ? nl + 1 : p + strlen(p);
    }
  if (norm->len == 0 || strspn(norm->str, " \t\n") == norm->len)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line, "the <%s> block is empty",
                              name);
      return NULL;
    }
  if (has_control(norm->str))
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "the <%s> block contains a control character", name);
      return NULL;
    }
  return g_string_free(g_steal_pointer(&norm), FALSE);
}

gboolean
ovpn3_profile_add_directive(GPtrArray *out, const char *name, const char *const *args,
                            const char *block, gboolean in_connection, guint line, guint *count,
                            GError **error)
{
  static const char *const no_args[] = { NULL };
  const Ovpn3ProfileOptInfo *o;
  const char *reason;
  g_autofree char *shown = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(Ovpn3ProfileDirective) d = NULL;
  guint nargs;

  if (args == NULL)
    args = no_args;
  nargs = g_strv_length((char **) args);
  if (g_str_has_prefix(name, "--"))
    name += 2; /* openvpn accepts "--remote …" in a profile too */

  if (++*count > OVPN3_PROFILE_MAX_DIRECTIVES)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, line, "more than %d options",
                              OVPN3_PROFILE_MAX_DIRECTIVES);
      return FALSE;
    }
  if (!g_utf8_validate(name, -1, NULL) || has_control(name) || strchr(name, '\n') != NULL)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "an option name is not printable text");
      return FALSE;
    }
  for (guint i = 0; i < nargs; i++)
    if (!g_utf8_validate(args[i], -1, NULL) || has_control(args[i])
        || strchr(args[i], '\n') != NULL)
      {
        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                "an argument of '%s' is not printable text", name);
        return FALSE;
      }

  reason = ovpn3_profile_allowlist_refusal(name, args, block != NULL, in_connection, &shown);
  if (reason != NULL)
    {
      g_autofree char *disp = g_strdup(shown != NULL ? shown : name);
      if (g_utf8_strlen(disp, -1) > 80)
        {
          char *end = g_utf8_offset_to_pointer(disp, 77);
          *end = '\0';
          char *tmp = g_strconcat(disp, "...", NULL);
          g_free(disp);
          disp = tmp;
        }
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_NOT_ALLOWED, line,
                              "'%s' is not allowed (%s)", disp, reason);
      return FALSE;
    }
  o = ovpn3_profile_allowlist_lookup(name);
  if (o == NULL) /* cannot happen: the refusal check answers "unknown option" */
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_NOT_ALLOWED, line,
                              "'%s' is not allowed (unknown option)", name);
      return FALSE;
    }

  if (block != NULL)
    {
      if (nargs > 0)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "the inline <%s> block cannot have arguments", name);
          return FALSE;
        }
      d = ovpn3_profile_directive_new(name, NULL, NULL, line);
      if (strcmp(name, "connection") == 0)
        {
          if (strlen(block) > OVPN3_PROFILE_MAX_BLOCK)
            {
              ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, line,
                                      "the <connection> block is larger than %d bytes",
                                      OVPN3_PROFILE_MAX_BLOCK);
              return FALSE;
            }
          d->children
              = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_directive_free);
          if (!ovpn3_profile_parse_into(d->children, block, strlen(block), TRUE,
                                        line > 0 ? line + 1 : 0, count, error))
            return FALSE;
          if (d->children->len == 0)
            {
              ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                      "the <connection> block is empty");
              return FALSE;
            }
          guint remotes = 0;
          for (guint i = 0; i < d->children->len; i++)
            if (strcmp(((Ovpn3ProfileDirective *) d->children->pdata[i])->name, "remote") == 0)
              remotes++;
          if (remotes != 1)
            {
              /* openvpn: "Each 'connection' block must contain exactly one 'remote' directive" */
              ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                      "a <connection> block must contain exactly one 'remote' "
                                      "(it has %u)",
                                      remotes);
              return FALSE;
            }
        }
      else
        {
          d->block = check_block(name, block, in_connection, line, error);
          if (d->block == NULL)
            return FALSE;
        }
    }
  else
    {
      g_autoptr(GString) rendered = g_string_new(NULL);

      if (o->flags & OVPN3_OPT_BLOCK_ONLY)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "'%s' must be an inline <%s>…</%s> block", name, name, name);
          return FALSE;
        }
      if (nargs < o->min_args || nargs > o->max_args)
        {
          g_autofree char *want = arity_text(o);
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line, "'%s' takes %s, not %u",
                                  name, want, nargs);
          return FALSE;
        }
      if (o->check != NULL && (problem = o->check(args)) != NULL)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "invalid argument for '%s': %s", name, problem);
          return FALSE;
        }
      d = ovpn3_profile_directive_new(name, args, NULL, line);
      render_directive_line(rendered, d->name, d->args);
      if (rendered->len - 1 > OVPN3_PROFILE_MAX_LINE)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                  "the '%s' line is longer than %d characters (openvpn's "
                                  "limit)",
                                  name, OVPN3_PROFILE_MAX_LINE);
          return FALSE;
        }
    }

  g_ptr_array_add(out, g_steal_pointer(&d));
  return TRUE;
}

gboolean
ovpn3_profile_parse_into(GPtrArray *out, const char *text, gsize len, gboolean in_connection,
                         guint first_line, guint *count, GError **error)
{
  g_autoptr(GPtrArray) lines = ovpn3_profile_lex(text, len, first_line, error);

  if (lines == NULL)
    return FALSE;
  for (guint i = 0; i < lines->len; i++)
    {
      Ovpn3ProfileLexLine *l = lines->pdata[i];
      if (!ovpn3_profile_add_directive(out, l->tokens[0], (const char *const *) l->tokens + 1,
                                       l->block, in_connection, l->line, count, error))
        return FALSE;
    }
  return TRUE;
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
          render_directive_line(out, d->name, d->args);
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
