/* test-managed-ui.c — servers Hearth runs, in the app: the demo from a fresh profile to a
 * streamed reply, and a managed server's row, menu and log in Preferences
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-managed-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hearth-models-page.h"
#include "hearth-preferences-window.h"
#include "hearth-server-dialog.h"
#include "hearth-server-log-window.h"
#include "hearth-servers.h"
#include "hearth-setup-window.h"
#include "hearth-test-chat.h"
#include "hearth-test-prefs.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static HearthApplication *app;

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

static HearthServers *
servers (void)
{
  return hearth_engine_get_servers (hearth_application_get_engine (app));
}

static void
wait_text (GtkWidget  *widget,
           const char *text,
           guint       timeout_ms)
{
  if (!hearth_test_wait_for_text (widget, text, timeout_ms))
    {
      g_autofree char *visible = hearth_test_visible_text (widget);

      g_error ("“%s” never showed; visible: %s", text, visible);
    }
}

static gboolean
text_absent (GtkWidget  *widget,
             const char *text)
{
  g_autofree char *visible = hearth_test_visible_text (widget);

  return strstr (visible, text) == NULL;
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

  return g_strcmp0 (hearth_setup_window_get_page (HEARTH_SETUP_WINDOW (wait->window)),
                    wait->page) == 0;
}

static gboolean
next_enabled (GtkWidget *window)
{
  GtkWidget *next = hearth_test_find_with_class (window, GTK_TYPE_BUTTON, "suggested-action");

  return next != NULL && gtk_widget_is_sensitive (next) && gtk_widget_get_visible (next);
}

static void
go_next (GtkWidget  *window,
         const char *page)
{
  g_assert_true (next_enabled (window));
  gtk_widget_activate_action (window, "setup.next", NULL);
  g_assert_true (hearth_test_spin_until (on_page, &(PageWait) { window, page }, 2000));
}

static gboolean
next_is_enabled (gpointer window)
{
  return next_enabled (window);
}

typedef struct
{
  GtkWidget  *widget;
  const char *label;
} ButtonWait;

static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
button_shown (gpointer data)
{
  ButtonWait *wait = data;

  return hearth_test_find_widget (wait->widget, is_button_labelled, (gpointer) wait->label)
         != NULL;
}

/* A person's click on the button labelled @label, once it shows. */
static void
click (GtkWidget  *widget,
       const char *label)
{
  GtkWidget *button;

  if (!hearth_test_spin_until (button_shown, &(ButtonWait) { widget, label }, 10000))
    g_error ("no button “%s” showed", label);
  button = require_button (widget, label);

  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  hearth_test_wait_drawn (window, 2000);   /* let a stack's slide finish */
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), name, FALSE);
}

static gboolean
setup_gone_type (gpointer type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type), NULL) == NULL;
}

static gboolean
setup_gone (gpointer data)
{
  return find_toplevel (HEARTH_TYPE_SETUP_WINDOW, NULL) == NULL;
}

/* From the assistant's "no server" page to its last page, by the demo. */
static void
walk_to_demo (GtkWidget *setup)
{
  go_next (setup, "hardware");
  go_next (setup, "servers");
  wait_text (setup, "Not running", 10000);
  wait_text (setup, "Try the Demo Model", 1000);
  /* what to install for real answers is still said, in plain words */
  wait_text (setup, "install Ollama", 1000);
  g_assert_false (next_enabled (setup));
  screenshot (setup, "managed-setup-offer");

  click (setup, "_Try the Demo");
  /* made, started, found and chosen without another click */
  wait_text (setup, HEARTH_DEMO_LABEL, 60000);
  wait_text (setup, "started by Hearth", 30000);
  g_assert_true (hearth_test_spin_until (next_is_enabled, setup, 5000));
  screenshot (setup, "managed-setup-demo-found");

  go_next (setup, "model");
  wait_text (setup, HEARTH_DEMO_LABEL, 2000);
  wait_text (setup, "nothing to download", 1000);
  /* never offered a download, never shown as a real model */
  g_assert_true (text_absent (setup, "Recommended for This Computer"));
  g_assert_true (text_absent (setup, "demo:latest"));
  screenshot (setup, "managed-setup-model");

  go_next (setup, "done");
  wait_text (setup, "placeholder text", 1000);
  screenshot (setup, "managed-setup-done");
}

