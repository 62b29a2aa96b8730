#define G_LOG_DOMAIN "ovpn3-object-id"

#include "config.h"

#include <string.h>

#include "ovpn3-object-id.h"

char *
ovpn3_object_id_new(char separator)
{
  char *id = g_uuid_string_random();

  for (char *p = id; *p != '\0'; p++)
    if (*p == '-')
      *p = separator;
  return id;
}

gboolean
ovpn3_object_id_is_valid(const char *id, char separator)
{
  if (id == NULL || strlen(id) != OVPN3_OBJECT_ID_LEN)
    return FALSE;

  for (gsize i = 0; i < OVPN3_OBJECT_ID_LEN; i++)
    {
      gboolean sep_pos = (i == 8 || i == 13 || i == 18 || i == 23);
      char c = id[i];

      if (sep_pos ? c != separator : !(g_ascii_isdigit(c) || (c >= 'a' && c <= 'f')))
        return FALSE;
    }
  return TRUE;
}

char *
ovpn3_object_path_new(const char *prefix, char separator)
{
  g_autofree char *id = ovpn3_object_id_new(separator);

  return g_strconcat(prefix, id, NULL);
}
