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

/* A port of openvpn 2.6 options.c parse_line(), with its errors turned into GErrors: comments
 * start a token with `#` or `;`; "…" takes the escapes \\ \" and "\ "; '…' is literal; a
 * backslash outside quotes escapes the same three characters. */
gboolean
ovpn3_profile_lex_tokenize(const char *line, gsize len, guint line_no, char ***tokens,
                           GError **error)
{
  enum
  {
    ST_INITIAL,
    ST_UNQUOTED,
    ST_QUOTED,
    ST_SQUOTED
  } state
      = ST_INITIAL;
  gboolean backslash = FALSE;
  char parm[OVPN3_PROFILE_MAX_TOKEN];
  gsize parm_len = 0;
  g_autoptr(GPtrArray) toks = g_ptr_array_new_with_free_func(g_free);

  for (gsize i = 0; i <= len; i++)
    {
      char in = i < len ? line[i] : '\0';
      char out = 0;

      if (in == '\0' && i < len)
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                  "the line contains a NUL byte");
          return FALSE;
        }

      if (!backslash && in == '\\' && state != ST_SQUOTED)
        {
          backslash = TRUE;
        }
      else
        {
          gboolean done = FALSE;

          if (state == ST_INITIAL)
            {
              if (!lex_is_space(in))
                {
                  if (in == ';' || in == '#')
                    break;
                  if (!backslash && in == '"')
                    state = ST_QUOTED;
                  else if (!backslash && in == '\'')
                    state = ST_SQUOTED;
                  else
                    {
                      out = in;
                      state = ST_UNQUOTED;
                    }
                }
            }
          else if (state == ST_UNQUOTED)
            {
              if (!backslash && lex_is_space(in))
                done = TRUE;
              else
                out = in;
            }
          else if (state == ST_QUOTED)
            {
              if (!backslash && in == '"')
                done = TRUE;
              else
                out = in;
            }
          else /* ST_SQUOTED */
            {
              if (in == '\'')
                done = TRUE;
              else
                out = in;
            }

          if (done)
            {
              g_ptr_array_add(toks, g_strndup(parm, parm_len));
              state = ST_INITIAL;
              parm_len = 0;
            }

          if (backslash && out != 0 && !(out == '\\' || out == '"' || lex_is_space(out)))
            {
              ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                      "bad escape '\\%c' (only \\\\, \\\" and \"\\ \" are "
                                      "allowed; write a backslash as \\\\)",
                                      g_ascii_isprint(out) ? out : '?');
              return FALSE;
            }
          backslash = FALSE;
        }

      if (out != 0)
        {
          if (parm_len >= sizeof parm)
            {
              ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                      "a parameter is longer than %d characters",
                                      OVPN3_PROFILE_MAX_TOKEN);
              return FALSE;
            }
          parm[parm_len++] = out;
        }
    }

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
        break;
    }

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

GPtrArray *
ovpn3_profile_lex(const char *text, gsize len, guint first_line, GError **error)
{
  g_autoptr(GPtrArray) out
      = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_lex_line_free);
  const char *end = text + len;
  const char *nul = memchr(text, '\0', len);
  const char *bad_utf8 = NULL;
  const char *p = text;
  guint index = 0;

  if (len > OVPN3_PROFILE_MAX_SIZE)
    {
      ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, 0,
                              "the profile is larger than %d bytes (1 MiB)",
                              OVPN3_PROFILE_MAX_SIZE);
      return NULL;
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
      return NULL;
    }
  if (first_line <= 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p < end)
    {
      const char *nl = memchr(p, '\n', end - p);
      const char *le = nl != NULL ? nl : end;
      gsize llen = le - p;
      guint line_no = lex_lineno(first_line, index);
      g_auto(GStrv) tokens = NULL;

      if (llen > 0 && p[llen - 1] == '\r')
        llen--;
      if (lex_has_control(p, llen))
        {
          ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                  "the line contains a control character");
          return NULL;
        }
      if (!ovpn3_profile_lex_tokenize(p, llen, line_no, &tokens, error))
        return NULL;
      p = nl != NULL ? nl + 1 : end;
      index++;
      if (tokens[0] == NULL)
        continue;

      gsize t0len = strlen(tokens[0]);
      if (t0len >= 2 && tokens[0][0] == '<' && tokens[0][t0len - 1] == '>')
        {
          g_autofree char *tag = g_strndup(tokens[0] + 1, t0len - 2);
          g_autofree char *close_tag = NULL;
          g_autoptr(GString) content = g_string_new(NULL);
          gboolean closed = FALSE;

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
          close_tag = g_strdup_printf("</%s>", tag);

          while (p < end)
            {
              const char *bnl = memchr(p, '\n', end - p);
              const char *ble = bnl != NULL ? bnl : end;
              gsize blen = ble - p;
              const char *ls = p;
              const char *s = p;
              guint bline = lex_lineno(first_line, index);

              if (blen > 0 && p[blen - 1] == '\r')
                blen--;
              if (lex_has_control(p, blen))
                {
                  ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, bline,
                                          "the line contains a control character");
                  return NULL;
                }
              p = bnl != NULL ? bnl + 1 : end;
              index++;
              while (s < ble && (*s == ' ' || *s == '\t'))
                s++;
              if ((gsize) (ble - s) >= strlen(close_tag)
                  && strncmp(s, close_tag, strlen(close_tag)) == 0)
                {
                  const char *rest = s + strlen(close_tag);
                  for (const char *r = rest; r < ble; r++)
                    if (*r != ' ' && *r != '\t' && *r != '\r')
                      {
                        ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, bline,
                                                "unexpected text after %s", close_tag);
                        return NULL;
                      }
                  closed = TRUE;
                  break;
                }
              g_string_append_len(content, ls, blen);
              g_string_append_c(content, '\n');
              if (content->len > OVPN3_PROFILE_MAX_BLOCK)
                {
                  ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_TOO_LARGE, line_no,
                                          "the <%s> block is larger than %d bytes", tag,
                                          OVPN3_PROFILE_MAX_BLOCK);
                  return NULL;
                }
            }
          if (!closed)
            {
              ovpn3_profile_set_error(error, OVPN3_PROFILE_ERROR_INVALID, line_no,
                                      "<%s> is not closed (missing %s)", tag, close_tag);
              return NULL;
            }

          Ovpn3ProfileLexLine *l = g_new0(Ovpn3ProfileLexLine, 1);
          l->line = line_no;
          l->tokens = g_new0(char *, 2);
          l->tokens[0] = g_steal_pointer(&tag);
          l->block = g_string_free(g_steal_pointer(&content), FALSE);
          g_ptr_array_add(out, l);
          continue;
        }

      Ovpn3ProfileLexLine *l = g_new0(Ovpn3ProfileLexLine, 1);
      l->line = line_no;
      l->tokens = g_steal_pointer(&tokens);
      g_ptr_array_add(out, l);
    }

  return g_steal_pointer(&out);
}
