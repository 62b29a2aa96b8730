#define G_LOG_DOMAIN "ovpn3-mgmt-test-util"

#include "config.h"

#include "mgmt-test-util.h"

static void
add_str(JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, value);
}

static void
add_int(JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, value);
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

JsonNode *
mgmt_test_event_to_json(const Ovpn3MgmtEvent *ev)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  add_str(b, "type", ovpn3_mgmt_event_type_to_string(ev->type));
  add_str(b, "line", ev->line);
  add_str(b, "text", ev->text);
  if (ev->timestamp != -1)
    add_int(b, "timestamp", ev->timestamp);
  if (ev->type == OVPN3_MGMT_EVENT_HOLD)
    add_int(b, "hold_seconds", ev->hold_seconds);
  add_str(b, "state_name", ev->state_name);
  add_str(b, "state_detail", ev->state_detail);
  add_str(b, "tun_ip4", ev->tun_ip4);
  add_str(b, "remote_addr", ev->remote_addr);
  if (ev->remote_port)
    add_int(b, "remote_port", ev->remote_port);
  add_str(b, "local_addr", ev->local_addr);
  if (ev->local_port)
    add_int(b, "local_port", ev->local_port);
  add_str(b, "tun_ip6", ev->tun_ip6);
  add_str(b, "cred_type", ev->cred_type);
  if (ev->type == OVPN3_MGMT_EVENT_PASSWORD)
    add_str(b, "password_kind", ovpn3_mgmt_password_kind_to_string(ev->password_kind));
  if (ev->static_challenge)
    add_int(b, "sc_flags", ev->sc_flags);
  add_str(b, "reason", ev->reason);
  if (ev->crv1)
    {
      add_str(b, "crv1_state_id", ev->crv1_state_id);
      add_str(b, "crv1_username", ev->crv1_username);
    }
  add_str(b, "flags", ev->flags);
  if (ev->type == OVPN3_MGMT_EVENT_INFOMSG)
    add_str(b, "infomsg_kind", ovpn3_mgmt_infomsg_kind_to_string(ev->infomsg_kind));
  add_str(b, "severity", ev->severity);
  add_str(b, "notify_type", ev->notify_type);
  if (ev->type == OVPN3_MGMT_EVENT_BYTECOUNT)
    {
      add_int(b, "bytes_in", (gint64) ev->bytes_in);
      add_int(b, "bytes_out", (gint64) ev->bytes_out);
    }
  if (ev->type == OVPN3_MGMT_EVENT_UPDOWN)
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new();
      GHashTableIter it;
      gpointer k;
      guint i;

      add_str(b, "direction", ev->up ? "UP" : "DOWN");
      add_int(b, "env_count", ev->env_count);
      g_hash_table_iter_init(&it, ev->env);
      while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(keys, k);
      g_ptr_array_sort(keys, cmp_str);
      json_builder_set_member_name(b, "env");
      json_builder_begin_object(b);
      for (i = 0; i < keys->len; i++)
        add_str(b, keys->pdata[i], g_hash_table_lookup(ev->env, keys->pdata[i]));
      json_builder_end_object(b);
    }
  add_str(b, "host", ev->host);
  if (ev->port)
    add_int(b, "port", ev->port);
  add_str(b, "proto", ev->proto);
  if (ev->type == OVPN3_MGMT_EVENT_PROXY)
    add_int(b, "proxy_index", ev->proxy_index);
  if (ev->type == OVPN3_MGMT_EVENT_PK_SIGN)
    add_int(b, "rsa_sign", ev->rsa_sign);
  add_str(b, "data", ev->data);
  add_str(b, "algorithm", ev->algorithm);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

gchar *
mgmt_test_event_to_string(const Ovpn3MgmtEvent *event)
{
  g_autoptr(JsonNode) node = mgmt_test_event_to_json(event);

  return json_to_string(node, FALSE);
}

gchar *
mgmt_test_result_to_string(const Ovpn3MgmtResponse *response, const GError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object(b);
  if (error != NULL)
    {
      g_autofree gchar *e = g_strdup_printf("%s:%d:%s", g_quark_to_string(error->domain),
                                            error->code, error->message);
      add_str(b, "error", e);
    }
  else
    {
      guint i;

      add_str(b, "status", response->status);
      json_builder_set_member_name(b, "lines");
      json_builder_begin_array(b);
      for (i = 0; response->lines != NULL && response->lines[i] != NULL; i++)
        json_builder_add_string_value(b, response->lines[i]);
      json_builder_end_array(b);
    }
  json_builder_end_object(b);
  node = json_builder_get_root(b);
  return json_to_string(node, FALSE);
}
