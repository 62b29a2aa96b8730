/* ovpn3-mgmt-notify.c — one ">…" notification line into an Ovpn3MgmtEvent
 * (docs/openvpn-management.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-mgmt-event"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-event.h"

/* ---- Helpers ---------------------------------------------------------------- */

static gboolean
parse_u64(const char *s, guint64 *out)
{
  return s != NULL && *s != '\0' && g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, out, NULL);
}

static gint64
parse_time(const char *s)
{
  gint64 v;

  if (s != NULL && *s != '\0' && g_ascii_string_to_signed(s, 10, 0, G_MAXINT64, &v, NULL))
    return v;
  return -1;
}

static guint
parse_port(const char *s)
{
  guint64 v;

  if (s != NULL && *s != '\0' && g_ascii_string_to_unsigned(s, 10, 0, 65535, &v, NULL))
    return (guint) v;
  return 0;
}

static gchar *
dup_nonempty(const char *s)
{
  return (s != NULL && *s != '\0') ? g_strdup(s) : NULL;
}

/* Splits s at the first `sep`; *rest points past it (NULL if not found). */
static gchar *
split_first(const char *s, char sep, const char **rest)
{
  const char *p = strchr(s, sep);

  if (p == NULL)
    {
      *rest = NULL;
      return g_strdup(s);
    }
  *rest = p + 1;
  return g_strndup(s, (gsize) (p - s));
}

/* Parses "Need '<type>' <what>…": returns the type and sets *after to the
 * text following "' <what>". */
static gchar *
parse_need_type(const char *payload, const char *what, const char **after)
{
  g_autofree gchar *needle = g_strdup_printf("' %s", what);
  const char *p;

  if (!g_str_has_prefix(payload, "Need '"))
    return NULL;
  payload += strlen("Need '");
  p = strstr(payload, needle);
  if (p == NULL)
    return NULL;
  *after = p + strlen(needle);
  return g_strndup(payload, (gsize) (p - payload));
}

/* ---- Notification parsers --------------------------------------------------------- */

static gboolean
parse_hold(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *colon = strrchr(payload, ':');
  guint64 secs;

  ev->text = g_strdup(payload);
  if (colon != NULL && g_ascii_string_to_unsigned(colon + 1, 10, 0, G_MAXUINT, &secs, NULL))
    {
      g_free(ev->text);
      ev->text = g_strndup(payload, (gsize) (colon - payload));
      ev->hold_seconds = (guint) secs;
    }
  return TRUE;
}

static gboolean
parse_state(Ovpn3MgmtEvent *ev, const char *payload)
{
  g_auto(GStrv) fields = NULL;
  g_autofree gchar *time_s = NULL;
  const char *rest = NULL;
  const char *after_name = NULL;
  guint n;
  guint detail_end;

  time_s = split_first(payload, ',', &rest);
  if (rest == NULL)
    return FALSE;
  ev->timestamp = parse_time(time_s);
  ev->state_name = split_first(rest, ',', &after_name);
  if (after_name == NULL || ev->state_name[0] == '\0')
    return FALSE;

  /* after_name = detail,tun4,raddr,rport,laddr,lport[,tun6] */
  fields = g_strsplit(after_name, ",", -1);
  n = g_strv_length(fields);
  if (n < 6)
    return FALSE;

  if (strcmp(ev->state_name, "AUTH_PENDING") == 0)
    {
      /* The detail is raw server text and may hold commas: the last five
       * fields are fixed, openvpn never adds tun6 to this state. */
      detail_end = n - 5;
    }
  else
    {
      if (n > 7)
        return FALSE;
      detail_end = 1;
    }

  {
    g_autofree gchar **detail_parts = g_new0(gchar *, detail_end + 1);
    guint i;

    for (i = 0; i < detail_end; i++)
      detail_parts[i] = fields[i];
    ev->state_detail = g_strjoinv(",", detail_parts);
  }
  ev->tun_ip4 = dup_nonempty(fields[detail_end]);
  ev->remote_addr = dup_nonempty(fields[detail_end + 1]);
  ev->remote_port = parse_port(fields[detail_end + 2]);
  ev->local_addr = dup_nonempty(fields[detail_end + 3]);
  ev->local_port = parse_port(fields[detail_end + 4]);
  if (n == detail_end + 6)
    ev->tun_ip6 = dup_nonempty(fields[detail_end + 5]);
  return TRUE;
}

