/* test-sandbox.c — Hearth run the way its Flatpak runs it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No Flatpak runtime can be downloaded here, so the sandbox's side is set up
 * by hand: FLATPAK_ID, HOME and the XDG folders inside a fake
 * ~/.var/app/io.github.hearthapp.Hearth as flatpak run sets them, settings in
 * GLib's keyfile (what a sandbox without dconf uses), and only the build's
 * compiled schema. A private bus of the test's own activates the real
 * `hearth` from a service file, as the launcher's "New Chat" does when Hearth
 * is not running (org.freedesktop.Application.ActivateAction), and holds a
 * Background portal that records what it is asked.
 *
 * What a person would notice: the window opens from the launcher's action,
 * "Run in the Background" with "Start at Login" asks the portal (never a file
 * in ~/.config/autostart), Quit ends it, and nothing was written outside
 * Hearth's folder in ~/.var/app.
 */
#define G_LOG_DOMAIN "hearth-test-sandbox"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-test-portal.h"
#include "hearth-test-util.h"

#define APP_PATH "/io/github/hearthapp/Hearth"

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until done (data) or timeout_ms pass; a
 * tick wakes it to look again when done () polls something outside (the
 * bus daemon) rather than waiting for an event here. */
static gboolean
spin_until (gboolean (*done) (gpointer),
            gpointer   data,
            guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timed_out, &expired);
  guint tick_id = g_timeout_add (50, tick, NULL);

  while (!done (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_source_remove (tick_id);
  return done (data);
}

static gboolean
has_requests (gpointer data)
{
  return ((HearthTestPortal *) data)->requests->len > 0;
}

typedef struct
{
  GDBusConnection *bus;
  const char      *path;
  GVariant        *reply;
  GError          *error;
  gboolean         done;
} Call;

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call->error);
  call->done = TRUE;
}

static gboolean
call_is_done (gpointer data)
{
  return ((Call *) data)->done;
}

/* A method of the application, over the bus, answered while the loop spins
 * (the portal lives on this loop too). */
static GVariant *
call_app (GDBusConnection *bus,
          const char      *path,
          const char      *interface,
          const char      *method,
          GVariant        *parameters,
          GError         **error)
{
  Call call = { bus, path, NULL, NULL, FALSE };

  g_dbus_connection_call (bus, APP_ID, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 30000, NULL, call_done, &call);
  g_assert_true (spin_until (call_is_done, &call, 40000));
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.reply;
}

/* The first window exports its actions at APP_PATH/window/1. */
static gboolean
window_on_bus (gpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = call_app (data, APP_PATH "/window/1", "org.gtk.Actions", "List", NULL, &error);
  return reply != NULL;
}

static gboolean
app_gone (gpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (data, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return !owned;
}

/* Lets what the bus delivers meanwhile (the portal's calls) be answered. */
static void
hearth_test_spin_for_bus (guint milliseconds)
{
  gboolean expired = FALSE;

  g_timeout_add (milliseconds, timed_out, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

/* Every file and folder under dir that is not inside allowed. */
static void
collect_outside (const char *dir,
                 const char *allowed,
                 GPtrArray  *outside)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_str_equal (path, allowed))
        continue;
      if (g_str_has_prefix (allowed, path) && allowed[strlen (path)] == '/')
        collect_outside (path, allowed, outside);   /* a folder on the way to it */
      else
        g_ptr_array_add (outside, g_steal_pointer (&path));
    }
}

/* The bus and what it started (Hearth) are a process group of their own,
 * which goes with the test, also when an assertion ends it. */
static GPid bus_group;

