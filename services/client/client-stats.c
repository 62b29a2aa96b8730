#define G_LOG_DOMAIN "ovpn3-client-stats"

#include "config.h"

#include <string.h>

#include <net/if.h>

#include "client-backend-private.h"
#include "client-stats.h"

GVariant *
ovpn3_client_stats_to_variant(const Ovpn3ClientStats *s)
{
  GVariantBuilder b;
  /* The core counts TUN_*_IN when it reads a packet from the device, which
   * the kernel counts as transmitted; TUN_*_OUT when it writes one, which
   * the kernel counts as received. */
  const struct
  {
    const char *key;
    guint64 value;
  } stats[] = {
    { OVPN3_STAT_BYTES_IN, s->bytes_in },
    { OVPN3_STAT_BYTES_OUT, s->bytes_out },
    { OVPN3_STAT_TUN_BYTES_IN, s->tun.tx_bytes },
    { OVPN3_STAT_TUN_BYTES_OUT, s->tun.rx_bytes },
    { OVPN3_STAT_TUN_PACKETS_IN, s->tun.tx_packets },
    { OVPN3_STAT_TUN_PACKETS_OUT, s->tun.rx_packets },
    { OVPN3_STAT_N_RECONNECT, s->n_reconnect },
    { OVPN3_STAT_N_PAUSE, s->n_pause },
  };

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{sx}"));
  for (gsize i = 0; i < G_N_ELEMENTS(stats); i++)
    if (stats[i].value != 0)
      g_variant_builder_add(&b, "{sx}", stats[i].key, (gint64) MIN(stats[i].value, G_MAXINT64));
  return g_variant_builder_end(&b);
}

/* /proc/net/dev: two header lines, then "name: rx_bytes rx_packets errs drop fifo
 * frame compressed multicast tx_bytes tx_packets …" (64-bit decimal counters). */
gboolean
ovpn3_client_parse_net_dev(const char *contents, const char *name, Ovpn3ClientLinkStats *stats)
{
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *colon = strchr(lines[i], ':');
      g_auto(GStrv) fields = NULL;
      guint64 v[10];
      guint n = 0;

      if (colon == NULL)
        continue;
      *colon = '\0';
      if (g_strcmp0(g_strstrip(lines[i]), name) != 0)
        continue;
      fields = g_strsplit_set(colon + 1, " \t", -1);
      for (guint f = 0; fields[f] != NULL && n < G_N_ELEMENTS(v); f++)
        if (*fields[f] != '\0'
            && !g_ascii_string_to_unsigned(fields[f], 10, 0, G_MAXUINT64, &v[n++], NULL))
          return FALSE;
      if (n < G_N_ELEMENTS(v))
        return FALSE;
      stats->rx_bytes = v[0];
      stats->rx_packets = v[1];
      stats->tx_bytes = v[8];
      stats->tx_packets = v[9];
      return TRUE;
    }
  return FALSE;
}

gboolean
ovpn3_client_link_stats_read(const char *name, gint *ifindex, Ovpn3ClientLinkStats *stats,
                             GError **error)
{
  g_autofree char *contents = NULL;
  unsigned int index;

  g_return_val_if_fail(name != NULL && *name != '\0' && ifindex != NULL, FALSE);
  index = if_nametoindex(name);
  if (index == 0 || index > G_MAXINT || (*ifindex > 0 && (unsigned int) *ifindex != index))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                  "cannot read the counters of %s: the device is gone", name);
      return FALSE;
    }
  /* the counters of this process's network namespace, read when asked for */
  if (!g_file_get_contents("/proc/self/net/dev", &contents, NULL, error))
    return FALSE;
  /* the name must still be that device's after the read */
  if (!ovpn3_client_parse_net_dev(contents, name, stats) || if_nametoindex(name) != index)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                  "cannot read the counters of %s: the device is gone", name);
      return FALSE;
    }
  *ifindex = (gint) index;
  return TRUE;
}

