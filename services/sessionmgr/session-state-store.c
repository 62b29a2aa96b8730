#define G_LOG_DOMAIN "ovpn3-session-state-store"

/* The state file of the session manager (session-state-store.h): one JSON object
 * {"version": 1, "sessions": [record, …]}, each record a JSON object of a live session. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-state-file.h"
#include "session-object-private.h"
#include "session-state-store.h"

#define STATE_VERSION 1
/* limits of what a session holds (session-access.c, session-log-forward.c) */
#define MAX_RECORDS     1024
#define MAX_ACL_ENTRIES 64
#define MAX_LOG_TARGETS 64

void
ovpn3_session_record_free(Ovpn3SessionRecord *record)
{
  g_free(record->path);
  g_free(record->unique_name);
  g_free(record->bus_name);
  g_clear_pointer(&record->node, json_node_unref);
  g_free(record);
}

/* ---- writing ----------------------------------------------------------------------- */

static void
add_uint_array(JsonBuilder *b, const char *key, GArray *values)
{
  json_builder_set_member_name(b, key);
  json_builder_begin_array(b);
  for (guint i = 0; values != NULL && i < values->len; i++)
    json_builder_add_int_value(b, g_array_index(values, guint32, i));
  json_builder_end_array(b);
}

static void
add_log_targets(JsonBuilder *b, Ovpn3Session *self)
{
  json_builder_set_member_name(b, "log_forwards");
  json_builder_begin_array(b);
  for (guint i = 0; i < self->log_forwards->len; i++)
    json_builder_add_string_value(
        b, ((LogForward *) g_ptr_array_index(self->log_forwards, i))->target);
  json_builder_end_array(b);
}

static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name(b, key);
  json_builder_add_string_value(b, value);
}

static void
add_int(JsonBuilder *b, const char *key, gint64 value)
{
  json_builder_set_member_name(b, key);
  json_builder_add_int_value(b, value);
}

static void
add_bool(JsonBuilder *b, const char *key, gboolean value)
{
  json_builder_set_member_name(b, key);
  json_builder_add_boolean_value(b, value);
}

JsonNode *
ovpn3_session_state_record(Ovpn3Session *self)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->state != STATE_LIVE || self->backend == NULL || self->registration_id == 0
      || ovpn3_backend_proxy_is_gone(self->backend))
    return NULL;
  b = json_builder_new();
  json_builder_begin_object(b);
  add_string(b, "path", self->path);
  add_string(b, "config_path", self->config_path);
  add_string(b, "config_name", self->config_name);
  add_int(b, "owner", self->acl.owner);
  add_uint_array(b, "acl", self->acl.acl);
  add_bool(b, "public_access", self->acl.public_access);
  add_bool(b, "restrict_log_access", self->restrict_log_access);
  add_int(b, "created", (gint64) self->created);
  add_int(b, "log_verbosity", self->log_verbosity);
  add_bool(b, "auto_restart", self->auto_restart);
  add_bool(b, "no_reconnect", self->no_reconnect);
  add_bool(b, "host_wide", self->host_wide);
  add_bool(b, "connect_started", self->connect_started);
  add_int(b, "status_major", self->status_major);
  add_int(b, "status_minor", self->status_minor);
  add_string(b, "status_message", self->status_message);
  add_string(b, "backend_unique_name", ovpn3_backend_proxy_get_unique_name(self->backend));
  add_string(b, "backend_bus_name", ovpn3_backend_proxy_get_bus_name(self->backend));
  add_int(b, "backend_pid", ovpn3_backend_proxy_get_pid(self->backend));
  add_log_targets(b, self);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

/* TRUE if path is already a private regular file of ours holding exactly data (len bytes), or
 * is absent while there is nothing to record (empty): then nothing is written or synced (a
 * session manager that starts with nothing to take back, docs/architecture.md §2 item 9, no
 * longer writes and fsyncs its file and directory before owning its name). */
static gboolean
state_unchanged(const char *path, const char *data, gsize len, gboolean empty)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  g_autofree char *old = NULL;
  struct stat st;
  gboolean same;

  if (fd < 0)
    return errno == ENOENT && empty;
  same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()
         && (st.st_mode & 077) == 0 && (gsize) st.st_size == len;
  if (same)
    {
      old = g_malloc(len + 1);
      same = read(fd, old, len + 1) == (gssize) len && memcmp(old, data, len) == 0;
    }
  close(fd);
  return same;
}

