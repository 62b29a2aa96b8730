/* ovpn3-mgmt-parser.c — the line-to-event parser with the >UPDOWN block assembler,
 * and the parsers of multi-line answers (status) and of the PUSH_REPLY log line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-mgmt-event"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-event.h"

static gboolean
parse_u64(const char *s, guint64 *out)
{
  return s != NULL && *s != '\0' && g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, out, NULL);
}

/* ---- UPDOWN assembler ----------------------------------------------------------- */

struct _Ovpn3MgmtParser
{
  Ovpn3MgmtEvent *block; /* open >UPDOWN block */
  GQueue queue;
};

Ovpn3MgmtParser *
ovpn3_mgmt_parser_new(void)
{
  Ovpn3MgmtParser *parser = g_new0(Ovpn3MgmtParser, 1);

  g_queue_init(&parser->queue);
  return parser;
}

void
ovpn3_mgmt_parser_free(Ovpn3MgmtParser *parser)
{
  if (parser == NULL)
    return;
  g_clear_pointer(&parser->block, ovpn3_mgmt_event_unref);
  g_queue_clear_full(&parser->queue, (GDestroyNotify) ovpn3_mgmt_event_unref);
  g_free(parser);
}

gboolean
ovpn3_mgmt_parser_in_block(const Ovpn3MgmtParser *parser)
{
  return parser->block != NULL;
}

gboolean
ovpn3_mgmt_parser_reset(Ovpn3MgmtParser *parser)
{
  gboolean had = parser->block != NULL;

  g_clear_pointer(&parser->block, ovpn3_mgmt_event_unref);
  return had;
}

Ovpn3MgmtEvent *
ovpn3_mgmt_parser_pop(Ovpn3MgmtParser *parser)
{
  return g_queue_pop_head(&parser->queue);
}

static void
unknown_line(Ovpn3MgmtParser *parser, const char *line)
{
  Ovpn3MgmtEvent *ev = ovpn3_mgmt_event_new(OVPN3_MGMT_EVENT_UNKNOWN, line);

  ev->text = g_strdup(line);
  g_queue_push_tail(&parser->queue, ev);
}

void
ovpn3_mgmt_parser_feed(Ovpn3MgmtParser *parser, const char *line)
{
  g_return_if_fail(parser != NULL);
  g_return_if_fail(line != NULL);

  if (parser->block != NULL)
    {
      const char *entry;
      char *key = NULL;
      char *value = NULL;

      if (!g_str_has_prefix(line, ">UPDOWN:ENV,"))
        {
          /* openvpn sends a block unbroken; if that ever fails, report the
           * partial block as unknown and go on with this line. */
          unknown_line(parser, parser->block->line);
          g_clear_pointer(&parser->block, ovpn3_mgmt_event_unref);
          ovpn3_mgmt_parser_feed(parser, line);
          return;
        }
      entry = line + strlen(">UPDOWN:ENV,");
      if (strcmp(entry, "END") == 0)
        {
          g_queue_push_tail(&parser->queue, g_steal_pointer(&parser->block));
          return;
        }
      parser->block->env_count++;
      if (g_hash_table_size(parser->block->env) < OVPN3_MGMT_MAX_ENV
          && ovpn3_mgmt_env_parse(entry, &key, &value))
        g_hash_table_replace(parser->block->env, key, value);
      return;
    }

  if (strcmp(line, ">UPDOWN:UP") == 0 || strcmp(line, ">UPDOWN:DOWN") == 0)
    {
      parser->block = ovpn3_mgmt_event_new(OVPN3_MGMT_EVENT_UPDOWN, line);
      parser->block->up = strcmp(line, ">UPDOWN:UP") == 0;
      parser->block->env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      return;
    }

  g_queue_push_tail(&parser->queue, ovpn3_mgmt_event_parse_line(line));
}

/* ---- status ------------------------------------------------------------------- */

gboolean
ovpn3_mgmt_parse_status(const char *const *lines, Ovpn3MgmtStatus *status)
{
  static const struct
  {
    const char *key;
    gsize offset;
  } keys[] = {
    { "TUN/TAP read bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, tun_read_bytes) },
    { "TUN/TAP write bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, tun_write_bytes) },
    { "TCP/UDP read bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, link_read_bytes) },
    { "TCP/UDP write bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, link_write_bytes) },
    { "Auth read bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, auth_read_bytes) },
    { "pre-compress bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, pre_compress_bytes) },
    { "post-compress bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, post_compress_bytes) },
    { "pre-decompress bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, pre_decompress_bytes) },
    { "post-decompress bytes", G_STRUCT_OFFSET(Ovpn3MgmtStatus, post_decompress_bytes) },
  };
  guint i;

  g_return_val_if_fail(status != NULL, FALSE);
  memset(status, 0, sizeof *status);
  if (lines == NULL)
    return FALSE;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *comma;
      gsize j;

      if (strcmp(lines[i], "OpenVPN STATISTICS") == 0)
        {
          status->valid = TRUE;
          continue;
        }
      comma = strrchr(lines[i], ',');
      if (comma == NULL)
        continue;
      for (j = 0; j < G_N_ELEMENTS(keys); j++)
        {
          gsize klen = strlen(keys[j].key);
          guint64 v;

          if ((gsize) (comma - lines[i]) == klen && strncmp(lines[i], keys[j].key, klen) == 0
              && parse_u64(comma + 1, &v))
            G_STRUCT_MEMBER(guint64, status, keys[j].offset) = v;
        }
    }
  return status->valid;
}

GStrv
ovpn3_mgmt_parse_push_reply(const char *log_text)
{
  static const char marker[] = "PUSH: Received control message: 'PUSH_REPLY";
  const char *p;
  gsize len;
  g_autofree gchar *body = NULL;

  g_return_val_if_fail(log_text != NULL, NULL);
  p = strstr(log_text, marker);
  if (p == NULL)
    return NULL;
  p += strlen(marker);
  len = strlen(p);
  /* The message is quoted: strip the closing quote. */
  if (len == 0 || p[len - 1] != '\'')
    return NULL;
  if (*p == ',')
    {
      p++;
      len--;
    }
  body = g_strndup(p, len - 1);
  if (body[0] == '\0')
    return g_new0(gchar *, 1);
  return g_strsplit(body, ",", -1);
}
