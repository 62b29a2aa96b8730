#define G_LOG_DOMAIN "ovpn3-config-manager"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "config-fleet.h"
#include "config-manager.h"
#include "config-manager-list.h"
#include "config-name-index.h"
#include "config-object-fleet.h"
#include "config-object.h"
#include "config-quota.h"
#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-state-file.h"

/* Profiles one user may hold at once; a bound on memory, not a quota. */
#define MAX_PROFILES_PER_USER 1000

struct _Ovpn3ConfigManager
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx; /* not owned */
  char *state_dir;
  GHashTable *objects;         /* path → Ovpn3ConfigObject */
  Ovpn3ConfigNameIndex *names; /* the same objects by name (LookupConfigName) */
  Ovpn3Fleet *fleet;           /* the profiles of OVPN3_PROFILESDIR */
  guint registration_id;
};

G_DEFINE_TYPE(Ovpn3ConfigManager, ovpn3_config_manager, G_TYPE_OBJECT)

static void
ovpn3_config_manager_finalize(GObject *object)
{
  Ovpn3ConfigManager *self = OVPN3_CONFIG_MANAGER(object);

  ovpn3_exporter_unregister(self->ctx->exporter, self->registration_id);
  g_clear_pointer(&self->fleet, ovpn3_fleet_free);
  g_hash_table_unref(self->objects);
  ovpn3_config_name_index_free(self->names);
  g_free(self->state_dir);
  G_OBJECT_CLASS(ovpn3_config_manager_parent_class)->finalize(object);
}

static void
ovpn3_config_manager_class_init(Ovpn3ConfigManagerClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_config_manager_finalize;
}

static void
ovpn3_config_manager_init(Ovpn3ConfigManager *self)
{
  self->objects = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_object_unref);
  self->names = ovpn3_config_name_index_new();
}

Ovpn3ServiceContext *
ovpn3_config_manager_get_context(Ovpn3ConfigManager *self)
{
  return self->ctx;
}

GHashTable *
ovpn3_config_manager_get_objects(Ovpn3ConfigManager *self)
{
  return self->objects;
}

Ovpn3ConfigNameIndex *
ovpn3_config_manager_get_names(Ovpn3ConfigManager *self)
{
  return self->names;
}

static char *
state_file_path(Ovpn3ConfigManager *self, const char *object_path)
{
  g_autofree char *file = g_strconcat(strrchr(object_path, '/') + 1, ".json", NULL);

  return g_build_filename(self->state_dir, file, NULL);
}

gboolean
ovpn3_config_manager_save(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object, GError **error)
{
  g_autofree char *file = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* a fleet profile lives in its own files, never in the state directory */
  if (!ovpn3_config_object_get_persistent(object)
      || ovpn3_config_object_get_fleet_file(object) != NULL)
    return TRUE;
  if (!ovpn3_state_dir_ensure(self->state_dir, error))
    return FALSE;
  file = state_file_path(self, ovpn3_config_object_get_path(object));
  node = ovpn3_config_object_to_json(object);
  return ovpn3_state_file_save_json(file, node, error);
}

static void
emit_event(Ovpn3ConfigManager *self, const char *path, Ovpn3ConfigEventType type, guint32 owner)
{
  g_autoptr(GError) error = NULL;

  if (!g_dbus_connection_emit_signal(self->ctx->connection, NULL, OVPN3_CONFIG_PATH,
                                     OVPN3_CONFIG_INTERFACE, "ConfigurationManagerEvent",
                                     g_variant_new("(oqu)", path, (guint16) type, owner), &error))
    g_warning("ConfigurationManagerEvent: %s", error->message);
}