gboolean
ovpn3_mgmt_parse_crv1(const char *reason, char **flags, char **state_id, char **username,
                      char **text)
{
  g_auto(GStrv) parts = NULL;
  g_autofree guchar *user = NULL;
  gsize user_len = 0;

  g_return_val_if_fail(reason != NULL, FALSE);
  if (!g_str_has_prefix(reason, "CRV1:"))
    return FALSE;
  parts = g_strsplit(reason + strlen("CRV1:"), ":", 4);
  if (g_strv_length(parts) != 4)
    return FALSE;

  if (parts[2][0] != '\0')
    {
      /* g_base64_decode does not validate: check the alphabet first. */
      const char *p;
      gboolean ok = TRUE;

      for (p = parts[2]; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '=')
          ok = FALSE;
      if (ok)
        user = g_base64_decode(parts[2], &user_len);
    }

  if (flags)
    *flags = g_strdup(parts[0]);
  if (state_id)
    *state_id = g_strdup(parts[1]);
  if (username)
    {
      *username = NULL;
      if (user != NULL && memchr(user, '\0', user_len) == NULL
          && g_utf8_validate((const char *) user, (gssize) user_len, NULL))
        *username = g_strndup((const char *) user, user_len);
      else if (parts[2][0] == '\0')
        *username = g_strdup("");
    }
  if (text)
    *text = g_strdup(parts[3]);
  if (user != NULL)
    explicit_bzero(user, user_len);
  return TRUE;
}

static gboolean
parse_password(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *after = NULL;

  if (g_str_has_prefix(payload, "Auth-Token:"))
    {
      ev->password_kind = OVPN3_MGMT_PASSWORD_AUTH_TOKEN;
      ev->text = g_strdup(payload + strlen("Auth-Token:"));
      return TRUE;
    }

  if (g_str_has_prefix(payload, "Verification Failed: '"))
    {
      const char *type = payload + strlen("Verification Failed: '");
      const char *q;
      const char *rest;

      /* "Verification Failed: '<type>'" or "… '<type>' ['<reason>']". The
       * reason may hold ', ] and commas: strip the fixed prefix and the
       * trailing "']", never scan for the next quote. */
      q = strstr(type, "' ['");
      if (q != NULL && g_str_has_suffix(q, "']") && strlen(q) >= 6)
        {
          rest = q + strlen("' ['");
          ev->cred_type = g_strndup(type, (gsize) (q - type));
          ev->reason = g_strndup(rest, strlen(rest) - 2);
        }
      else if (g_str_has_suffix(type, "'"))
        ev->cred_type = g_strndup(type, strlen(type) - 1);
      else
        return FALSE;

      ev->password_kind = OVPN3_MGMT_PASSWORD_VERIFY_FAILED;
      if (ev->reason != NULL)
        ev->crv1 = ovpn3_mgmt_parse_crv1(ev->reason, &ev->flags, &ev->crv1_state_id,
                                         &ev->crv1_username, &ev->text);
      return TRUE;
    }

  if ((ev->cred_type = parse_need_type(payload, "username/password", &after)) != NULL)
    {
      ev->password_kind = OVPN3_MGMT_PASSWORD_NEED_USER_PASS;
      if (g_str_has_prefix(after, " SC:"))
        {
          const char *sc = after + strlen(" SC:");
          const char *rest = NULL;
          g_autofree gchar *flags = split_first(sc, ',', &rest);
          guint64 f;

          if (rest == NULL || !g_ascii_string_to_unsigned(flags, 10, 0, G_MAXUINT, &f, NULL))
            return FALSE;
          ev->static_challenge = TRUE;
          ev->sc_flags = (guint) f;
          ev->text = g_strdup(rest); /* everything after the first comma */
        }
      else if (*after != '\0')
        return FALSE;
      return TRUE;
    }

  if ((ev->cred_type = parse_need_type(payload, "password", &after)) != NULL)
    {
      ev->password_kind = OVPN3_MGMT_PASSWORD_NEED_PASSWORD;
      return *after == '\0';
    }

  if ((ev->cred_type = parse_need_type(payload, "username", &after)) != NULL)
    {
      ev->password_kind = OVPN3_MGMT_PASSWORD_NEED_USERNAME;
      return *after == '\0';
    }

  ev->password_kind = OVPN3_MGMT_PASSWORD_OTHER;
  ev->text = g_strdup(payload);
  return TRUE;
}

