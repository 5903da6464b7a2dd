/* hearth-test-dunst.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hearth-test-dunst.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static GTestDBus *test_bus;
static GSubprocess *dunst;
static GDBusConnection *bus;

/* dunst's context menu runs this as its "dmenu": it keeps the offered lines
 * and answers with the one containing the text in dmenu-pick, if any. */
static const char dmenu_script[] =
  "#!/bin/sh\n"
  "dir=$(dirname \"$0\")\n"
  "cat > \"$dir/dmenu-in.tmp\"\n"
  "pick=$(cat \"$dir/dmenu-pick\" 2>/dev/null)\n"
  "mv \"$dir/dmenu-in.tmp\" \"$dir/dmenu-in\"\n"
  "[ -n \"$pick\" ] && grep -F -m1 -- \"$pick\" \"$dir/dmenu-in\"\n"
  "exit 0\n";

static char *
dunst_path (const char *name)
{
  return hearth_test_build_tmp_path ("dunst", name, NULL);
}

static gboolean
name_has_owner (const char *name)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus",
                                                           "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "NameHasOwner",
                                                           g_variant_new ("(s)", name),
                                                           G_VARIANT_TYPE ("(b)"),
                                                           G_DBUS_CALL_FLAGS_NONE, 1000, NULL,
                                                           NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static gboolean
daemon_up (gpointer data)
{
  return name_has_owner ("org.freedesktop.Notifications");
}