void
ovpn3_config_manager_remove(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object)
{
  /* keeps the object alive until the end, whoever held the last reference */
  g_autoptr(Ovpn3ConfigObject) ref G_GNUC_UNUSED = g_object_ref(object);
  g_autofree char *path = g_strdup(ovpn3_config_object_get_path(object));
  guint32 owner = ovpn3_config_object_get_owner(object);

  if (g_hash_table_lookup(self->objects, path) != object)
    return;
  ovpn3_config_name_index_remove(self->names, ovpn3_config_object_get_name(object), object);
  g_hash_table_remove(self->objects, path);
  ovpn3_config_object_unexport(object);
  if (ovpn3_config_object_get_fleet_file(object) != NULL)
    ; /* its files are the administrator's */
  else if (ovpn3_config_object_get_persistent(object))
    {
      g_autofree char *file = state_file_path(self, path);

      if (g_unlink(file) < 0 && errno != ENOENT)
        g_warning("cannot remove %s: %s", file, g_strerror(errno));
    }
  else
    ovpn3_idle_release(self->ctx->idle);
  emit_event(self, path, OVPN3_CONFIG_EVENT_DESTROYED, owner);
  ovpn3_config_manager_log(self, OVPN3_LOG_CATEGORY_INFO, "Configuration removed: %s (owner %u)",
                           path, owner);
}

static gboolean
add_object(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object, GError **error)
{
  if (!ovpn3_config_object_export(object, self->ctx->exporter, error))
    return FALSE;
  g_hash_table_insert(self->objects, (gpointer) ovpn3_config_object_get_path(object),
                      g_object_ref(object));
  ovpn3_config_name_index_add(self->names, ovpn3_config_object_get_name(object), object);
  /* non-persistent profiles keep the service alive (docs/dbus-api.md §2 idle rule) */
  if (!ovpn3_config_object_get_persistent(object))
    ovpn3_idle_hold(self->ctx->idle);
  return TRUE;
}

gboolean
ovpn3_config_manager_add(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object, GError **error)
{
  const char *path = ovpn3_config_object_get_path(object);

  if (g_hash_table_contains(self->objects, path))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s is in use", path);
      return FALSE;
    }
  if (!add_object(self, object, error))
    return FALSE;
  emit_event(self, path, OVPN3_CONFIG_EVENT_CREATED, ovpn3_config_object_get_owner(object));
  return TRUE;
}

void
ovpn3_config_manager_renamed(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object,
                             const char *old_name)
{
  /* only the profiles in the table are indexed (not one being built or a snapshot) */
  if (g_hash_table_lookup(self->objects, ovpn3_config_object_get_path(object)) != object)
    return;
  ovpn3_config_name_index_remove(self->names, old_name, object);
  ovpn3_config_name_index_add(self->names, ovpn3_config_object_get_name(object), object);
}

/* ---- loading ----------------------------------------------------------- */

static gboolean
is_state_file_name(const char *name)
{
  g_autofree char *id = NULL;

  /* "<36-char id>.json" = 41 characters (docs/dbus-api.md §9.1) */
  if (strlen(name) != OVPN3_OBJECT_ID_LEN + 5 || !g_str_has_suffix(name, ".json"))
    return FALSE;
  id = g_strndup(name, OVPN3_OBJECT_ID_LEN);
  return ovpn3_object_id_is_valid(id, OVPN3_ID_SEP_CONFIG);
}

/* "<state file name>.XXXXXX", as g_file_set_contents_full() names its temp file */
static gboolean
is_interrupted_write(const char *name)
{
  g_autofree char *base = NULL;
  gsize len = strlen(name);

  if (len != OVPN3_OBJECT_ID_LEN + 5 + 7 || name[len - 7] != '.')
    return FALSE;
  base = g_strndup(name, len - 7);
  return is_state_file_name(base);
}

