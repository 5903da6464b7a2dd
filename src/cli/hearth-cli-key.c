/* hearth-cli-key.c — hearth-cli key: the API key in the keyring
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <gio/gunixinputstream.h>
#include <termios.h>
#include <unistd.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-secrets.h"

/* One line from standard input, without echo on a terminal. */
static char *
read_key_line (GError **error)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved;
  char *line;

  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      struct termios quiet = saved;

      quiet.c_lflag &= ~ECHO;
      g_printerr ("API key: ");
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  else
    tty = FALSE;
  line = g_data_input_stream_read_line (data, NULL, NULL, error);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (line != NULL)
    g_strstrip (line);
  return line;
}

static int
key_set (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  char *key = read_key_line (&error);
  gboolean stored;

  if (key == NULL && error != NULL)
    return fail (error);
  if (key == NULL || *key == '\0')
    {
      hearth_secrets_free (key);
      return usage_error ("key", "The key is empty: give it on standard input, for example "
                                 "hearth-cli key set < key.txt");
    }
  stored = hearth_secrets_store_sync (endpoint, key, NULL, &error);
  hearth_secrets_free (key);
  if (!stored)
    return fail (error);
  g_print ("The API key for %s is stored in the keyring.\n", endpoint);
  return 0;
}

static int
key_delete (const char *endpoint)
{
  g_autoptr(GError) error = NULL;

  if (hearth_secrets_delete_sync (endpoint, NULL, &error))
    g_print ("The API key for %s was removed from the keyring.\n", endpoint);
  else if (error == NULL)
    g_print ("No API key for %s was stored.\n", endpoint);
  else
    return fail (error);
  return 0;
}

static int
key_status (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  char *key = hearth_secrets_lookup_sync (endpoint, NULL, &error);

  if (error != NULL)
    return fail (error);
  if (key != NULL)
    g_print ("An API key for %s is stored in the keyring.\n", endpoint);
  else
    g_print ("No API key for %s is stored.\n", endpoint);
  hearth_secrets_free (key);
  return 0;
}

int
hearth_cli_command_key (int    argc,
                        char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;
  HearthApiKind api;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("key", "set | delete | status", NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc == 3 ? argv[2] : "";
  if (!g_str_equal (sub, "set") && !g_str_equal (sub, "delete") && !g_str_equal (sub, "status"))
    return usage_error ("key", "Use key set, key delete or key status; the key itself goes "
                               "on standard input, never on the command line");
  if (!resolve_server (settings, &api, &endpoint, &error))
    return fail (error);
  if (g_str_equal (sub, "set"))
    return key_set (endpoint);
  if (g_str_equal (sub, "delete"))
    return key_delete (endpoint);
  return key_status (endpoint);
}
