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
 * (a DHCP renewal, a router advertisement) is no change. The messages are read and parsed by
 * libnl-route-3 (nl_msg_parse: rtnl_route, rtnl_link); only messages from the kernel count.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-netcfg-uplink"

#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <glib-unix.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>

#include "netcfg-uplink.h"
#include "ovpn3-names.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16) /* linux/if.h, which net/if.h excludes */
#endif

struct _Ovpn3UplinkWatch
{
  struct nl_sock *sock;
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
default_route_key(struct rtnl_route *route, guint32 *oif_out)
{
  struct nl_addr *dst = rtnl_route_get_dst(route);
  struct rtnl_nexthop *nh = NULL;
  struct nl_addr *gw = NULL;
  guint32 oif = 0;
  char gateway[INET6_ADDRSTRLEN + 8] = "-";

  if (dst == NULL || nl_addr_get_prefixlen(dst) != 0 || rtnl_route_get_type(route) != RTN_UNICAST
      || rtnl_route_get_table(route) != RT_TABLE_MAIN)
    return NULL;
  if (rtnl_route_get_nnexthops(route) > 0)
    nh = rtnl_route_nexthop_n(route, 0);
  if (nh != NULL)
    {
      oif = (guint32) MAX(rtnl_route_nh_get_ifindex(nh), 0);
      gw = rtnl_route_nh_get_gateway(nh);
    }
  if (gw != NULL)
    nl_addr2str(gw, gateway, sizeof(gateway));
  if (oif != 0 && is_tun(oif))
    return NULL;
  *oif_out = oif;
  return g_strdup_printf("%u/%u/%s/%u", rtnl_route_get_family(route), oif, gateway,
                         rtnl_route_get_priority(route));
}

static gboolean
settled(gpointer user_data)
{
  Ovpn3UplinkWatch *self = user_data;

  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusMessage) signal = g_dbus_message_new_signal(
      OVPN3_NETCFG_PATH, OVPN3_NETCFG_INTERFACE, OVPN3_NETCFG_SIGNAL_UPLINK);

  self->settle_id = 0;
  g_debug("uplink changed: telling the session manager");
  /* a message to a name nobody owns starts its service: no session manager, no session */
  g_dbus_message_set_destination(signal, OVPN3_SESSIONS_BUS_NAME);
  g_dbus_message_set_flags(signal, G_DBUS_MESSAGE_FLAGS_NO_AUTO_START);
  if (!g_dbus_connection_send_message(self->connection, signal, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                      NULL, &error))
    g_message("%s: %s", OVPN3_NETCFG_SIGNAL_UPLINK, error->message);
  return G_SOURCE_REMOVE;
}

