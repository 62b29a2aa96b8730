#define G_LOG_DOMAIN "ovpn3-fuzz-mgmt-updown"

#include "config.h"

/* libFuzzer target: >UPDOWN blocks. Each input line becomes an ENV entry
 * (or a raw notification when it starts with '>'), framed by UP/DOWN and
 * END, through the assembler and the key=value splitter. */

#include <string.h>

#include "ovpn3-mgmt-event.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static gsize sink;

static void
drain(Ovpn3MgmtParser *p)
{
  Ovpn3MgmtEvent *ev;

  while ((ev = ovpn3_mgmt_parser_pop(p)) != NULL)
    {
      if (ev->type == OVPN3_MGMT_EVENT_UPDOWN)
        {
          GHashTableIter it;
          gpointer k, v;

          g_assert(ev->env != NULL);
          g_assert(g_hash_table_size(ev->env) <= OVPN3_MGMT_MAX_ENV);
          g_hash_table_iter_init(&it, ev->env);
          while (g_hash_table_iter_next(&it, &k, &v))
            {
              g_assert(*(const char *) k != '\0');
              g_assert(strchr(k, '=') == NULL);
              sink += strlen(v);
            }
          sink += ovpn3_mgmt_event_get_env(ev, "dev") != NULL;
        }
      ovpn3_mgmt_event_unref(ev);
    }
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  g_autofree gchar *text = NULL;
  g_autofree gchar *valid = NULL;
  g_auto(GStrv) lines = NULL;
  Ovpn3MgmtParser *p;
  guint i;

  text = g_strndup((const char *) data, size); /* stops at a NUL byte */
  valid = g_utf8_make_valid(text, -1);
  lines = g_strsplit(valid, "\n", -1);

  p = ovpn3_mgmt_parser_new();
  ovpn3_mgmt_parser_feed(p, size % 2 ? ">UPDOWN:UP" : ">UPDOWN:DOWN");
  for (i = 0; lines[i] != NULL; i++)
    {
      char *key = NULL;
      char *value = NULL;

      if (lines[i][0] == '>')
        ovpn3_mgmt_parser_feed(p, lines[i]);
      else
        {
          g_autofree gchar *l = g_strconcat(">UPDOWN:ENV,", lines[i], NULL);
          ovpn3_mgmt_parser_feed(p, l);
        }
      if (ovpn3_mgmt_env_parse(lines[i], &key, &value))
        {
          g_assert(strlen(key) > 0);
          g_free(key);
          g_free(value);
        }
      drain(p);
    }
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,END");
  drain(p);
  ovpn3_mgmt_parser_reset(p);
  ovpn3_mgmt_parser_free(p);
  return 0;
}