/* Text came: the reply streams it, or (56 tokens from the demo take a few
 * milliseconds) it already finished between two looks; the test reads the
 * finished message's state and text next. */
static gboolean
has_streamed (gpointer page)
{
  HearthReply *reply = hearth_chat_page_get_current_reply (page);

  if (reply == NULL)
    return hearth_test_chat_reply_finished (page);
  return hearth_reply_get_content_length (reply) > 0;
}

static void
test_demo_to_reply (void)
{
  g_autofree char *closed = closed_address ();
  HearthWindow *window;
  GtkWidget *setup;
  HearthChatPage *page;
  HearthServer *demo;
  HearthMessageItem *item;
  g_autofree char *text = NULL;
  g_autofree char *choice = NULL;

  if (!hearth_test_require_node ())
    return;
  /* a fresh profile: no server answers, none is listed but the one made
   * from the settings */
  g_assert_false (g_file_test (hearth_servers_get_path (servers ()), G_FILE_TEST_EXISTS));
  g_assert_true (hearth_servers_demo_available (servers (), NULL));
  window = hearth_test_chat_new_window (1280, 800);
  setup = hearth_setup_window_new (GTK_WINDOW (window), hearth_application_get_engine (app));
  hearth_setup_window_set_candidates (HEARTH_SETUP_WINDOW (setup),
                                      (const char *[]) { closed, NULL });
  gtk_window_present (GTK_WINDOW (setup));
  hearth_test_wait_drawn (setup, 5000);
  walk_to_demo (setup);

  demo = hearth_servers_get_default (servers ());
  g_assert_nonnull (demo);
  g_assert_true (hearth_server_get_demo (demo));
  g_assert_cmpint (hearth_server_get_process_state (demo), ==, HEARTH_PROCESS_RUNNING);
  /* the server made from the settings, which never answered, gave way to it */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers ())), ==, 1);

  gtk_widget_activate_action (setup, "setup.start", NULL);
  g_assert_true (hearth_test_spin_until (setup_gone, NULL, 5000));

  /* a new chat with the demo, labelled as what it is */
  page = hearth_test_chat_page (window);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));
  wait_text (GTK_WIDGET (page), "Demo model", 5000);
  wait_text (GTK_WIDGET (window), HEARTH_DEMO_LABEL, 5000);
  hearth_test_chat_send (page, "Hello");
  g_assert_true (hearth_test_spin_until (has_streamed, page, 20000));
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 20000));
  item = hearth_test_chat_last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (hearth_message_item_get_message (item)->server, ==,
                   hearth_server_get_name (demo));
  choice = g_strdup (hearth_message_item_get_message (item)->content);
  g_assert_cmpuint (strlen (choice), >, 0);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  text = hearth_test_visible_text (GTK_WIDGET (window));
  g_test_message ("chat: %s", text);
  g_assert_nonnull (strstr (text, choice));
  g_assert_nonnull (strstr (text, "tokens/s"));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "managed-chat-demo", TRUE);

  /* the Models page names it as the picker does */
  adw_view_stack_set_visible_child_name (
    ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK)),
    "models");
  wait_text (hearth_test_find_descendant (GTK_WIDGET (window), HEARTH_TYPE_MODELS_PAGE),
             HEARTH_DEMO_LABEL, 10000);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (window), "managed-models-demo.png"));
  hearth_test_chat_close_window (window);
}

/* Preferences → Servers: the demo's row says its process runs; its menu
 * stops and starts it, shows its log and keeps it running. */

static GtkWidget *
open_servers_page (void)
{
  GtkWidget *prefs = hearth_preferences_window_new (NULL, hearth_application_get_engine (app));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "servers");
  gtk_window_set_default_size (GTK_WINDOW (prefs), 1280, 800);
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (hearth_test_wait_drawn (prefs, 5000));
  return prefs;
}

static gboolean
log_has_lines (gpointer window)
{
  return hearth_server_log_window_is_loaded (window)
         && hearth_server_log_window_get_n_lines (window) > 0;
}

