/* hearth-managed-log-follow.c — a managed server's log, read whichever process runs it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The process writes its log file itself (hearth-managed.h), so the file is
 * what every Hearth process sees: the app, serve, another hearth-cli. These
 * read its last lines and follow it by polling the file (a process in
 * another Hearth process, or none, gives this one no "log-line"); the
 * rotation that keeps the newer half is read on after the last line seen.
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-servers.h"

#define FOLLOW_POLL_MS 250

struct _HearthLogFollower
{
  char              *path;
  goffset            offset;      /* read up to here */
  char              *last_line;   /* the last line given: where to go on after a rotation */
  GString           *partial;     /* a line not ended yet */
  guint              poll_id;
  HearthLogLineFunc  func;
  gpointer           user_data;
  GDestroyNotify     destroy;
};

/* Where the last @lines lines of @contents start (its start when it has fewer). */
static const char *
tail_start (const char *contents,
            gsize       len,
            guint       lines)
{
  const char *p = contents + len;
  guint seen = 0;

  if (lines == 0)
    return p;
  /* the final newline ends the last line; it does not start another */
  if (p > contents && p[-1] == '\n')
    p--;
  while (p > contents)
    {
      if (p[-1] == '\n' && ++seen == lines)
        return p;
      p--;
    }
  return contents;
}

static void
give_line (HearthLogFollower *follower,
           const char        *line,
           gsize              len)
{
  g_autofree char *text = g_strndup (line, len > 0 && line[len - 1] == '\r' ? len - 1 : len);

  g_free (follower->last_line);
  follower->last_line = g_strdup (text);
  follower->func (text, follower->user_data);
}

/* Gives the whole lines of @text; the rest waits in follower->partial. */
static void
give_text (HearthLogFollower *follower,
           const char        *text,
           gsize              len)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *newline = memchr (text, '\n', end - text);

      if (newline == NULL)
        {
          g_string_append_len (follower->partial, text, end - text);
          return;
        }
      g_string_append_len (follower->partial, text, newline - text);
      give_line (follower, follower->partial->str, follower->partial->len);
      g_string_truncate (follower->partial, 0);
      text = newline + 1;
    }
}

/* After a rotation: just after the last line given, or the start. */
static goffset
resume_offset (HearthLogFollower *follower,
               const char        *contents,
               gsize              len)
{
  g_autofree char *needle = NULL;
  const char *found = NULL;

  if (follower->last_line == NULL)
    return 0;
  needle = g_strconcat (follower->last_line, "\n", NULL);
  for (const char *p = contents; (p = g_strstr_len (p, contents + len - p, needle)) != NULL; p++)
    if (p == contents || p[-1] == '\n')
      found = p;
  return found != NULL ? (goffset) (found - contents) + (goffset) strlen (needle) : 0;
}

/* What was written past @offset (its size in @len), or NULL. */
static char *
read_from (const char *path,
           goffset     offset,
           gsize      *len)
{
  struct stat st;
  char *data;
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || st.st_size <= offset)
    {
      close (fd);
      return NULL;
    }
  data = g_malloc (st.st_size - offset);
  n = pread (fd, data, st.st_size - offset, offset);
  close (fd);
  if (n <= 0)
    {
      g_free (data);
      return NULL;
    }
  *len = n;
  return data;
}

/* Every FOLLOW_POLL_MS: the new lines only, read from where the last poll
 * stopped; the whole file only after a rotation made it shorter. */
static gboolean
poll_cb (gpointer user_data)
{
  HearthLogFollower *follower = user_data;
  g_autofree char *contents = NULL;
  struct stat st;
  gsize len = 0;

  if (stat (follower->path, &st) != 0)
    return G_SOURCE_CONTINUE;
  if (st.st_size < follower->offset)
    {
      if (!g_file_get_contents (follower->path, &contents, &len, NULL))
        return G_SOURCE_CONTINUE;
      g_string_truncate (follower->partial, 0);
      follower->offset = resume_offset (follower, contents, len);
      if ((goffset) len > follower->offset)
        {
          goffset from = follower->offset;

          follower->offset = len;
          give_text (follower, contents + from, len - from);
        }
      return G_SOURCE_CONTINUE;
    }
  contents = read_from (follower->path, follower->offset, &len);
  if (contents != NULL)
    {
      follower->offset += len;
      give_text (follower, contents, len);
    }
  return G_SOURCE_CONTINUE;
}

/**
 * hearth_log_follower_new:
 * @backlog: how many of the lines already there to give first
 * @func: called with each line (without its newline), on the main thread
 *
 * Follows @server's log until hearth_log_follower_free (): the last
 * @backlog lines at once, then each line as it is written, whichever
 * process runs the server; a log that does not exist yet is waited for.
 */
HearthLogFollower *
hearth_log_follower_new (HearthServer      *server,
                         guint              backlog,
                         HearthLogLineFunc  func,
                         gpointer           user_data,
                         GDestroyNotify     destroy)
{
  HearthLogFollower *follower;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (HEARTH_IS_SERVER (server), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  follower = g_new0 (HearthLogFollower, 1);
  follower->path = hearth_server_get_log_path (server);
  follower->partial = g_string_new (NULL);
  follower->func = func;
  follower->user_data = user_data;
  follower->destroy = destroy;
  if (g_file_get_contents (follower->path, &contents, &len, NULL))
    {
      const char *start = tail_start (contents, len, backlog);

      follower->offset = len;
      give_text (follower, start, len - (start - contents));
    }
  follower->poll_id = g_timeout_add (FOLLOW_POLL_MS, poll_cb, follower);
  return follower;
}

void
hearth_log_follower_free (HearthLogFollower *follower)
{
  if (follower == NULL)
    return;
  g_clear_handle_id (&follower->poll_id, g_source_remove);
  if (follower->destroy != NULL)
    follower->destroy (follower->user_data);
  g_free (follower->path);
  g_free (follower->last_line);
  g_string_free (follower->partial, TRUE);
  g_free (follower);
}

/**
 * hearth_server_read_log:
 * @max_lines: at most this many of the last lines
 *
 * Returns: (transfer full): the last lines of @server's log, without their
 *   newlines (a last line not ended yet included); NULL with
 *   G_FILE_ERROR_NOENT when it has none yet (it was never started)
 */
char **
hearth_server_read_log (HearthServer  *server,
                        guint          max_lines,
                        GError       **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GPtrArray *lines = NULL;
  const char *p, *end;
  gsize len = 0;

  g_return_val_if_fail (HEARTH_IS_SERVER (server), NULL);

  path = hearth_server_get_log_path (server);
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  lines = g_ptr_array_new ();
  end = contents + len;
  for (p = tail_start (contents, len, max_lines); p < end;)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *stop = newline != NULL ? newline : end;
      gsize n = stop - p;

      if (n > 0 && p[n - 1] == '\r')
        n--;
      g_ptr_array_add (lines, g_strndup (p, n));
      p = newline != NULL ? newline + 1 : end;
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}
