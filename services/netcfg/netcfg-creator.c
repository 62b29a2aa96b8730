#define G_LOG_DOMAIN "ovpn3-netcfg-creator"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "netcfg-creator.h"

/* /proc/PID/stat: "pid (comm) state ppid …"; starttime is field 22, the
 * 20th after the command name. */
#define STAT_FIELDS_AFTER_COMM 20

gboolean
netcfg_creator_parse_stat(const char *text, guint64 *start_time)
{
  const char *p = strrchr(text, ')');
  g_auto(GStrv) fields = NULL;
  guint n = 0;
  guint64 value = 0;

  if (p == NULL || p[1] != ' ')
    return FALSE;
  fields = g_strsplit(p + 2, " ", STAT_FIELDS_AFTER_COMM + 1);
  n = g_strv_length(fields);
  if (n < STAT_FIELDS_AFTER_COMM)
    return FALSE;
  if (!g_ascii_string_to_unsigned(g_strchomp(fields[STAT_FIELDS_AFTER_COMM - 1]), 10, 0,
                                  G_MAXUINT64, &value, NULL))
    return FALSE;
  *start_time = value;
  return TRUE;
}

gboolean
netcfg_creator_start_time(guint32 pid, guint64 *start_time)
{
  g_autofree char *path = g_strdup_printf("/proc/%u/stat", pid);
  g_autofree char *text = NULL;

  if (pid == 0 || !g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  return netcfg_creator_parse_stat(text, start_time);
}

gboolean
netcfg_creator_is_alive(GDBusConnection *connection, const char *name, guint32 pid,
                        guint64 start_time, char **why)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 owner_pid = 0;
  guint64 now = 0;

  if (!g_dbus_is_unique_name(name))
    {
      *why = g_strdup("the creator is not a unique bus name");
      return FALSE;
    }
  /* The one synchronous D-Bus call in the services, on purpose: adoption runs
   * in netcfg's start, before the main loop runs and before the name is owned
   * (no caller waits), and it asks the bus daemon itself, never a peer that
   * could stall it. */
  reply = g_dbus_connection_call_sync(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                      g_variant_new("(s)", name), G_VARIANT_TYPE("(u)"),
                                      G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);
  if (reply == NULL)
    {
      *why = g_strdup_printf("its creator %s is no longer on the bus", name);
      return FALSE;
    }
  g_variant_get(reply, "(u)", &owner_pid);
  if (owner_pid != pid)
    {
      *why = g_strdup_printf("%s is now process %u, not %u", name, owner_pid, pid);
      return FALSE;
    }
  if (!netcfg_creator_start_time(pid, &now) || now != start_time)
    {
      *why = g_strdup_printf("process %u is not the one that created it (start time)", pid);
      return FALSE;
    }
  return TRUE;
}
