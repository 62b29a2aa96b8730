#define G_LOG_DOMAIN "ovpn3-read-fd"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "ovpn3-read-fd.h"

/* Plain read(2): a GUnixInputStream would first probe the descriptor with an epoll instance
 * of its own and poll before each read (five system calls more per file: bench/README.md
 * "cold_start", 200 persistent profiles). */
gboolean
ovpn3_read_fd(int fd, char *buf, gsize size, gsize *len, const char *path, GError **error)
{
  *len = 0;
  while (*len < size)
    {
      gssize n = read(fd, buf + *len, size - *len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
                      g_strerror(saved));
          return FALSE;
        }
      if (n == 0)
        break;
      *len += (gsize) n;
    }
  return TRUE;
}