typedef struct
{
  GtkWidget *window;
  guint      more_than;
} LinesWait;

static gboolean
log_grew (gpointer data)
{
  LinesWait *wait = data;

  return hearth_server_log_window_get_n_lines (HEARTH_SERVER_LOG_WINDOW (wait->window))
         > wait->more_than;
}

static void
close_window (GtkWidget *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
}

/* Its ⋮ menu: what can be done now (Stop, not Start), the log, keeping it. */
static void
check_menu (GtkWidget *prefs,
            GtkWidget *row)
{
  GtkWidget *button = hearth_test_find_descendant (row, GTK_TYPE_MENU_BUTTON);
  GtkWidget *popover;
  g_autofree char *text = NULL;

  g_assert_nonnull (button);
  popover = GTK_WIDGET (hearth_test_popup_menu (GTK_MENU_BUTTON (button)));
  hearth_test_wait_drawn (popover, 2000);
  text = hearth_test_visible_text (popover);
  g_test_message ("menu: %s", text);
  g_assert_nonnull (strstr (text, "Stop\n"));
  g_assert_null (strstr (text, "Start\n"));
  g_assert_nonnull (strstr (text, "Show Log\n"));
  g_assert_nonnull (strstr (text, "Keep Running After Hearth Quits\n"));
  g_free (hearth_test_save_screenshot (popover, "managed-prefs-menu.png"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
}

static void
test_managed_row (void)
{
  HearthServer *demo;
  const char *name;
  GtkWidget *prefs, *row, *log;
  LinesWait grew;

  if (!hearth_test_require_node ())
    return;
  demo = hearth_servers_get_default (servers ());
  if (demo == NULL || !hearth_server_get_demo (demo))
    {
      g_test_skip ("needs the demo the assistant started (/managed-ui/demo)");
      return;
    }
  name = hearth_server_get_name (demo);
  prefs = open_servers_page ();
  row = require_row (prefs, name);
  wait_row_says (prefs, name, HEARTH_DEMO_LABEL);
  wait_row_says (prefs, name, "Running");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (prefs), "managed-prefs-row", FALSE);
  check_menu (prefs, row);

  /* Show Log: the file's tail, then what the server writes from now on */
  g_assert_true (gtk_widget_activate_action (row, "managed.show-log", NULL));
  log = wait_toplevel (HEARTH_TYPE_SERVER_LOG_WINDOW);
  g_assert_true (hearth_test_spin_until (log_has_lines, log, 5000));
  grew = (LinesWait) { log, hearth_server_log_window_get_n_lines (HEARTH_SERVER_LOG_WINDOW (log)) };
  /* a request the engine logs */
  hearth_servers_probe_async (servers (), name, NULL, NULL, NULL);

  /* Stop, from its menu: the row says so, and Start is offered */
  g_assert_true (gtk_widget_activate_action (row, "managed.stop", NULL));
  wait_row_says (prefs, name, "Stopped");
  g_assert_cmpint (hearth_server_get_process_state (demo), ==, HEARTH_PROCESS_STOPPED);
  row = require_row (prefs, name);
  g_assert_true (gtk_widget_activate_action (row, "managed.start", NULL));
  wait_row_says (prefs, name, "Running");
  /* its start-up is written in the log window as it happens */
  g_assert_true (hearth_test_spin_until (log_grew, &grew, 10000));
  hearth_test_wait_drawn (log, 2000);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (log), "managed-log", FALSE);
  close_window (log);

  /* Keep Running After Hearth Quits: saved */
  g_assert_false (hearth_server_get_keep (demo));
  row = require_row (prefs, name);
  g_assert_true (gtk_widget_activate_action (row, "managed.keep", NULL));
  g_assert_true (hearth_server_get_keep (demo));
  /* the process running now keeps the way it was started: said so */
  wait_text (prefs, "Kept running from its next start", 2000);
  row = require_row (prefs, name);
  g_assert_true (gtk_widget_activate_action (row, "managed.keep", NULL));
  g_assert_false (hearth_server_get_keep (demo));
  hearth_test_wait_clock (1000);   /* a tooltip timer GTK 4.8 starts (500 ms) must not outlive the window */
  close_window (prefs);
}