gboolean
ovpn3_session_state_save(const char *path, GPtrArray *records, GError **error)
{
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
  g_autoptr(JsonObject) obj = json_object_new();
  g_autoptr(JsonGenerator) gen = json_generator_new();
  JsonArray *sessions = json_array_sized_new(records->len);
  g_autofree char *data = NULL;
  gsize len = 0;

  for (guint i = 0; i < records->len; i++)
    json_array_add_element(sessions, json_node_copy(g_ptr_array_index(records, i)));
  json_object_set_int_member(obj, "version", STATE_VERSION);
  json_object_set_array_member(obj, "sessions", sessions);
  json_node_set_object(root, obj);
  json_generator_set_root(gen, root);
  json_generator_set_pretty(gen, TRUE);
  data = json_generator_to_data(gen, &len);
  if (state_unchanged(path, data, len, records->len == 0))
    return TRUE;
  /* as ovpn3_state_file_save_json: temp file, fsync, rename, fsync of the directory */
  return g_file_set_contents_full(path, data, (gssize) len,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                  0600, error);
}

/* ---- reading ----------------------------------------------------------------------- */

static gboolean G_GNUC_PRINTF(2, 3) invalid(GError **error, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  if (error != NULL && *error == NULL)
    *error = g_error_new_valist(G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args);
  va_end(args);
  return FALSE;
}

static const char *
get_string(JsonObject *obj, const char *key, GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);
  const char *s;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)
      || json_node_get_value_type(node) != G_TYPE_STRING)
    {
      invalid(error, "missing or invalid '%s'", key);
      return NULL;
    }
  s = json_node_get_string(node);
  if (!g_utf8_validate(s, -1, NULL) || strlen(s) > 4096)
    {
      invalid(error, "invalid '%s'", key);
      return NULL;
    }
  return s;
}

/* An array of at most max elements, each of type (G_TYPE_INT64 or G_TYPE_STRING). */
static JsonArray *
get_array(JsonObject *obj, const char *key, guint max, GType type, GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)
      || json_array_get_length(json_node_get_array(node)) > max)
    {
      invalid(error, "missing or invalid '%s'", key);
      return NULL;
    }
  array = json_node_get_array(node);
  for (guint i = 0; i < json_array_get_length(array); i++)
    {
      JsonNode *e = json_array_get_element(array, i);

      if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != type)
        {
          invalid(error, "invalid element in '%s'", key);
          return NULL;
        }
    }
  return array;
}

static gboolean
valid_paths(JsonObject *obj, GError **error)
{
  const char *path = get_string(obj, "path", error);
  const char *config = path != NULL ? get_string(obj, "config_path", error) : NULL;

  if (config == NULL)
    return FALSE;
  if (!g_str_has_prefix(path, OVPN3_SESSIONS_PATH_PREFIX)
      || !ovpn3_object_id_is_valid(path + strlen(OVPN3_SESSIONS_PATH_PREFIX), OVPN3_ID_SEP_SESSION))
    return invalid(error, "invalid 'path'");
  if (!g_str_has_prefix(config, OVPN3_CONFIG_PATH_PREFIX) || !g_variant_is_object_path(config))
    return invalid(error, "invalid 'config_path'");
  return get_string(obj, "config_name", error) != NULL
         && get_string(obj, "status_message", error) != NULL;
}

static gboolean
valid_numbers(JsonObject *obj, GError **error)
{
  static const struct
  {
    const char *key;
    guint64 max;
  } uints[] = {
    { "owner", G_MAXUINT32 - 1 },
    { "created", G_MAXINT64 },
    { "log_verbosity", OVPN3_LOG_LEVEL_MAX },
    { "status_major", G_MAXUINT32 },
    { "status_minor", G_MAXUINT32 },
    { "backend_pid", G_MAXINT32 },
  };
  static const char *const bools[] = { "public_access", "restrict_log_access", "auto_restart",
                                       "no_reconnect",  "host_wide",           "connect_started" };
  guint64 v;
  gboolean b;

  for (gsize i = 0; i < G_N_ELEMENTS(uints); i++)
    if (!ovpn3_json_get_uint(obj, uints[i].key, TRUE, uints[i].max, &v, error))
      return FALSE;
  /* an absent flag is false */
  for (gsize i = 0; i < G_N_ELEMENTS(bools); i++)
    if (!ovpn3_json_get_bool(obj, bools[i], &b, error))
      return FALSE;
  return TRUE;
}

static gboolean
valid_acl(JsonObject *obj, GError **error)
{
  JsonArray *acl = get_array(obj, "acl", MAX_ACL_ENTRIES, G_TYPE_INT64, error);

  for (guint i = 0; acl != NULL && i < json_array_get_length(acl); i++)
    {
      gint64 uid = json_array_get_int_element(acl, i);

      if (uid < 0 || uid >= G_MAXUINT32)
        return invalid(error, "invalid 'acl'");
    }
  return acl != NULL;
}

