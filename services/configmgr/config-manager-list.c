#define G_LOG_DOMAIN "ovpn3-config-manager"

/* config-manager-list.c — the configuration manager's listings (config-manager-list.h). */

#include "config.h"

#include <pwd.h>
#include <string.h>

#include "config-manager-list.h"
#include "config-name-index.h"
#include "config-object.h"
#include "ovpn3-listing.h"
#include "ovpn3-names.h"
#include "ovpn3-polkit.h"

/* The most a FetchConfigsProperties reply may take: half of dbus-daemon's default
 * max_message_size (32 MiB), since a message over that limit would cost the service its bus
 * connection. A user's profiles take at most ~15 MiB of properties (1 000 profiles, their
 * tags and overrides within the stored-bytes quota); an administrator's listing of a large
 * store may be refused (LimitsExceeded), then FetchAvailableConfigs and GetAll do it. */
#define MAX_REPLY_BYTES (16u << 20)

typedef enum
{
  REPLY_PATHS,      /* (ao) */
  REPLY_PROPERTIES, /* (a(oa{sv})) */
} ReplyKind;

typedef struct
{
  Ovpn3Listing base; /* manager: the Ovpn3ConfigManager; kind: a ReplyKind */
  char *name;        /* NULL: any */
  char *tag;         /* NULL: any */
  gboolean by_owner;
  guint32 owner_uid;
} ListCall;

static void
list_call_free(ListCall *call)
{
  ovpn3_listing_clear(&call->base);
  g_free(call->name);
  g_free(call->tag);
  g_free(call);
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(ovpn3_config_object_get_path(*(Ovpn3ConfigObject *const *) a),
                   ovpn3_config_object_get_path(*(Ovpn3ConfigObject *const *) b));
}

static gboolean
matches_filter(ListCall *call, Ovpn3ConfigObject *object)
{
  return (call->name == NULL || g_str_equal(ovpn3_config_object_get_name(object), call->name))
         && (call->tag == NULL || ovpn3_config_object_has_tag(object, call->tag))
         && (!call->by_owner || ovpn3_config_object_get_owner(object) == call->owner_uid);
}

static void
list_consider(ListCall *call, Ovpn3ConfigObject *object, gboolean admin, gboolean *hidden,
              GPtrArray *objects)
{
  if (!matches_filter(call, object))
    return;
  if (admin || ovpn3_config_object_is_visible_to(object, call->base.caller->uid))
    g_ptr_array_add(objects, object);
  else if (hidden != NULL)
    *hidden = TRUE;
}

/* The profiles that match (not referenced), sorted by path: all of them for an administrator,
 * else those the caller may see; *hidden (if given) tells whether one the caller sees only as
 * an administrator matches too (if none does, the answer is the same either way and polkit
 * need not be asked: a round trip per listing). One pass over the profiles, or over those of
 * one name. */
static GPtrArray *
list_collect(ListCall *call, gboolean admin, gboolean *hidden)
{
  Ovpn3ConfigManager *self = call->base.manager;
  GPtrArray *objects = g_ptr_array_new();
  GHashTableIter iter;
  gpointer value;
  GPtrArray *named;

  if (hidden != NULL)
    *hidden = FALSE;
  if (call->name != NULL)
    {
      named = ovpn3_config_name_index_lookup(ovpn3_config_manager_get_names(self), call->name);
      for (guint i = 0; named != NULL && i < named->len; i++)
        list_consider(call, g_ptr_array_index(named, i), admin, hidden, objects);
    }
  else
    {
      g_hash_table_iter_init(&iter, ovpn3_config_manager_get_objects(self));
      while (g_hash_table_iter_next(&iter, NULL, &value))
        list_consider(call, value, admin, hidden, objects);
    }
  g_ptr_array_sort(objects, compare_paths);
  return objects;
}

/* Each profile with its properties, or NULL when they would take more than MAX_REPLY_BYTES. */
static GVariant *
list_properties(ListCall *call, GPtrArray *objects, gboolean admin)
{
  GVariantBuilder b;
  gsize bytes = 0;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a(oa{sv})"));
  for (guint i = 0; i < objects->len; i++)
    {
      const char *path = ovpn3_config_object_get_path(objects->pdata[i]);
      GVariant *props
          = ovpn3_config_object_list_properties(objects->pdata[i], call->base.caller, admin);

      /* the path, its length, alignment */
      bytes += g_variant_get_size(props) + strlen(path) + 16;
      g_variant_builder_add(&b, "(o@a{sv})", path, props);
      if (bytes > MAX_REPLY_BYTES)
        {
          g_variant_builder_clear(&b);
          return NULL;
        }
    }
  return g_variant_builder_end(&b);
}

