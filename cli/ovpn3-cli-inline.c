#define G_LOG_DOMAIN "ovpn3-cli-inline"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-lexer.h"
#include "ovpn3-cli-inline.h"

struct _Ovpn3Inlined
{
  GString *text;
  GPtrArray *origin; /* per output line: where it came from (char *) */
  char *profile_name;
  guint files;
  int dirfd; /* the profile's folder (O_PATH) */
  char *dir; /* its absolute name, for absolute references into it */
  gboolean allow_outside;
  GPtrArray *listing; /* one line per inlined file, for stderr */
};

/* Options whose argument is a file that OpenVPN can also take inline. */
static const char *const text_file_options[]
    = { "ca",       "cert",      "key",          "extra-certs", "dh",
        "tls-auth", "tls-crypt", "tls-crypt-v2", "crl-verify",  NULL };

#define BASE64_LINE 64

static void
add_line(Ovpn3Inlined *self, const char *line, char *origin)
{
  g_string_append(self->text, line);
  g_string_append_c(self->text, '\n');
  g_ptr_array_add(self->origin, origin);
}

/* @content: each line ends in '\n' (or the last one may not) */
static void
add_block(Ovpn3Inlined *self, const char *tag, const char *content, const char *origin_fmt_file,
          guint line)
{
  g_auto(GStrv) lines = NULL;
  guint n;
  g_autofree char *open = g_strdup_printf("<%s>", tag);
  g_autofree char *close = g_strdup_printf("</%s>", tag);

  if (origin_fmt_file != NULL)
    add_line(self, open,
             g_strdup_printf("line %u of %s (the file %s inlined as <%s>)", line,
                             self->profile_name, origin_fmt_file, tag));
  else
    add_line(self, open, g_strdup_printf("line %u of %s", line, self->profile_name));
  lines = g_strsplit(content, "\n", -1);
  n = g_strv_length(lines);
  if (n > 0 && lines[n - 1][0] == '\0')
    n--; /* the text after the last newline */
  for (guint i = 0; i < n; i++)
    {
      char *origin = origin_fmt_file != NULL
                         ? g_strdup_printf("line %u of %s (inlined for line %u of %s)", i + 1,
                                           origin_fmt_file, line, self->profile_name)
                         : g_strdup_printf("line %u of %s", line + 1 + i, self->profile_name);
      add_line(self, lines[i], origin);
    }
  add_line(self, close,
           origin_fmt_file != NULL
               ? g_strdup_printf("line %u of %s", line, self->profile_name)
               : g_strdup_printf("line %u of %s", line + n + 1, self->profile_name));
}

static int
file_error_code(int err)
{
  if (err == ENOENT || err == ENOTDIR)
    return OVPN3_EXIT_NOT_FOUND;
  if (err == EACCES || err == EPERM)
    return OVPN3_EXIT_ACCESS_DENIED;
  return OVPN3_EXIT_ERROR;
}

static void
set_errno_error(GError **error, int err)
{
  g_set_error(error, OVPN3_CLI_ERROR, file_error_code(err), "%s", g_strerror(err));
}

/* What (f)stat said about a file to read: @err the errno of a failed stat, else 0.  Refuses a
 * folder, anything but a regular file when @regular_only, and a file over @max bytes. */
static gboolean
check_stat(int err, const struct stat *st, gsize max, gboolean regular_only, GError **error)
{
  if (err != 0)
    {
      set_errno_error(error, err);
      return FALSE;
    }
  if (S_ISDIR(st->st_mode))
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR, "it is a folder, not a file");
      return FALSE;
    }
  if (regular_only && !S_ISREG(st->st_mode))
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR, "it is not a regular file");
      return FALSE;
    }
  if (S_ISREG(st->st_mode) && (guint64) st->st_size > max)
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                  "it is too large (%" G_GUINT64_FORMAT " bytes; at most %" G_GSIZE_FORMAT ")",
                  (guint64) st->st_size, max);
      return FALSE;
    }
  return TRUE;
}

/* Read @path (a regular file of at most @max bytes) as the calling user. */
static gboolean
read_file(const char *path, gsize max, char **contents, gsize *len, GError **error)
{
  struct stat st;
  g_autoptr(GError) local = NULL;

  if (!check_stat(g_stat(path, &st) == 0 ? 0 : errno, &st, max, FALSE, error))
    return FALSE;
  if (!g_file_get_contents(path, contents, len, &local))
    {
      int code = OVPN3_EXIT_ERROR;
      if (local->domain == G_FILE_ERROR)
        {
          if (local->code == G_FILE_ERROR_NOENT)
            code = OVPN3_EXIT_NOT_FOUND;
          else if (local->code == G_FILE_ERROR_ACCES || local->code == G_FILE_ERROR_PERM)
            code = OVPN3_EXIT_ACCESS_DENIED;
        }
      g_set_error(error, OVPN3_CLI_ERROR, code, "%s",
                  code == OVPN3_EXIT_ACCESS_DENIED ? "Permission denied" : local->message);
      return FALSE;
    }
  if (*len > max)
    {
      g_free(*contents);
      *contents = NULL;
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                  "it is too large (at most %" G_GSIZE_FORMAT " bytes)", max);
      return FALSE;
    }
  return TRUE;
}

