/* test-setup.c — the setup assistant, walked page by page against the test engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-setup"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-servers.h"
#include "hearth-setup-window.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static GSettings *settings;

/* An address where nothing listens: a port the kernel just gave out and took back. */
static char *
closed_address (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

/* The test engine, able to pull "tiny-pulled" from a directory of its own. */
static const char *
engine_url (void)
{
  g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
  g_autofree char *source = hearth_test_build_tmp_path ("pull-source", NULL);
  g_autofree char *pulled = g_build_filename (source, "tiny-pulled.gguf", NULL);
  const char *args[] = { "--pull-source", source, NULL };

  if (!g_file_test (pulled, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GFile) from = g_file_new_for_path (fixed);
      g_autoptr(GFile) to = g_file_new_for_path (pulled);
      g_autoptr(GError) error = NULL;

      g_mkdir_with_parents (source, 0700);
      g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  return hearth_test_server_get_url (hearth_test_engine_server (args));
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

typedef struct
{
  GtkWidget  *widget;
  const char *text;
} Showing;

static gboolean
shows_text (gpointer data)
{
  Showing *showing = data;
  g_autofree char *text = hearth_test_visible_text (showing->widget);

  return strstr (text, showing->text) != NULL;
}

static void
wait_for_text (GtkWidget  *window,
               const char *text,
               guint       timeout_ms)
{
  Showing showing = { window, text };

  if (!hearth_test_spin_until (shows_text, &showing, timeout_ms))
    {
      g_autofree char *visible = hearth_test_visible_text (window);

      g_error ("“%s” never showed; visible: %s", text, visible);
    }
}

/* The engine of the last window opened, to see the servers it ends with. */
static HearthEngine *engine;

static GtkWidget *
open_window (const char * const *candidates)
{
  GtkWidget *window;

  if (engine == NULL)
    engine = hearth_engine_new (NULL);
  window = hearth_setup_window_new (NULL, engine);

  hearth_setup_window_set_candidates (HEARTH_SETUP_WINDOW (window), candidates);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (widget_is_mapped, window, 5000));
  return window;
}

/* A fresh engine for the next window, with no servers.conf. */
static void
forget_servers (void)
{
  if (engine != NULL)
    g_remove (hearth_servers_get_path (hearth_engine_get_servers (engine)));
  g_clear_object (&engine);
}

/* The server the assistant ended with is the first of the list and the default. */
static HearthServer *
assert_first_server (const char *url)
{
  HearthServers *servers = hearth_engine_get_servers (engine);
  g_autoptr(HearthServer) first = g_list_model_get_item (G_LIST_MODEL (servers), 0);
  g_autofree char *endpoint = hearth_endpoint_normalize (url, HEARTH_API_OLLAMA, NULL);

  g_assert_cmpstr (hearth_server_get_endpoint (first), ==, endpoint);
  g_assert_true (hearth_servers_get_default (servers) == first);
  g_assert_true (hearth_server_get_enabled (first));
  /* kept in servers.conf: the chat and hearth-cli use it from now on */
  g_assert_true (g_file_test (hearth_servers_get_path (servers), G_FILE_TEST_EXISTS));
  return first;
}

static gboolean
next_enabled (GtkWidget *window)
{
  GtkWidget *next = hearth_test_find_with_class (window, GTK_TYPE_BUTTON, "suggested-action");

  g_assert_nonnull (next);
  return gtk_widget_is_sensitive (next) && gtk_widget_get_visible (next);
}

typedef struct
{
  GtkWidget  *window;
  const char *page;
} PageWait;

static gboolean
on_page (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (hearth_setup_window_get_page (HEARTH_SETUP_WINDOW (wait->window)), wait->page) == 0;
}

static void
go_next (GtkWidget  *window,
         const char *expected_page)
{
  g_assert_true (next_enabled (window));
  gtk_widget_activate_action (window, "setup.next", NULL);
  hearth_test_spin_until (on_page, &(PageWait) { window, expected_page }, 2000);
  g_assert_cmpstr (hearth_setup_window_get_page (HEARTH_SETUP_WINDOW (window)), ==, expected_page);
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  g_autofree char *file = g_strconcat (name, ".png", NULL);

  hearth_test_wait_drawn (window, 2000);   /* let the stack's slide finish */
  g_free (hearth_test_save_screenshot (window, file));
}

static void
assert_step (GtkWidget  *window,
             const char *expected)
{
  AdwWindowTitle *title = ADW_WINDOW_TITLE (hearth_test_find_descendant (window,
                                                                         ADW_TYPE_WINDOW_TITLE));

  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, expected);
}

static gboolean
back_shown (GtkWidget *window)
{
  GtkWidget *title = hearth_test_find_descendant (window, ADW_TYPE_WINDOW_TITLE);
  GtkWidget *bar = gtk_widget_get_ancestor (title, ADW_TYPE_HEADER_BAR);
  GtkWidget *back = hearth_test_find_descendant (bar, GTK_TYPE_BUTTON);

  return back != NULL && gtk_widget_get_mapped (back)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (back)), "_Back") == 0;
}