static void
die_with_parent (gpointer data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
kill_bus_group (int signal_number)
{
  if (bus_group > 0)
    kill (-bus_group, SIGKILL);
  signal (signal_number, SIG_DFL);
  raise (signal_number);
}

static char *
write_in (const char *dir,
          const char *name,
          const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_sandbox_run (void)
{
  const char *build_dir = g_getenv ("HEARTH_BUILD_DIR");
  g_autofree char *root = hearth_test_build_tmp_path ("sandbox", NULL);
  g_autofree char *home = g_build_filename (root, "home", NULL);
  g_autofree char *var_app = g_build_filename (home, ".var", "app", APP_ID, NULL);
  g_autofree char *hearth = NULL;
  g_autofree char *schema_dir = NULL;
  g_autofree char *service = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *service_text = NULL;
  g_autofree char *conf_text = NULL;
  g_autofree char *address = NULL;
  g_autofree char *history = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *keyfile_text = NULL;
  g_auto(GStrv) env = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GPtrArray) outside = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autoptr(HearthTestPortal) portal = NULL;
  const char *daemon_argv[] = { "dbus-daemon", "--nofork", "--print-address=1", NULL, NULL };
  const struct { const char *variable, *dir; } xdg[] = {
    { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_STATE_HOME", ".local/state" },
  };
  g_autoptr(GSettingsSchemaSource) system_schemas = NULL;
  g_autoptr(GSettingsSchema) system_schema = NULL;
  const char **commandline = NULL;
  gboolean autostart = FALSE;
  g_autofree char *daemon_path = NULL;
  GPid daemon_pid = 0;
  int daemon_out = -1;
  gsize length = 0;

  if (build_dir == NULL)
    {
      g_test_skip ("HEARTH_BUILD_DIR is not set: run it from meson test");
      return;
    }
  if ((daemon_path = g_find_program_in_path ("dbus-daemon")) == NULL)
    {
      g_test_skip ("dbus-daemon is not installed (build-aux/setup.sh installs it)");
      return;
    }
  hearth = g_build_filename (build_dir, "src", "ui", "hearth", NULL);
  g_assert_true (g_file_test (hearth, G_FILE_TEST_IS_EXECUTABLE));
  schema_dir = g_build_filename (build_dir, "data", NULL);
  g_assert_true (g_file_test (schema_dir, G_FILE_TEST_IS_DIR));
  /* A Hearth schema installed in /usr/share would be found too, and the test
   * would no longer show that the build's own is enough. */
  system_schemas = g_settings_schema_source_new_from_directory ("/usr/share/glib-2.0/schemas",
                                                                NULL, FALSE, NULL);
  if (system_schemas != NULL)
    system_schema = g_settings_schema_source_lookup (system_schemas, APP_ID, FALSE);
  if (system_schema != NULL)
    {
      g_test_skip ("Hearth's schema is installed in /usr/share: uninstall it to test the "
                   "sandbox, which has only its own");
      return;
    }

  /* The sandbox's settings: Hearth set up, running in the background and
   * starting at login, as a person left it. */
  keyfile = write_in (var_app, "config/glib-2.0/settings/keyfile",
                      "[io/github/hearthapp/Hearth]\n"
                      "setup-done=true\n"
                      "run-in-background=true\n"
                      "autostart=true\n");
  g_assert_cmpint (g_mkdir_with_parents (var_app, 0700), ==, 0);

  /* What flatpak run sets, and the display the test runs under. The bus
   * daemon passes its environment to the services it starts. */
  env = g_get_environ ();
  env = g_environ_setenv (env, "FLATPAK_ID", APP_ID, TRUE);
  env = g_environ_setenv (env, "HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *dir = g_build_filename (var_app, xdg[i].dir, NULL);

      env = g_environ_setenv (env, xdg[i].variable, dir, TRUE);
    }
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  env = g_environ_setenv (env, "GNOTIFICATION_BACKEND", "portal", TRUE);
  /* The test's bus has no accessibility bus to start (a desktop has). */
  env = g_environ_setenv (env, "GTK_A11Y", "none", TRUE);
  env = g_environ_unsetenv (env, "HEARTH_FIRST_RUN_SETUP");
  env = g_environ_unsetenv (env, "DBUS_SESSION_BUS_ADDRESS");

  /* A bus of the test's own, which starts Hearth from its service file. */
  service_text = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s --gapplication-service\n",
                                  APP_ID, hearth);
  service = write_in (root, "services/" APP_ID ".service", service_text);
  conf_text = g_strdup_printf ("<busconfig>\n"
                               "  <type>session</type>\n"
                               "  <listen>unix:tmpdir=%s</listen>\n"
                               "  <auth>EXTERNAL</auth>\n"
                               "  <servicedir>%s/services</servicedir>\n"
                               "  <policy context='default'>\n"
                               "    <allow send_destination='*' eavesdrop='true'/>\n"
                               "    <allow eavesdrop='true'/>\n"
                               "    <allow own='*'/>\n"
                               "  </policy>\n"
                               "</busconfig>\n", root, root);
  conf = write_in (root, "session.conf", conf_text);
  daemon_argv[3] = g_strconcat ("--config-file=", conf, NULL);
  /* Not reaped by GLib: without that flag GLib forks twice, and the daemon's
   * parent, the intermediate child, exits at once, which the daemon's
   * PR_SET_PDEATHSIG took for the test dying (under ASan, most times). */
  g_spawn_async_with_pipes (NULL, (char **) daemon_argv, env,
                            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                            die_with_parent, NULL, &daemon_pid, NULL, &daemon_out, NULL, &error);
  g_free ((char *) daemon_argv[3]);
  g_assert_no_error (error);
  bus_group = daemon_pid;
  signal (SIGABRT, kill_bus_group);
  signal (SIGTRAP, kill_bus_group);
  channel = g_io_channel_unix_new (daemon_out);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_io_channel_read_line (channel, &address, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_strstrip (address);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);

  portal = hearth_test_portal_new (bus, TRUE);

  /* The launcher's "New Chat" with Hearth not running: the bus starts it. */
  reply = call_app (bus, APP_PATH, "org.freedesktop.Application", "ActivateAction",
                    g_variant_new ("(sava{sv})", "new-chat", NULL, NULL), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  g_assert_true (spin_until (window_on_bus, bus, 20000));

  /* Background and Start at Login through the portal, by Hearth itself. */
  g_assert_true (spin_until (has_requests, portal, 10000));
  g_assert_true (g_variant_lookup (portal->requests->pdata[0], "autostart", "b", &autostart));
  g_assert_true (autostart);
  g_assert_true (g_variant_lookup (portal->requests->pdata[0], "commandline", "^a&s",
                                   &commandline));
  g_assert_cmpstr (commandline[0], ==, "hearth");
  g_assert_cmpstr (commandline[1], ==, "--gapplication-service");
  g_free (commandline);

  /* hearth --new-chat (the action's Exec=, for launchers that run it) while
   * Hearth runs: handed to the running instance, no second window. */
  {
    const char *argv[] = { hearth, "--new-chat", NULL };
    g_auto(GStrv) cli_env = g_environ_setenv (g_strdupv (env), "DBUS_SESSION_BUS_ADDRESS",
                                              address, TRUE);
    g_autoptr(GVariant) second = NULL;
    int status = -1;

    g_spawn_sync (NULL, (char **) argv, cli_env, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, &error));
    g_assert_no_error (error);
    hearth_test_spin_for_bus (500);
    second = call_app (bus, APP_PATH "/window/2", "org.gtk.Actions", "List", NULL, &error);
    g_assert_null (second);
    g_clear_error (&error);
  }

  /* Its history is where the sandbox keeps an app's data. */
  history = g_build_filename (var_app, "data", "hearth", "hearth.db", NULL);
  g_assert_true (g_file_test (history, G_FILE_TEST_EXISTS));

  /* Quit, as from the menu: it ends, although it runs in the background. */
  reply = call_app (bus, APP_PATH, "org.gtk.Actions", "Activate",
                    g_variant_new ("(sava{sv})", "quit", NULL, NULL), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  g_assert_true (spin_until (app_gone, bus, 20000));

  /* The settings stayed in the sandbox's keyfile and the switches on (the
   * portal allowed them). */
  g_file_get_contents (keyfile, &keyfile_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (keyfile_text, "run-in-background=true"));

  /* Nothing outside ~/.var/app/io.github.hearthapp.Hearth, and no desktop
   * file in an autostart folder. */
  collect_outside (home, var_app, outside);
  for (guint i = 0; i < outside->len; i++)
    g_printerr ("# written outside the app's folder: %s\n", (char *) outside->pdata[i]);
  g_assert_cmpuint (outside->len, ==, 0);
  {
    g_autofree char *autostart_dir = g_build_filename (var_app, "config", "autostart", NULL);

    g_assert_false (g_file_test (autostart_dir, G_FILE_TEST_EXISTS));
  }

  g_dbus_connection_close_sync (bus, NULL, NULL);
  kill (-daemon_pid, SIGTERM);
  waitpid (daemon_pid, NULL, 0);
  bus_group = 0;
  signal (SIGABRT, SIG_DFL);
  signal (SIGTRAP, SIG_DFL);
  g_spawn_close_pid (daemon_pid);
  hearth_test_rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/run", test_sandbox_run);
  return g_test_run ();
}
