#define G_LOG_DOMAIN "ovpn3-rate-limit"

#include "config.h"

#include "ovpn3-rate-limit.h"

/* at most this many keys are remembered; older ones are forgotten first */
#define MAX_KEYS 1024

struct _Ovpn3RateLimit
{
  gint64 interval_us;
  guint max_per_interval;
  GHashTable *last; /* key → gint64* (monotonic µs of the last line allowed) */
  gint64 window_start;
  guint in_window;
  guint suppressed;
};

Ovpn3RateLimit *
ovpn3_rate_limit_new(gint64 interval_us, guint max_per_interval)
{
  Ovpn3RateLimit *self = g_new0(Ovpn3RateLimit, 1);

  self->interval_us = interval_us;
  self->max_per_interval = MAX(max_per_interval, 1);
  self->last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
ovpn3_rate_limit_free(Ovpn3RateLimit *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref(self->last);
  g_free(self);
}

static gboolean
expired(gpointer key, gpointer value, gpointer user_data)
{
  const gint64 *cutoff = user_data;

  return *(gint64 *) value < *cutoff;
}

gboolean
ovpn3_rate_limit_allow(Ovpn3RateLimit *self, const char *key, guint *suppressed)
{
  gint64 now = g_get_monotonic_time();
  gint64 *last;

  if (now - self->window_start >= self->interval_us)
    {
      self->window_start = now;
      self->in_window = 0;
    }
  last = g_hash_table_lookup(self->last, key);
  if ((last != NULL && now - *last < self->interval_us)
      || self->in_window >= self->max_per_interval)
    {
      self->suppressed++;
      return FALSE;
    }
  if (last == NULL)
    {
      if (g_hash_table_size(self->last) >= MAX_KEYS)
        {
          gint64 cutoff = now - self->interval_us;

          g_hash_table_foreach_remove(self->last, expired, &cutoff);
          if (g_hash_table_size(self->last) >= MAX_KEYS)
            g_hash_table_remove_all(self->last);
        }
      last = g_new(gint64, 1);
      g_hash_table_insert(self->last, g_strdup(key), last);
    }
  *last = now;
  self->in_window++;
  if (suppressed != NULL)
    *suppressed = self->suppressed;
  self->suppressed = 0;
  return TRUE;
}
