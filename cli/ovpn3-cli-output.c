#define G_LOG_DOMAIN "ovpn3-cli-output"

#include "config.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ovpn3-cli-output.h"

gboolean
ovpn3_cli_use_color(int fd)
{
  const char *term = g_getenv("TERM");

  if (g_getenv("NO_COLOR") != NULL)
    return FALSE;
  if (term != NULL && g_str_equal(term, "dumb"))
    return FALSE;
  return isatty(fd);
}

/* ---- tables --------------------------------------------------------------------------------- */

struct _Ovpn3Table
{
  guint ncols;
  GStrv headers;
  GPtrArray *rows; /* of GStrv */
};

Ovpn3Table *
ovpn3_table_new(const char *const *headers)
{
  Ovpn3Table *t = g_new0(Ovpn3Table, 1);

  t->headers = g_strdupv((char **) headers);
  t->ncols = g_strv_length(t->headers);
  t->rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
  return t;
}

Ovpn3Table *
ovpn3_table_new_without(const char *const *headers, const char *omit)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
  g_auto(GStrv) kept = NULL;

  for (guint i = 0; headers[i] != NULL; i++)
    if (omit == NULL || !g_str_equal(headers[i], omit))
      g_strv_builder_add(builder, headers[i]);
  kept = g_strv_builder_end(builder);
  return ovpn3_table_new((const char *const *) kept);
}

void
ovpn3_table_add_row_take(Ovpn3Table *table, char **cells)
{
  g_ptr_array_add(table->rows, cells);
}

guint
ovpn3_table_rows(Ovpn3Table *table)
{
  return table->rows->len;
}

static const char *
cell(const char *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

static void
print_padded(FILE *out, const char *text, guint width, gboolean last)
{
  glong len = g_utf8_strlen(text, -1);

  fputs(text, out);
  if (last)
    return;
  for (glong i = len; i < (glong) width + 2; i++)
    fputc(' ', out);
}

void
ovpn3_table_print(Ovpn3Table *table, FILE *out, gboolean color)
{
  g_autofree guint *width = g_new0(guint, table->ncols);

  for (guint c = 0; c < table->ncols; c++)
    width[c] = (guint) g_utf8_strlen(table->headers[c], -1);
  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index(table->rows, r);

      for (guint c = 0; c < table->ncols; c++)
        width[c] = MAX(width[c], (guint) g_utf8_strlen(cell(row[c]), -1));
    }
  if (color)
    fputs(OVPN3_COLOR_BOLD, out);
  for (guint c = 0; c < table->ncols; c++)
    print_padded(out, table->headers[c], width[c], c + 1 == table->ncols);
  if (color)
    fputs(OVPN3_COLOR_RESET, out);
  fputc('\n', out);
  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index(table->rows, r);

      for (guint c = 0; c < table->ncols; c++)
        print_padded(out, cell(row[c]), width[c], c + 1 == table->ncols);
      fputc('\n', out);
    }
}

void
ovpn3_table_free(Ovpn3Table *table)
{
  if (table == NULL)
    return;
  g_strfreev(table->headers);
  g_ptr_array_unref(table->rows);
  g_free(table);
}

/* ---- label: value --------------------------------------------------------------------------- */

struct _Ovpn3Fields
{
  GPtrArray *labels;
  GPtrArray *values;
};

Ovpn3Fields *
ovpn3_fields_new(void)
{
  Ovpn3Fields *f = g_new0(Ovpn3Fields, 1);

  f->labels = g_ptr_array_new_with_free_func(g_free);
  f->values = g_ptr_array_new_with_free_func(g_free);
  return f;
}

void
ovpn3_fields_add_take(Ovpn3Fields *fields, const char *label, char *value)
{
  g_ptr_array_add(fields->labels, g_strdup_printf("%s:", label));
  g_ptr_array_add(fields->values, value);
}

void
ovpn3_fields_add(Ovpn3Fields *fields, const char *label, const char *value)
{
  ovpn3_fields_add_take(fields, label, g_strdup(value));
}

void
ovpn3_fields_print(Ovpn3Fields *fields, FILE *out, gboolean color)
{
  guint width = 0;

  for (guint i = 0; i < fields->labels->len; i++)
    width = MAX(width, (guint) g_utf8_strlen(g_ptr_array_index(fields->labels, i), -1));
  for (guint i = 0; i < fields->labels->len; i++)
    {
      const char *label = g_ptr_array_index(fields->labels, i);

      if (color)
        fputs(OVPN3_COLOR_BOLD, out);
      print_padded(out, label, width - 1, FALSE);
      if (color)
        fputs(OVPN3_COLOR_RESET, out);
      fprintf(out, "%s\n", cell(g_ptr_array_index(fields->values, i)));
    }
}