/* Reads the open file @fd (at most @max bytes; only a regular file when @regular_only). */
static gboolean
read_fd(int fd, gsize max, gboolean regular_only, char **contents, gsize *len, GError **error)
{
  struct stat st;
  g_autofree char *buf = NULL;
  gsize have = 0;

  if (!check_stat(fstat(fd, &st) == 0 ? 0 : errno, &st, max, regular_only, error))
    return FALSE;
  buf = g_malloc(max + 2);
  for (;;)
    {
      ssize_t n = read(fd, buf + have, max + 1 - have);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error(error, errno);
          return FALSE;
        }
      if (n == 0)
        break;
      have += (gsize) n;
      if (have > max)
        {
          memset(buf, 0, have);
          g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                      "it is too large (at most %" G_GSIZE_FORMAT " bytes)", max);
          return FALSE;
        }
    }
  buf[have] = '\0';
  *contents = g_steal_pointer(&buf);
  *len = have;
  return TRUE;
}

/* openat2(2) from the profile's folder: no "..", no absolute path, no symlink (nor magic
 * link) anywhere in @name. O_NONBLOCK: a FIFO must not block the open (it is refused). */
static int
open_beneath(int dirfd, const char *name)
{
  struct open_how how = {
    .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };

  return (int) syscall(SYS_openat2, dirfd, name, &how, sizeof how);
}

/* @ref relative to the profile's folder, or NULL (an absolute name outside it). An absolute
 * name into the folder is made relative: openat2 still refuses any ".." in what is left. */
static const char *
beneath_name(Ovpn3Inlined *self, const char *ref)
{
  gsize n = strlen(self->dir);

  if (!g_path_is_absolute(ref))
    return ref;
  if (n > 1 && (strncmp(ref, self->dir, n) != 0 || ref[n] != '/'))
    return NULL;
  while (ref[n] == '/')
    n++;
  return ref + n;
}

/* Opens the file @ref refers to. Without allow_outside only beneath the profile's folder,
 * through no symlink (else *refused); with it anything the user can read, and *note says why
 * it would have been refused. */
static int
open_referenced(Ovpn3Inlined *self, const char *ref, const char **note, gboolean *refused,
                GError **error)
{
  const char *name = beneath_name(self, ref);
  int fd = name != NULL && *name != '\0' ? open_beneath(self->dirfd, name) : -1;
  int err = name == NULL ? EXDEV : name[0] == '\0' ? EISDIR : errno;
  const char *why = NULL;

  *note = NULL;
  *refused = FALSE;
  if (fd >= 0)
    return fd;
  if (err == EXDEV)
    why = "it is outside the profile's folder";
  else if (err == ELOOP)
    why = "it is a symbolic link or its path goes through one";
  else if (err == ENOSYS)
    why = "this kernel cannot open it safely (no openat2)";
  if (why == NULL)
    {
      g_set_error(error, OVPN3_CLI_ERROR, file_error_code(err), "%s",
                  err == EISDIR ? "it is a folder, not a file" : g_strerror(err));
      return -1;
    }
  if (!self->allow_outside)
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                  "%s; ovpn3 inlines only files inside the profile's folder, reached without "
                  "symbolic links (move or copy it there, or use --allow-outside-files)",
                  why);
      *refused = TRUE;
      return -1;
    }
  fd = openat(self->dirfd, ref, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error(error, errno);
      return -1;
    }
  *note = err == EXDEV   ? "outside the profile's folder"
          : err == ELOOP ? "through a symbolic link"
                         : "not checked: no openat2";
  return fd;
}

