/* ovpn3-cli-output.h — aligned tables, colour, times, user names and JSON output for the CLI
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <stdio.h>
#include <json-glib/json-glib.h>

#include "ovpn3-cli.h"

G_BEGIN_DECLS

#define OVPN3_COLOR_BOLD   "\033[1m"
#define OVPN3_COLOR_RED    "\033[31m"
#define OVPN3_COLOR_GREEN  "\033[32m"
#define OVPN3_COLOR_YELLOW "\033[33m"
#define OVPN3_COLOR_DIM    "\033[2m"
#define OVPN3_COLOR_RESET  "\033[0m"

/* Colour on @fd: only a terminal, not with NO_COLOR set (any value) or TERM=dumb. */
gboolean ovpn3_cli_use_color(int fd);

typedef struct _Ovpn3Table Ovpn3Table;

/* A table with a header row; every cell is a string (NULL prints as "-"). */
Ovpn3Table *ovpn3_table_new(const char *const *headers);
/* The same without the column @omit (NULL: keep every column), e.g. PATH unless --paths. */
Ovpn3Table *ovpn3_table_new_without(const char *const *headers, const char *omit);
/* Add a row: exactly as many cells as headers; the table takes the strings. */
void ovpn3_table_add_row_take(Ovpn3Table *table, char **cells);
void ovpn3_table_print(Ovpn3Table *table, FILE *out, gboolean color);
guint ovpn3_table_rows(Ovpn3Table *table);
void ovpn3_table_free(Ovpn3Table *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Table, ovpn3_table_free)

/* "Label:   value" lines with the values aligned. */
typedef struct _Ovpn3Fields Ovpn3Fields;
Ovpn3Fields *ovpn3_fields_new(void);
void ovpn3_fields_add(Ovpn3Fields *fields, const char *label, const char *value);
void ovpn3_fields_add_take(Ovpn3Fields *fields, const char *label, char *value);
void ovpn3_fields_print(Ovpn3Fields *fields, FILE *out, gboolean color);
void ovpn3_fields_free(Ovpn3Fields *fields);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Fields, ovpn3_fields_free)

/* Local time "YYYY-MM-DD HH:MM:SS"; @never_text for 0. */
char *ovpn3_cli_format_time(guint64 unix_seconds, const char *never_text);
/* The user name of @uid, or the number as text; never NULL. */
char *ovpn3_cli_user_name(guint32 uid);
/* A user name or a numeric UID → uid.  FALSE if there is no such user. */
gboolean ovpn3_cli_parse_user(const char *text, guint32 *uid);
/* yes/no/true/false/on/off/1/0 → boolean; FALSE if none of these. */
gboolean ovpn3_cli_parse_bool(const char *text, gboolean *value);

/* Print @node as pretty JSON on stdout, followed by a newline. */
void ovpn3_cli_print_json(JsonNode *node);
/* The same for what @builder built. */
void ovpn3_cli_print_json_builder(JsonBuilder *builder);
/* Member @name of the object @builder is in: the string @value (null when NULL) / a boolean. */
void ovpn3_json_member_string(JsonBuilder *builder, const char *name, const char *value);
void ovpn3_json_member_boolean(JsonBuilder *builder, const char *name, gboolean value);

/* Ask "@question [y/N] " on the terminal; TRUE only for y/yes. */
gboolean ovpn3_cli_confirm(const char *question);

/* ---- a{sv} helpers ---- */
const char *ovpn3_vardict_str(GVariant *dict, const char *key);
gboolean ovpn3_vardict_bool(GVariant *dict, const char *key, gboolean *value);
gboolean ovpn3_vardict_u32(GVariant *dict, const char *key, guint32 *value);
gboolean ovpn3_vardict_u64(GVariant *dict, const char *key, guint64 *value);
/* A GVariant (s, b, u, t, as, au, a{sv}, o …) as a JSON node. */
JsonNode *ovpn3_variant_to_json(GVariant *value);

G_END_DECLS

G_BEGIN_DECLS
/* Read a secret: from the terminal without echo (prompting with @prompt) when stdin is one,
 * else one line from stdin.  NULL on end of input.  Wipe and free with ovpn3_cli_secret_free. */
char *ovpn3_cli_read_secret(const char *prompt);
void ovpn3_cli_secret_free(char *secret);
G_END_DECLS
