#define G_LOG_DOMAIN "ovpn3-config-object"

/* config-object.c — one configuration profile object: its type, accessors,
 * the checks on its fields and its export. The methods, properties, access
 * rules and JSON state are in config-object-{methods,properties,access,state}.c.
 */

#include "config.h"

#include <string.h>

#include "config-object-private.h"
#include "config-quota.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"

G_DEFINE_TYPE(Ovpn3ConfigObject, ovpn3_config_object, G_TYPE_OBJECT)

guint64
ovpn3_config_object_now(void)
{
  return (guint64) (g_get_real_time() / G_USEC_PER_SEC);
}

static void
ovpn3_config_object_finalize(GObject *object)
{
  Ovpn3ConfigObject *self = OVPN3_CONFIG_OBJECT(object);

  ovpn3_config_object_unexport(self);
  g_free(self->path);
  g_free(self->name);
  ovpn3_acl_clear(&self->acl);
  g_ptr_array_unref(self->tags);
  g_tree_unref(self->overrides);
  g_clear_object(&self->profile);
  g_free(self->fleet_file);
  G_OBJECT_CLASS(ovpn3_config_object_parent_class)->finalize(object);
}

static void
ovpn3_config_object_class_init(Ovpn3ConfigObjectClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_config_object_finalize;
}

static gint
compare_names(gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0(a, b);
}

static void
ovpn3_config_object_init(Ovpn3ConfigObject *self)
{
  ovpn3_acl_init(&self->acl, G_MAXUINT32);
  self->tags = g_ptr_array_new_with_free_func(g_free);
  self->overrides = g_tree_new_full(compare_names, NULL, g_free, (GDestroyNotify) g_variant_unref);
}

void
ovpn3_config_object_set_profile(Ovpn3ConfigObject *self, Ovpn3Profile *profile)
{
  g_autofree char *rendered = ovpn3_profile_render(profile, 0);

  g_set_object(&self->profile, profile);
  self->valid = ovpn3_profile_validate(profile, NULL);
  self->profile_bytes = strlen(rendered);
}

Ovpn3ConfigObject *
ovpn3_config_object_new(Ovpn3ConfigManager *manager, const char *path, const char *name,
                        guint32 owner, Ovpn3Profile *profile, gboolean single_use,
                        gboolean persistent)
{
  Ovpn3ConfigObject *self = g_object_new(OVPN3_TYPE_CONFIG_OBJECT, NULL);

  self->manager = manager;
  self->path = g_strdup(path);
  self->name = g_strdup(name);
  self->acl.owner = owner;
  self->single_use = single_use;
  self->persistent = persistent;
  self->import_timestamp = ovpn3_config_object_now();
  ovpn3_config_object_set_profile(self, profile);
  return self;
}

/* ---- accessors --------------------------------------------------------- */

const char *
ovpn3_config_object_get_path(Ovpn3ConfigObject *self)
{
  return self->path;
}

const char *
ovpn3_config_object_get_name(Ovpn3ConfigObject *self)
{
  return self->name;
}

guint32
ovpn3_config_object_get_owner(Ovpn3ConfigObject *self)
{
  return self->acl.owner;
}

void
ovpn3_config_object_set_name(Ovpn3ConfigObject *self, const char *name)
{
  g_autofree char *old = g_steal_pointer(&self->name);

  self->name = g_strdup(name);
  if (self->manager != NULL && old != NULL)
    ovpn3_config_manager_renamed(self->manager, self, old);
}

void
ovpn3_config_object_set_owner(Ovpn3ConfigObject *self, guint32 owner)
{
  self->acl.owner = owner;
}

guint64
ovpn3_config_object_get_stored_bytes(Ovpn3ConfigObject *self)
{
  return self->profile_bytes
         + ovpn3_config_quota_extra_bytes(self->name, self->tags, self->overrides);
}

gboolean
ovpn3_config_object_get_persistent(Ovpn3ConfigObject *self)
{
  return self->persistent;
}

gboolean
ovpn3_config_object_has_tag(Ovpn3ConfigObject *self, const char *tag)
{
  for (guint i = 0; i < self->tags->len; i++)
    if (g_str_equal(g_ptr_array_index(self->tags, i), tag))
      return TRUE;
  return FALSE;
}

gboolean
ovpn3_config_object_is_visible_to(Ovpn3ConfigObject *self, guint32 uid)
{
  return ovpn3_acl_check(&self->acl, uid, OVPN3_ACL_ALLOW_LIST | OVPN3_ACL_ALLOW_PUBLIC);
}

/* ---- checks on the fields ----------------------------------------------- */

gboolean
ovpn3_config_tag_is_valid(const char *tag, GError **error)
{
  if (*tag == '\0')
    {
      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED, "Tag value cannot be empty");
      return FALSE;
    }
  if (g_utf8_strlen(tag, -1) > TAG_MAX_LEN)
    {
      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED, "Tag value too long");
      return FALSE;
    }
  for (const char *p = tag; *p != '\0'; p++)
    if (g_ascii_iscntrl(*p))
      {
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                    "Tag value contains a control character");
        return FALSE;
      }
  return TRUE;
}

gboolean
ovpn3_config_name_is_valid(const char *name, GError **error)
{
  if (*name == '\0' || strlen(name) > NAME_MAX_LEN)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "A profile name must be 1–%d bytes long", NAME_MAX_LEN);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    if (g_ascii_iscntrl(*p))
      {
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                    "A profile name cannot contain control characters");
        return FALSE;
      }
  return TRUE;
}

/* A change from old_bytes to new_bytes within the owner's quota (config-quota.h). */
gboolean
ovpn3_config_object_check_growth(Ovpn3ConfigObject *self, guint64 new_bytes, guint64 old_bytes,
                                 GError **error)
{
  if (new_bytes <= old_bytes)
    return TRUE;
  return ovpn3_config_quota_check(self->manager, self->acl.owner, new_bytes - old_bytes, FALSE,
                                  error);
}

static const Ovpn3ExportedVTable vtable = {
  .method_call = ovpn3_config_object_method_call,
  .get_property = ovpn3_config_object_get_property,
  .set_property = ovpn3_config_object_set_property,
  .access = &ovpn3_config_object_access,
  .access_check = ovpn3_config_object_access_check,
};

gboolean
ovpn3_config_object_export(Ovpn3ConfigObject *self, Ovpn3Exporter *exporter, GError **error)
{
  self->exporter = exporter;
  self->registration_id = ovpn3_exporter_register(exporter, self->path, OVPN3_XML_CONFIG_OBJECT,
                                                  &vtable, self, error);
  return self->registration_id != 0;
}

void
ovpn3_config_object_unexport(Ovpn3ConfigObject *self)
{
  if (self->registration_id != 0)
    ovpn3_exporter_unregister(self->exporter, self->registration_id);
  self->registration_id = 0;
}