/* The content of the file @ref refers to, ready to go between <tag> and </tag>. */
static char *
inline_file(Ovpn3Inlined *self, const char *dir, const char *ref, const char *option, guint line,
            gboolean binary, GError **error)
{
  g_autofree char *path
      = g_path_is_absolute(ref) ? g_strdup(ref) : g_build_filename(dir, ref, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  const char *note = NULL;
  gboolean refused = FALSE;
  gsize len = 0;
  gsize max = binary ? OVPN3_PROFILE_MAX_BLOCK / 4 * 3 - 1024 : OVPN3_PROFILE_MAX_BLOCK;
  int fd = open_referenced(self, ref, &note, &refused, &local);
  gboolean read_ok = fd >= 0 && read_fd(fd, max, note == NULL, &contents, &len, &local);

  if (fd >= 0)
    close(fd);
  if (!read_ok)
    {
      g_set_error(error, OVPN3_CLI_ERROR, local->code,
                  "%s the file '%s' that '%s' refers to on line %u of %s: %s",
                  refused ? "refusing to inline" : "cannot read", path, option, line,
                  self->profile_name, local->message);
      return NULL;
    }
  self->files++;
  g_ptr_array_add(self->listing,
                  g_strdup_printf("inlined '%s' (%s, line %u%s%s)", ref, option, line,
                                  note != NULL ? "; " : "", note != NULL ? note : ""));
  if (binary)
    {
      g_autofree char *b64 = g_base64_encode((const guchar *) contents, len);
      GString *wrapped = g_string_new(NULL);
      gsize blen = strlen(b64);

      for (gsize i = 0; i < blen; i += BASE64_LINE)
        {
          g_string_append_len(wrapped, b64 + i, (gssize) MIN((gsize) BASE64_LINE, blen - i));
          g_string_append_c(wrapped, '\n');
        }
      return g_string_free(wrapped, FALSE);
    }
  if (memchr(contents, '\0', len) != NULL || !g_utf8_validate(contents, (gssize) len, NULL))
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                  "the file '%s' that '%s' refers to on line %u of %s is not a text file "
                  "(OpenVPN expects PEM text here)",
                  path, option, line, self->profile_name);
      return NULL;
    }
  return g_steal_pointer(&contents);
}

static void
add_tokens(Ovpn3Inlined *self, char **tokens, guint count, guint line)
{
  g_autoptr(GString) out = g_string_new(NULL);

  for (guint i = 0; i < count && tokens[i] != NULL; i++)
    {
      g_autofree char *q = ovpn3_profile_lex_quote(tokens[i]);
      if (i > 0)
        g_string_append_c(out, ' ');
      g_string_append(out, q);
    }
  add_line(self, out->str, g_strdup_printf("line %u of %s", line, self->profile_name));
}

static gboolean
add_inlined(Ovpn3Inlined *self, const char *dir, const char *tag, const char *ref,
            const char *option, guint line, gboolean binary, GError **error)
{
  g_autofree char *content = inline_file(self, dir, ref, option, line, binary, error);

  if (content == NULL)
    return FALSE;
  add_block(self, tag, content, ref, line);
  return TRUE;
}

static gboolean
handle_directive(Ovpn3Inlined *self, const char *dir, Ovpn3ProfileLexLine *l, GError **error)
{
  char **t = l->tokens;
  guint n = g_strv_length(t);
  const char *name = t[0];

  if (g_strv_contains(text_file_options, name) && n >= 2)
    {
      if (g_str_equal(t[1], "[inline]"))
        {
          /* the block is elsewhere in the profile; keep tls-auth's direction */
          if (g_str_equal(name, "tls-auth") && n >= 3)
            {
              char *kd[] = { (char *) "key-direction", t[2], NULL };
              add_tokens(self, kd, 2, l->line);
            }
          return TRUE;
        }
      if (g_str_equal(name, "dh") && g_str_equal(t[1], "none"))
        {
          add_tokens(self, t, n, l->line);
          return TRUE;
        }
      if (g_str_equal(name, "crl-verify") && n >= 3 && g_str_equal(t[2], "dir"))
        {
          g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                      "line %u of %s: 'crl-verify … dir' refers to a folder, which cannot be "
                      "inlined; give a single CRL file instead",
                      l->line, self->profile_name);
          return FALSE;
        }
      if (!add_inlined(self, dir, name, t[1], name, l->line, FALSE, error))
        return FALSE;
      if (g_str_equal(name, "tls-auth") && n >= 3)
        {
          char *kd[] = { (char *) "key-direction", t[2], NULL };
          add_tokens(self, kd, 2, l->line);
        }
      return TRUE;
    }
  if (g_str_equal(name, "pkcs12") && n >= 2 && !g_str_equal(t[1], "[inline]"))
    return add_inlined(self, dir, name, t[1], name, l->line, TRUE, error);
  if (g_str_equal(name, "pkcs12") && n >= 2)
    return TRUE;
  if (g_str_equal(name, "auth-user-pass") && n >= 2 && !g_str_equal(t[1], "stdin"))
    {
      if (g_str_equal(t[1], "[inline]"))
        return TRUE;
      return add_inlined(self, dir, name, t[1], name, l->line, FALSE, error);
    }
  if (g_str_equal(name, "http-proxy") && n >= 4)
    {
      static const char *const keep[] = { "auto", "auto-nct", "stdin", NULL };
      if (!g_strv_contains(keep, t[3]))
        {
          add_tokens(self, t, 3, l->line);
          if (g_str_equal(t[3], "[inline]"))
            return TRUE;
          return add_inlined(self, dir, "http-proxy-user-pass", t[3], name, l->line, FALSE, error);
        }
    }
  if (g_str_equal(name, "askpass") && n >= 2)
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR,
                  "line %u of %s: 'askpass FILE' is not supported: ovpn3 asks for the private "
                  "key's passphrase when you connect; remove the file name",
                  l->line, self->profile_name);
      return FALSE;
    }
  add_tokens(self, t, n, l->line);
  return TRUE;
}

