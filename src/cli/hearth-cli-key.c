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
#include "hearth-error.h"
#include "hearth-secrets.h"

#define MAX_KEY_INPUT 65536

/* The key from standard input: one line, without echo, on a terminal; all of
 * it from a pipe or a file, so that a line break inside the key is seen and
 * refused instead of silently cutting the key short. Spaces and line breaks
 * around it are dropped. */
char *
read_api_key (GError **error)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved;
  char *key;
  gsize len = 0;

  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
      struct termios quiet = saved;

      quiet.c_lflag &= ~ECHO;
      g_printerr (_("API key: "));
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
      key = g_data_input_stream_read_line (data, NULL, NULL, error);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  else
    {
      key = g_malloc0 (MAX_KEY_INPUT + 1);
      if (!g_input_stream_read_all (in, key, MAX_KEY_INPUT, &len, NULL, error))
        {
          hearth_secrets_free (key);
          return NULL;
        }
      if (len == MAX_KEY_INPUT)
        {
          hearth_secrets_free (key);
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_KEY,
                       _("The API key is longer than %d bytes: is this the right file?"),
                       MAX_KEY_INPUT);
          return NULL;
        }
      if (memchr (key, '\0', len) != NULL)
        {
          hearth_secrets_free (key);
          g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_KEY,
                               _("The API key contains a NUL byte, which cannot be sent to a server"));
          return NULL;
        }
    }
  /* spaces and line breaks around the key are the file's, not the key's */
  if (key != NULL)
    g_strstrip (key);
  return key;
}

static int
key_set (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  char *key = read_api_key (&error);
  gboolean stored;

  if (key == NULL && error != NULL)
    return fail (error);
  if (key == NULL || *key == '\0')
    {
      hearth_secrets_free (key);
      return usage_error ("key", _("The key is empty: give it on standard input, for example "
                                   "hearth-cli key set < key.txt"));
    }
  stored = hearth_secrets_store_sync (endpoint, key, NULL, &error);
  hearth_secrets_free (key);
  if (!stored)
    return fail (error);
  g_print (_("The API key for %s is stored in the keyring.\n"), endpoint);
  return 0;
}

static int
key_delete (const char *endpoint)
{
  g_autoptr(GError) error = NULL;

  if (hearth_secrets_delete_sync (endpoint, NULL, &error))
    g_print (_("The API key for %s was removed from the keyring.\n"), endpoint);
  else if (error == NULL)
    g_print (_("No API key for %s was stored.\n"), endpoint);
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
    g_print (_("An API key for %s is stored in the keyring.\n"), endpoint);
  else
    g_print (_("No API key for %s is stored.\n"), endpoint);
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

  if (!parse_options ("key", N_("set | delete | status"), NULL, TRUE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc == 3 ? argv[2] : "";
  if (!g_str_equal (sub, "set") && !g_str_equal (sub, "delete") && !g_str_equal (sub, "status"))
    return usage_error ("key", _("Use key set, key delete or key status; the key itself goes "
                                 "on standard input, never on the command line"));
  if (!resolve_server (settings, &api, &endpoint, &error))
    return fail (error);
  if (g_str_equal (sub, "set"))
    return key_set (endpoint);
  if (g_str_equal (sub, "delete"))
    return key_delete (endpoint);
  return key_status (endpoint);
}
