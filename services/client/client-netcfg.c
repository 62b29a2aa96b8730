#define G_LOG_DOMAIN "ovpn3-client-netcfg"

#include "config.h"

#include "client-netcfg.h"
#include "ovpn3-names.h"

/* ---- D-Bus side ------------------------------------------------------------------- */

struct _Ovpn3ClientNetcfg
{
  GObject parent_instance;
  GDBusConnection *connection;
  char *device_path;
  char *device_name;
};

G_DEFINE_TYPE(Ovpn3ClientNetcfg, ovpn3_client_netcfg, G_TYPE_OBJECT)

static void
ovpn3_client_netcfg_finalize(GObject *object)
{
  Ovpn3ClientNetcfg *self = OVPN3_CLIENT_NETCFG(object);

  g_clear_object(&self->connection);
  g_free(self->device_path);
  g_free(self->device_name);
  G_OBJECT_CLASS(ovpn3_client_netcfg_parent_class)->finalize(object);
}

static void
ovpn3_client_netcfg_class_init(Ovpn3ClientNetcfgClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_client_netcfg_finalize;
}

static void
ovpn3_client_netcfg_init(Ovpn3ClientNetcfg *self)
{
}

Ovpn3ClientNetcfg *
ovpn3_client_netcfg_new(GDBusConnection *connection)
{
  Ovpn3ClientNetcfg *self = g_object_new(OVPN3_TYPE_CLIENT_NETCFG, NULL);

  self->connection = g_object_ref(connection);
  return self;
}

const char *
ovpn3_client_netcfg_get_device_path(Ovpn3ClientNetcfg *self)
{
  return self->device_path != NULL ? self->device_path : "/";
}

const char *
ovpn3_client_netcfg_get_device_name(Ovpn3ClientNetcfg *self)
{
  return self->device_name != NULL ? self->device_name : "";
}

/* A chain of calls to netcfg, sent without waiting for the answers before
 * them (netcfg handles one connection's calls in order) except where a step
 * needs them: a barrier (Establish: only after every earlier call succeeded)
 * and a call on the device before CreateVirtualInterface gave its path. The
 * task fails with the first error; nothing after a failed call is sent. */
typedef struct
{
  char *path; /* NULL = the device */
  char *interface;
  char *method;
  GVariant *params;
  const GVariantType *reply_type;
  gboolean barrier; /* sent only when every earlier call has answered */
} Step;

static void
step_free(gpointer data)
{
  Step *st = data;

  g_free(st->path);
  g_free(st->interface);
  g_free(st->method);
  if (st->params != NULL)
    g_variant_unref(st->params);
  g_free(st);
}

typedef struct
{
  GQueue steps; /* not sent yet */
  guint in_flight;
  GError *error; /* the first failure */
  void (*on_reply)(Ovpn3ClientNetcfg *self, Step *step, GVariant *reply);
} Chain;

static void
chain_free(gpointer data)
{
  Chain *c = data;

  g_queue_clear_full(&c->steps, step_free);
  g_clear_error(&c->error);
  g_free(c);
}

static Step *
chain_add(Chain *c, const char *path, const char *interface, const char *method, GVariant *params,
          const GVariantType *reply_type)
{
  Step *st = g_new0(Step, 1);

  st->path = g_strdup(path);
  st->interface = g_strdup(interface);
  st->method = g_strdup(method);
  st->params = params != NULL ? g_variant_ref_sink(params) : NULL;
  st->reply_type = reply_type;
  g_queue_push_tail(&c->steps, st);
  return st;
}

static void
chain_set_prop(Chain *c, const char *name, GVariant *value)
{
  chain_add(c, NULL, DBUS_INTERFACE_PROPS, "Set",
            g_variant_new("(ssv)", OVPN3_NETCFG_INTERFACE, name, value), NULL);
}

/* One call in flight: the task's reference and its step. */
typedef struct
{
  GTask *task;
  Step *step;
} Sent;

static void chain_next(GTask *task);