void
ovpn3_fields_free(Ovpn3Fields *fields)
{
  if (fields == NULL)
    return;
  g_ptr_array_unref(fields->labels);
  g_ptr_array_unref(fields->values);
  g_free(fields);
}

/* ---- values --------------------------------------------------------------------------------- */

char *
ovpn3_cli_format_time(guint64 unix_seconds, const char *never_text)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds == 0 || unix_seconds > (guint64) G_MAXINT64)
    return g_strdup(never_text);
  dt = g_date_time_new_from_unix_local((gint64) unix_seconds);
  if (dt == NULL)
    return g_strdup(never_text);
  return g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
}

char *
ovpn3_cli_user_name(guint32 uid)
{
  /* a listing asks for the same few owners again and again */
  static GHashTable *names;
  struct passwd pwbuf, *pw = NULL;
  char buf[4096];
  const char *known;
  char *name;

  if (names == NULL)
    names = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  known = g_hash_table_lookup(names, GUINT_TO_POINTER(uid));
  if (known != NULL)
    return g_strdup(known);
  if (getpwuid_r(uid, &pwbuf, buf, sizeof buf, &pw) == 0 && pw != NULL)
    name = g_strdup(pw->pw_name);
  else
    name = g_strdup_printf("%u", uid);
  g_hash_table_insert(names, GUINT_TO_POINTER(uid), g_strdup(name));
  return name;
}

gboolean
ovpn3_cli_parse_user(const char *text, guint32 *uid)
{
  struct passwd pwbuf, *pw = NULL;
  char buf[4096];
  guint64 v;

  if (text == NULL || *text == '\0')
    return FALSE;
  if (g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32 - 1, &v, NULL))
    {
      *uid = (guint32) v;
      return TRUE;
    }
  if (getpwnam_r(text, &pwbuf, buf, sizeof buf, &pw) == 0 && pw != NULL)
    {
      *uid = pw->pw_uid;
      return TRUE;
    }
  return FALSE;
}

