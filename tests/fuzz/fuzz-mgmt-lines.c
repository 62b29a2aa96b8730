#define G_LOG_DOMAIN "ovpn3-fuzz-mgmt-lines"

#include "config.h"

/* libFuzzer target: raw bytes from openvpn's management socket through the
 * line reader, the notification parser, the status/CRV1 parsers and the
 * command quoting. */

#include <string.h>

#include "ovpn3-mgmt-command.h"
#include "ovpn3-mgmt-event.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

typedef struct
{
  Ovpn3MgmtParser *parser;
  GPtrArray *body;
  gsize sink;
} Ctx;

static void
touch_event(Ctx *ctx, Ovpn3MgmtEvent *ev)
{
  const char *strs[]
      = { ev->line,          ev->text,          ev->state_name, ev->state_detail, ev->tun_ip4,
          ev->remote_addr,   ev->local_addr,    ev->tun_ip6,    ev->cred_type,    ev->reason,
          ev->crv1_state_id, ev->crv1_username, ev->flags,      ev->severity,     ev->notify_type,
          ev->host,          ev->proto,         ev->data,       ev->algorithm };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS(strs); i++)
    if (strs[i] != NULL)
      {
        g_assert(g_utf8_validate(strs[i], -1, NULL));
        ctx->sink += strlen(strs[i]);
      }
  ctx->sink += ev->remote_port + ev->local_port + ev->port + ev->hold_seconds;
  if (ev->env != NULL)
    ctx->sink += g_hash_table_size(ev->env);
  ctx->sink += strlen(ovpn3_mgmt_event_type_to_string(ev->type));
  if (ev->type == OVPN3_MGMT_EVENT_LOG)
    {
      g_auto(GStrv) opts = ovpn3_mgmt_parse_push_reply(ev->text);

      if (opts != NULL)
        ctx->sink += g_strv_length(opts);
    }
}

static void
on_line(const char *line, gboolean unterminated, gboolean too_long, gpointer user_data)
{
  Ctx *ctx = user_data;
  Ovpn3MgmtEvent *ev;
  Ovpn3MgmtLineKind kind = ovpn3_mgmt_line_classify(line);

  if (kind == OVPN3_MGMT_LINE_NOTIFICATION || unterminated
      || ovpn3_mgmt_parser_in_block(ctx->parser))
    {
      ovpn3_mgmt_parser_feed(ctx->parser, line);
      while ((ev = ovpn3_mgmt_parser_pop(ctx->parser)) != NULL)
        {
          touch_event(ctx, ev);
          ovpn3_mgmt_event_unref(ev);
        }
    }
  else if (kind == OVPN3_MGMT_LINE_END)
    {
      Ovpn3MgmtStatus st;

      g_ptr_array_add(ctx->body, NULL);
      ctx->sink += ovpn3_mgmt_parse_status((const char *const *) ctx->body->pdata, &st);
      g_ptr_array_set_size(ctx->body, 0);
    }
  else
    {
      g_autoptr(GString) q = g_string_new(NULL);
      g_autofree gchar *flags = NULL;
      g_autofree gchar *state = NULL;
      g_autofree gchar *user = NULL;
      g_autofree gchar *text = NULL;

      if (ctx->body->len < 64)
        g_ptr_array_add(ctx->body, g_strdup(line));
      ctx->sink += strlen(ovpn3_mgmt_line_response_text(line));
      if (ovpn3_mgmt_parse_crv1(line, &flags, &state, &user, &text))
        ctx->sink += strlen(text);
      if (ovpn3_mgmt_quote_append(q, line, NULL))
        ctx->sink += q->len;
    }
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  Ovpn3MgmtLineReader reader;
  Ctx ctx = { 0 };
  gsize chunk;
  gsize off;

  if (size == 0)
    return 0;
  /* First byte picks the read size, so splits at every place get exercised. */
  chunk = 1 + data[0] % 64;
  data++;
  size--;

  ctx.parser = ovpn3_mgmt_parser_new();
  ctx.body = g_ptr_array_new_with_free_func(g_free);
  ovpn3_mgmt_line_reader_init(&reader);
  for (off = 0; off < size; off += chunk)
    ovpn3_mgmt_line_reader_feed(&reader, data + off, MIN(chunk, size - off), on_line, &ctx);
  ovpn3_mgmt_line_reader_clear(&reader);
  ovpn3_mgmt_parser_reset(ctx.parser);
  ovpn3_mgmt_parser_free(ctx.parser);
  g_ptr_array_set_size(ctx.body, 0);
  g_ptr_array_unref(ctx.body);
  return 0;
}