/* The row's radio button is on. */
static gboolean
row_chosen (AdwActionRow *row)
{
  GtkWidget *check = adw_action_row_get_activatable_widget (row);

  return gtk_check_button_get_active (GTK_CHECK_BUTTON (check));
}

static char *
model_size_text (const char *model)
{
  g_autofree char *path = hearth_test_make_model ("fixed", model);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return g_format_size (st.st_size);
}

static void
assert_setting (const char *key,
                const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static gboolean
is_row_ending (GtkWidget *widget,
               gpointer   suffix)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_str_has_suffix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), suffix);
}

static AdwActionRow *
find_row_ending (GtkWidget  *widget,
                 const char *suffix)
{
  return ADW_ACTION_ROW (hearth_test_find_widget (widget, is_row_ending, (gpointer) suffix));
}

static void
close_and_finalize (GtkWidget *window)
{
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
}

static void
walk_to_servers (GtkWidget *window)
{
  g_autofree char *threads = g_strdup_printf ("%u threads", g_get_num_processors ());

  g_assert_cmpstr (hearth_setup_window_get_page (HEARTH_SETUP_WINDOW (window)), ==, "welcome");
  wait_for_text (window, "stay on this machine", 1000);
  assert_step (window, "Step 1 of 5");
  g_assert_false (back_shown (window));
  screenshot (window, "setup-1-welcome");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "setup-welcome", FALSE);
  go_next (window, "hardware");
  g_assert_true (back_shown (window));
  wait_for_text (window, "of 100", 60000);
  wait_for_text (window, threads, 1000);
  screenshot (window, "setup-2-hardware");
  go_next (window, "servers");
}

static void
test_setup_walk (void)
{
  g_autofree char *closed = closed_address ();
  g_autofree char *size = NULL;
  g_autofree char *installed = NULL;
  const char *url;
  GtkWidget *window;

  if (!hearth_test_require_node ())
    return;
  url = engine_url ();
  size = model_size_text ("tiny-fixed");
  window = open_window ((const char *[]) { url, closed, NULL });
  walk_to_servers (window);
  wait_for_text (window, "Found: Ollama 0.0.0-hearth-test, 1 model", 10000);
  wait_for_text (window, "Not running", 10000);
  /* The only server running is chosen without a click. */
  g_assert_true (row_chosen (find_row_ending (window, url)));
  g_assert_false (row_chosen (find_row_ending (window, closed)));
  g_assert_true (next_enabled (window));
  assert_step (window, "Step 3 of 5");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "setup-servers", FALSE);
  screenshot (window, "setup-3-servers");
  go_next (window, "model");

  /* The installed model is chosen, and says how big it is. */
  installed = g_strdup_printf ("Installed · %s", size);
  wait_for_text (window, "tiny-fixed:latest", 1000);
  wait_for_text (window, installed, 1000);
  g_assert_true (row_chosen (find_row_ending (window, "tiny-fixed:latest")));
  g_assert_true (next_enabled (window));
  assert_step (window, "Step 4 of 5");
  screenshot (window, "setup-4-model");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "setup-model", FALSE);
  hearth_setup_window_choose_model (HEARTH_SETUP_WINDOW (window), "tiny-pulled");
  go_next (window, "download");

  wait_for_text (window, " left", 30000);
  assert_step (window, "Step 4 of 5");
  g_free (hearth_test_save_screenshot (window, "setup-5-downloading.png"));
  gtk_widget_activate_action (window, "setup.cancel-download", NULL);
  wait_for_text (window, "Download Cancelled", 10000);
  g_assert_false (next_enabled (window));
  screenshot (window, "setup-5-cancelled");
  gtk_widget_activate_action (window, "setup.retry-download", NULL);
  wait_for_text (window, "100 %", 30000);
  screenshot (window, "setup-5-download");
  go_next (window, "done");
  assert_step (window, "Step 5 of 5");
  assert_setting ("endpoint", url);
  assert_setting ("api-kind", "ollama");
  assert_setting ("default-model", "tiny-pulled");
  g_assert_true (g_settings_get_boolean (settings, "setup-done"));
  /* the list had only the server made from the settings: it is this one now */
  assert_first_server (url);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (hearth_engine_get_servers (engine))),
                    ==, 1);
  screenshot (window, "setup-6-done");

  g_object_ref (window);
  gtk_widget_activate_action (window, "setup.start", NULL);
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_false (gtk_widget_get_visible (window));
  g_assert_finalize_object (window);
}

