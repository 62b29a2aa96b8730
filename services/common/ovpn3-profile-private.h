/* ovpn3-profile-private.h — internals shared by the ovpn3-profile*.c files (not for services) */
#pragma once

#include "ovpn3-profile.h"

G_BEGIN_DECLS

struct _Ovpn3Profile
{
  GObject parent_instance;
  GPtrArray *directives; /* Ovpn3ProfileDirective, in profile order */
};

/* One allowlisted directive.  @args never NULL (empty for a block).  A <connection> block has
 * @children (its own directives) and @block NULL; any other inline block has @block (content,
 * every line ending in "\n") and @children NULL. */
typedef struct
{
  char *name;
  char **args;
  char *block;
  GPtrArray *children;
  guint line; /* 1-based line in the text it came from; 0 = from JSON */
} Ovpn3ProfileDirective;

Ovpn3ProfileDirective *ovpn3_profile_directive_new(const char *name, const char *const *args,
                                                   const char *block, guint line);
void ovpn3_profile_directive_free(Ovpn3ProfileDirective *d);
gboolean ovpn3_profile_directive_equal(const Ovpn3ProfileDirective *a,
                                       const Ovpn3ProfileDirective *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3ProfileDirective, ovpn3_profile_directive_free)

/* Sets @error to "Invalid configuration profile: line N: <msg>" (or without "line N: " when
 * @line is 0). */
void ovpn3_profile_set_error(GError **error, gint code, guint line, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

/* Parse @text into allowlisted directives (appended to @out).  @in_connection: the text is the
 * content of a <connection> block; @first_line: line number of its first line (0 = no line
 * numbers); @count: running number of directives (limit OVPN3_PROFILE_MAX_DIRECTIVES). */
gboolean ovpn3_profile_parse_into(GPtrArray *out, const char *text, gsize len,
                                  gboolean in_connection, guint first_line, guint *count,
                                  GError **error);

/* Check and add one directive (from the lexer or from JSON): allowlist, arity, values, line
 * length after rendering.  For "connection", @block is parsed into children. */
gboolean ovpn3_profile_add_directive(GPtrArray *out, const char *name, const char *const *args,
                                     const char *block, gboolean in_connection, guint line,
                                     guint *count, GError **error);

/* Append "name arg…\n" to @out, every argument quoted as the lexer reads it back. */
void ovpn3_profile_render_directive_line(GString *out, const char *name, char **args);
/* Append the rendering of @directives to @out. */
void ovpn3_profile_render_directives(GString *out, GPtrArray *directives,
                                     Ovpn3ProfileRenderFlags flags);

/* Build a profile around @directives (takes ownership). */
Ovpn3Profile *ovpn3_profile_new_take(GPtrArray *directives);
GPtrArray *ovpn3_profile_get_directives(Ovpn3Profile *self);
gboolean ovpn3_profile_check_rendered_size(GPtrArray *directives, GError **error);

G_END_DECLS