static void
route_message(Ovpn3UplinkWatch *self, struct rtnl_route *route, gboolean deleted)
{
  g_autofree char *key = NULL;
  guint32 oif = 0;

  key = default_route_key(route, &oif);
  if (key == NULL)
    return;
  if (deleted)
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

static gboolean request_dump(Ovpn3UplinkWatch *self);

static gboolean
route_on(gpointer key, gpointer value, gpointer oif)
{
  return value == oif;
}

/* A link down: its routes are gone (without notifications); up again: what does it have? */
static void
link_message(Ovpn3UplinkWatch *self, struct rtnl_link *link, gboolean deleted)
{
  int ifindex = rtnl_link_get_ifindex(link);
  unsigned int flags = rtnl_link_get_flags(link);
  guint32 oif;
  gboolean running;

  if (ifindex <= 0)
    return;
  oif = (guint32) ifindex;
  running = !deleted && (flags & IFF_UP) && (flags & IFF_LOWER_UP);
  if (!running)
    {
      g_hash_table_foreach_remove(self->routes, route_on, GUINT_TO_POINTER(oif));
      if (!deleted)
        g_hash_table_add(self->down, GUINT_TO_POINTER(oif));
      else
        g_hash_table_remove(self->down, GUINT_TO_POINTER(oif));
    }
  else if (g_hash_table_remove(self->down, GUINT_TO_POINTER(oif)) && !self->dumping
           && !request_dump(self))
    g_warning("uplink watch: cannot ask for the routes");
}

typedef struct
{
  Ovpn3UplinkWatch *self;
  gboolean deleted;
} Parsed;

static void
on_object(struct nl_object *object, void *arg)
{
  Parsed *p = arg;
  const char *type = nl_object_get_type(object);

  if (g_strcmp0(type, "route/route") == 0)
    route_message(p->self, (struct rtnl_route *) object, p->deleted);
  else if (g_strcmp0(type, "route/link") == 0)
    link_message(p->self, (struct rtnl_link *) object, p->deleted);
}

/* Each message, from the kernel only, as libnl's route or link object. */
static int
on_message(struct nl_msg *msg, void *arg)
{
  struct sockaddr_nl *from = nlmsg_get_src(msg);
  int type = nlmsg_hdr(msg)->nlmsg_type;
  Parsed p = { arg, type == RTM_DELROUTE || type == RTM_DELLINK };

  if (from == NULL || from->nl_pid != 0)
    return NL_SKIP;
  if (type == RTM_NEWROUTE || type == RTM_DELROUTE || type == RTM_NEWLINK || type == RTM_DELLINK)
    nl_msg_parse(msg, on_object, &p);
  return NL_OK;
}

/* The end of the route dump. */
static int
on_finish(struct nl_msg *msg, void *arg)
{
  ((Ovpn3UplinkWatch *) arg)->dumping = FALSE;
  return NL_OK;
}

static gboolean
on_readable(int fd, GIOCondition condition, gpointer user_data)
{
  Ovpn3UplinkWatch *self = user_data;
  int err = nl_recvmsgs_default(self->sock);

  /* lost notifications (ENOBUFS) or none left: the next ones still count */
  if (err < 0 && err != -NLE_AGAIN && err != -NLE_NOMEM)
    g_debug("uplink watch: %s", nl_geterror(err));
  return G_SOURCE_CONTINUE;
}

static gboolean
request_dump(Ovpn3UplinkWatch *self)
{
  self->dumping = TRUE;
  return nl_rtgen_request(self->sock, RTM_GETROUTE, AF_UNSPEC, NLM_F_DUMP) >= 0;
}

static struct nl_sock *
open_socket(Ovpn3UplinkWatch *self, int *err)
{
  struct nl_sock *sock = nl_socket_alloc();

  if (sock == NULL)
    {
      *err = -NLE_NOMEM;
      return NULL;
    }
  /* notifications have no sequence numbers of ours */
  nl_socket_disable_seq_check(sock);
  nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_message, self);
  nl_socket_modify_cb(sock, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, self);
  *err = nl_connect(sock, NETLINK_ROUTE);
  if (*err >= 0)
    *err = nl_socket_add_memberships(sock, RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
  if (*err >= 0)
    *err = nl_socket_set_nonblocking(sock);
  if (*err < 0)
    {
      nl_socket_free(sock);
      return NULL;
    }
  return sock;
}

Ovpn3UplinkWatch *
ovpn3_uplink_watch_new(GDBusConnection *connection)
{
  Ovpn3UplinkWatch *self = g_new0(Ovpn3UplinkWatch, 1);
  int err = 0;

  self->sock = open_socket(self, &err);
  if (self->sock == NULL || !request_dump(self))
    {
      g_warning("No uplink watch (sessions reconnect by ping-restart only): netlink: %s",
                nl_geterror(err));
      if (self->sock != NULL)
        nl_socket_free(self->sock);
      g_free(self);
      return NULL;
    }
  self->routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->down = g_hash_table_new(g_direct_hash, g_direct_equal);
  self->connection = g_object_ref(connection);
  self->source_id = g_unix_fd_add(nl_socket_get_fd(self->sock), G_IO_IN, on_readable, self);
  return self;
}

void
ovpn3_uplink_watch_free(Ovpn3UplinkWatch *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id(&self->source_id, g_source_remove);
  g_clear_handle_id(&self->settle_id, g_source_remove);
  nl_socket_free(self->sock);
  g_hash_table_unref(self->routes);
  g_hash_table_unref(self->down);
  g_object_unref(self->connection);
  g_free(self);
}
