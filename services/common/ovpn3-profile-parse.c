#define G_LOG_DOMAIN "ovpn3-profile"

/* ovpn3-profile-parse.c — parsing a profile's text into allowlisted directives: every
 * directive is checked (allowlist, arity, argument values, line length after rendering) and
 * every inline block (size, text, closing tags where openvpn would see them, a <connection>'s
 * own directives) before it is kept (docs/architecture.md §4).
 */

#include "config.h"

#include <string.h>

#include "ovpn3-profile-allowlist.h"
#include "ovpn3-profile-lexer.h"
#include "ovpn3-profile-private.h"

static gboolean
has_control(const char *s)
{
  for (; *s != '\0'; s++)
    if (((guchar) *s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7f)
      return TRUE;
  return FALSE;
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

/* The running count, and a name and arguments that are printable text. */
static gboolean
check_text(const char *name, const char *const *args, guint line, guint *count, GError **error)
{
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
  for (const char *const *a = args; *a != NULL; a++)
    if (!g_utf8_validate(*a, -1, NULL) || has_control(*a) || strchr(*a, '\n') != NULL)
      {
        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                                "an argument of '%s' is not printable text", name);
        return FALSE;
      }
  return TRUE;
}

/* The allowlist entry of an allowed directive; NULL with the refusal in @error. */
static const Ovpn3ProfileOptInfo *
check_allowed(const char *name, const char *const *args, gboolean is_block, gboolean in_connection,
              guint line, GError **error)
{
  g_autofree char *shown = NULL;
  const Ovpn3ProfileOptInfo *o;
  const char *reason = ovpn3_profile_allowlist_refusal(name, args, is_block, in_connection, &shown);

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
      return NULL;
    }
  o = ovpn3_profile_allowlist_lookup(name);
  if (o == NULL) /* cannot happen: the refusal check answers "unknown option" */
    ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_NOT_ALLOWED, line,
                            "'%s' is not allowed (unknown option)", name);
  return o;
}

/* A <connection> block: its own directives, exactly one of them 'remote'. */
static gboolean
parse_connection(Ovpn3ProfileDirective *d, const char *block, guint line, guint *count,
                 GError **error)
{
  guint remotes = 0;

  if (strlen(block) > OVPN3_PROFILE_MAX_BLOCK)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, line,
                              "the <connection> block is larger than %d bytes",
                              OVPN3_PROFILE_MAX_BLOCK);
      return FALSE;
    }
  d->children = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_directive_free);
  if (!ovpn3_profile_parse_into(d->children, block, strlen(block), TRUE, line > 0 ? line + 1 : 0,
                                count, error))
    return FALSE;
  if (d->children->len == 0)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "the <connection> block is empty");
      return FALSE;
    }
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
  return TRUE;
}

/* An inline block: no arguments; a <connection> is parsed, any other block checked. */
static Ovpn3ProfileDirective *
new_block_directive(const char *name, guint nargs, const char *block, gboolean in_connection,
                    guint line, guint *count, GError **error)
{
  g_autoptr(Ovpn3ProfileDirective) d = NULL;

  if (nargs > 0)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "the inline <%s> block cannot have arguments", name);
      return NULL;
    }
  d = ovpn3_profile_directive_new(name, NULL, NULL, line);
  if (strcmp(name, "connection") == 0)
    {
      if (!parse_connection(d, block, line, count, error))
        return NULL;
    }
  else if ((d->block = check_block(name, block, in_connection, line, error)) == NULL)
    return NULL;
  return g_steal_pointer(&d);
}

/* A directive on one line: arity, argument values, and its length once rendered. */
static Ovpn3ProfileDirective *
new_line_directive(const Ovpn3ProfileOptInfo *o, const char *name, const char *const *args,
                   guint nargs, guint line, GError **error)
{
  g_autoptr(GString) rendered = g_string_new(NULL);
  g_autoptr(Ovpn3ProfileDirective) d = NULL;
  g_autofree char *problem = NULL;

  if (o->flags & OVPN3_OPT_BLOCK_ONLY)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "'%s' must be an inline <%s>…</%s> block", name, name, name);
      return NULL;
    }
  if (nargs < o->min_args || nargs > o->max_args)
    {
      g_autofree char *want = arity_text(o);
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line, "'%s' takes %s, not %u",
                              name, want, nargs);
      return NULL;
    }
  if (o->check != NULL && (problem = o->check(args)) != NULL)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "invalid argument for '%s': %s", name, problem);
      return NULL;
    }
  d = ovpn3_profile_directive_new(name, args, NULL, line);
  ovpn3_profile_render_directive_line(rendered, d->name, d->args);
  if (rendered->len - 1 > OVPN3_PROFILE_MAX_LINE)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line,
                              "the '%s' line is longer than %d characters (openvpn's "
                              "limit)",
                              name, OVPN3_PROFILE_MAX_LINE);
      return NULL;
    }
  return g_steal_pointer(&d);
}

gboolean
ovpn3_profile_add_directive(GPtrArray *out, const char *name, const char *const *args,
                            const char *block, gboolean in_connection, guint line, guint *count,
                            GError **error)
{
  static const char *const no_args[] = { NULL };
  const Ovpn3ProfileOptInfo *o;
  Ovpn3ProfileDirective *d;
  guint nargs;

  if (args == NULL)
    args = no_args;
  nargs = g_strv_length((char **) args);
  if (g_str_has_prefix(name, "--"))
    name += 2; /* openvpn accepts "--remote …" in a profile too */

  if (!check_text(name, args, line, count, error)
      || (o = check_allowed(name, args, block != NULL, in_connection, line, error)) == NULL)
    return FALSE;
  if (block != NULL)
    d = new_block_directive(name, nargs, block, in_connection, line, count, error);
  else
    d = new_line_directive(o, name, args, nargs, line, error);
  if (d == NULL)
    return FALSE;
  g_ptr_array_add(out, d);
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
