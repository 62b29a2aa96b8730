/* ovpn3-profile-lexer.h — OpenVPN 2.6 profile lexer (options.c parse_line rules), internal */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One logical directive: a lexed option line, or an inline <tag>…</tag> block. */
typedef struct
{
  guint line;    /* line of the option or of the opening tag (0 = unknown) */
  char **tokens; /* NULL-terminated, at least one; for a block: { tag, NULL } */
  char *block;   /* block content (each line ending in "\n"), or NULL */
} Ovpn3ProfileLexLine;

void ovpn3_profile_lex_line_free(Ovpn3ProfileLexLine *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3ProfileLexLine, ovpn3_profile_lex_line_free)

/* Split @text (@len bytes) into lines and blocks.  Checks the size limit, NUL bytes, UTF-8,
 * control characters, quotes, escapes and token length; skips a BOM (when @first_line <= 1),
 * blank and comment lines.  Returns a GPtrArray of Ovpn3ProfileLexLine, or NULL + @error
 * (OVPN3_PROFILE_ERROR).  @first_line is the number of the first line (0 = report none). */
GPtrArray *ovpn3_profile_lex(const char *text, gsize len, guint first_line, GError **error);

/* Tokenize one line (no line end) like openvpn's parse_line().  *tokens gets a NULL-terminated
 * array (empty for a blank or comment line). */
gboolean ovpn3_profile_lex_tokenize(const char *line, gsize len, guint line_no, char ***tokens,
                                    GError **error);

/* @token as the renderer writes it: unchanged if safe, else in double quotes with `\` and `"`
 * escaped.  Tokenizing the result gives @token back. */
char *ovpn3_profile_lex_quote(const char *token);

/* Longest token openvpn accepts: its parameter buffer (OPTION_PARM_SIZE) holds 256 characters. */
#define OVPN3_PROFILE_MAX_TOKEN 256

G_END_DECLS
