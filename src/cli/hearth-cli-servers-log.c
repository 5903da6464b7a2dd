/* hearth-cli-servers-log.c — hearth-cli servers logs NAME [--follow] [--lines N]
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The log of a server Hearth runs, wherever it was started (the app, serve,
 * another hearth-cli): the process writes it to the file the core names
 * (hearth_server_get_log_path ()), so the file is what every process sees.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>

#include "hearth-cli-private.h"

#define FOLLOW_POLL_MS 250

typedef struct
{
  GMainLoop *loop;
  char      *path;
  goffset    offset;      /* read up to here */
  char      *last_line;   /* the last line printed: where to go on after a trim */
  GString   *partial;     /* a line not ended yet */
  gboolean   interrupted;
} Follow;

static void
print_line (Follow     *follow,
            const char *line,
            gsize       len)
{
  output_write (OUTPUT_STDOUT, line, len);
  output_write (OUTPUT_STDOUT, "\n", 1);
  g_free (follow->last_line);
  follow->last_line = g_strndup (line, len);
}

/* Prints the whole lines of @text (the rest waits in follow->partial). */
static void
print_text (Follow     *follow,
            const char *text,
            gsize       len)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *newline = memchr (text, '\n', end - text);

      if (newline == NULL)
        {
          g_string_append_len (follow->partial, text, end - text);
          return;
        }
      g_string_append_len (follow->partial, text, newline - text);
      print_line (follow, follow->partial->str, follow->partial->len);
      g_string_truncate (follow->partial, 0);
      text = newline + 1;
    }
}

/* The last @lines lines of @contents (no more than its length). */
static const char *
tail_start (const char *contents,
            gsize       len,
            guint       lines)
{
  const char *p = contents + len;
  guint seen = 0;

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

/* After the core dropped the older half: go on after the last line printed. */
static goffset
resume_offset (Follow     *follow,
               const char *contents,
               gsize       len)
{
  g_autofree char *needle = NULL;
  const char *found = NULL;

  if (follow->last_line == NULL)
    return 0;
  needle = g_strconcat (follow->last_line, "\n", NULL);
  for (const char *p = contents; (p = g_strstr_len (p, contents + len - p, needle)) != NULL;
       p++)
    if (p == contents || p[-1] == '\n')
      found = p;
  return found != NULL ? (goffset) (found - contents) + strlen (needle) : 0;
}

/* What was added since the last read; a shorter file was trimmed (or
 * replaced): read on after the last line printed. */
static gboolean
read_more (gpointer user_data)
{
  Follow *follow = user_data;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (follow->path, &contents, &len, NULL))
    return G_SOURCE_CONTINUE;
  if ((goffset) len < follow->offset)
    {
      g_string_truncate (follow->partial, 0);
      follow->offset = resume_offset (follow, contents, len);
    }
  if ((goffset) len > follow->offset)
    {
      print_text (follow, contents + follow->offset, len - follow->offset);
      follow->offset = len;
    }
  if (output_failed ())
    g_main_loop_quit (follow->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_follow_signal (gpointer user_data)
{
  Follow *follow = user_data;

  follow->interrupted = TRUE;
  g_main_loop_quit (follow->loop);
  return G_SOURCE_CONTINUE;
}

static void
run_follow (Follow *follow)
{
  guint sources[] = {
    g_unix_signal_add (SIGINT, on_follow_signal, follow),
    g_unix_signal_add (SIGTERM, on_follow_signal, follow),
    g_unix_signal_add (SIGHUP, on_follow_signal, follow),
    g_timeout_add (FOLLOW_POLL_MS, read_more, follow),
  };

  follow->loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (follow->loop);
  g_clear_pointer (&follow->loop, g_main_loop_unref);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  /* a last line without its newline yet is still a line */
  if (follow->partial->len > 0)
    print_line (follow, follow->partial->str, follow->partial->len);
}

int
servers_print_log (HearthServers *servers,
                   HearthServer  *server,
                   guint          lines,
                   gboolean       follow_it)
{
  const char *name = hearth_server_get_name (server);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Follow follow = { 0 };
  gsize len = 0;
  int exit_code = 0;

  follow.path = hearth_server_get_log_path (server);
  follow.partial = g_string_new (NULL);
  if (g_file_get_contents (follow.path, &contents, &len, &error))
    {
      const char *start = tail_start (contents, len, lines);

      print_text (&follow, start, len - (start - contents));
      follow.offset = len;
    }
  else if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_printerr ("hearth-cli: %s has no log yet (%s): it has not been started. Start it with "
                "hearth-cli servers start %s.\n", name, follow.path, name);
  else
    exit_code = fail (error);

  if (exit_code == 0 && follow_it && !output_failed ())
    {
      g_printerr ("hearth-cli: Following %s; Ctrl+C stops.\n", follow.path);
      run_follow (&follow);
    }
  else if (follow.partial->len > 0)
    print_line (&follow, follow.partial->str, follow.partial->len);
  if (exit_code == 0 && output_failed ())
    exit_code = EXIT_OUTPUT;
  g_free (follow.path);
  g_free (follow.last_line);
  g_string_free (follow.partial, TRUE);
  return exit_code;
}