/* An installed model needs no download: Next goes straight to the end. */
static void
test_setup_installed (void)
{
  g_autofree char *closed = closed_address ();
  g_autoptr(GError) error = NULL;
  HearthServers *servers;
  const char *url;
  GtkWidget *window;

  if (!hearth_test_require_node ())
    return;
  url = engine_url ();
  /* a list of the user's own already: the server found goes in front of it */
  forget_servers ();
  engine = hearth_engine_new (NULL);
  servers = hearth_engine_get_servers (engine);
  g_assert_nonnull (hearth_servers_add (servers, "big-box", closed, HEARTH_API_OLLAMA, FALSE,
                                        NULL, &error));
  g_assert_no_error (error);
  g_settings_set_string (settings, "default-model", "tiny-fixed:latest");
  window = open_window ((const char *[]) { url, NULL });
  go_next (window, "hardware");
  wait_for_text (window, "of 100", 60000);   /* the probe holds the window until it ends */
  go_next (window, "servers");
  wait_for_text (window, "Found: Ollama", 10000);
  go_next (window, "model");
  /* The default model already set is the one chosen. */
  g_assert_true (row_chosen (find_row_ending (window, "tiny-fixed:latest")));
  go_next (window, "done");
  /* No download: the count went from 4 to 5, never past it. */
  assert_step (window, "Step 5 of 5");
  assert_setting ("default-model", "tiny-fixed:latest");
  assert_first_server (url);
  g_assert_nonnull (hearth_servers_lookup (servers, "big-box"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers)), ==, 3);
  close_and_finalize (window);
  forget_servers ();
}

static void
test_setup_nothing_found (void)
{
  g_autofree char *closed = closed_address ();
  GtkWidget *window = open_window ((const char *[]) { closed, NULL });

  walk_to_servers (window);
  wait_for_text (window, "Not running", 10000);
  wait_for_text (window, "install.sh", 1000);
  wait_for_text (window, "Rescan", 1000);
  g_assert_false (next_enabled (window));
  screenshot (window, "setup-3-servers-none");

  gtk_widget_activate_action (window, "setup.rescan", NULL);
  wait_for_text (window, "Not running", 10000);
  wait_for_text (window, "install.sh", 1000);
  close_and_finalize (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hearth_test_init (&argc, &argv);
  g_unsetenv ("OLLAMA_HOST");
  gtk_init ();
  adw_init ();
  /* What GtkApplication does for the application's own icon */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/hearthapp/Hearth/icons");
  settings = g_settings_new (APP_ID);

  g_test_add_func ("/setup/walk", test_setup_walk);
  g_test_add_func ("/setup/installed", test_setup_installed);
  g_test_add_func ("/setup/nothing-found", test_setup_nothing_found);

  ret = g_test_run ();
  forget_servers ();
  g_clear_object (&settings);
  return ret;
}
