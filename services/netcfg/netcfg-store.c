#define G_LOG_DOMAIN "ovpn3-netcfg-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "netcfg-store.h"

#define STORE_MAGIC  "ovpn3-netcfg-store"
#define STORE_FORMAT "1"
/* magic, format, the longest record name, two 20-digit numbers, 64 hex */
#define HEADER_MAX 160

/* What older versions kept in the directory, as plain files. */
static const char *const legacy_files[] = { "netcfg-state.json", "resolv.conf.backup" };

static const char *const record_names[NETCFG_STORE_N_ALL] = {
  [NETCFG_STORE_DEVICES] = "netcfg-state",
  [NETCFG_STORE_RESOLV_BACKUP] = "resolv.conf.backup",
  [NETCFG_STORE_SETTINGS] = "netcfg-settings",
  [NETCFG_STORE_SETTINGS_PERSISTENT] = "netcfg-settings",
};

typedef struct
{
  int fd[2];
  int newest;         /* copy holding the newest intact payload; -1: none */
  guint64 generation; /* its generation (0: none) */
} Record;

/* The two directories: the runtime one (records below NETCFG_STORE_N_RECORDS)
 * and the persistent one (the rest). */
typedef struct
{
  guint first, end; /* its records */
  gboolean is_open;
  char *path;
  char *unavailable;
} StoreDir;

enum
{
  DIR_RUNTIME,
  DIR_PERSISTENT,
};

static Record records[NETCFG_STORE_N_ALL];
static StoreDir dirs[] = {
  [DIR_RUNTIME] = { 0, NETCFG_STORE_N_RECORDS, FALSE, NULL, NULL },
  [DIR_PERSISTENT] = { NETCFG_STORE_N_RECORDS, NETCFG_STORE_N_ALL, FALSE, NULL, NULL },
};

static StoreDir *
dir_of(NetcfgStoreRecord record)
{
  return &dirs[record < NETCFG_STORE_N_RECORDS ? DIR_RUNTIME : DIR_PERSISTENT];
}

char *
netcfg_store_file_name(NetcfgStoreRecord record, guint copy)
{
  g_return_val_if_fail(record < NETCFG_STORE_N_ALL && copy < 2, NULL);
  return g_strdup_printf("%s.%u", record_names[record], copy);
}

static void
close_dir(StoreDir *d)
{
  for (guint i = d->first; i < d->end; i++)
    {
      for (guint c = 0; c < 2; c++)
        {
          if (d->is_open && records[i].fd[c] >= 0)
            close(records[i].fd[c]);
          records[i].fd[c] = -1;
        }
      records[i].newest = -1;
      records[i].generation = 0;
    }
  d->is_open = FALSE;
  g_clear_pointer(&d->path, g_free);
}

void
netcfg_store_close(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(dirs); i++)
    close_dir(&dirs[i]);
}

gboolean
netcfg_store_is_open(void)
{
  return dirs[DIR_RUNTIME].is_open;
}

gboolean
netcfg_store_record_is_open(NetcfgStoreRecord record)
{
  g_return_val_if_fail(record < NETCFG_STORE_N_ALL, FALSE);
  return dir_of(record)->is_open;
}

static const char *
reason_of(const StoreDir *d)
{
  if (d->is_open)
    return NULL;
  if (d->unavailable != NULL)
    return d->unavailable;
  return d == &dirs[DIR_RUNTIME] ? "the state store was not opened: crash recovery is off"
                                 : "the persistent state directory was not opened";
}

const char *
netcfg_store_unavailable_reason(void)
{
  return reason_of(&dirs[DIR_RUNTIME]);
}

const char *
netcfg_store_record_unavailable_reason(NetcfgStoreRecord record)
{
  g_return_val_if_fail(record < NETCFG_STORE_N_ALL, NULL);
  return reason_of(dir_of(record));
}

