#define G_LOG_DOMAIN "ovpn3-mgmt-command"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-command-private.h"

GQuark
ovpn3_mgmt_error_quark(void)
{
  return g_quark_from_static_string("ovpn3-mgmt-error-quark");
}

/* Lines are built in a buffer that never grows (a GString that reallocates
 * would leave copies of secrets in freed memory): one token adds at most
 * 2 * OVPN3_MGMT_MAX_TOKEN + 3 bytes and the length is checked after each. */
#define LINE_BUFFER_SIZE 4096
G_STATIC_ASSERT(OVPN3_MGMT_MAX_COMMAND_LINE + 2 * OVPN3_MGMT_MAX_TOKEN + 8 < LINE_BUFFER_SIZE);

struct _Ovpn3MgmtCommand
{
  gchar *line; /* with '\n' */
  gsize len;
  Ovpn3MgmtResponseShape shape;
  gboolean secret;
  gchar *description;
};

static void
wipe_string(GString *s)
{
  if (s != NULL && s->str != NULL)
    explicit_bzero(s->str, s->allocated_len);
}

static void
wipe_free(gchar *s)
{
  if (s != NULL)
    {
      explicit_bzero(s, strlen(s));
      g_free(s);
    }
}

gboolean
ovpn3_mgmt_quote_append(GString *out, const char *value, GError **error)
{
  const char *p;
  gsize len;

  if (value == NULL)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Missing argument");
      return FALSE;
    }
  len = strlen(value);
  if (!g_utf8_validate(value, (gssize) len, NULL))
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Argument is not valid UTF-8");
      return FALSE;
    }
  /* openvpn silently drops control bytes (incl. CR, LF, TAB) from input. */
  for (p = value; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p == 0x7f)
      {
        g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                            "Argument contains a control character");
        return FALSE;
      }
  if (len > OVPN3_MGMT_MAX_TOKEN)
    {
      g_set_error(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                  "Argument is too long (%" G_GSIZE_FORMAT " bytes, %d max)", len,
                  OVPN3_MGMT_MAX_TOKEN);
      return FALSE;
    }

  g_string_append_c(out, '"');
  for (p = value; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c(out, '\\');
      g_string_append_c(out, *p);
    }
  g_string_append_c(out, '"');
  return TRUE;
}