static void
load_state(Ovpn3ConfigManager *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new(); /* one for every file */
  const char *name;
  guint loaded = 0;

  dir = g_dir_open(self->state_dir, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning("cannot read %s: %s", self->state_dir, error->message);
      return;
    }
  while ((name = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *file = g_build_filename(self->state_dir, name, NULL);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(Ovpn3ConfigObject) object = NULL;
      g_autofree char *expected = NULL;

      g_clear_error(&error);
      if (is_interrupted_write(name))
        {
          /* our own temp file from a write that never reached its rename:
           * the state file it was replacing is intact */
          if (g_unlink(file) == 0)
            ovpn3_config_manager_log(self, OVPN3_LOG_CATEGORY_INFO,
                                     "Removed %s, left by an interrupted write", file);
          continue;
        }
      if (!is_state_file_name(name))
        continue; /* foreign files are left alone */
      node = ovpn3_state_file_load_json_with(parser, file, &error);
      if (node != NULL)
        object = ovpn3_config_object_new_from_json(self, node, &error);
      if (object == NULL)
        {
          /* logged and left in place, never deleted */
          ovpn3_config_manager_log(self, OVPN3_LOG_CATEGORY_ERROR, "Ignoring state file %s: %s",
                                   file, error->message);
          continue;
        }
      expected = state_file_path(self, ovpn3_config_object_get_path(object));
      if (!g_str_equal(expected, file)
          || g_hash_table_contains(self->objects, ovpn3_config_object_get_path(object)))
        {
          ovpn3_config_manager_log(self, OVPN3_LOG_CATEGORY_ERROR,
                                   "Ignoring state file %s: its object_path does not match its "
                                   "name",
                                   file);
          continue;
        }
      if (!add_object(self, object, &error))
        {
          g_warning("cannot export %s: %s", file, error->message);
          continue;
        }
      loaded++;
    }
  g_debug("loaded %u persistent profiles from %s", loaded, self->state_dir);
}

/* ---- methods ----------------------------------------------------------- */

static guint
count_owned(Ovpn3ConfigManager *self, guint32 uid)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init(&iter, self->objects);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (ovpn3_config_object_get_owner(value) == uid)
      n++;
  return n;
}

void
ovpn3_config_manager_count_bytes(Ovpn3ConfigManager *self, guint32 owner, guint64 *owned,
                                 guint64 *all)
{
  GHashTableIter iter;
  gpointer value;

  *owned = *all = 0;
  g_hash_table_iter_init(&iter, self->objects);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      guint64 n = ovpn3_config_object_get_stored_bytes(value);

      *all += n;
      if (ovpn3_config_object_get_owner(value) == owner)
        *owned += n;
    }
}

/* The parsed profile of an Import, or NULL when it was refused (answered). */
static Ovpn3Profile *
import_profile(const char *text, GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) profile
      = ovpn3_profile_new_from_text(text, (gssize) strlen(text), &error);

  if (profile == NULL)
    {
      g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP,
                                                    OVPN3_ERROR_FAILED, error->message);
      return NULL;
    }
  if (ovpn3_profile_get_n_directives(profile) == 0)
    {
      g_dbus_method_invocation_return_error_literal(
          invocation, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
          "Invalid configuration profile: it has no directive at all (it is empty, or only "
          "comments and blank lines); import the .ovpn file your VPN provider gave you");
      return NULL;
    }
  return g_steal_pointer(&profile);
}

static void
handle_import(Ovpn3ConfigManager *self, const Ovpn3Caller *caller, GVariant *parameters,
              GDBusMethodInvocation *invocation)
{
  const char *name, *text;
  gboolean single_use, persistent;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) profile = NULL;
  g_autoptr(Ovpn3ConfigObject) object = NULL;
  g_autofree char *path = NULL;

  g_variant_get(parameters, "(&s&sbb)", &name, &text, &single_use, &persistent);
  if (!ovpn3_config_name_is_valid(name, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  if (count_owned(self, caller->uid) >= MAX_PROFILES_PER_USER)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                            "You already have %d profiles; remove some first",
                                            MAX_PROFILES_PER_USER);
      return;
    }
  profile = import_profile(text, invocation);
  if (profile == NULL)
    return;

  path = ovpn3_object_path_new(OVPN3_CONFIG_PATH_PREFIX, OVPN3_ID_SEP_CONFIG);
  object = ovpn3_config_object_new(self, path, name, caller->uid, profile, single_use, persistent);
  if (!ovpn3_config_quota_check(self, caller->uid, ovpn3_config_object_get_stored_bytes(object),
                                FALSE, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  /* persist before anyone can see it: an Import that returned is on disk */
  if (!ovpn3_config_manager_save(self, object, &error))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                            "Could not save the configuration profile: %s",
                                            error->message);
      return;
    }
  if (!add_object(self, object, &error))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                            "Could not create the configuration object: %s",
                                            error->message);
      return;
    }
  ovpn3_config_manager_log(
      self, OVPN3_LOG_CATEGORY_INFO, "Configuration imported: %s (owner %u, %s%s)", path,
      caller->uid, persistent ? "persistent" : "not persistent", single_use ? ", single use" : "");
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(o)", path));
  emit_event(self, path, OVPN3_CONFIG_EVENT_CREATED, caller->uid);
}