static gboolean fail_errno(GError **error, int err, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
fail_errno(GError **error, int err, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start(args, format);
  what = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s: %s", what, g_strerror(err));
  return FALSE;
}

static gboolean
is_ours(const struct stat *st, uid_t uid)
{
  return S_ISREG(st->st_mode) && st->st_uid == uid && st->st_nlink == 1;
}

/* One copy's file, opened read-write; a file there that is not a plain
 * file of ours with one link (only uid can put anything in this
 * directory: an older version's, or the admin's) is replaced. */
static int
open_copy(int dfd, const char *store_dir, const char *name, uid_t uid, GError **error)
{
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      int flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
      int fd = openat(dfd, name, flags | (attempt > 0 ? O_EXCL : 0), 0600);
      struct stat st;

      if (fd < 0)
        {
          int err = errno;

          if (attempt == 0 && (err == ELOOP || err == EISDIR || err == ENXIO)
              && unlinkat(dfd, name, err == EISDIR ? AT_REMOVEDIR : 0) == 0)
            {
              g_message("replaced %s/%s (%s): not written by this netcfg", store_dir, name,
                        g_strerror(err));
              continue;
            }
          fail_errno(error, err, "cannot open %s/%s", store_dir, name);
          return -1;
        }
      if (fstat(fd, &st) < 0)
        {
          int err = errno;

          close(fd);
          fail_errno(error, err, "cannot check %s/%s", store_dir, name);
          return -1;
        }
      if (is_ours(&st, uid))
        {
          if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0)
            {
              int err = errno;

              close(fd);
              fail_errno(error, err, "cannot make %s/%s private", store_dir, name);
              return -1;
            }
          return fd;
        }
      close(fd);
      if (attempt > 0 || unlinkat(dfd, name, 0) < 0)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                      "%s/%s is not a plain file of uid %u with one link and cannot be "
                      "replaced",
                      store_dir, name, (guint) uid);
          return -1;
        }
      g_message("replaced %s/%s (uid %u, mode %o, %u links): not written by this netcfg", store_dir,
                name, (guint) st.st_uid, (guint) (st.st_mode & 07777), (guint) st.st_nlink);
    }
  g_assert_not_reached();
}

/* Whole file, at most NETCFG_STORE_MAX_PAYLOAD + HEADER_MAX bytes. */
static GBytes *
read_copy(int fd, const char *store_dir, const char *name, GError **error)
{
  const gsize max = NETCFG_STORE_MAX_PAYLOAD + HEADER_MAX;
  g_autoptr(GByteArray) data = g_byte_array_new();
  guint8 buf[16384];

  for (;;)
    {
      ssize_t n = pread(fd, buf, sizeof buf, (off_t) data->len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          fail_errno(error, errno, "cannot read %s/%s", store_dir, name);
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize) n > max)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                      "%s/%s is larger than %" G_GSIZE_FORMAT " bytes", store_dir, name, max);
          return NULL;
        }
      g_byte_array_append(data, buf, (guint) n);
    }
  return g_byte_array_free_to_bytes(g_steal_pointer(&data));
}

static char *
digest_of(NetcfgStoreRecord record, guint64 generation, const guint8 *payload, gsize length)
{
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_autofree char *head = g_strdup_printf("%s\n%" G_GUINT64_FORMAT "\n%" G_GSIZE_FORMAT "\n",
                                          record_names[record], generation, length);

  g_checksum_update(sum, (const guchar *) head, (gssize) strlen(head));
  if (length > 0)
    g_checksum_update(sum, payload, (gssize) length);
  return g_strdup(g_checksum_get_string(sum));
}

/* An intact copy of record in data: its generation and payload. */
static gboolean
decode_copy(NetcfgStoreRecord record, GBytes *data, guint64 *generation, GBytes **payload)
{
  gsize size = 0;
  const guint8 *bytes = g_bytes_get_data(data, &size);
  const guint8 *nl = memchr(bytes, '\n', MIN(size, (gsize) HEADER_MAX));
  g_autofree char *line = NULL;
  g_auto(GStrv) fields = NULL;
  g_autofree char *digest = NULL;
  guint64 gen, length;
  gsize header;

  if (nl == NULL)
    return FALSE;
  header = (gsize) (nl - bytes) + 1;
  line = g_strndup((const char *) bytes, header - 1);
  fields = g_strsplit(line, " ", -1);
  if (g_strv_length(fields) != 6 || !g_str_equal(fields[0], STORE_MAGIC)
      || !g_str_equal(fields[1], STORE_FORMAT) || !g_str_equal(fields[2], record_names[record])
      || !g_ascii_string_to_unsigned(fields[3], 10, 1, G_MAXUINT64, &gen, NULL)
      || !g_ascii_string_to_unsigned(fields[4], 10, 0, size - header, &length, NULL))
    return FALSE;
  digest = digest_of(record, gen, bytes + header, (gsize) length);
  if (!g_str_equal(digest, fields[5]))
    return FALSE;
  *generation = gen;
  *payload = g_bytes_new_from_bytes(data, header, (gsize) length);
  return TRUE;
}