/* Add Server: an `ollama` on PATH (a stand-in: the project's engine,
 * started as `ollama serve` is, on the port OLLAMA_HOST names) is offered;
 * one already answering at OLLAMA_HOST is offered as it is instead. */

static char *
install_stand_in_ollama (void)
{
  static char *installed;
  g_autofree char *bin = hearth_test_build_tmp_path ("bin", NULL);
  g_autofree char *path = g_build_filename (bin, "ollama", NULL);
  g_autofree char *model = hearth_test_make_model ("fixed", "tiny-fixed");
  g_autofree char *models = g_path_get_dirname (model);
  g_autofree char *engine = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "server.mjs", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n"
                                             "[ \"$1\" = serve ] || exit 2\n"
                                             "exec node '%s' --port \"${OLLAMA_HOST##*:}\" "
                                             "--models '%s'\n", engine, models);
  g_autofree char *search = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH"));
  g_autoptr(GError) error = NULL;

  if (installed != NULL)
    return g_strdup (installed);
  g_mkdir_with_parents (bin, 0700);
  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  g_setenv ("PATH", search, TRUE);
  installed = g_strdup (path);
  return g_steal_pointer (&path);
}

static gboolean
stopped (gpointer data)
{
  return *(gboolean *) data;
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_servers_stop_finish (HEARTH_SERVERS (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* An empty list: the servers Hearth runs stopped, the rest removed (and
 * "this computer's Ollama", which follows OLLAMA_HOST, with them). */
static void
forget_servers (void)
{
  while (g_list_model_get_n_items (G_LIST_MODEL (servers ())) > 0)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers ()), 0);
      g_autofree char *name = g_strdup (hearth_server_get_name (server));
      g_autoptr(GError) error = NULL;
      gboolean done = FALSE;

      if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE)
        {
          hearth_servers_stop_async (servers (), name, NULL, stop_cb, &done);
          g_assert_true (hearth_test_spin_until (stopped, &done, 10000));
        }
      g_assert_true (hearth_servers_remove (servers (), name, &error));
      g_assert_no_error (error);
    }
}

static GtkWidget *
open_add_server (GtkWidget *prefs)
{
  gtk_widget_activate_action (prefs, "servers.add", NULL);
  return wait_toplevel (HEARTH_TYPE_SERVER_DIALOG);
}

static void
test_add_ollama (void)
{
  g_autofree char *stand_in = NULL;
  g_autofree char *closed = closed_address ();
  g_autofree char *found = NULL;
  GtkWidget *prefs, *dialog;
  HearthServer *added;

  if (!hearth_test_require_node ())
    return;
  stand_in = install_stand_in_ollama ();
  forget_servers ();
  found = hearth_managed_find_program (HEARTH_MANAGED_OLLAMA, NULL, NULL);
  g_assert_cmpstr (found, ==, stand_in);
  prefs = open_servers_page ();

  /* an Ollama already answers at OLLAMA_HOST, and is not in the list;
   * started, and warm: its first answer is slow */
  g_free (hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/version"));
  g_setenv ("OLLAMA_HOST", hearth_test_engine_url (), TRUE);
  dialog = open_add_server (prefs);
  wait_text (dialog, "Ollama Is Already Running", 10000);
  wait_text (dialog, "One already runs at", 1000);
  hearth_test_wait_drawn (dialog, 2000);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (dialog), "managed-add-running", FALSE);
  click (dialog, "_Add the Running Server");
  wait_toplevel_gone (HEARTH_TYPE_SERVER_DIALOG);
  added = hearth_servers_find_endpoint (servers (), HEARTH_API_OLLAMA, hearth_test_engine_url ());
  g_assert_nonnull (added);
  g_assert_cmpint (hearth_server_get_managed (added), ==, HEARTH_MANAGED_NONE);
  require_row (prefs, hearth_server_get_name (added));

  /* none answers: Hearth runs one, and its row shows it starting, then running */
  g_setenv ("OLLAMA_HOST", closed, TRUE);
  dialog = open_add_server (prefs);
  wait_text (dialog, "Let Hearth Run Ollama", 2000);
  wait_text (dialog, stand_in, 1000);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (dialog), "managed-add-ollama", FALSE);
  click (dialog, "Add and _Start");
  wait_toplevel_gone (HEARTH_TYPE_SERVER_DIALOG);
  g_unsetenv ("OLLAMA_HOST");
  /* "ollama" is the one that was already running: this one is "ollama-2" */
  added = hearth_servers_lookup (servers (), "ollama-2");
  g_assert_nonnull (added);
  g_assert_cmpint (hearth_server_get_managed (added), ==, HEARTH_MANAGED_OLLAMA);
  wait_row_says (prefs, "ollama-2", "Ollama, run by Hearth");
  wait_row_says (prefs, "ollama-2", "Running · pid");
  /* the demo gave way to a real server */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (servers ())); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers ()), i);

      g_assert_false (hearth_server_get_demo (server));
    }
  hearth_test_save_wide_and_narrow (GTK_WINDOW (prefs), "managed-prefs-ollama", FALSE);
  hearth_test_wait_clock (1000);   /* a tooltip timer GTK 4.8 starts (500 ms) must not outlive the window */
  close_window (prefs);
}