static void
on_step(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sent *sent = user_data;
  GTask *task = sent->task;
  Step *st = sent->step;
  Ovpn3ClientNetcfg *self = g_task_get_source_object(task);
  Chain *c = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  g_free(sent);
  c->in_flight--;
  if (reply == NULL && c->error == NULL)
    {
      g_dbus_error_strip_remote_error(error);
      g_prefix_error(&error, "netcfg %s: ", st->method);
      c->error = g_steal_pointer(&error);
    }
  else if (reply != NULL && c->error == NULL && c->on_reply != NULL)
    c->on_reply(self, st, reply);
  step_free(st);
  chain_next(task);
}

/* May st go out now? */
static gboolean
step_ready(Ovpn3ClientNetcfg *self, Chain *c, Step *st)
{
  if (c->in_flight == 0)
    return TRUE;
  return !st->barrier && (st->path != NULL || self->device_path != NULL);
}

/* Sends what may go out; completes the task when nothing is left or in flight.
 * Takes the caller's reference on task. */
static void
chain_next(GTask *task)
{
  Ovpn3ClientNetcfg *self = g_task_get_source_object(task);
  Chain *c = g_task_get_task_data(task);
  Step *st;

  while (c->error == NULL && (st = g_queue_peek_head(&c->steps)) != NULL && step_ready(self, c, st))
    {
      const char *path = st->path != NULL ? st->path : self->device_path;
      Sent *sent;

      if (path == NULL)
        {
          c->error
              = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "no netcfg device");
          break;
        }
      sent = g_new0(Sent, 1);
      sent->task = g_object_ref(task);
      sent->step = g_queue_pop_head(&c->steps);
      c->in_flight++;
      g_dbus_connection_call(self->connection, OVPN3_NETCFG_BUS_NAME, path, st->interface,
                             st->method, st->params, st->reply_type, G_DBUS_CALL_FLAGS_NONE, 30000,
                             g_task_get_cancellable(task), on_step, sent);
    }
  if (c->in_flight == 0 && c->error != NULL)
    g_task_return_error(task, g_steal_pointer(&c->error));
  else if (c->in_flight == 0 && g_queue_is_empty(&c->steps))
    g_task_return_boolean(task, TRUE);
  g_object_unref(task);
}

static GTask *
chain_task(Ovpn3ClientNetcfg *self, gpointer tag, GAsyncReadyCallback callback, gpointer user_data,
           Chain **chain)
{
  GTask *task = g_task_new(self, NULL, callback, user_data);
  Chain *c = g_new0(Chain, 1);

  g_task_set_source_tag(task, tag);
  g_queue_init(&c->steps);
  g_task_set_task_data(task, c, chain_free);
  *chain = c;
  return task;
}

static void
on_create_reply(Ovpn3ClientNetcfg *self, Step *st, GVariant *reply)
{
  if (g_str_equal(st->method, "CreateVirtualInterface"))
    {
      const char *path;

      g_variant_get(reply, "(&o)", &path);
      g_free(self->device_path);
      self->device_path = g_strdup(path);
    }
  else if (g_str_equal(st->method, "Get"))
    {
      g_autoptr(GVariant) v = NULL;

      g_variant_get(reply, "(v)", &v);
      if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
        {
          g_free(self->device_name);
          self->device_name = g_variant_dup_string(v, NULL);
        }
    }
}

void
ovpn3_client_netcfg_create_async(Ovpn3ClientNetcfg *self, const char *prefix, guint layer,
                                 guint32 engine_uid, const char *dns_scope,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  Chain *c;
  GTask *task = chain_task(self, ovpn3_client_netcfg_create_async, callback, user_data, &c);

  c->on_reply = on_create_reply;
  chain_add(c, OVPN3_NETCFG_PATH, OVPN3_NETCFG_INTERFACE, "CreateVirtualInterface",
            g_variant_new("(s)", prefix), G_VARIANT_TYPE("(o)"));
  /* the tun belongs to the session's engine (docs/security.md §3) */
  if (engine_uid != G_MAXUINT32)
    chain_set_prop(c, "engine_uid", g_variant_new_uint32(engine_uid));
  chain_set_prop(c, "layer", g_variant_new_uint32(layer));
  if (dns_scope != NULL)
    chain_set_prop(c, "dns_scope", g_variant_new_string(dns_scope));
  chain_add(c, NULL, DBUS_INTERFACE_PROPS, "Get",
            g_variant_new("(ss)", OVPN3_NETCFG_INTERFACE, "device_name"), G_VARIANT_TYPE("(v)"));
  chain_next(task);
}

