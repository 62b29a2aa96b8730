/* ovpn3-unattended-queue.c — the questions of a session with nobody to ask
 * (docs/dbus-api.md §6): Ready until it succeeds, each pending credentials slot answered from the
 * credential file of its name; a challenge, a web login, a slot with no file, or a slot asked for
 * a second time (the first answer was refused) end it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-unattended-queue"

#include "config.h"

#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-unattended.h"

#define READY_ROUNDS 10
#define POLL_MS      200
#define TEXT_WEB     "Pending web authentication"

static GVariant *
session_call(Ovpn3Unattended *u, const char *method, GVariant *params, const char *reply_type,
             GError **error)
{
  return ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, u->session_path, OVPN3_SESSIONS_INTERFACE, method,
                        params, reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL, error);
}

static int
nobody_can(Ovpn3Unattended *u, const char *slot, const char *description)
{
  gboolean challenge = g_str_has_suffix(slot, "_challenge") || g_str_equal(slot, "auth_pending");

  return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_CONFIG,
                               "the profile '%s' needs %s ('%s'), which nobody can give to an "
                               "unattended session",
                               u->profile, challenge ? "an answer to a challenge" : "input",
                               *description != '\0' ? description : slot);
}

/* Fetch slot @id, answer it from its credential file. */
static int
answer_slot(Ovpn3Unattended *u, guint32 type, guint32 group, guint32 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) slot = NULL, provided = NULL;
  const char *name, *description;
  guint32 t, g, i;
  gboolean hidden;
  char *value;

  slot = session_call(u, "UserInputQueueFetch", g_variant_new("(uuu)", type, group, id), "(uuussb)",
                      &error);
  if (slot == NULL)
    return ovpn3_unattended_bus_fail(error, "cannot read what the session needs");
  g_variant_get(slot, "(uuu&s&sb)", &t, &g, &i, &name, &description, &hidden);
  if (!ovpn3_unattended_slot_answerable(name))
    return nobody_can(u, name, description);
  if (g_hash_table_contains(u->answered, name))
    return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_AUTH,
                                 "the session asks for '%s' again: the credentials were refused",
                                 name);
  value = ovpn3_unattended_credential(name, &error);
  if (value == NULL)
    return ovpn3_unattended_fail(error->code, "the profile '%s' needs '%s': %s", u->profile,
                                 description, error->message);
  provided
      = session_call(u, "UserInputProvide", g_variant_new("(uuus)", t, g, i, value), NULL, &error);
  ovpn3_unattended_wipe_free(value);
  if (provided == NULL)
    return ovpn3_unattended_bus_fail(error, "the session did not take the credential");
  g_hash_table_add(u->answered, g_strdup(name));
  return OVPN3_UNATTENDED_EXIT_OK;
}

/* Every pending slot of one credentials group. */
static int
answer_group(Ovpn3Unattended *u, guint32 type, guint32 group, guint *asked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ids = NULL, list = NULL;
  g_autofree guint32 *copy = NULL;
  const guint32 *raw;
  gsize n = 0;

  ids = session_call(u, "UserInputQueueCheck", g_variant_new("(uu)", type, group), "(au)", &error);
  if (ids == NULL)
    return ovpn3_unattended_bus_fail(error, "cannot read what the session needs");
  list = g_variant_get_child_value(ids, 0);
  raw = g_variant_get_fixed_array(list, &n, sizeof(guint32));
  copy = g_memdup2(raw, n * sizeof(guint32));
  for (gsize k = 0; k < n; k++)
    {
      int code = answer_slot(u, type, group, copy[k]);

      if (code != OVPN3_UNATTENDED_EXIT_OK)
        return code;
      (*asked)++;
    }
  return OVPN3_UNATTENDED_EXIT_OK;
}

int
ovpn3_unattended_answer_queue(Ovpn3Unattended *u, guint *asked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) groups = NULL, list = NULL;
  GVariantIter iter;
  guint32 type, group;

  *asked = 0;
  groups = session_call(u, "UserInputQueueGetTypeGroup", NULL, "(a(uu))", &error);
  if (groups == NULL)
    return ovpn3_unattended_bus_fail(error, "cannot read what the session needs");
  list = g_variant_get_child_value(groups, 0);
  g_variant_iter_init(&iter, list);
  while (g_variant_iter_next(&iter, "(uu)", &type, &group))
    {
      int code;

      if (type != OVPN3_ATTENTION_TYPE_CREDENTIALS)
        return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_CONFIG,
                                     "the profile '%s' needs input of type %u, which nobody can "
                                     "give to an unattended session",
                                     u->profile, type);
      code = answer_group(u, type, group, asked);
      if (code != OVPN3_UNATTENDED_EXIT_OK)
        return code;
    }
  return OVPN3_UNATTENDED_EXIT_OK;
}

static gboolean
waits_for_web_login(Ovpn3Unattended *u, const GError *error)
{
  g_autoptr(GVariant) status = NULL;
  guint32 major = 0, minor = 0;

  if (strstr(error->message, TEXT_WEB) != NULL)
    return TRUE;
  status = ovpn3_cli_get_property(OVPN3_SESSIONS_BUS_NAME, u->session_path,
                                  OVPN3_SESSIONS_INTERFACE, "status", NULL);
  if (status != NULL && g_variant_is_of_type(status, G_VARIANT_TYPE("(uus)")))
    g_variant_get(status, "(uu&s)", &major, &minor, NULL);
  return major == OVPN3_STATUS_MAJOR_SESSION && minor == OVPN3_STATUS_MINOR_SESS_AUTH_URL;
}

int
ovpn3_unattended_prepare(Ovpn3Unattended *u)
{
  for (guint round = 0; round < READY_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) ok = session_call(u, "Ready", NULL, NULL, &error);
      g_autofree char *name = NULL;
      guint asked = 0;
      int code;

      if (ok != NULL)
        return OVPN3_UNATTENDED_EXIT_OK;
      name = g_dbus_error_get_remote_error(error);
      if (g_strcmp0(name, OVPN3_ERROR_NAME_READY) != 0
          && strstr(error->message, OVPN3_ERROR_NAME_READY) == NULL)
        return ovpn3_unattended_bus_fail(error, "the session is not ready");
      if (waits_for_web_login(u, error))
        return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_CONFIG,
                                     "the profile '%s' needs a web login, which nobody can do "
                                     "for an unattended session",
                                     u->profile);
      code = ovpn3_unattended_answer_queue(u, &asked);
      if (code != OVPN3_UNATTENDED_EXIT_OK)
        return code;
      if (asked == 0)
        g_usleep(POLL_MS * G_TIME_SPAN_MILLISECOND); /* the backend is still filling it */
    }
  return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_FAILED,
                               "the session still is not ready after %d rounds", READY_ROUNDS);
}
