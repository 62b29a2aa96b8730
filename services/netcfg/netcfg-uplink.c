/* netcfg-uplink.c — the uplink watch (netcfg-uplink.h).
 *
 * The kernel's route notifications (RTMGRP_IPV4_ROUTE, RTMGRP_IPV6_ROUTE) are read from one
 * NETLINK_ROUTE socket; a dump at the start fills the set of default routes of the main table
 * (family, device, gateway, metric). A notification of a default route that is not in the set,
 * on a device that is not a tun (the sessions' own routes), is an uplink change: after
 * OVPN3_UPLINK_SETTLE_MS without another one the watch sends OVPN3_NETCFG_SIGNAL_UPLINK to the
 * session manager (its well-known name: nobody else receives it; not started for it). A route that goes away
 * only leaves the set (without an uplink there is nothing to reconnect to), so an uplink that
 * goes down and comes back counts when it is back. The kernel drops the routes of a link that goes
 * down without a notification: a link that goes down (or loses its carrier) leaves the set with
 * its routes, and when it is up again a new dump finds what it still has. A route that is
 * replaced by the same one
 * (a DHCP renewal, a router advertisement) is no change. Every message is checked against the
 * length the kernel gave (RTA_OK, NLMSG_OK) and only messages from the kernel are read.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-netcfg-uplink"

#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "netcfg-uplink.h"
#include "ovpn3-names.h"

/* RTM_RTA, RTA_NEXT and NLMSG_NEXT cast a char * to the next header, which
 * the kernel aligns (RTA_ALIGN, NLMSG_ALIGN); clang's -Wcast-align cannot
 * know that */
#pragma GCC diagnostic ignored "-Wcast-align"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16) /* linux/if.h, which net/if.h excludes */
#endif

struct _Ovpn3UplinkWatch
{
  int fd;
  guint source_id;
  guint settle_id;
  GHashTable *routes; /* "family/oif/gateway/metric" → oif: the default routes now */
  GHashTable *down;   /* oif: links seen going down */
  gboolean dumping;   /* the start's dump: fills the set, is no change */
  GDBusConnection *connection;
};

/* A tun device (a session's own) has /sys/class/net/<name>/tun_flags. */
static gboolean
is_tun(guint32 oif)
{
  char name[IF_NAMESIZE] = "";
  g_autofree char *flags = NULL;

  if (if_indextoname(oif, name) == NULL)
    return FALSE;
  flags = g_strdup_printf("/sys/class/net/%s/tun_flags", name);
  return g_file_test(flags, G_FILE_TEST_EXISTS);
}

/* The key of a default route of the main table, NULL for any other route. */
static char *
default_route_key(const struct nlmsghdr *nh, guint32 *oif_out)
{
  const struct rtmsg *rtm = NLMSG_DATA(nh);
  int len = (int) nh->nlmsg_len - (int) NLMSG_LENGTH(sizeof(*rtm));
  guint32 table = rtm->rtm_table, oif = 0, metric = 0;
  g_autofree char *gateway = g_strdup("-");

  if (len < 0 || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
    return NULL;
  for (const struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len))
    {
      gsize n = RTA_PAYLOAD(a);

      if (a->rta_type == RTA_TABLE && n == 4)
        memcpy(&table, RTA_DATA(a), 4);
      else if (a->rta_type == RTA_OIF && n == 4)
        memcpy(&oif, RTA_DATA(a), 4);
      else if (a->rta_type == RTA_PRIORITY && n == 4)
        memcpy(&metric, RTA_DATA(a), 4);
      else if (a->rta_type == RTA_GATEWAY && n <= 16)
        {
          g_free(gateway);
          gateway = g_base64_encode(RTA_DATA(a), n);
        }
    }
  if (table != RT_TABLE_MAIN || (oif != 0 && is_tun(oif)))
    return NULL;
  *oif_out = oif;
  return g_strdup_printf("%u/%u/%s/%u", rtm->rtm_family, oif, gateway, metric);
}

static gboolean
settled(gpointer user_data)
{
  Ovpn3UplinkWatch *self = user_data;

  g_autoptr(GError) error = NULL;

  self->settle_id = 0;
  g_debug("uplink changed: telling the session manager");
  if (!g_dbus_connection_emit_signal(self->connection, OVPN3_SESSIONS_BUS_NAME, OVPN3_NETCFG_PATH,
                                     OVPN3_NETCFG_INTERFACE, OVPN3_NETCFG_SIGNAL_UPLINK, NULL,
                                     &error))
    g_message("%s: %s", OVPN3_NETCFG_SIGNAL_UPLINK, error->message);
  return G_SOURCE_REMOVE;
}

