#define G_LOG_DOMAIN "ovpn3-netcfg-autoconf"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <gio/gio.h>

#include "netcfg-autoconf.h"

/* netcfg's own device names; checked anyway, they become a path */
static gboolean
valid_ifname(const char *name)
{
  gsize len = strlen(name);

  return len > 0 && len < IFNAMSIZ && strchr(name, '/') == NULL && strcmp(name, ".") != 0
         && strcmp(name, "..") != 0;
}

static gboolean
write_zero(int dirfd, const char *ifname, const char *key, GError **error)
{
  int fd = openat(dirfd, key, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  int saved = 0;

  if (fd >= 0)
    {
      ssize_t n = write(fd, "0\n", 2);

      saved = n < 0 ? errno : EIO;
      close(fd);
      if (n == 2)
        return TRUE;
    }
  else
    saved = errno;
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
              "cannot write 0 to " NETCFG_SYSCTL_IPV6_CONF "/%s/%s: %s", ifname, key,
              g_strerror(saved));
  return FALSE;
}

gboolean
netcfg_autoconf_sysctls_off(const char *ifname, gboolean *has_ipv6, GError **error)
{
  g_autofree char *dir = NULL;
  int dirfd, saved;
  gboolean ok;

  *has_ipv6 = FALSE;
  if (!valid_ifname(ifname))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad device name");
      return FALSE;
    }
  dir = g_build_filename(NETCFG_SYSCTL_IPV6_CONF, ifname, NULL);
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dirfd < 0)
    {
      saved = errno;
      if (saved == ENOENT)
        return TRUE; /* no IPv6 on this device: no RA is processed */
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot open %s: %s", dir,
                  g_strerror(saved));
      return FALSE;
    }
  *has_ipv6 = TRUE;
  ok = write_zero(dirfd, ifname, "accept_ra", error)
       && write_zero(dirfd, ifname, "autoconf", error);
  close(dirfd);
  return ok;
}

/* The mode the kernel gives a new device; EUI64 (its built-in default) if
 * unreadable. */
static guint8
default_addr_gen_mode(void)
{
  g_autofree char *text = NULL;
  guint64 mode;

  if (g_file_get_contents(NETCFG_SYSCTL_IPV6_CONF "/default/addr_gen_mode", &text, NULL, NULL)
      && g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, IN6_ADDR_GEN_MODE_RANDOM, &mode, NULL))
    return (guint8) mode;
  return IN6_ADDR_GEN_MODE_EUI64;
}

/* Only whether there is a mode at all matters: a device that has one keeps
 * the kernel's (on tun it turned eui64 into random). */
static gboolean
mode_differs(const NetcfgLinkState *st, gboolean ipv6)
{
  return st->has_addr_gen_mode && (st->addr_gen_mode == IN6_ADDR_GEN_MODE_NONE) == ipv6;
}

static gboolean
turn_off(NetcfgNetlink *nl, const char *ifname, int ifindex, gboolean ipv6, GError **error)
{
  NetcfgLinkState st;
  gboolean has_ipv6;

  if (!netcfg_autoconf_sysctls_off(ifname, &has_ipv6, error))
    return FALSE;
  if (!has_ipv6)
    return TRUE;
  if (!netcfg_netlink_link_state(nl, ifindex, &st, error))
    return FALSE;
  if (!mode_differs(&st, ipv6))
    return TRUE;
  return netcfg_netlink_link_set_addr_gen_mode(
      nl, ifindex, ipv6 ? default_addr_gen_mode() : IN6_ADDR_GEN_MODE_NONE, error);
}

gboolean
netcfg_autoconf_created(NetcfgNetlink *nl, const char *ifname, GError **error)
{
  if (turn_off(nl, ifname, netcfg_netlink_link_index(nl, ifname), FALSE, error))
    return TRUE;
  netcfg_netlink_link_delete(nl, ifname, NULL);
  return FALSE;
}

gboolean
netcfg_autoconf_link_up(NetcfgNetlink *nl, const char *ifname, int ifindex, guint mtu, guint txqlen,
                        gboolean ipv6, GError **error)
{
  NetcfgLinkState st;

  if (!netcfg_netlink_link_state(nl, ifindex, &st, error))
    return FALSE;
  /* while the link is up, IPv6 state coming back (MTU from below 1280)
   * would accept RAs until the sysctls are written, and a new mode takes
   * effect only at the next up */
  if (st.up
      && ((mtu >= NETCFG_IPV6_MIN_MTU && st.mtu < NETCFG_IPV6_MIN_MTU) || mode_differs(&st, ipv6))
      && !netcfg_netlink_link_set(nl, ifindex, 0, 0, NETCFG_LINK_DOWN, error))
    return FALSE;
  if ((mtu != 0 || txqlen != 0)
      && !netcfg_netlink_link_set(nl, ifindex, mtu, txqlen, NETCFG_LINK_LEAVE, error))
    return FALSE;
  if (!turn_off(nl, ifname, ifindex, ipv6, error))
    return FALSE;
  return netcfg_netlink_link_set(nl, ifindex, 0, 0, NETCFG_LINK_UP, error);
}
