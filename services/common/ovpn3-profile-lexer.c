#define G_LOG_DOMAIN "ovpn3-profile-lexer"

#include "config.h"

#include <string.h>

#include "ovpn3-profile-lexer.h"
#include "ovpn3-profile-private.h"

void
ovpn3_profile_lex_line_free(Ovpn3ProfileLexLine *l)
{
  if (l == NULL)
    return;
  g_strfreev(l->tokens);
  g_free(l->block);
  g_free(l);
}

/* openvpn's space(): isspace() in the C locale, or the terminating NUL.  Control characters
 * other than TAB never get this far. */
static inline gboolean
lex_is_space(char c)
{
  return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static gboolean
lex_has_control(const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) s[i];
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return TRUE;
    }
  return FALSE;
}

typedef enum
{
  ST_INITIAL,
  ST_UNQUOTED,
  ST_QUOTED,
  ST_SQUOTED
} LexState;

/* One character @in of the line in *state (@backslash: it is escaped).  *out gets the character
 * the token keeps (0: none); returns TRUE when the token ends there; *comment is set when a
 * comment starts (`#` or `;` where a token would start, escaped or not). */
static gboolean
lex_step(LexState *state, gboolean backslash, char in, char *out, gboolean *comment)
{
  *out = 0;
  switch (*state)
    {
      case ST_INITIAL:
        if (lex_is_space(in))
          return FALSE;
        if (in == ';' || in == '#')
          *comment = TRUE;
        else if (!backslash && in == '"')
          *state = ST_QUOTED;
        else if (!backslash && in == '\'')
          *state = ST_SQUOTED;
        else
          {
            *out = in;
            *state = ST_UNQUOTED;
          }
        return FALSE;
      case ST_UNQUOTED:
        if (!backslash && lex_is_space(in))
          return TRUE;
        break;
      case ST_QUOTED:
        if (!backslash && in == '"')
          return TRUE;
        break;
      case ST_SQUOTED:
      default:
        if (in == '\'')
          return TRUE;
        break;
    }
  *out = in;
  return FALSE;
}

/* The state at the end of the line: only ST_INITIAL ends a line well. */
static gboolean
lex_check_end(LexState state, guint line_no, GError **error)
{
  switch (state)
    {
      case ST_QUOTED:
        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                "unterminated quoted string (missing closing \")");
        return FALSE;
      case ST_SQUOTED:
        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                "unterminated quoted string (missing closing ')");
        return FALSE;
      case ST_UNQUOTED:
        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                "backslash at the end of the line");
        return FALSE;
      case ST_INITIAL:
      default:
        return TRUE;
    }
}

/* A port of openvpn 2.6 options.c parse_line(), with its errors turned into GErrors: comments
 * start a token with `#` or `;`; "…" takes the escapes \\ \" and "\ "; '…' is literal; a
 * backslash outside quotes escapes the same three characters. */
gboolean
ovpn3_profile_lex_tokenize(const char *line, gsize len, guint line_no, char ***tokens,
                           GError **error)
{
  LexState state = ST_INITIAL;
  gboolean backslash = FALSE;
  char parm[OVPN3_PROFILE_MAX_TOKEN];
  gsize parm_len = 0;
  g_autoptr(GPtrArray) toks = g_ptr_array_new_with_free_func(g_free);

  for (gsize i = 0; i <= len; i++)
    {
      char in = i < len ? line[i] : '\0';
      char out;
      gboolean comment = FALSE;

      if (in == '\0' && i < len)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                  "the line contains a NUL byte");
          return FALSE;
        }
      if (!backslash && in == '\\' && state != ST_SQUOTED)
        {
          backslash = TRUE;
          continue;
        }
      if (lex_step(&state, backslash, in, &out, &comment))
        {
          g_ptr_array_add(toks, g_strndup(parm, parm_len));
          state = ST_INITIAL;
          parm_len = 0;
        }
      if (comment)
        break;
      if (backslash && out != 0 && !(out == '\\' || out == '"' || lex_is_space(out)))
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                  "bad escape '\\%c' (only \\\\, \\\" and \"\\ \" are "
                                  "allowed; write a backslash as \\\\)",
                                  g_ascii_isprint(out) ? out : '?');
          return FALSE;
        }
      backslash = FALSE;
      if (out == 0)
        continue;
      if (parm_len >= sizeof parm)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                  "a parameter is longer than %d characters",
                                  OVPN3_PROFILE_MAX_TOKEN);
          return FALSE;
        }
      parm[parm_len++] = out;
    }
  if (!lex_check_end(state, line_no, error))
    return FALSE;

  g_ptr_array_add(toks, NULL);
  *tokens = (char **) g_ptr_array_free(g_steal_pointer(&toks), FALSE);
  return TRUE;
}

