#define G_LOG_DOMAIN "ovpn3-state-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ovpn3-read-fd.h"
#include "ovpn3-state-file.h"

gboolean
ovpn3_state_file_save_json(const char *path, JsonNode *root, GError **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autofree char *data = NULL;
  gsize len = 0;

  json_generator_set_root(gen, root);
  json_generator_set_pretty(gen, TRUE);
  data = json_generator_to_data(gen, &len);

  /* temp file in the same directory, fsync, rename, fsync of the directory */
  return g_file_set_contents_full(path, data, (gssize) len,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                  0600, error);
}

JsonNode *
ovpn3_state_file_load_json(const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new();

  return ovpn3_state_file_load_json_with(parser, path, error);
}

JsonNode *
ovpn3_state_file_load_json_with(JsonParser *parser, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  struct stat st;
  int fd;

  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
                  g_strerror(saved));
      return NULL;
    }
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
    {
      close(fd);
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file", path);
      return NULL;
    }
  if (st.st_uid != geteuid())
    {
      close(fd);
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM, "%s: owned by uid %u, not by us", path,
                  (unsigned) st.st_uid);
      return NULL;
    }
  if ((st.st_mode & 077) != 0)
    {
      close(fd);
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                  "%s: readable by group or others (mode %04o)", path,
                  (unsigned) (st.st_mode & 07777));
      return NULL;
    }
  if (st.st_size > OVPN3_STATE_FILE_MAX_SIZE)
    {
      close(fd);
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: larger than %d bytes", path,
                  OVPN3_STATE_FILE_MAX_SIZE);
      return NULL;
    }

  /* read through the descriptor we checked, not the path again */
  data = g_malloc((gsize) st.st_size + 1);
  if (!ovpn3_read_fd(fd, data, (gsize) st.st_size + 1, &len, path, error))
    {
      close(fd);
      return NULL;
    }
  close(fd);
  if (len > (gsize) st.st_size)
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: changed while being read", path);
      return NULL;
    }
  if (!json_parser_load_from_data(parser, data, (gssize) len, error))
    return NULL;
  if (json_parser_get_root(parser) == NULL)
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: empty", path);
      return NULL;
    }
  /* the parser keeps nothing of this file for the next one */
  return json_parser_steal_root(parser);
}

gboolean
ovpn3_json_get_uint(JsonObject *obj, const char *key, gboolean required, guint64 max, guint64 *out,
                    GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);
  gint64 v;

  if (node == NULL && !required)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)
      || json_node_get_value_type(node) != G_TYPE_INT64)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "'%s' is missing or not an integer",
                  key);
      return FALSE;
    }
  v = json_node_get_int(node);
  if (v < 0 || (guint64) v > max)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "'%s' %" G_GINT64_FORMAT " is out of range 0–%" G_GUINT64_FORMAT, key, v, max);
      return FALSE;
    }
  *out = (guint64) v;
  return TRUE;
}

gboolean
ovpn3_json_get_bool(JsonObject *obj, const char *key, gboolean *out, GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "'%s' is not a boolean", key);
      return FALSE;
    }
  *out = json_node_get_boolean(node);
  return TRUE;
}

gboolean
ovpn3_state_dir_ensure(const char *dir, GError **error)
{
  if (g_mkdir_with_parents(dir, 0700) < 0)
    {
      int saved = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", dir,
                  g_strerror(saved));
      return FALSE;
    }
  return TRUE;
}