gboolean
ovpn3_client_netcfg_create_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result, GError **error)
{
  if (!g_task_propagate_boolean(G_TASK(result), error))
    return FALSE;
  if (self->device_name == NULL || *self->device_name == '\0')
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                          "netcfg did not report a device name");
      return FALSE;
    }
  return TRUE;
}

void
ovpn3_client_netcfg_apply_async(Ovpn3ClientNetcfg *self, const Ovpn3NetSettings *s,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  Chain *c;
  GTask *task = chain_task(self, ovpn3_client_netcfg_apply_async, callback, user_data, &c);
  GVariantBuilder routes, dns, search;

  if (s->remote != NULL)
    chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "SetRemoteAddress",
              g_variant_new("(sb)", s->remote, s->remote_ipv6), NULL);
  for (guint i = 0; i < s->addresses->len; i++)
    {
      Ovpn3NetAddress *a = g_ptr_array_index(s->addresses, i);

      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddIPAddress",
                g_variant_new("(susb)", a->address, a->prefix, a->gateway, a->ipv6), NULL);
    }
  if (s->routes->len > 0)
    {
      g_variant_builder_init(&routes, G_VARIANT_TYPE("a(suibb)"));
      for (guint i = 0; i < s->routes->len; i++)
        {
          Ovpn3NetRoute *r = g_ptr_array_index(s->routes, i);

          g_variant_builder_add(&routes, "(suibb)", r->address, r->prefix, r->metric, r->ipv6,
                                r->exclude);
        }
      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddNetworks",
                g_variant_new("(a(suibb))", &routes), NULL);
    }
  if (s->dns_servers->len > 0)
    {
      g_variant_builder_init(&dns, G_VARIANT_TYPE("as"));
      for (guint i = 0; i < s->dns_servers->len; i++)
        g_variant_builder_add(&dns, "s", (const char *) g_ptr_array_index(s->dns_servers, i));
      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddDNS", g_variant_new("(as)", &dns), NULL);
    }
  if (s->dns_search->len + s->dns_routing->len > 0)
    {
      /* routing-only domains in systemd-resolved's notation, "~name" (services/netcfg/README.md) */
      g_variant_builder_init(&search, G_VARIANT_TYPE("as"));
      for (guint i = 0; i < s->dns_search->len; i++)
        g_variant_builder_add(&search, "s", (const char *) g_ptr_array_index(s->dns_search, i));
      for (guint i = 0; i < s->dns_routing->len; i++)
        g_variant_builder_add_value(
            &search, g_variant_new_take_string(
                         g_strconcat(OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX,
                                     (const char *) g_ptr_array_index(s->dns_routing, i), NULL)));
      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddDNSSearch", g_variant_new("(as)", &search),
                NULL);
    }
  if (s->dnssec != NULL)
    chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "SetDNSSEC", g_variant_new("(s)", s->dnssec), NULL);
  if (s->dns_transport != NULL)
    chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "SetDNSTransport",
              g_variant_new("(s)", s->dns_transport), NULL);
  if (s->mtu != 0)
    chain_set_prop(c, "mtu", g_variant_new_uint16((guint16) s->mtu));
  chain_set_prop(c, "reroute_ipv4", g_variant_new_boolean(s->reroute_ipv4));
  chain_set_prop(c, "reroute_ipv6", g_variant_new_boolean(s->reroute_ipv6));
  chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "Establish", NULL, NULL)->barrier = TRUE;
  chain_next(task);
}

gboolean
ovpn3_client_netcfg_apply_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

static void
on_destroy_reply(Ovpn3ClientNetcfg *self, Step *st, GVariant *reply)
{
  g_clear_pointer(&self->device_path, g_free);
}

void
ovpn3_client_netcfg_destroy_async(Ovpn3ClientNetcfg *self, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  Chain *c;
  GTask *task = chain_task(self, ovpn3_client_netcfg_destroy_async, callback, user_data, &c);

  if (self->device_path == NULL)
    {
      g_task_return_boolean(task, TRUE);
      g_object_unref(task);
      return;
    }
  c->on_reply = on_destroy_reply;
  chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "Destroy", NULL, NULL);
  chain_next(task);
}

gboolean
ovpn3_client_netcfg_destroy_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}