char *
ovpn3_profile_lex_quote(const char *token)
{
  gboolean needs = token[0] == '\0';

  for (const char *p = token; *p != '\0' && !needs; p++)
    if (lex_is_space(*p) || strchr("\"'\\#;", *p) != NULL)
      needs = TRUE;
  if (!needs)
    return g_strdup(token);

  GString *s = g_string_new("\"");
  for (const char *p = token; *p != '\0'; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c(s, '\\');
      g_string_append_c(s, *p);
    }
  g_string_append_c(s, '"');
  return g_string_free(s, FALSE);
}

/* The line number for error messages: 0 stays 0 ("no line numbers"). */
static inline guint
lex_lineno(guint first_line, guint index)
{
  return first_line == 0 ? 0 : first_line + index;
}

static gboolean
lex_tag_name_ok(const char *tag)
{
  if (*tag == '\0')
    return FALSE;
  for (const char *p = tag; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* Size, NUL bytes and UTF-8 of the whole text. */
static gboolean
lex_check_text(const char *text, gsize len, guint first_line, GError **error)
{
  const char *nul = memchr(text, '\0', len);
  const char *bad_utf8 = NULL;

  if (len > OVPN3_PROFILE_MAX_SIZE)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, 0,
                              "the profile is larger than %d bytes (1 MiB)",
                              OVPN3_PROFILE_MAX_SIZE);
      return FALSE;
    }
  if (nul != NULL || !g_utf8_validate_len(text, len, &bad_utf8))
    {
      const char *at = nul != NULL ? nul : bad_utf8;
      guint line = 0;
      for (const char *q = text; q < at; q++)
        if (*q == '\n')
          line++;
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, lex_lineno(first_line, line),
                              nul != NULL ? "the profile contains a NUL byte"
                                          : "the profile is not valid UTF-8 text");
      return FALSE;
    }
  return TRUE;
}

/* Where the lexer is in the text. */
typedef struct
{
  const char *p;
  const char *end;
  guint first_line;
  guint index; /* lines read so far */
} LexCursor;

/* Reads the next line: *line and *len without its line end (LF or CRLF), *line_no its number.
 * A control character in it is an error. */
static gboolean
lex_next_line(LexCursor *c, const char **line, gsize *len, guint *line_no, GError **error)
{
  const char *nl = memchr(c->p, '\n', c->end - c->p);
  gsize llen = (nl != NULL ? nl : c->end) - c->p;

  *line = c->p;
  *line_no = lex_lineno(c->first_line, c->index);
  if (llen > 0 && c->p[llen - 1] == '\r')
    llen--;
  *len = llen;
  if (lex_has_control(c->p, llen))
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, *line_no,
                              "the line contains a control character");
      return FALSE;
    }
  c->p = nl != NULL ? nl + 1 : c->end;
  c->index++;
  return TRUE;
}

static gboolean
lex_is_tag(const char *token)
{
  gsize len = strlen(token);

  return len >= 2 && token[0] == '<' && token[len - 1] == '>';
}