static GtkWidget *
open_setup_at_servers (const char *candidate)
{
  GtkWidget *setup = hearth_setup_window_new (NULL, hearth_application_get_engine (app));

  hearth_setup_window_set_candidates (HEARTH_SETUP_WINDOW (setup),
                                      (const char *[]) { candidate, NULL });
  gtk_window_present (GTK_WINDOW (setup));
  hearth_test_wait_drawn (setup, 5000);
  go_next (setup, "hardware");
  go_next (setup, "servers");
  wait_text (setup, "Ollama Is Installed", 10000);
  return setup;
}

/* The assistant, with ollama installed: one already answering where Hearth
 * would look (OLLAMA_HOST) is offered as it is; else Hearth runs one, and
 * it is found and chosen. */
static void
test_setup_ollama (void)
{
  g_autofree char *stand_in = NULL;
  g_autofree char *closed = closed_address ();
  GtkWidget *setup;
  HearthServer *added;

  if (!hearth_test_require_node ())
    return;
  stand_in = install_stand_in_ollama ();
  forget_servers ();
  g_free (hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/version"));
  g_setenv ("OLLAMA_HOST", hearth_test_engine_url (), TRUE);
  setup = open_setup_at_servers (closed);
  click (setup, "_Let Hearth Run It");
  wait_text (setup, "Ollama Is Already Running", 10000);
  g_assert_true (hearth_test_spin_until (button_shown,
                                         &(ButtonWait) { setup, "_Add the Running Server" },
                                         10000));
  screenshot (setup, "managed-setup-already-running");
  click (setup, "_Add the Running Server");
  wait_text (setup, "Found: Ollama", 10000);
  g_assert_true (hearth_test_spin_until (next_is_enabled, setup, 5000));
  /* nothing was added to run */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (servers ())), ==, 0);
  gtk_window_destroy (GTK_WINDOW (setup));

  g_setenv ("OLLAMA_HOST", closed, TRUE);
  setup = open_setup_at_servers (closed);
  wait_text (setup, "Try the Demo Model", 1000);
  screenshot (setup, "managed-setup-ollama-offer");
  click (setup, "_Let Hearth Run It");
  wait_text (setup, "Started by Hearth: Ollama", 30000);
  g_assert_true (hearth_test_spin_until (next_is_enabled, setup, 5000));
  g_unsetenv ("OLLAMA_HOST");
  added = hearth_servers_lookup (servers (), "ollama");
  g_assert_nonnull (added);
  g_assert_cmpint (hearth_server_get_managed (added), ==, HEARTH_MANAGED_OLLAMA);
  g_assert_cmpint (hearth_server_get_process_state (added), ==, HEARTH_PROCESS_RUNNING);
  gtk_window_destroy (GTK_WINDOW (setup));
}

