#define G_LOG_DOMAIN "ovpn3-netcfg-tun"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <gio/gio.h>

#include "netcfg-tun.h"

#define TUN_NODE "/dev/net/tun"

int
netcfg_tun_open(const char *name, guint layer, uid_t owner, GError **error)
{
  struct ifreq ifr;
  int fd, saved;

  if (strlen(name) >= IFNAMSIZ || (layer != NETCFG_LAYER_TUN && layer != NETCFG_LAYER_TAP))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad device %s / layer %u", name,
                  layer);
      return -1;
    }
  fd = open(TUN_NODE, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      saved = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot open %s: %s", TUN_NODE,
                  g_strerror(saved));
      return -1;
    }
  memset(&ifr, 0, sizeof ifr);
  /* the same flags openvpn uses when it opens the device by name */
  ifr.ifr_flags = (layer == NETCFG_LAYER_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0)
    goto fail;
  if (strcmp(ifr.ifr_name, name) != 0)
    {
      errno = EEXIST;
      goto fail;
    }
  if (ioctl(fd, TUNSETOWNER, (unsigned long) owner) < 0)
    goto fail;
  return fd;

fail:
  saved = errno;
  /* not persistent: closing the fd removes the device */
  close(fd);
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot create %s: %s", name,
              g_strerror(saved));
  return -1;
}

gboolean
netcfg_tun_persist(int fd, const char *name, GError **error)
{
  int saved;

  if (ioctl(fd, TUNSETPERSIST, 1UL) == 0)
    {
      close(fd);
      return TRUE;
    }
  saved = errno;
  close(fd);
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot keep %s: %s", name,
              g_strerror(saved));
  return FALSE;
}
