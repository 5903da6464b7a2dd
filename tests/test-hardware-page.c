/* test-hardware-page.c — the Hardware page probes, reports, copies, exports and installs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-hardware-page"

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "hearth-hardware-page.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static GSettings *settings;

/* The test engine, with tiny-pulled.gguf in its --pull-source folder. */
static gboolean
start_engine (void)
{
  if (!hearth_test_require_node ())
    return FALSE;
  hearth_test_engine_with_pull_source ();
  g_settings_set_string (settings, "endpoint", hearth_test_engine_url ());
  g_settings_set_string (settings, "api-kind", "ollama");
  return TRUE;
}

static gboolean
page_is_probed (gpointer data)
{
  return hearth_hardware_page_is_probed (HEARTH_HARDWARE_PAGE (data));
}

static HearthHardwarePage *
open_page (GtkWindow **out_window)
{
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (HEARTH_TYPE_HARDWARE_PAGE, NULL);

  hearth_hardware_page_set_engine (HEARTH_HARDWARE_PAGE (page), engine);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 1000);
  gtk_window_set_child (GTK_WINDOW (window), page);
  /* Construction alone must not probe: start-up does not pay for it. */
  hearth_test_spin_for (200);
  g_assert_false (hearth_hardware_page_is_probed (HEARTH_HARDWARE_PAGE (page)));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (page_is_probed, page, 15000));
  hearth_test_wait_drawn (window, 2000);
  *out_window = GTK_WINDOW (window);
  return HEARTH_HARDWARE_PAGE (page);
}

static void
close_page (GtkWindow          *window,
            HearthHardwarePage *page)
{
  g_object_ref (page);
  gtk_window_destroy (window);
  hearth_test_spin_until (hearth_test_only_ref, page, 2000);
  g_assert_finalize_object (page);
}

static char *
mem_total_text (void)
{
  g_autofree char *meminfo = NULL;
  const char *line;
  guint64 kib;

  g_assert_true (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL));
  line = strstr (meminfo, "MemTotal:");
  g_assert_nonnull (line);
  kib = g_ascii_strtoull (line + strlen ("MemTotal:"), NULL, 10);
  return g_format_size (kib * 1024);
}

static void
assert_text_has (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not in the page:\n%s", needle, text);
}

