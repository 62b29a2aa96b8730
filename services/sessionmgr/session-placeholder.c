#define G_LOG_DOMAIN "ovpn3-session-placeholder"

/* The stand-ins at the paths of recorded sessions (session-placeholder.h): a plain GDBus
 * registration of the session interface whose handler only queues; the properties interface
 * comes to the same handler (no get/set handlers), so Get, Set and GetAll wait too. Nothing is
 * decided here: who may call what is checked once the call reaches the session. */

#include "config.h"

#include "ovpn3-introspection.h"
#include "ovpn3-names.h"
#include "session-placeholder.h"

/* calls waiting at once on one path; more are refused */
#define MAX_WAITING 256

struct _Ovpn3Placeholders
{
  Ovpn3Exporter *exporter; /* not owned */
  GHashTable *paths;       /* path → Placeholder */
};

typedef struct
{
  guint registration_id; /* 0 once unregistered */
  GQueue calls;          /* GDBusMethodInvocation*, owned until answered */
} Placeholder;

static void
placeholder_free(Placeholder *p)
{
  g_free(p);
}

static void
on_call(GDBusConnection *connection, const char *sender, const char *object_path,
        const char *interface_name, const char *method_name, GVariant *parameters,
        GDBusMethodInvocation *invocation, gpointer user_data)
{
  Placeholder *p = user_data;

  if (p->calls.length >= MAX_WAITING)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                            "The session manager is taking its sessions back; "
                                            "try again in a few seconds");
      return;
    }
  g_queue_push_tail(&p->calls, invocation);
}

static const GDBusInterfaceVTable placeholder_vtable = {
  .method_call = on_call,
  .get_property = NULL,
  .set_property = NULL,
};

Ovpn3Placeholders *
ovpn3_placeholders_new(Ovpn3Exporter *exporter)
{
  Ovpn3Placeholders *self = g_new0(Ovpn3Placeholders, 1);

  self->exporter = exporter;
  self->paths
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) placeholder_free);
  return self;
}

void
ovpn3_placeholders_add(Ovpn3Placeholders *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  Placeholder *p;

  if (g_hash_table_contains(self->paths, path))
    return;
  p = g_new0(Placeholder, 1);
  g_queue_init(&p->calls);
  p->registration_id = g_dbus_connection_register_object(
      ovpn3_exporter_get_connection(self->exporter), path,
      ovpn3_introspection_get(OVPN3_XML_SESSION_OBJECT), &placeholder_vtable, p, NULL, &error);
  if (p->registration_id == 0)
    {
      g_warning("No stand-in at %s: %s", path, error->message);
      g_free(p);
      return;
    }
  g_hash_table_insert(self->paths, g_strdup(path), p);
}

void
ovpn3_placeholders_unregister(Ovpn3Placeholders *self, const char *path)
{
  Placeholder *p = g_hash_table_lookup(self->paths, path);

  if (p != NULL && p->registration_id != 0)
    {
      g_dbus_connection_unregister_object(ovpn3_exporter_get_connection(self->exporter),
                                          p->registration_id);
      p->registration_id = 0;
    }
}

void
ovpn3_placeholders_release(Ovpn3Placeholders *self, const char *path, gboolean exported)
{
  GDBusMethodInvocation *invocation;
  g_autofree char *key = NULL;
  Placeholder *p;

  ovpn3_placeholders_unregister(self, path);
  if (!g_hash_table_steal_extended(self->paths, path, (gpointer *) &key, (gpointer *) &p))
    return;
  while ((invocation = g_queue_pop_head(&p->calls)) != NULL)
    if (!exported || !ovpn3_exporter_redispatch(self->exporter, invocation))
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                            "Object does not exist at path “%s”", key);
  placeholder_free(p);
}

void
ovpn3_placeholders_free(Ovpn3Placeholders *self)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array(self->paths, NULL);
  /* copies: release frees the table's keys */
  g_auto(GStrv) paths = g_strdupv((char **) keys);

  for (guint i = 0; paths[i] != NULL; i++)
    ovpn3_placeholders_release(self, paths[i], FALSE);
  g_hash_table_unref(self->paths);
  g_free(self);
}