static Ovpn3SessionRecord *
record_from_node(JsonNode *node, GError **error)
{
  g_autoptr(Ovpn3SessionRecord) record = g_new0(Ovpn3SessionRecord, 1);
  JsonObject *obj = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
  const char *unique, *bus_name;
  g_autofree char *expected = NULL;
  guint64 pid;

  if (obj == NULL)
    return invalid(error, "a session is not an object"), NULL;
  if (!valid_paths(obj, error) || !valid_numbers(obj, error) || !valid_acl(obj, error)
      || get_array(obj, "log_forwards", MAX_LOG_TARGETS, G_TYPE_STRING, error) == NULL
      || (unique = get_string(obj, "backend_unique_name", error)) == NULL
      || (bus_name = get_string(obj, "backend_bus_name", error)) == NULL)
    return NULL;
  ovpn3_json_get_uint(obj, "backend_pid", TRUE, G_MAXINT32, &pid, NULL);
  expected = g_strdup_printf(OVPN3_BACKEND_BUS_NAME_PREFIX "%u", (guint) pid);
  if (!g_dbus_is_unique_name(unique) || pid == 0 || !g_str_equal(bus_name, expected))
    return invalid(error, "invalid backend"), NULL;
  record->path = g_strdup(json_object_get_string_member(obj, "path"));
  record->unique_name = g_strdup(unique);
  record->bus_name = g_strdup(bus_name);
  record->pid = (guint32) pid;
  record->node = json_node_copy(node);
  return g_steal_pointer(&record);
}

/* The valid records of sessions; an invalid one is skipped with a warning. */
static void
read_records(const char *path, JsonArray *sessions, GPtrArray *records)
{
  for (guint i = 0; i < json_array_get_length(sessions); i++)
    {
      g_autoptr(GError) error = NULL;
      Ovpn3SessionRecord *record = record_from_node(json_array_get_element(sessions, i), &error);

      if (record == NULL)
        g_warning("%s: ignoring session %u: %s", path, i, error->message);
      else
        g_ptr_array_add(records, record);
    }
}

GPtrArray *
ovpn3_session_state_load(const char *path, GError **error)
{
  g_autoptr(GPtrArray) records
      = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_session_record_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = ovpn3_state_file_load_json(path, &local);
  JsonObject *obj;
  JsonNode *sessions;
  guint64 version = 0;

  if (root == NULL)
    {
      if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer(&records);
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
  obj = JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
  sessions = obj != NULL ? json_object_get_member(obj, "sessions") : NULL;
  if (obj == NULL || !ovpn3_json_get_uint(obj, "version", TRUE, G_MAXUINT32, &version, NULL)
      || version != STATE_VERSION || sessions == NULL || !JSON_NODE_HOLDS_ARRAY(sessions)
      || json_array_get_length(json_node_get_array(sessions)) > MAX_RECORDS)
    {
      invalid(error, "%s: not a session manager state file of version %d", path, STATE_VERSION);
      return NULL;
    }
  read_records(path, json_node_get_array(sessions), records);
  return g_steal_pointer(&records);
}

/* ---- a session from its record --------------------------------------------------------- */

static guint64
member_uint(JsonObject *obj, const char *key)
{
  guint64 v = 0;

  ovpn3_json_get_uint(obj, key, TRUE, G_MAXUINT64 >> 1, &v, NULL);
  return v;
}

static gboolean
member_bool(JsonObject *obj, const char *key)
{
  gboolean v = FALSE;

  ovpn3_json_get_bool(obj, key, &v, NULL);
  return v;
}

Ovpn3Session *
ovpn3_session_new_from_record(Ovpn3SessionManager *manager, const Ovpn3SessionRecord *record)
{
  JsonObject *obj = json_node_get_object(record->node);
  JsonArray *acl = json_object_get_array_member(obj, "acl");
  Ovpn3Session *self = ovpn3_session_new(
      manager, record->path, json_object_get_string_member(obj, "config_path"),
      json_object_get_string_member(obj, "config_name"), (guint32) member_uint(obj, "owner"));

  for (guint i = 0; i < json_array_get_length(acl); i++)
    ovpn3_acl_grant(&self->acl, (guint32) json_array_get_int_element(acl, i));
  self->acl.public_access = member_bool(obj, "public_access");
  self->restrict_log_access = member_bool(obj, "restrict_log_access");
  self->created = member_uint(obj, "created");
  self->log_verbosity = (guint32) member_uint(obj, "log_verbosity");
  self->auto_restart = member_bool(obj, "auto_restart");
  self->no_reconnect = member_bool(obj, "no_reconnect");
  self->host_wide = member_bool(obj, "host_wide");
  self->connect_started = member_bool(obj, "connect_started");
  self->status_major = (guint32) member_uint(obj, "status_major");
  self->status_minor = (guint32) member_uint(obj, "status_minor");
  g_free(self->status_message);
  self->status_message = g_strdup(json_object_get_string_member(obj, "status_message"));
  return self;
}

GStrv
ovpn3_session_record_log_targets(const Ovpn3SessionRecord *record)
{
  JsonArray *targets
      = json_object_get_array_member(json_node_get_object(record->node), "log_forwards");
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();

  for (guint i = 0; i < json_array_get_length(targets); i++)
    g_strv_builder_add(b, json_array_get_string_element(targets, i));
  return g_strv_builder_end(b);
}