GBytes *
netcfg_store_load(NetcfgStoreRecord record, gboolean *damaged, GError **error)
{
  g_autoptr(GBytes) best = NULL;
  guint64 best_generation = 0;
  gboolean any = FALSE;
  int newest = -1;

  const StoreDir *d;

  g_return_val_if_fail(record < NETCFG_STORE_N_ALL, NULL);
  d = dir_of(record);
  if (damaged != NULL)
    *damaged = FALSE;
  if (!d->is_open)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, reason_of(d));
      return NULL;
    }
  for (guint c = 0; c < 2; c++)
    {
      g_autofree char *name = netcfg_store_file_name(record, c);
      g_autoptr(GBytes) data = read_copy(records[record].fd[c], d->path, name, error);
      g_autoptr(GBytes) payload = NULL;
      guint64 generation = 0;

      if (data == NULL)
        return NULL;
      if (g_bytes_get_size(data) == 0)
        continue;
      any = TRUE;
      if (!decode_copy(record, data, &generation, &payload))
        {
          if (damaged != NULL)
            *damaged = TRUE;
          continue;
        }
      if (generation > best_generation)
        {
          g_clear_pointer(&best, g_bytes_unref);
          best = g_steal_pointer(&payload);
          best_generation = generation;
          newest = (int) c;
        }
    }
  records[record].newest = newest;
  records[record].generation = best_generation;
  if (best == NULL && any)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "%s/%s.{0,1}: no intact copy (a write cut short, or not written by netcfg)",
                  d->path, record_names[record]);
      return NULL;
    }
  return best != NULL ? g_steal_pointer(&best) : g_bytes_new(NULL, 0);
}

static gboolean
write_all(int fd, const void *data, gsize length, off_t offset, const char *store_dir,
          const char *name, GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = pwrite(fd, (const guint8 *) data + done, length - done, offset + (off_t) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail_errno(error, errno, "cannot write %s/%s", store_dir, name);
      done += (gsize) n;
    }
  return TRUE;
}

gboolean
netcfg_store_save(NetcfgStoreRecord record, const void *payload, gsize length, GError **error)
{
  Record *r;
  int copy;
  guint64 generation;
  g_autofree char *name = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *header = NULL;
  gsize header_length;

  const StoreDir *d;

  g_return_val_if_fail(record < NETCFG_STORE_N_ALL, FALSE);
  g_return_val_if_fail(payload != NULL || length == 0, FALSE);
  d = dir_of(record);
  if (!d->is_open)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, reason_of(d));
      return FALSE;
    }
  if (length > NETCFG_STORE_MAX_PAYLOAD)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                  "%s: %" G_GSIZE_FORMAT " bytes, more than the %d a record may hold",
                  record_names[record], length, NETCFG_STORE_MAX_PAYLOAD);
      return FALSE;
    }
  r = &records[record];
  copy = r->newest == 0 ? 1 : 0;
  generation = r->generation + 1;
  name = netcfg_store_file_name(record, (guint) copy);
  digest = digest_of(record, generation, payload, length);
  header = g_strdup_printf(STORE_MAGIC " " STORE_FORMAT " %s %" G_GUINT64_FORMAT " %" G_GSIZE_FORMAT
                                       " %s\n",
                           record_names[record], generation, length, digest);
  header_length = strlen(header);
  if (!write_all(r->fd[copy], header, header_length, 0, d->path, name, error)
      || !write_all(r->fd[copy], payload, length, (off_t) header_length, d->path, name, error))
    return FALSE;
  if (ftruncate(r->fd[copy], (off_t) (header_length + length)) < 0)
    return fail_errno(error, errno, "cannot truncate %s/%s", d->path, name);
  if (fdatasync(r->fd[copy]) < 0 && errno != EINVAL)
    return fail_errno(error, errno, "cannot sync %s/%s", d->path, name);
  r->newest = copy;
  r->generation = generation;
  return TRUE;
}