/* The name of the inline block a "<tag>" line opens, or NULL with error. */
static char *
lex_open_tag(char **tokens, guint line_no, GError **error)
{
  g_autofree char *tag = g_strndup(tokens[0] + 1, strlen(tokens[0]) - 2);

  if (tag[0] == '/')
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                              "%s without a matching <%s>", tokens[0], tag + 1);
      return NULL;
    }
  if (!lex_tag_name_ok(tag))
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                              "malformed inline block tag");
      return NULL;
    }
  if (tokens[1] != NULL)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                              "unexpected text after <%s>", tag);
      return NULL;
    }
  return g_steal_pointer(&tag);
}

/* Whether the line closes the block (blanks, the closing tag, blanks); text after the tag is
 * an error. */
static gboolean
lex_closes(const char *line, gsize len, const char *close_tag, guint line_no, gboolean *closes,
           GError **error)
{
  const char *end = line + len;
  const char *s = line;
  gsize tlen = strlen(close_tag);

  *closes = FALSE;
  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  if ((gsize) (end - s) < tlen || strncmp(s, close_tag, tlen) != 0)
    return TRUE;
  for (const char *r = s + tlen; r < end; r++)
    if (*r != ' ' && *r != '\t' && *r != '\r')
      {
        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                "unexpected text after %s", close_tag);
        return FALSE;
      }
  *closes = TRUE;
  return TRUE;
}

/* The content of the inline block <tag> opened on line @line_no, up to its closing tag (each
 * line ending in "\n"), or NULL with error. */
static char *
lex_block(LexCursor *c, const char *tag, guint line_no, GError **error)
{
  g_autofree char *close_tag = g_strdup_printf("</%s>", tag);
  g_autoptr(GString) content = g_string_new(NULL);

  while (c->p < c->end)
    {
      const char *line;
      gsize len;
      guint bline;
      gboolean closes;

      if (!lex_next_line(c, &line, &len, &bline, error)
          || !lex_closes(line, len, close_tag, bline, &closes, error))
        return NULL;
      if (closes)
        return g_string_free(g_steal_pointer(&content), FALSE);
      g_string_append_len(content, line, len);
      g_string_append_c(content, '\n');
      if (content->len > OVPN3_PROFILE_MAX_BLOCK)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, line_no,
                                  "the <%s> block is larger than %d bytes", tag,
                                  OVPN3_PROFILE_MAX_BLOCK);
          return NULL;
        }
    }
  ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                          "<%s> is not closed (missing %s)", tag, close_tag);
  return NULL;
}

GPtrArray *
ovpn3_profile_lex(const char *text, gsize len, guint first_line, GError **error)
{
  g_autoptr(GPtrArray) out
      = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_lex_line_free);
  LexCursor c = { .p = text, .end = text + len, .first_line = first_line };

  if (!lex_check_text(text, len, first_line, error))
    return NULL;
  if (first_line <= 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    c.p += 3;

  while (c.p < c.end)
    {
      const char *line;
      gsize llen;
      guint line_no;
      g_auto(GStrv) tokens = NULL;
      g_autoptr(Ovpn3ProfileLexLine) l = NULL;

      if (!lex_next_line(&c, &line, &llen, &line_no, error)
          || !ovpn3_profile_lex_tokenize(line, llen, line_no, &tokens, error))
        return NULL;
      if (tokens[0] == NULL)
        continue;

      l = g_new0(Ovpn3ProfileLexLine, 1);
      l->line = line_no;
      if (lex_is_tag(tokens[0]))
        {
          l->tokens = g_new0(char *, 2);
          l->tokens[0] = lex_open_tag(tokens, line_no, error);
          if (l->tokens[0] == NULL
              || (l->block = lex_block(&c, l->tokens[0], line_no, error)) == NULL)
            return NULL;
        }
      else
        l->tokens = g_steal_pointer(&tokens);
      g_ptr_array_add(out, g_steal_pointer(&l));
    }

  return g_steal_pointer(&out);
}