gboolean
ovpn3_client_parse_load_stats(const char *status, guint64 *bytes_in, guint64 *bytes_out)
{
  g_auto(GStrv) fields = NULL;
  gboolean have_in = FALSE, have_out = FALSE;

  if (status == NULL)
    return FALSE;
  fields = g_strsplit(status, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *value = strchr(fields[i], '=');
      gsize key_len = value != NULL ? (gsize) (value - fields[i]) : 0;
      guint64 *target = NULL;

      if (key_len == strlen("bytesin") && g_str_has_prefix(fields[i], "bytesin"))
        {
          target = bytes_in;
          have_in = TRUE;
        }
      else if (key_len == strlen("bytesout") && g_str_has_prefix(fields[i], "bytesout"))
        {
          target = bytes_out;
          have_out = TRUE;
        }
      if (target != NULL
          && !g_ascii_string_to_unsigned(value + 1, 10, 0, G_MAXUINT64, target, NULL))
        return FALSE;
    }
  return have_in && have_out;
}

/* ---- the backend's counters ------------------------------------------------------- */

void
client_stats_bytecount(Ovpn3ClientBackend *self, guint64 bytes_in, guint64 bytes_out)
{
  self->bytes_in = bytes_in;
  self->bytes_out = bytes_out;
}

static void
on_load_stats(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(Ovpn3MgmtResponse) response = NULL;
  guint64 in = 0, out = 0;

  response = ovpn3_mgmt_client_command_finish(OVPN3_MGMT_CLIENT(source), result, NULL);
  if (response == NULL || !ovpn3_client_parse_load_stats(response->status, &in, &out))
    return;
  /* the same counters as >BYTECOUNT's; never go back to an older answer */
  self->bytes_in = MAX(self->bytes_in, in);
  self->bytes_out = MAX(self->bytes_out, out);
}

void
client_stats_refresh(Ovpn3ClientBackend *self)
{
  Ovpn3MgmtClient *mgmt = self->ovpn != NULL ? ovpn3_client_openvpn_get_mgmt(self->ovpn) : NULL;

  if (mgmt == NULL)
    return;
  ovpn3_mgmt_client_command_async(
      mgmt, ovpn3_mgmt_command_new(OVPN3_MGMT_RESPONSE_SINGLE, FALSE, NULL, "load-stats", NULL),
      10000, NULL, on_load_stats, g_object_ref(self));
}

/* The device is ours from netcfg's CreateVirtualInterface until client_finish
 * asks netcfg to destroy it; before, there is nothing to read, after, the
 * last reading stands (the name may soon belong to another session). */
static void
update_tun(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;
  Ovpn3ClientLinkStats tun = { 0 };
  const char *dev;

  if (self->netcfg == NULL || self->ovpn == NULL || self->state == OVPN3_CLIENT_STATE_DONE)
    return;
  dev = ovpn3_client_netcfg_get_device_name(self->netcfg);
  if (*dev == '\0')
    return;
  if (!ovpn3_client_link_stats_read(dev, &self->tun_ifindex, &tun, &error))
    {
      if (!self->tun_stats_failed)
        client_log(self, OVPN3_LOG_CATEGORY_WARN, "No tunnel statistics: %s", error->message);
      self->tun_stats_failed = TRUE;
      return;
    }
  self->tun = tun;
}

void
client_stats_final(Ovpn3ClientBackend *self)
{
  update_tun(self);
}

GVariant *
client_statistics_variant(Ovpn3ClientBackend *self)
{
  Ovpn3ClientStats stats = { 0 };

  update_tun(self);
  stats.bytes_in = self->bytes_in;
  stats.bytes_out = self->bytes_out;
  stats.tun = self->tun;
  stats.n_reconnect = self->n_reconnect;
  stats.n_pause = self->n_pause;
  return ovpn3_client_stats_to_variant(&stats);
}