Ovpn3Inlined *
ovpn3_cli_inline_profile(const char *filename, gboolean allow_outside, GError **error)
{
  g_autoptr(Ovpn3Inlined) self = g_new0(Ovpn3Inlined, 1);
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_path_get_dirname(filename);
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  gsize len = 0;

  self->text = g_string_new(NULL);
  self->origin = g_ptr_array_new_with_free_func(g_free);
  self->listing = g_ptr_array_new_with_free_func(g_free);
  self->profile_name = g_strdup(filename);
  self->allow_outside = allow_outside;
  self->dir = g_canonicalize_filename(dir, NULL);
  self->dirfd = -1;
  if (!read_file(filename, OVPN3_PROFILE_MAX_SIZE, &contents, &len, &local))
    {
      g_set_error(error, OVPN3_CLI_ERROR, local->code, "cannot read the profile '%s': %s", filename,
                  local->message);
      return NULL;
    }
  self->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (self->dirfd < 0)
    {
      int err = errno;
      g_set_error(error, OVPN3_CLI_ERROR, file_error_code(err),
                  "cannot open the folder of the profile '%s': %s", filename, g_strerror(err));
      return NULL;
    }
  lines = ovpn3_profile_lex(contents, len, 1, &local);
  if (lines == NULL)
    {
      /* "Invalid configuration profile: line N: …" — the lines are the user's own here */
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR, "%s: %s", filename, local->message);
      return NULL;
    }
  for (guint i = 0; i < lines->len; i++)
    {
      Ovpn3ProfileLexLine *l = g_ptr_array_index(lines, i);

      if (l->block != NULL)
        add_block(self, l->tokens[0], l->block, NULL, l->line);
      else if (!handle_directive(self, dir, l, error))
        return NULL;
    }
  return g_steal_pointer(&self);
}

const char *
ovpn3_inlined_text(Ovpn3Inlined *inlined)
{
  return inlined->text->str;
}

guint
ovpn3_inlined_count(Ovpn3Inlined *inlined)
{
  return inlined->files;
}

void
ovpn3_inlined_print_files(Ovpn3Inlined *inlined)
{
  for (guint i = 0; i < inlined->listing->len; i++)
    fprintf(stderr, "%s\n", (const char *) g_ptr_array_index(inlined->listing, i));
}

char *
ovpn3_inlined_explain(Ovpn3Inlined *inlined, const char *message)
{
  g_autoptr(GRegex) re = g_regex_new("\\bline ([0-9]+)", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *num = NULL;
  gint start, end;
  guint64 n;

  if (!g_regex_match(re, message, 0, &match))
    return g_strdup(message);
  num = g_match_info_fetch(match, 1);
  if (!g_ascii_string_to_unsigned(num, 10, 1, inlined->origin->len, &n, NULL)
      || !g_match_info_fetch_pos(match, 0, &start, &end))
    return g_strdup(message);
  return g_strdup_printf("%.*s%s%s", start, message,
                         (const char *) g_ptr_array_index(inlined->origin, n - 1), message + end);
}

void
ovpn3_inlined_free(Ovpn3Inlined *inlined)
{
  if (inlined == NULL)
    return;
  if (inlined->text != NULL)
    {
      /* the text may hold keys and passwords */
      memset(inlined->text->str, 0, inlined->text->len);
      g_string_free(inlined->text, TRUE);
    }
  if (inlined->origin != NULL)
    g_ptr_array_unref(inlined->origin);
  if (inlined->listing != NULL)
    g_ptr_array_unref(inlined->listing);
  if (inlined->dirfd >= 0)
    close(inlined->dirfd);
  g_free(inlined->dir);
  g_free(inlined->profile_name);
  g_free(inlined);
}