static void
handle_transfer(Ovpn3ConfigManager *self, const Ovpn3Caller *caller, GVariant *parameters,
                GDBusMethodInvocation *invocation)
{
  const char *path;
  guint32 new_owner, old_owner;
  Ovpn3ConfigObject *object;
  g_autoptr(GError) error = NULL;

  g_variant_get(parameters, "(&ou)", &path, &new_owner);
  object = g_hash_table_lookup(self->objects, path);
  if (object == NULL)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "No configuration profile at %s", path);
      return;
    }
  old_owner = ovpn3_config_object_get_owner(object);
  if (ovpn3_config_object_fleet_refuses(object, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  /* policy: root only; code: root or the owner (docs/dbus-api.md §3.1) */
  if (caller->uid != 0 && caller->uid != old_owner)
    {
      ovpn3_invocation_return_access_denied(invocation,
                                            "Access to the configuration profile is denied.");
      return;
    }
  if (new_owner == G_MAXUINT32)
    {
      g_dbus_method_invocation_return_error_literal(invocation, G_DBUS_ERROR,
                                                    G_DBUS_ERROR_INVALID_ARGS, "Invalid UID");
      return;
    }
  if (new_owner != old_owner
      && !ovpn3_config_quota_check(self, new_owner, ovpn3_config_object_get_stored_bytes(object),
                                   TRUE, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  ovpn3_config_object_set_owner(object, new_owner);
  if (!ovpn3_config_manager_save(self, object, &error))
    {
      ovpn3_config_object_set_owner(object, old_owner);
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                            "Could not save the configuration profile: %s",
                                            error->message);
      return;
    }
  ovpn3_config_manager_log(self, OVPN3_LOG_CATEGORY_INFO,
                           "Ownership of %s transferred from %u to %u", path, old_owner, new_owner);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3ConfigManager *self = object;

  if (ovpn3_config_manager_list_call(self, caller, method, parameters, invocation))
    return; /* the listings, config-manager-list.c */
  if (g_str_equal(method, "Import"))
    handle_import(self, caller, parameters, invocation);
  else if (g_str_equal(method, "TransferOwnership"))
    handle_transfer(self, caller, parameters, invocation);
  else if (g_str_equal(method, OVPN3_CONFIG_METHOD_RELOAD))
    ovpn3_fleet_handle_reload(self->fleet, caller, invocation);
  else
    ovpn3_invocation_return_unknown_method(invocation);
}

/* Everyone may import and list; each caller sees the profiles it may see
 * (config-manager-list.c, manage-others asked without interaction). TransferOwnership
 * depends on the profile it names: root or that profile's owner, checked in
 * handle_transfer. Reload (fleet profiles): root or manage-others. */
static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Import", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "FetchAvailableConfigs", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupConfigName", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "SearchByTag", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "SearchByOwner", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, OVPN3_CONFIG_METHOD_FETCH_PROPS, OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "TransferOwnership", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, OVPN3_CONFIG_METHOD_RELOAD, OVPN3_ACCESS_ROOT | OVPN3_ACCESS_ADMIN },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
};

const Ovpn3AccessTable ovpn3_config_manager_access = OVPN3_ACCESS_TABLE(
    OVPN3_XML_CONFIG_MANAGER, "Access to the configuration profile is denied.", access_rows);

static const Ovpn3ExportedVTable manager_vtable = {
  .method_call = method_call,
  .get_property = ovpn3_manager_get_property,
  .access = &ovpn3_config_manager_access,
};

Ovpn3ConfigManager *
ovpn3_config_manager_new(Ovpn3ServiceContext *ctx, const char *state_dir, GError **error)
{
  g_autoptr(Ovpn3ConfigManager) self = g_object_new(OVPN3_TYPE_CONFIG_MANAGER, NULL);

  self->ctx = ctx;
  self->state_dir = g_strdup(state_dir);
  self->registration_id = ovpn3_exporter_register(
      ctx->exporter, OVPN3_CONFIG_PATH, OVPN3_XML_CONFIG_MANAGER, &manager_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  load_state(self);
  self->fleet = ovpn3_fleet_new(self, OVPN3_PROFILESDIR);
  return g_steal_pointer(&self);
}