static gboolean
verb_is_valid(const char *verb)
{
  const char *p;

  if (verb == NULL || *verb == '\0')
    return FALSE;
  for (p = verb; *p; p++)
    if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static Ovpn3MgmtCommand *
command_take(GString *line, Ovpn3MgmtResponseShape shape, gboolean secret, gchar *description,
             GError **error)
{
  Ovpn3MgmtCommand *cmd;

  /* Measured on the final line: the escaping counts too. */
  if (line->len > OVPN3_MGMT_MAX_COMMAND_LINE)
    {
      g_set_error(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                  "Command line is too long (%" G_GSIZE_FORMAT " bytes, %d max)", line->len,
                  OVPN3_MGMT_MAX_COMMAND_LINE);
      wipe_string(line);
      g_string_free(line, TRUE);
      g_free(description);
      return NULL;
    }
  g_string_append_c(line, '\n');
  cmd = g_new0(Ovpn3MgmtCommand, 1);
  cmd->len = line->len;
  cmd->line = g_string_free(line, FALSE);
  cmd->shape = shape;
  cmd->secret = secret;
  cmd->description = description;
  return cmd;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_newv(Ovpn3MgmtResponseShape shape, gboolean secret, const char *verb,
                        const char *const *args, GError **error)
{
  GString *line;
  guint i;

  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  if (!verb_is_valid(verb))
    {
      g_set_error(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                  "Invalid command verb");
      return NULL;
    }

  line = g_string_sized_new(LINE_BUFFER_SIZE);
  g_string_append(line, verb);
  for (i = 0; args != NULL && args[i] != NULL; i++)
    {
      g_string_append_c(line, ' ');
      if (!ovpn3_mgmt_quote_append(line, args[i], error))
        {
          wipe_string(line);
          g_string_free(line, TRUE);
          return NULL;
        }
      if (line->len > OVPN3_MGMT_MAX_COMMAND_LINE)
        break; /* refused by command_take() below */
    }
  return command_take(line, shape, secret, g_strdup(secret ? verb : line->str), error);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_new(Ovpn3MgmtResponseShape shape, gboolean secret, GError **error,
                       const char *verb, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  Ovpn3MgmtCommand *cmd;
  const char *arg;
  va_list ap;

  va_start(ap, verb);
  while ((arg = va_arg(ap, const char *)) != NULL)
    g_ptr_array_add(args, (gpointer) arg);
  va_end(ap);
  g_ptr_array_add(args, NULL);

  cmd = ovpn3_mgmt_command_newv(shape, secret, verb, (const char *const *) args->pdata, error);
  return cmd;
}

void
ovpn3_mgmt_command_wipe(Ovpn3MgmtCommand *cmd)
{
  g_return_if_fail(cmd != NULL);
  if (cmd->line != NULL)
    explicit_bzero(cmd->line, cmd->len);
}

void
ovpn3_mgmt_command_free(Ovpn3MgmtCommand *cmd)
{
  if (cmd == NULL)
    return;
  ovpn3_mgmt_command_wipe(cmd);
  g_free(cmd->line);
  g_free(cmd->description);
  g_free(cmd);
}

const char *
ovpn3_mgmt_command_get_line(const Ovpn3MgmtCommand *cmd)
{
  g_return_val_if_fail(cmd != NULL, NULL);
  return cmd->line;
}

gsize
ovpn3_mgmt_command_get_length(const Ovpn3MgmtCommand *cmd)
{
  g_return_val_if_fail(cmd != NULL, 0);
  return cmd->len;
}

Ovpn3MgmtResponseShape
ovpn3_mgmt_command_get_shape(const Ovpn3MgmtCommand *cmd)
{
  g_return_val_if_fail(cmd != NULL, OVPN3_MGMT_RESPONSE_SINGLE);
  return cmd->shape;
}

gboolean
ovpn3_mgmt_command_is_secret(const Ovpn3MgmtCommand *cmd)
{
  g_return_val_if_fail(cmd != NULL, TRUE);
  return cmd->secret;
}

const char *
ovpn3_mgmt_command_describe(const Ovpn3MgmtCommand *cmd)
{
  g_return_val_if_fail(cmd != NULL, NULL);
  return cmd->description;
}

/* ---- Helpers ---------------------------------------------------------------- */

/* A NULL argument would end the vararg list early and silently drop the
 * arguments after it: refuse it explicitly. */
gboolean
ovpn3_mgmt_command_require(GError **error, const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Missing argument");
      return FALSE;
    }
  return TRUE;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_username(const char *type, const char *username, GError **error)
{
  if (!ovpn3_mgmt_command_require(error, type, username))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, TRUE, error, "username", type, username, NULL);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_password(const char *type, const char *password, GError **error)
{
  if (!ovpn3_mgmt_command_require(error, type, password))
    return NULL;
  return ovpn3_mgmt_command_new(SINGLE, TRUE, error, "password", type, password, NULL);
}

static gchar *
b64(const char *s)
{
  return g_base64_encode((const guchar *) s, strlen(s));
}

static gboolean
check_plain(const char *value, GError **error)
{
  /* Validate the raw input too, so base64 cannot smuggle control bytes that
   * the server would then receive. */
  g_autoptr(GString) tmp = g_string_new(NULL);
  gboolean ok;
  gsize i;

  if (value == NULL)
    return ovpn3_mgmt_quote_append(tmp, value, error);
  for (i = 0; value[i]; i++)
    if ((guchar) value[i] < 0x20 || (guchar) value[i] == 0x7f)
      {
        g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                            "Argument contains a control character");
        return FALSE;
      }
  ok = g_utf8_validate(value, -1, NULL);
  if (!ok)
    g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                        "Argument is not valid UTF-8");
  return ok;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_static_challenge(const char *type, const char *password, const char *response,
                                    GError **error)
{
  gchar *pw64;
  gchar *resp64;
  gchar *value;
  Ovpn3MgmtCommand *cmd;

  if (!check_plain(password, error) || !check_plain(response, error))
    return NULL;
  pw64 = b64(password);
  resp64 = b64(response);
  value = g_strconcat("SCRV1:", pw64, ":", resp64, NULL);
  cmd = ovpn3_mgmt_command_password(type, value, error);
  wipe_free(pw64);
  wipe_free(resp64);
  wipe_free(value);
  return cmd;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_crv1_response(const char *state_id, const char *response, GError **error)
{
  gchar *value;
  Ovpn3MgmtCommand *cmd;

  if (!check_plain(state_id, error) || !check_plain(response, error))
    return NULL;
  if (strchr(state_id, ':') != NULL)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Invalid CRV1 state id");
      return NULL;
    }
  value = g_strconcat("CRV1::", state_id, "::", response, NULL);
  cmd = ovpn3_mgmt_command_password("Auth", value, error);
  wipe_free(value);
  return cmd;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_cr_response(const char *response, GError **error)
{
  gchar *resp64;
  Ovpn3MgmtCommand *cmd;

  if (!check_plain(response, error))
    return NULL;
  resp64 = b64(response);
  cmd = ovpn3_mgmt_command_new(SINGLE, TRUE, error, "cr-response", resp64, NULL);
  wipe_free(resp64);
  return cmd;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_login_password(const char *password, GError **error)
{
  GString *line;

  if (!check_plain(password, error))
    return NULL;
  if (strlen(password) > OVPN3_MGMT_MAX_COMMAND_LINE)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Password is too long");
      return NULL;
    }
  line = g_string_sized_new(LINE_BUFFER_SIZE);
  g_string_append(line, password);
  return command_take(line, OVPN3_MGMT_RESPONSE_PW_LOGIN, TRUE, g_strdup("(login password)"),
                      error);
}

/* "<verb>\n" + lines + "END\n"; lines already validated. */
static Ovpn3MgmtCommand *
multiline_command(const char *verb, const char *const *lines)
{
  GString *out = g_string_new(verb);
  Ovpn3MgmtCommand *cmd;
  guint i;

  g_string_append_c(out, '\n');
  for (i = 0; lines[i] != NULL; i++)
    {
      g_string_append(out, lines[i]);
      g_string_append_c(out, '\n');
    }
  g_string_append(out, "END\n");
  cmd = g_new0(Ovpn3MgmtCommand, 1);
  cmd->len = out->len;
  cmd->line = g_string_free(out, FALSE);
  cmd->shape = SINGLE;
  cmd->description = g_strdup(verb);
  return cmd;
}

static gboolean
check_block_line(const char *line, gboolean base64_only, GError **error)
{
  const char *p;

  if (strlen(line) > OVPN3_MGMT_MAX_COMMAND_LINE || strcmp(line, "END") == 0)
    goto bad;
  for (p = line; *p; p++)
    {
      if (base64_only && !g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '=')
        goto bad;
      if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
        goto bad;
    }
  return TRUE;

bad:
  g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                      "Invalid data line");
  return FALSE;
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_pk_sig(const char *base64, GError **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
  gsize len;
  gsize off;

  if (!ovpn3_mgmt_command_require(error, base64, ""))
    return NULL;
  len = strlen(base64);
  if (len == 0)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Empty signature");
      return NULL;
    }
  for (off = 0; off < len; off += 64)
    {
      gchar *l = g_strndup(base64 + off, MIN(64, len - off));

      g_ptr_array_add(lines, l);
      if (!check_block_line(l, TRUE, error))
        return NULL;
    }
  g_ptr_array_add(lines, NULL);
  return multiline_command("pk-sig", (const char *const *) lines->pdata);
}

Ovpn3MgmtCommand *
ovpn3_mgmt_command_certificate(const char *pem, GError **error)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new();
  guint i;

  if (!ovpn3_mgmt_command_require(error, pem, ""))
    return NULL;
  lines = g_strsplit(pem, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      gsize l = strlen(lines[i]);

      if (l > 0 && lines[i][l - 1] == '\r')
        lines[i][l - 1] = '\0';
      if (lines[i][0] == '\0')
        continue;
      if (!check_block_line(lines[i], FALSE, error))
        return NULL;
      g_ptr_array_add(kept, lines[i]);
    }
  if (kept->len == 0)
    {
      g_set_error_literal(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT,
                          "Empty certificate");
      return NULL;
    }
  g_ptr_array_add(kept, NULL);
  return multiline_command("certificate", (const char *const *) kept->pdata);
}