/* ">NEED-OK:Need '<type>' confirmation MSG:<text>" / ">NEED-STR:Need '<type>' string MSG:<text>" */
static gboolean
parse_need(Ovpn3MgmtEvent *ev, const char *payload, const char *const *words)
{
  const char *after = NULL;
  guint i;

  for (i = 0; words[i] != NULL && ev->cred_type == NULL; i++)
    ev->cred_type = parse_need_type(payload, words[i], &after);
  if (ev->cred_type == NULL)
    return FALSE;
  if (g_str_has_prefix(after, " MSG:"))
    ev->text = g_strdup(after + strlen(" MSG:"));
  else if (*after == '\0')
    ev->text = g_strdup("");
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_infomsg(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *rest = NULL;

  if (g_str_has_prefix(payload, "WEB_AUTH:") || g_str_has_prefix(payload, "CR_TEXT:"))
    {
      gboolean web = payload[0] == 'W';
      const char *p = strchr(payload, ':') + 1;

      ev->flags = split_first(p, ':', &rest);
      if (rest == NULL)
        {
          g_clear_pointer(&ev->flags, g_free);
          ev->infomsg_kind = OVPN3_MGMT_INFOMSG_OTHER;
          ev->text = g_strdup(payload);
          return TRUE;
        }
      ev->infomsg_kind = web ? OVPN3_MGMT_INFOMSG_WEB_AUTH : OVPN3_MGMT_INFOMSG_CR_TEXT;
      ev->text = g_strdup(rest);
      return TRUE;
    }
  if (g_str_has_prefix(payload, "OPEN_URL:"))
    {
      ev->infomsg_kind = OVPN3_MGMT_INFOMSG_OPEN_URL;
      ev->text = g_strdup(payload + strlen("OPEN_URL:"));
      return TRUE;
    }
  ev->infomsg_kind = OVPN3_MGMT_INFOMSG_OTHER;
  ev->text = g_strdup(payload);
  return TRUE;
}

static gboolean
parse_notify(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *rest = NULL;
  const char *rest2 = NULL;

  ev->severity = split_first(payload, ',', &rest);
  if (rest == NULL)
    return FALSE;
  ev->notify_type = split_first(rest, ',', &rest2);
  ev->text = g_strdup(rest2 ? rest2 : "");
  return TRUE;
}

static gboolean
parse_bytecount(Ovpn3MgmtEvent *ev, const char *payload)
{
  g_auto(GStrv) f = g_strsplit(payload, ",", -1);

  return g_strv_length(f) == 2 && parse_u64(f[0], &ev->bytes_in) && parse_u64(f[1], &ev->bytes_out);
}

static gboolean
parse_log(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *rest = NULL;
  const char *rest2 = NULL;
  g_autofree gchar *t = split_first(payload, ',', &rest);

  if (rest == NULL)
    return FALSE;
  ev->timestamp = parse_time(t);
  ev->flags = split_first(rest, ',', &rest2);
  if (rest2 == NULL)
    return FALSE;
  ev->text = g_strdup(rest2);
  return TRUE;
}

static gboolean
parse_echo(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *rest = NULL;
  g_autofree gchar *t = split_first(payload, ',', &rest);

  if (rest == NULL)
    return FALSE;
  ev->timestamp = parse_time(t);
  ev->text = g_strdup(rest);
  return TRUE;
}

static gboolean
parse_remote(Ovpn3MgmtEvent *ev, const char *payload)
{
  /* host,port,proto: split from the right. */
  const char *c2 = strrchr(payload, ',');
  const char *c1;
  g_autofree gchar *port = NULL;

  if (c2 == NULL || c2 == payload)
    return FALSE;
  c1 = g_strrstr_len(payload, c2 - payload, ",");
  if (c1 == NULL)
    return FALSE;
  ev->host = g_strndup(payload, (gsize) (c1 - payload));
  port = g_strndup(c1 + 1, (gsize) (c2 - c1 - 1));
  ev->port = parse_port(port);
  ev->proto = g_strdup(c2 + 1);
  return ev->port != 0;
}

static gboolean
parse_proxy(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *rest = NULL;
  const char *rest2 = NULL;
  g_autofree gchar *idx = split_first(payload, ',', &rest);
  guint64 v;

  if (rest == NULL || !g_ascii_string_to_unsigned(idx, 10, 0, G_MAXUINT, &v, NULL))
    return FALSE;
  ev->proxy_index = (guint) v;
  ev->proto = split_first(rest, ',', &rest2);
  if (rest2 == NULL)
    return FALSE;
  ev->host = g_strdup(rest2);
  return TRUE;
}

static gboolean
parse_pk_sign(Ovpn3MgmtEvent *ev, const char *payload)
{
  const char *rest = NULL;

  ev->data = split_first(payload, ',', &rest);
  ev->algorithm = dup_nonempty(rest);
  return ev->data[0] != '\0';
}

static const struct
{
  const char *prefix;
  Ovpn3MgmtEventType type;
} notification_prefixes[] = {
  { ">INFO:", OVPN3_MGMT_EVENT_INFO },
  { ">HOLD:", OVPN3_MGMT_EVENT_HOLD },
  { ">STATE:", OVPN3_MGMT_EVENT_STATE },
  { ">PASSWORD:", OVPN3_MGMT_EVENT_PASSWORD },
  { ">NEED-OK:", OVPN3_MGMT_EVENT_NEED_OK },
  { ">NEED-STR:", OVPN3_MGMT_EVENT_NEED_STR },
  { ">INFOMSG:", OVPN3_MGMT_EVENT_INFOMSG },
  { ">NOTIFY:", OVPN3_MGMT_EVENT_NOTIFY },
  { ">FATAL:", OVPN3_MGMT_EVENT_FATAL },
  { ">BYTECOUNT:", OVPN3_MGMT_EVENT_BYTECOUNT },
  { ">LOG:", OVPN3_MGMT_EVENT_LOG },
  { ">ECHO:", OVPN3_MGMT_EVENT_ECHO },
  { ">REMOTE:", OVPN3_MGMT_EVENT_REMOTE },
  { ">PROXY:", OVPN3_MGMT_EVENT_PROXY },
  { ">PK_SIGN:", OVPN3_MGMT_EVENT_PK_SIGN },
  { ">RSA_SIGN:", OVPN3_MGMT_EVENT_PK_SIGN },
  { ">NEED-CERTIFICATE:", OVPN3_MGMT_EVENT_NEED_CERTIFICATE },
};

/* The fields of ev from the text after the prefix; FALSE if it does not parse. */
static gboolean
parse_payload(Ovpn3MgmtEvent *ev, const char *line, const char *payload)
{
  static const char *const ok_words[] = { "confirmation", NULL };
  static const char *const str_words[] = { "string", "input", NULL };
  gboolean ok = FALSE;

  switch (ev->type)
    {
      case OVPN3_MGMT_EVENT_INFO:
      case OVPN3_MGMT_EVENT_FATAL:
      case OVPN3_MGMT_EVENT_NEED_CERTIFICATE:
        ev->text = g_strdup(payload);
        ok = TRUE;
        break;
      case OVPN3_MGMT_EVENT_HOLD:
        ok = parse_hold(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_STATE:
        ok = parse_state(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_PASSWORD:
        ok = parse_password(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_NEED_OK:
        ok = parse_need(ev, payload, ok_words);
        break;
      case OVPN3_MGMT_EVENT_NEED_STR:
        ok = parse_need(ev, payload, str_words);
        break;
      case OVPN3_MGMT_EVENT_INFOMSG:
        ok = parse_infomsg(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_NOTIFY:
        ok = parse_notify(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_BYTECOUNT:
        ok = parse_bytecount(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_LOG:
        ok = parse_log(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_ECHO:
        ok = parse_echo(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_REMOTE:
        ok = parse_remote(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_PROXY:
        ok = parse_proxy(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_PK_SIGN:
        ev->rsa_sign = g_str_has_prefix(line, ">RSA_SIGN:");
        ok = parse_pk_sign(ev, payload);
        break;
      case OVPN3_MGMT_EVENT_UNKNOWN:
      case OVPN3_MGMT_EVENT_PW_PROMPT:
      case OVPN3_MGMT_EVENT_UPDOWN:
        break;
    }

  return ok;
}

Ovpn3MgmtEvent *
ovpn3_mgmt_event_parse_line(const char *line)
{
  g_autoptr(Ovpn3MgmtEvent) ev = NULL;

  g_return_val_if_fail(line != NULL, NULL);

  if (strcmp(line, OVPN3_MGMT_PW_PROMPT) == 0)
    return ovpn3_mgmt_event_new(OVPN3_MGMT_EVENT_PW_PROMPT, line);

  for (gsize i = 0; i < G_N_ELEMENTS(notification_prefixes); i++)
    if (g_str_has_prefix(line, notification_prefixes[i].prefix))
      {
        ev = ovpn3_mgmt_event_new(notification_prefixes[i].type, line);
        if (parse_payload(ev, line, line + strlen(notification_prefixes[i].prefix)))
          return g_steal_pointer(&ev);
        break;
      }

  /* not a notification this parser knows, or one it cannot read */
  g_clear_pointer(&ev, ovpn3_mgmt_event_unref);
  ev = ovpn3_mgmt_event_new(OVPN3_MGMT_EVENT_UNKNOWN, line);
  ev->text = g_strdup(line);
  return g_steal_pointer(&ev);
}