gboolean
ovpn3_cli_parse_bool(const char *text, gboolean *value)
{
  static const char *const yes[] = { "yes", "y", "true", "on", "1", NULL };
  static const char *const no[] = { "no", "n", "false", "off", "0", NULL };
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_ascii_strdown(text, -1);
  if (g_strv_contains(yes, lower))
    *value = TRUE;
  else if (g_strv_contains(no, lower))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

void
ovpn3_cli_print_json(JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autofree char *text = NULL;

  json_generator_set_pretty(gen, TRUE);
  json_generator_set_indent(gen, 2);
  json_generator_set_root(gen, node);
  text = json_generator_to_data(gen, NULL);
  fputs(text, stdout);
  fputc('\n', stdout);
}

void
ovpn3_cli_print_json_builder(JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root(builder);

  ovpn3_cli_print_json(root);
}

void
ovpn3_json_member_string(JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name(builder, name);
  if (value != NULL)
    json_builder_add_string_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

void
ovpn3_json_member_boolean(JsonBuilder *builder, const char *name, gboolean value)
{
  json_builder_set_member_name(builder, name);
  json_builder_add_boolean_value(builder, value);
}

gboolean
ovpn3_cli_confirm(const char *question)
{
  char answer[64];

  fprintf(stderr, "%s [y/N] ", question);
  fflush(stderr);
  if (fgets(answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip(answer);
  return g_ascii_strcasecmp(answer, "y") == 0 || g_ascii_strcasecmp(answer, "yes") == 0;
}

const char *
ovpn3_vardict_str(GVariant *dict, const char *key)
{
  const char *s = NULL;

  if (dict == NULL || !g_variant_lookup(dict, key, "&s", &s))
    return NULL;
  return s;
}

gboolean
ovpn3_vardict_bool(GVariant *dict, const char *key, gboolean *value)
{
  return dict != NULL && g_variant_lookup(dict, key, "b", value);
}

gboolean
ovpn3_vardict_u32(GVariant *dict, const char *key, guint32 *value)
{
  return dict != NULL && g_variant_lookup(dict, key, "u", value);
}

gboolean
ovpn3_vardict_u64(GVariant *dict, const char *key, guint64 *value)
{
  return dict != NULL && g_variant_lookup(dict, key, "t", value);
}

static JsonNode *
vardict_to_json(GVariant *value)
{
  JsonObject *obj = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  GVariantIter iter;
  const char *key;
  GVariant *v;

  g_variant_iter_init(&iter, value);
  while (g_variant_iter_next(&iter, "{&sv}", &key, &v))
    {
      json_object_set_member(obj, key, ovpn3_variant_to_json(v));
      g_variant_unref(v);
    }
  json_node_take_object(node, obj);
  return node;
}

static JsonNode *
container_to_json(GVariant *value)
{
  JsonArray *arr = json_array_new();
  JsonNode *node = json_node_new(JSON_NODE_ARRAY);
  gsize n = g_variant_n_children(value);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value(value, i);
      json_array_add_element(arr, ovpn3_variant_to_json(child));
    }
  json_node_take_array(node, arr);
  return node;
}

/* A basic (non-container) value; null for a type JSON has no word for. */
static JsonNode *
basic_to_json(GVariant *value)
{
  JsonNode *node = json_node_new(JSON_NODE_VALUE);

  switch (g_variant_classify(value))
    {
      case G_VARIANT_CLASS_BOOLEAN:
        json_node_set_boolean(node, g_variant_get_boolean(value));
        break;
      case G_VARIANT_CLASS_BYTE:
        json_node_set_int(node, g_variant_get_byte(value));
        break;
      case G_VARIANT_CLASS_INT16:
        json_node_set_int(node, g_variant_get_int16(value));
        break;
      case G_VARIANT_CLASS_UINT16:
        json_node_set_int(node, g_variant_get_uint16(value));
        break;
      case G_VARIANT_CLASS_INT32:
        json_node_set_int(node, g_variant_get_int32(value));
        break;
      case G_VARIANT_CLASS_UINT32:
        json_node_set_int(node, g_variant_get_uint32(value));
        break;
      case G_VARIANT_CLASS_INT64:
        json_node_set_int(node, g_variant_get_int64(value));
        break;
      case G_VARIANT_CLASS_UINT64:
        json_node_set_int(node, (gint64) MIN(g_variant_get_uint64(value), (guint64) G_MAXINT64));
        break;
      case G_VARIANT_CLASS_DOUBLE:
        json_node_set_double(node, g_variant_get_double(value));
        break;
      case G_VARIANT_CLASS_STRING:
      case G_VARIANT_CLASS_OBJECT_PATH:
      case G_VARIANT_CLASS_SIGNATURE:
        json_node_set_string(node, g_variant_get_string(value, NULL));
        break;
      default:
        json_node_init_null(node);
        break;
    }
  return node;
}

JsonNode *
ovpn3_variant_to_json(GVariant *value)
{
  if (value == NULL)
    return json_node_new(JSON_NODE_NULL);
  if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant(value);
      return ovpn3_variant_to_json(inner);
    }
  if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT))
    return vardict_to_json(value);
  if (g_variant_is_container(value))
    return container_to_json(value);
  return basic_to_json(value);
}

static struct termios saved_termios;

/* Ctrl-C (or a kill) at a hidden prompt must not leave the terminal without echo. */
static void
restore_echo_and_die(int sig)
{
  tcsetattr(0, TCSANOW, &saved_termios);
  signal(sig, SIG_DFL);
  raise(sig);
}

char *
ovpn3_cli_read_secret(const char *prompt)
{
  struct sigaction sa = { 0 }, old_int, old_term, old_hup;
  struct termios old, quiet;
  gboolean tty = isatty(0);
  char buf[1024];
  char *line;

  if (!tty)
    fprintf(stderr, "%s\n", prompt); /* say what is read, even from a pipe */

  if (tty)
    {
      /* echo off before the prompt shows, so nothing typed after it is ever echoed */
      if (tcgetattr(0, &old) == 0)
        {
          saved_termios = old;
          sa.sa_handler = restore_echo_and_die;
          sigaction(SIGINT, &sa, &old_int);
          sigaction(SIGTERM, &sa, &old_term);
          sigaction(SIGHUP, &sa, &old_hup);
          quiet = old;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr(0, TCSANOW, &quiet);
        }
      else
        tty = FALSE;
      fprintf(stderr, "%s", prompt);
      fflush(stderr);
    }
  line = fgets(buf, sizeof buf, stdin);
  if (tty)
    {
      tcsetattr(0, TCSANOW, &old);
      sigaction(SIGINT, &old_int, NULL);
      sigaction(SIGTERM, &old_term, NULL);
      sigaction(SIGHUP, &old_hup, NULL);
      fputc('\n', stderr);
    }
  if (line == NULL)
    return NULL;
  buf[strcspn(buf, "\r\n")] = '\0';
  line = g_strdup(buf);
  memset(buf, 0, sizeof buf);
  return line;
}

void
ovpn3_cli_secret_free(char *secret)
{
  if (secret == NULL)
    return;
  memset(secret, 0, strlen(secret));
  g_free(secret);
}