/* Add Server: llama.cpp's server on PATH (a stand-in: the project's engine,
 * given the port and the one model file as llama-server is) serves a GGUF
 * file chosen in "Open a GGUF File". */

static void
install_stand_in_llama_server (void)
{
  g_autofree char *bin = hearth_test_build_tmp_path ("bin", NULL);
  g_autofree char *path = g_build_filename (bin, "llama-server", NULL);
  g_autofree char *engine = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "server.mjs", NULL);
  g_autofree char *script = g_strdup_printf (
    "#!/bin/sh\n"
    "while [ $# -gt 0 ]; do\n"
    "  case \"$1\" in --port) port=$2; shift;; --model) model=$2; shift;; esac; shift\n"
    "done\n"
    "dir=$(mktemp -d)\n"
    "ln -s \"$model\" \"$dir/$(basename \"$model\")\"\n"
    "exec node '%s' --port \"$port\" --models \"$dir\"\n", engine);
  g_autoptr(GError) error = NULL;

  g_free (install_stand_in_ollama ());   /* the folder, on PATH */
  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
}

static gboolean
file_chosen (gpointer chooser)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);

  return file != NULL;
}

static void
test_add_llama_server (void)
{
  g_autofree char *model = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *prefs, *dialog, *chooser;
  HearthServer *added;

  if (!hearth_test_require_node ())
    return;
  install_stand_in_llama_server ();
  forget_servers ();
  model = hearth_test_make_model ("fixed", "tiny-fixed");
  prefs = open_servers_page ();
  dialog = open_add_server (prefs);
  wait_text (dialog, "Let Hearth Run llama.cpp’s Server", 5000);
  click (dialog, "_Open a GGUF File…");
  /* no portal here: the chooser is GTK's own dialog */
  chooser = wait_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  file = g_file_new_for_path (model);
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, &error));
  g_assert_no_error (error);
  /* chosen once its folder is read */
  g_assert_true (hearth_test_spin_until (file_chosen, chooser, 10000));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  if (!hearth_test_spin_until (setup_gone_type, GSIZE_TO_POINTER (HEARTH_TYPE_SERVER_DIALOG), 10000))
    {
      g_autofree char *text = hearth_test_visible_text (dialog);

      g_error ("Add Server stayed open: %s", text);
    }
  added = hearth_servers_lookup (servers (), "llama-cpp");
  g_assert_nonnull (added);
  g_assert_cmpint (hearth_server_get_managed (added), ==, HEARTH_MANAGED_LLAMA_SERVER);
  g_assert_cmpstr (hearth_server_get_model_file (added), ==, model);
  wait_row_says (prefs, "llama-cpp", "llama.cpp’s server, run by Hearth · tiny-fixed.gguf");
  wait_row_says (prefs, "llama-cpp", "Running · pid");
  hearth_test_wait_drawn (prefs, 2000);
  g_free (hearth_test_save_screenshot (prefs, "managed-prefs-llama.png"));
  hearth_test_wait_clock (1000);   /* a tooltip timer GTK 4.8 starts (500 ms) must not outlive the window */
  close_window (prefs);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *engine = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "server.mjs", NULL);
  g_autofree char *runtime = NULL;
  int ret;

  /* the demo's engine: the source tree's, named as a packager would */
  g_setenv ("HEARTH_DEMO_ENGINE", engine, TRUE);
  app = hearth_test_chat_init (&argc, &argv);
  /* pid files of this test's own, not those of the session's Hearth or of
   * another test running beside it */
  runtime = hearth_test_build_tmp_path ("runtime", NULL);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/hearthapp/Hearth/icons");

  g_test_add_func ("/managed-ui/demo", test_demo_to_reply);
  g_test_add_func ("/managed-ui/row", test_managed_row);
  g_test_add_func ("/managed-ui/setup-ollama", test_setup_ollama);
  g_test_add_func ("/managed-ui/add-ollama", test_add_ollama);
  g_test_add_func ("/managed-ui/add-llama-server", test_add_llama_server);

  ret = g_test_run ();
  /* what quitting Hearth does: the demo, not kept, stops */
  hearth_servers_shutdown_managed (servers ());
  g_clear_object (&app);
  return ret;
}