/* Answers with objects (taken) and frees call. admin: polkit granted manage-others. */
static void
list_reply(ListCall *call, GPtrArray *objects, gboolean admin)
{
  GVariant *value;

  if ((ReplyKind) call->base.kind == REPLY_PATHS)
    {
      g_autofree const char **paths = g_new(const char *, objects->len + 1);

      for (guint i = 0; i < objects->len; i++)
        paths[i] = ovpn3_config_object_get_path(objects->pdata[i]);
      value = g_variant_new_objv(paths, objects->len);
    }
  else if ((value = list_properties(call, objects, admin)) == NULL)
    {
      g_dbus_method_invocation_return_error(
          call->base.invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
          "The properties of the %u profiles take more than %u MiB; list them with "
          "FetchAvailableConfigs and read each with GetAll",
          objects->len, MAX_REPLY_BYTES >> 20);
      g_ptr_array_unref(objects);
      list_call_free(call);
      return;
    }
  g_dbus_method_invocation_return_value(call->base.invocation, g_variant_new_tuple(&value, 1));
  g_ptr_array_unref(objects);
  list_call_free(call);
}

static void
on_list_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  ListCall *call = user_data;
  g_autoptr(GError) error = NULL;
  gboolean admin = ovpn3_polkit_check_finish(result, &error);

  list_reply(call, list_collect(call, admin, NULL), admin);
}

static gboolean
parse_owner(const char *text, guint32 *uid)
{
  guint64 v;
  struct passwd pwbuf, *pw = NULL;
  char buf[4096];

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

/* The filters of method's arguments into call; FALSE when the owner is unknown. "" in
 * FetchConfigsProperties is any. */
static gboolean
list_parse(ListCall *call, const char *method, GVariant *parameters, const char **owner)
{
  const char *name = "", *tag = "";

  *owner = "";
  if (g_str_equal(method, "LookupConfigName"))
    g_variant_get(parameters, "(&s)", &name);
  else if (g_str_equal(method, "SearchByTag"))
    g_variant_get(parameters, "(&s)", &tag);
  else if (g_str_equal(method, "SearchByOwner"))
    g_variant_get(parameters, "(&s)", owner);
  else if (call->base.kind == REPLY_PROPERTIES)
    g_variant_get(parameters, "(&s&s&s)", &name, &tag, owner);
  /* an empty name or tag is never stored: as an argument of the upstream methods it matches
   * nothing, as LookupConfigName("") always did */
  if (*name != '\0' || g_str_equal(method, "LookupConfigName"))
    call->name = g_strdup(name);
  if (*tag != '\0' || g_str_equal(method, "SearchByTag"))
    call->tag = g_strdup(tag);
  call->by_owner = **owner != '\0' || g_str_equal(method, "SearchByOwner");
  return !call->by_owner || parse_owner(*owner, &call->owner_uid);
}

static gboolean
is_listing(const char *method, ReplyKind *kind)
{
  *kind = g_str_equal(method, OVPN3_CONFIG_METHOD_FETCH_PROPS) ? REPLY_PROPERTIES : REPLY_PATHS;
  return *kind == REPLY_PROPERTIES || g_str_equal(method, "FetchAvailableConfigs")
         || g_str_equal(method, "LookupConfigName") || g_str_equal(method, "SearchByTag")
         || g_str_equal(method, "SearchByOwner");
}

gboolean
ovpn3_config_manager_list_call(Ovpn3ConfigManager *self, const Ovpn3Caller *caller,
                               const char *method, GVariant *parameters,
                               GDBusMethodInvocation *invocation)
{
  ListCall *call;
  GPtrArray *objects;
  ReplyKind kind;
  const char *owner;
  gboolean hidden;

  if (!is_listing(method, &kind))
    return FALSE;
  call = g_new0(ListCall, 1);
  ovpn3_listing_init(&call->base, self, caller, kind, FALSE, parameters, invocation);
  if (!list_parse(call, method, parameters, &owner))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "No such user: '%s'; give a user name or a numeric "
                                            "UID",
                                            owner);
      list_call_free(call);
      return TRUE;
    }
  objects = list_collect(call, FALSE, &hidden);
  if (!hidden)
    {
      list_reply(call, objects, FALSE);
      return TRUE;
    }
  g_ptr_array_unref(objects);
  /* other users' profiles only for callers who already hold manage-others */
  ovpn3_listing_authorize(&call->base, on_list_authorized, call);
  return TRUE;
}