/* A directory of uid, or why not. */
static gboolean
check_dir(const char *dir, const struct stat *st, uid_t uid, GError **error)
{
  if (!S_ISDIR(st->st_mode))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                  "the state directory %s is not a directory", dir);
      return FALSE;
    }
  if (st->st_uid != uid)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                  "the state directory %s belongs to uid %u, not to uid %u that netcfg was "
                  "started as: every process of uid %u could change netcfg's state",
                  dir, (guint) st->st_uid, (guint) uid, (guint) st->st_uid);
      return FALSE;
    }
  return TRUE;
}

/* The directory, opened without following a symbolic link, and checked. */
static int
open_dir(const char *dir, uid_t uid, GError **error)
{
  struct stat st;
  int dfd;

  /* only root makes it: a directory the service user made would be its
   * own (and then refused by every later start as root) */
  if (uid == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
    {
      /* e.g. root without CAP_DAC_OVERRIDE and the parent is the service
       * user's: tmpfiles.d makes the directory */
      int err = errno;

      if (access(dir, F_OK) < 0)
        {
          fail_errno(error, err, "cannot create the state directory %s", dir);
          return -1;
        }
    }
  /* first by name, to say whose it is even when we may not open it */
  if (lstat(dir, &st) == 0 && !check_dir(dir, &st, uid, error))
    return -1;
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    {
      fail_errno(error, errno, "cannot open the state directory %s", dir);
      return -1;
    }
  if (fstat(dfd, &st) < 0)
    {
      int err = errno;

      close(dfd);
      fail_errno(error, err, "cannot check the state directory %s", dir);
      return -1;
    }
  if (!check_dir(dir, &st, uid, error))
    {
      close(dfd);
      return -1;
    }
  if ((st.st_mode & 077) != 0 && fchmod(dfd, 0700) < 0)
    {
      int err = errno;

      close(dfd);
      fail_errno(error, err, "cannot make the state directory %s private", dir);
      return -1;
    }
  return dfd;
}

/* Opens d's directory and the copies of its records (see netcfg_store_open). */
static gboolean
open_dir_records(StoreDir *d, const char *dir, const char *off, GError **error)
{
  uid_t uid = geteuid();
  g_autoptr(GError) local = NULL;
  int dfd;

  close_dir(d);
  g_clear_pointer(&d->unavailable, g_free);
  d->path = g_strdup(dir);
  dfd = open_dir(dir, uid, &local);
  if (dfd >= 0)
    {
      for (guint i = 0; d == &dirs[DIR_RUNTIME] && i < G_N_ELEMENTS(legacy_files); i++)
        if (unlinkat(dfd, legacy_files[i], 0) == 0)
          g_message("removed %s/%s, left by an older netcfg (not recovered)", dir, legacy_files[i]);
      d->is_open = TRUE; /* close_dir() closes what is open */
      for (guint i = d->first; i < d->end && local == NULL; i++)
        for (guint c = 0; c < 2 && local == NULL; c++)
          {
            g_autofree char *name = netcfg_store_file_name(i, c);

            records[i].fd[c] = open_copy(dfd, dir, name, uid, &local);
          }
      close(dfd);
      /* the newest copies, so that saves go to the other file */
      for (guint i = d->first; i < d->end && local == NULL; i++)
        {
          GBytes *payload = netcfg_store_load(i, NULL, NULL);

          if (payload != NULL)
            g_bytes_unref(payload);
        }
    }
  if (local != NULL)
    {
      close_dir(d);
      d->unavailable = g_strdup_printf("%s: %s", local->message, off);
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  return TRUE;
}

gboolean
netcfg_store_open(const char *dir, GError **error)
{
  return open_dir_records(&dirs[DIR_RUNTIME], dir, "crash recovery is off", error);
}

gboolean
netcfg_store_open_persistent(const char *dir, GError **error)
{
  return open_dir_records(&dirs[DIR_PERSISTENT], dir, "settings last until the next reboot", error);
}
