#define G_LOG_DOMAIN "ovpn3-mgmt-event"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-event.h"

/* ---- Event object ----------------------------------------------------------- */

G_DEFINE_BOXED_TYPE(Ovpn3MgmtEvent, ovpn3_mgmt_event, ovpn3_mgmt_event_ref, ovpn3_mgmt_event_unref)

Ovpn3MgmtEvent *
ovpn3_mgmt_event_new(Ovpn3MgmtEventType type, const char *line)
{
  Ovpn3MgmtEvent *event = g_new0(Ovpn3MgmtEvent, 1);

  event->ref_count = 1;
  event->type = type;
  event->line = g_strdup(line ? line : "");
  event->timestamp = -1;
  return event;
}

Ovpn3MgmtEvent *
ovpn3_mgmt_event_ref(Ovpn3MgmtEvent *event)
{
  g_return_val_if_fail(event != NULL, NULL);
  g_atomic_int_inc(&event->ref_count);
  return event;
}

static void
free_secret(gchar *s)
{
  if (s != NULL)
    {
      explicit_bzero(s, strlen(s));
      g_free(s);
    }
}

void
ovpn3_mgmt_event_unref(Ovpn3MgmtEvent *event)
{
  g_return_if_fail(event != NULL);
  if (!g_atomic_int_dec_and_test(&event->ref_count))
    return;

  /* An auth token is a credential: wipe it (it is in line and text). */
  free_secret(event->line);
  free_secret(event->text);
  g_free(event->state_name);
  g_free(event->state_detail);
  g_free(event->tun_ip4);
  g_free(event->remote_addr);
  g_free(event->local_addr);
  g_free(event->tun_ip6);
  g_free(event->cred_type);
  g_free(event->reason);
  g_free(event->crv1_state_id);
  g_free(event->crv1_username);
  g_free(event->flags);
  g_free(event->severity);
  g_free(event->notify_type);
  g_clear_pointer(&event->env, g_hash_table_unref);
  g_free(event->host);
  g_free(event->proto);
  g_free(event->data);
  g_free(event->algorithm);
  g_free(event);
}

const char *
ovpn3_mgmt_event_type_to_string(Ovpn3MgmtEventType type)
{
  switch (type)
    {
      case OVPN3_MGMT_EVENT_UNKNOWN:
        return "UNKNOWN";
      case OVPN3_MGMT_EVENT_PW_PROMPT:
        return "PW_PROMPT";
      case OVPN3_MGMT_EVENT_INFO:
        return "INFO";
      case OVPN3_MGMT_EVENT_HOLD:
        return "HOLD";
      case OVPN3_MGMT_EVENT_STATE:
        return "STATE";
      case OVPN3_MGMT_EVENT_PASSWORD:
        return "PASSWORD";
      case OVPN3_MGMT_EVENT_NEED_OK:
        return "NEED_OK";
      case OVPN3_MGMT_EVENT_NEED_STR:
        return "NEED_STR";
      case OVPN3_MGMT_EVENT_INFOMSG:
        return "INFOMSG";
      case OVPN3_MGMT_EVENT_NOTIFY:
        return "NOTIFY";
      case OVPN3_MGMT_EVENT_FATAL:
        return "FATAL";
      case OVPN3_MGMT_EVENT_BYTECOUNT:
        return "BYTECOUNT";
      case OVPN3_MGMT_EVENT_LOG:
        return "LOG";
      case OVPN3_MGMT_EVENT_ECHO:
        return "ECHO";
      case OVPN3_MGMT_EVENT_UPDOWN:
        return "UPDOWN";
      case OVPN3_MGMT_EVENT_REMOTE:
        return "REMOTE";
      case OVPN3_MGMT_EVENT_PROXY:
        return "PROXY";
      case OVPN3_MGMT_EVENT_PK_SIGN:
        return "PK_SIGN";
      case OVPN3_MGMT_EVENT_NEED_CERTIFICATE:
        return "NEED_CERTIFICATE";
    }
  return "UNKNOWN";
}

const char *
ovpn3_mgmt_password_kind_to_string(Ovpn3MgmtPasswordKind kind)
{
  switch (kind)
    {
      case OVPN3_MGMT_PASSWORD_OTHER:
        return "OTHER";
      case OVPN3_MGMT_PASSWORD_NEED_USER_PASS:
        return "NEED_USER_PASS";
      case OVPN3_MGMT_PASSWORD_NEED_PASSWORD:
        return "NEED_PASSWORD";
      case OVPN3_MGMT_PASSWORD_NEED_USERNAME:
        return "NEED_USERNAME";
      case OVPN3_MGMT_PASSWORD_VERIFY_FAILED:
        return "VERIFY_FAILED";
      case OVPN3_MGMT_PASSWORD_AUTH_TOKEN:
        return "AUTH_TOKEN";
    }
  return "OTHER";
}

const char *
ovpn3_mgmt_infomsg_kind_to_string(Ovpn3MgmtInfomsgKind kind)
{
  switch (kind)
    {
      case OVPN3_MGMT_INFOMSG_OTHER:
        return "OTHER";
      case OVPN3_MGMT_INFOMSG_WEB_AUTH:
        return "WEB_AUTH";
      case OVPN3_MGMT_INFOMSG_OPEN_URL:
        return "OPEN_URL";
      case OVPN3_MGMT_INFOMSG_CR_TEXT:
        return "CR_TEXT";
    }
  return "OTHER";
}

const char *
ovpn3_mgmt_event_get_env(const Ovpn3MgmtEvent *event, const char *key)
{
  g_return_val_if_fail(event != NULL, NULL);
  if (event->env == NULL || key == NULL)
    return NULL;
  return g_hash_table_lookup(event->env, key);
}

gboolean
ovpn3_mgmt_env_parse(const char *entry, char **key, char **value)
{
  const char *eq;

  g_return_val_if_fail(entry != NULL, FALSE);
  eq = strchr(entry, '=');
  if (eq == NULL || eq == entry)
    return FALSE;
  *key = g_strndup(entry, (gsize) (eq - entry));
  *value = g_strdup(eq + 1);
  return TRUE;
}