static void
scroll_to_end (GtkWidget *page)
{
  GtkWidget *scroller = hearth_test_find_descendant (page, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  hearth_test_wait_drawn (scroller, 2000);
}

static void
test_hardware_page_probe (void)
{
  GtkWindow *window;
  HearthHardwarePage *page = open_page (&window);
  g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (page));
  g_autofree char *threads = g_strdup_printf ("%u threads", g_get_num_processors ());
  g_autofree char *total = mem_total_text ();
  g_autofree char *shot = NULL;

  assert_text_has (text, threads);
  assert_text_has (text, total);
  assert_text_has (text, " / 100");
  assert_text_has (text, "GB/s, measured");
  assert_text_has (text, "Install");
  g_assert_true (strstr (text, "tokens/s (estimate)") != NULL ||
                 strstr (text, "speed unknown") != NULL);
  shot = hearth_test_save_screenshot (GTK_WIDGET (window), "hardware-page.png");
  hearth_test_save_wide_and_narrow (window, "hardware", FALSE);
  hearth_test_save_wide_and_narrow (window, "hardware-end", TRUE);
  g_test_message ("screenshot: %s", shot);
  scroll_to_end (GTK_WIDGET (page));
  g_clear_pointer (&shot, g_free);
  shot = hearth_test_save_screenshot (GTK_WIDGET (window), "hardware-page-details.png");
  g_test_message ("screenshot: %s", shot);

  /* Refresh probes again and comes back to the report. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "hardware.refresh", NULL));
  g_assert_false (hearth_hardware_page_is_probed (page));
  g_assert_true (hearth_test_spin_until (page_is_probed, page, 15000));
  close_page (window, page);
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_hardware_page_copy (void)
{
  GtkWindow *window;
  HearthHardwarePage *page = open_page (&window);
  g_autofree char *text = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "hardware.copy", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (page)), NULL,
                                 on_clipboard_text, &text);
  g_assert_true (hearth_test_spin_until (is_set, &text, 5000));
  g_assert_true (text[0] == '#');
  g_assert_nonnull (strstr (text, "GB/s"));
  close_page (window, page);
}

static void
test_hardware_page_export (void)
{
  GtkWindow *window;
  HearthHardwarePage *page = open_page (&window);
  g_autofree char *json_path = hearth_test_build_tmp_path ("report.json", NULL);
  g_autofree char *md_path = hearth_test_build_tmp_path ("report.md", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) md_file = g_file_new_for_path (md_path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *markdown = NULL;

  g_assert_true (hearth_hardware_page_export (page, json_file, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  g_assert_true (hearth_hardware_page_export (page, md_file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (md_path, &markdown, NULL, NULL));
  g_assert_true (markdown[0] == '#');
  close_page (window, page);
}

static gboolean
shows_installed (gpointer data)
{
  g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (data));

  return strstr (text, "Installed") != NULL;
}

static void
test_hardware_page_install (void)
{
  GtkWindow *window;
  HearthHardwarePage *page;
  g_autofree char *tags = NULL;
  g_autofree char *shot = NULL;

  if (!start_engine ())
    return;
  page = open_page (&window);
  hearth_hardware_page_install (page, "tiny-pulled");
  hearth_test_spin_for (300);
  shot = hearth_test_save_screenshot (GTK_WIDGET (window), "hardware-page-pulling.png");
  g_test_message ("screenshot: %s", shot);
  g_assert_true (hearth_test_spin_until (shows_installed, page, 20000));
  g_clear_pointer (&shot, g_free);
  shot = hearth_test_save_screenshot (GTK_WIDGET (window), "hardware-page-installed.png");
  g_test_message ("screenshot: %s", shot);
  tags = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/tags");
  g_assert_nonnull (strstr (tags, "tiny-pulled"));
  close_page (window, page);
}

static void
test_hardware_page_not_ollama (void)
{
  GtkWindow *window;
  HearthHardwarePage *page = open_page (&window);
  GtkWidget *button;

  g_settings_set_string (settings, "api-kind", "openai");
  button = hearth_test_find_with_class (GTK_WIDGET (page), GTK_TYPE_BUTTON, "suggested-action");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "Only Ollama"));
  g_settings_set_string (settings, "api-kind", "ollama");
  g_assert_true (gtk_widget_get_sensitive (button));
  close_page (window, page);
}

static gboolean
page_is_probed_again (gpointer data)
{
  return hearth_hardware_page_is_probed (HEARTH_HARDWARE_PAGE (data));
}

static char *
models_folder_after_probe (HearthHardwarePage *page)
{
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "hardware.refresh", NULL));
  g_assert_true (hearth_test_spin_until (page_is_probed_again, page, 15000));
  text = hearth_test_visible_text (GTK_WIDGET (page));
  line = strstr (text, "Models Folder\n");
  g_assert_nonnull (line);
  line += strlen ("Models Folder\n");
  return g_strndup (line, strcspn (line, "\n"));
}

/* The Models Folder is where the server keeps its models, not Hearth's own
 * folder: a local Ollama's well-known folder when it exists, else unknown. */
static void
test_hardware_page_models_folder (void)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("ollama-models", NULL);
  g_autofree char *missing = hearth_test_build_tmp_path ("no-such-models", NULL);
  g_autofree char *shown = NULL;
  GtkWindow *window;
  HearthHardwarePage *page;

  g_mkdir_with_parents (dir, 0700);
  g_setenv ("OLLAMA_MODELS", dir, TRUE);
  g_settings_set_string (settings, "endpoint", "http://127.0.0.1:11434");
  g_settings_set_string (settings, "api-kind", "ollama");
  page = open_page (&window);
  shown = models_folder_after_probe (page);
  g_assert_cmpstr (shown, ==, dir);

  /* a folder that is not there is not where the models are */
  g_setenv ("OLLAMA_MODELS", missing, TRUE);
  g_free (shown);
  shown = models_folder_after_probe (page);
  g_assert_cmpstr (shown, ==, "Unknown — the server does not say");

  /* a server elsewhere keeps its models elsewhere */
  g_setenv ("OLLAMA_MODELS", dir, TRUE);
  g_settings_set_string (settings, "endpoint", "http://192.0.2.1:11434");
  g_free (shown);
  shown = models_folder_after_probe (page);
  g_assert_cmpstr (shown, ==, "Unknown — the server does not say");
  hearth_test_save_wide_and_narrow (window, "hardware-models-folder", TRUE);

  g_unsetenv ("OLLAMA_MODELS");
  g_settings_reset (settings, "endpoint");
  close_page (window, page);
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
  settings = g_settings_new (APP_ID);

  g_test_add_func ("/hardware-page/probe", test_hardware_page_probe);
  g_test_add_func ("/hardware-page/copy", test_hardware_page_copy);
  g_test_add_func ("/hardware-page/export", test_hardware_page_export);
  g_test_add_func ("/hardware-page/install", test_hardware_page_install);
  g_test_add_func ("/hardware-page/not-ollama", test_hardware_page_not_ollama);
  g_test_add_func ("/hardware-page/models-folder", test_hardware_page_models_folder);

  ret = g_test_run ();
  g_clear_object (&settings);
  return ret;
}