static void
write_config (void)
{
  g_autofree char *dir = dunst_path (NULL);
  g_autofree char *script = dunst_path ("dmenu");
  g_autofree char *config = dunst_path ("dunstrc");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (script, dmenu_script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  /* Long timeouts: a notification stays on screen while the test looks. The
   * text dunst renders starts with the urgency it understood, and its
   * history keeps that text. */
  text = g_strdup_printf ("[global]\n  idle_threshold = 0\n  history_length = 50\n"
                          "  dmenu = %s\n"
                          "[urgency_low]\n  timeout = 60\n  format = \"low|%%s\"\n"
                          "[urgency_normal]\n  timeout = 60\n  format = \"normal|%%s\"\n"
                          "[urgency_critical]\n  timeout = 60\n  format = \"critical|%%s\"\n",
                          script);
  g_file_set_contents (config, text, -1, &error);
  g_assert_no_error (error);
}

static const char *why_not;

gboolean
hearth_test_dunst_start (const char *service_dir)
{
  g_autofree char *path = g_find_program_in_path ("dunst");
  g_autofree char *config = dunst_path ("dunstrc");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

  /* No accessibility bus on this private one: GTK would warn. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  if (service_dir != NULL)
    g_test_dbus_add_service_dir (test_bus, service_dir);
  g_test_dbus_up (test_bus);
  /* GTestDBus unsets DISPLAY (against X11 autolaunch); the windows need it. */
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  if (path == NULL || g_getenv ("DISPLAY") == NULL)
    {
      why_not = "dunst or DISPLAY missing: no notification daemon to talk to";
      return FALSE;
    }
  write_config ();
  /* Our G_DEBUG=fatal-warnings would turn dunst's own GLib warnings into aborts. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  dunst = g_subprocess_launcher_spawn (launcher, &error, path, "-config", config, NULL);
  g_assert_no_error (error);
  if (!hearth_test_spin_until (daemon_up, NULL, 10000))
    {
      why_not = "dunst did not take org.freedesktop.Notifications (is the display usable?)";
      return FALSE;
    }
  return TRUE;
}

const char *
hearth_test_dunst_why_not (void)
{
  return why_not;
}

void
hearth_test_dunst_stop (void)
{
  if (dunst != NULL)
    {
      g_subprocess_force_exit (dunst);
      g_subprocess_wait (dunst, NULL, NULL);
    }
  g_clear_object (&dunst);
  g_clear_object (&bus);
  /* Stopped, not taken down: libadwaita keeps the session bus connection
   * (its settings portal proxy) for the life of the process, and
   * g_test_dbus_down(), also run when the GTestDBus is freed, would wait for
   * it to go. */
  if (test_bus != NULL)
    g_test_dbus_stop (test_bus);
}

GDBusConnection *
hearth_test_dunst_bus (void)
{
  return bus;
}

/* Also for a dunst on another bus than ours (test-chat-actions' session bus) */
GVariant *
hearth_test_dunst_call_on (GDBusConnection *connection,
                           const char      *method,
                           GVariant        *args,
                           const char      *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (connection, "org.freedesktop.Notifications",
                                                 "/org/freedesktop/Notifications",
                                                 "org.dunstproject.cmd0", method, args,
                                                 reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                                 G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

  g_assert_no_error (error);
  return reply;
}

guint
hearth_test_dunst_count_on (GDBusConnection *connection,
                            const char      *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.dunstproject.cmd0", property),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_uint32 (value);
}

static GVariant *
dunst_call (const char *method,
            GVariant   *args,
            const char *reply_type)
{
  return hearth_test_dunst_call_on (bus, method, args, reply_type);
}

static guint
dunst_count (const char *property)
{
  return hearth_test_dunst_count_on (bus, property);
}

guint
hearth_test_dunst_n_shown (void)
{
  return dunst_count ("displayedLength") + dunst_count ("waitingLength");
}

typedef struct
{
  guint n;
} Wanted;

static gboolean
n_shown_is (gpointer data)
{
  return hearth_test_dunst_n_shown () == ((Wanted *) data)->n;
}

gboolean
hearth_test_dunst_wait_shown (guint n,
                              guint timeout_ms)
{
  Wanted wanted = { n };

  return hearth_test_spin_until (n_shown_is, &wanted, timeout_ms);
}

void
hearth_test_dunst_close_all (void)
{
  g_variant_unref (dunst_call ("NotificationCloseAll", NULL, NULL));
  hearth_test_dunst_wait_shown (0, 5000);
}

GPtrArray *
hearth_test_dunst_history (void)
{
  g_autoptr(GVariant) reply = dunst_call ("NotificationListHistory", NULL, "(aa{sv})");
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariantIter iter;
  GVariant *dict;

  g_variant_iter_init (&iter, list);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    g_ptr_array_add (out, dict);
  return out;
}

static const char *
lookup_string (GVariant   *dict,
               const char *key)
{
  const char *text = NULL;

  if (!g_variant_lookup (dict, key, "&s", &text))
    return "";
  return text;
}

char *
hearth_test_dunst_history_text (const char *needle)
{
  g_autoptr(GPtrArray) history = hearth_test_dunst_history ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < history->len; i++)
    {
      GVariant *dict = history->pdata[i];
      const char *summary = lookup_string (dict, "summary");
      const char *message = lookup_string (dict, "message");

      if (strstr (summary, needle) == NULL)
        continue;
      g_string_append_printf (out, "%s|%s|%.*s\n", summary, lookup_string (dict, "body"),
                              (int) strcspn (message, "|"), message);
    }
  return g_string_free (out, FALSE);
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

char *
hearth_test_dunst_context_menu (const char *pick)
{
  g_autofree char *offered = dunst_path ("dmenu-in");
  g_autofree char *pick_path = dunst_path ("dmenu-pick");
  g_autoptr(GError) error = NULL;
  char *lines = NULL;

  g_unlink (offered);
  g_file_set_contents (pick_path, pick != NULL ? pick : "", -1, &error);
  g_assert_no_error (error);
  g_variant_unref (dunst_call ("ContextMenuCall", NULL, NULL));
  g_assert_true (hearth_test_spin_until (file_exists, offered, 10000));
  g_file_get_contents (offered, &lines, NULL, &error);
  g_assert_no_error (error);
  return lines;
}

void
hearth_test_dunst_click (void)
{
  g_variant_unref (dunst_call ("NotificationAction", g_variant_new ("(u)", 0), NULL));
}
