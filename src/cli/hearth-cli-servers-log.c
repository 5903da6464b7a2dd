/* hearth-cli-servers-log.c — hearth-cli servers logs NAME [--follow] [--lines N]
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The log of a server Hearth runs, wherever it was started (the app, serve,
 * another hearth-cli), through the core's reader and follower.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>

#include "hearth-cli-private.h"

typedef struct
{
  GMainLoop *loop;
} Follow;

static void
print_line (const char *line)
{
  output_write (OUTPUT_STDOUT, line, -1);
  output_write (OUTPUT_STDOUT, "\n", 1);
}

static void
on_line (const char *line,
         gpointer    user_data)
{
  Follow *follow = user_data;

  print_line (line);
  /* a reader that went away (| head) ends it */
  if (output_failed () && follow->loop != NULL)
    g_main_loop_quit (follow->loop);
}

static gboolean
on_follow_signal (gpointer user_data)
{
  Follow *follow = user_data;

  g_main_loop_quit (follow->loop);
  return G_SOURCE_CONTINUE;
}

static void
follow_log (HearthServer *server,
            guint         lines)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HearthLogFollower) follower = NULL;
  g_autofree char *path = hearth_server_get_log_path (server);
  Follow follow = { NULL };
  guint sources[3];

  follower = hearth_log_follower_new (server, lines, on_line, &follow, NULL);
  if (output_failed ())
    return;
  g_printerr (_("hearth-cli: Following %s; Ctrl+C stops.\n"), path);
  follow.loop = loop;
  sources[0] = g_unix_signal_add (SIGINT, on_follow_signal, &follow);
  sources[1] = g_unix_signal_add (SIGTERM, on_follow_signal, &follow);
  sources[2] = g_unix_signal_add (SIGHUP, on_follow_signal, &follow);
  g_main_loop_run (loop);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
}

int
servers_print_log (HearthServer *server,
                   guint         lines,
                   gboolean      follow)
{
  const char *name = hearth_server_get_name (server);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) text = NULL;

  if (follow)
    follow_log (server, lines);
  else if ((text = hearth_server_read_log (server, lines, &error)) != NULL)
    {
      for (guint i = 0; text[i] != NULL && !output_failed (); i++)
        print_line (text[i]);
    }
  else if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_autofree char *path = hearth_server_get_log_path (server);

      g_printerr (_("hearth-cli: %s has no log yet (%s): it has not been started. Start it with "
                    "hearth-cli servers start %s.\n"), name, path, name);
    }
  else
    return fail (error);
  return output_failed () ? EXIT_OUTPUT : 0;
}
