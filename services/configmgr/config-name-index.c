#define G_LOG_DOMAIN "ovpn3-config-name-index"

#include "config.h"

#include "config-name-index.h"

struct _Ovpn3ConfigNameIndex
{
  GHashTable *by_name; /* name (owned) → GPtrArray of objects (not referenced) */
};

Ovpn3ConfigNameIndex *
ovpn3_config_name_index_new(void)
{
  Ovpn3ConfigNameIndex *index = g_new0(Ovpn3ConfigNameIndex, 1);

  index->by_name
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  return index;
}

void
ovpn3_config_name_index_free(Ovpn3ConfigNameIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref(index->by_name);
  g_free(index);
}

void
ovpn3_config_name_index_add(Ovpn3ConfigNameIndex *index, const char *name, gpointer object)
{
  GPtrArray *objects = g_hash_table_lookup(index->by_name, name);

  if (objects == NULL)
    {
      objects = g_ptr_array_new();
      g_hash_table_insert(index->by_name, g_strdup(name), objects);
    }
  g_ptr_array_add(objects, object);
}

void
ovpn3_config_name_index_remove(Ovpn3ConfigNameIndex *index, const char *name, gpointer object)
{
  GPtrArray *objects = g_hash_table_lookup(index->by_name, name);

  if (objects == NULL || !g_ptr_array_remove_fast(objects, object))
    {
      g_critical("%s: %p is not indexed under that name", G_STRFUNC, object);
      return;
    }
  if (objects->len == 0)
    g_hash_table_remove(index->by_name, name);
}

GPtrArray *
ovpn3_config_name_index_lookup(Ovpn3ConfigNameIndex *index, const char *name)
{
  return g_hash_table_lookup(index->by_name, name);
}
