/* ovpn3-mgmt-lines.c — bytes from the management socket into lines: line kinds, the
 * text of a response, the line reader (overlong lines, the pw-file prompt).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-mgmt-lines"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-event.h"

/* ---- Line classification ---------------------------------------------------- */

Ovpn3MgmtLineKind
ovpn3_mgmt_line_classify(const char *line)
{
  g_return_val_if_fail(line != NULL, OVPN3_MGMT_LINE_DATA);
  if (line[0] == '>')
    return OVPN3_MGMT_LINE_NOTIFICATION;
  if (g_str_has_prefix(line, "SUCCESS:"))
    return OVPN3_MGMT_LINE_SUCCESS;
  if (g_str_has_prefix(line, "ERROR:"))
    return OVPN3_MGMT_LINE_ERROR;
  if (strcmp(line, "END") == 0)
    return OVPN3_MGMT_LINE_END;
  return OVPN3_MGMT_LINE_DATA;
}

const char *
ovpn3_mgmt_line_response_text(const char *line)
{
  const char *colon;

  g_return_val_if_fail(line != NULL, "");
  colon = strchr(line, ':');
  if (colon == NULL)
    return line;
  colon++;
  while (*colon == ' ')
    colon++;
  return colon;
}

/* ---- Line reader --------------------------------------------------------------- */

void
ovpn3_mgmt_line_reader_init(Ovpn3MgmtLineReader *reader)
{
  reader->buf = g_byte_array_new();
  reader->discarding = FALSE;
}

void
ovpn3_mgmt_line_reader_clear(Ovpn3MgmtLineReader *reader)
{
  g_clear_pointer(&reader->buf, g_byte_array_unref);
  reader->discarding = FALSE;
}

gsize
ovpn3_mgmt_line_reader_pending(const Ovpn3MgmtLineReader *reader)
{
  return reader->buf ? reader->buf->len : 0;
}

static void
emit_line(const guint8 *data, gsize len, gboolean unterminated, Ovpn3MgmtLineFunc func,
          gpointer user_data)
{
  g_autofree gchar *raw = NULL;
  g_autofree gchar *valid = NULL;
  gsize i;

  if (len > 0 && data[len - 1] == '\r')
    len--;
  raw = g_malloc(len + 1);
  for (i = 0; i < len; i++)
    raw[i] = data[i] == '\0' ? '?' : (gchar) data[i];
  raw[len] = '\0';
  valid = g_utf8_make_valid(raw, (gssize) len);
  func(valid, unterminated, FALSE, user_data);
  /* Lines may carry an auth token: leave no copy behind. */
  explicit_bzero(raw, len);
  explicit_bzero(valid, strlen(valid));
}

void
ovpn3_mgmt_line_reader_feed(Ovpn3MgmtLineReader *reader, const guint8 *data, gsize len,
                            Ovpn3MgmtLineFunc func, gpointer user_data)
{
  static const gsize prompt_len = sizeof(OVPN3_MGMT_PW_PROMPT) - 1;
  gsize start = 0;
  GByteArray *buf = reader->buf;

  g_return_if_fail(buf != NULL);
  g_return_if_fail(func != NULL);

  if (len > 0)
    g_byte_array_append(buf, data, (guint) len);

  for (;;)
    {
      const guint8 *base = buf->data + start;
      gsize avail = buf->len - start;
      const guint8 *nl;

      if (avail == 0)
        break;

      /* The pw-file prompt arrives without a line end, at a line start. */
      if (!reader->discarding)
        {
          gsize cmp = MIN(avail, prompt_len);

          if (memcmp(base, OVPN3_MGMT_PW_PROMPT, cmp) == 0)
            {
              if (avail < prompt_len)
                break; /* maybe the start of the prompt: wait for more */
              func(OVPN3_MGMT_PW_PROMPT, TRUE, FALSE, user_data);
              start += prompt_len;
              continue;
            }
        }

      nl = memchr(base, '\n', avail);
      if (nl == NULL)
        {
          if (reader->discarding)
            start = buf->len; /* still inside an overlong line: drop it */
          else if (avail > OVPN3_MGMT_MAX_LINE)
            {
              if (!reader->discarding)
                func("(line too long)", FALSE, TRUE, user_data);
              reader->discarding = TRUE;
              start = buf->len;
            }
          break;
        }

      if (reader->discarding)
        reader->discarding = FALSE;
      else if ((gsize) (nl - base) > OVPN3_MGMT_MAX_LINE)
        func("(line too long)", FALSE, TRUE, user_data);
      else
        emit_line(base, (gsize) (nl - base), FALSE, func, user_data);
      start += (gsize) (nl - base) + 1;
    }

  if (start > 0)
    {
      g_byte_array_remove_range(buf, 0, (guint) start);
      /* remove_range moves the rest down: wipe the stale tail. */
      explicit_bzero(buf->data + buf->len, start);
    }
}