static void
route_message(Ovpn3UplinkWatch *self, const struct nlmsghdr *nh)
{
  g_autofree char *key = NULL;
  guint32 oif = 0;

  if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
    return;
  key = default_route_key(nh, &oif);
  if (key == NULL)
    return;
  if (nh->nlmsg_type == RTM_DELROUTE)
    {
      g_hash_table_remove(self->routes, key);
      return;
    }
  if (g_hash_table_contains(self->routes, key))
    return;
  g_hash_table_insert(self->routes, g_steal_pointer(&key), GUINT_TO_POINTER(oif));
  if (self->dumping)
    return;
  g_clear_handle_id(&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add(OVPN3_UPLINK_SETTLE_MS, settled, self);
}

static gboolean request_dump(int fd);

static gboolean
route_on(gpointer key, gpointer value, gpointer oif)
{
  return value == oif;
}

/* A link down: its routes are gone (without notifications); up again: what does it have? */
static void
link_message(Ovpn3UplinkWatch *self, const struct nlmsghdr *nh)
{
  const struct ifinfomsg *ifi = NLMSG_DATA(nh);
  guint32 oif;
  gboolean running;

  if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_index <= 0)
    return;
  oif = (guint32) ifi->ifi_index;
  running = nh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP)
            && (ifi->ifi_flags & IFF_LOWER_UP);
  if (!running)
    {
      g_hash_table_foreach_remove(self->routes, route_on, GUINT_TO_POINTER(oif));
      if (nh->nlmsg_type == RTM_NEWLINK)
        g_hash_table_add(self->down, GUINT_TO_POINTER(oif));
      else
        g_hash_table_remove(self->down, GUINT_TO_POINTER(oif));
    }
  else if (g_hash_table_remove(self->down, GUINT_TO_POINTER(oif)) && !self->dumping
           && !request_dump(self->fd))
    g_warning("uplink watch: route dump: %s", g_strerror(errno));
}

static void
read_messages(Ovpn3UplinkWatch *self, const guint8 *buf, gssize len)
{
  for (const struct nlmsghdr *nh = (const void *) buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
    {
      if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR)
        self->dumping = FALSE;
      else if (nh->nlmsg_type == RTM_NEWROUTE || nh->nlmsg_type == RTM_DELROUTE)
        route_message(self, nh);
      else if (nh->nlmsg_type == RTM_NEWLINK || nh->nlmsg_type == RTM_DELLINK)
        link_message(self, nh);
    }
}

static gboolean
on_readable(int fd, GIOCondition condition, gpointer user_data)
{
  Ovpn3UplinkWatch *self = user_data;
  guint8 buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
  struct sockaddr_nl from;

  for (;;)
    {
      socklen_t from_len = sizeof(from);
      gssize n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &from_len);

      if (n < 0 && errno == ENOBUFS)
        continue; /* notifications were lost: the next ones still count */
      if (n <= 0)
        break;
      if (from_len == sizeof(from) && from.nl_pid == 0)
        read_messages(self, buf, n);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
request_dump(int fd)
{
  struct
  {
    struct nlmsghdr nh;
    struct rtmsg rtm;
  } req = {
    .nh = { .nlmsg_len = sizeof(req),
            .nlmsg_type = RTM_GETROUTE,
            .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
            .nlmsg_seq = 1 },
    .rtm = { .rtm_family = AF_UNSPEC },
  };

  return send(fd, &req, sizeof(req), 0) == (ssize_t) sizeof(req);
}

static int
open_socket(void)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
                            .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE };
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

  if (fd < 0)
    return -1;
  if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || !request_dump(fd))
    {
      int saved = errno;

      close(fd);
      errno = saved;
      return -1;
    }
  return fd;
}

Ovpn3UplinkWatch *
ovpn3_uplink_watch_new(GDBusConnection *connection)
{
  Ovpn3UplinkWatch *self;
  int fd = open_socket();

  if (fd < 0)
    {
      g_warning("No uplink watch (sessions reconnect by ping-restart only): netlink: %s",
                g_strerror(errno));
      return NULL;
    }
  self = g_new0(Ovpn3UplinkWatch, 1);
  self->fd = fd;
  self->dumping = TRUE;
  self->routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->down = g_hash_table_new(g_direct_hash, g_direct_equal);
  self->connection = g_object_ref(connection);
  self->source_id = g_unix_fd_add(fd, G_IO_IN, on_readable, self);
  return self;
}

void
ovpn3_uplink_watch_free(Ovpn3UplinkWatch *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id(&self->source_id, g_source_remove);
  g_clear_handle_id(&self->settle_id, g_source_remove);
  close(self->fd);
  g_hash_table_unref(self->routes);
  g_hash_table_unref(self->down);
  g_object_unref(self->connection);
  g_free(self);
}
