/* test-preferences.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-preferences"

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-preferences-window.h"
#include "hearth-secrets.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"


static GSettings *settings;

/* How many models the fault server lists: its scenarios, counted from /api/tags. */
static guint
fault_scenarios (void)
{
  g_autofree char *tags = NULL;
  guint n = 0;

  tags = hearth_test_server_request (hearth_test_fault_server (), "GET", "/api/tags");
  for (const char *p = tags; (p = strstr (p, "\"name\":")) != NULL; p++)
    n++;
  g_assert_cmpuint (n, >, 0);
  return n;
}

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

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static GtkWidget *
open_window (void)
{
  /* the default server follows the settings, as in the application */
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  GtkWidget *window = hearth_preferences_window_new (NULL, engine);

  g_assert_true (HEARTH_IS_PREFERENCES_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (widget_is_mapped, window, 5000));
  return window;
}

static void
close_and_finalize (GtkWidget *window)
{
  /* A timer GTK 4.8 starts as the pointer crosses widgets (a tooltip's, after
   * a popover closed under it) outlives a window closed at once and then asks
   * the gone surface for the pointer: it runs first. */
  hearth_test_wait_clock (1000);
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
}

static gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  return hearth_test_find_widget (widget, is_row_titled, (gpointer) title);
}

static GtkWidget *
require_row (GtkWidget  *window,
             const char *title)
{
  GtkWidget *row = find_row (window, title);

  g_assert_nonnull (row);
  return row;
}

static gboolean
is_label_containing (GtkWidget *widget,
                     gpointer   text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static GtkWidget *
find_label_containing (GtkWidget  *widget,
                       const char *text)
{
  return hearth_test_find_widget (widget, is_label_containing, (gpointer) text);
}

static void
reset_settings (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
assert_setting (const char *key,
                const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_preferences_instantiate (void)
{
  GtkWidget *window = open_window ();
  static const char *titles[] = {
    "Default Model", "The Fast Model Is Now", "The Most Capable Model Is Now",
    "Use the Model’s Default Temperature", "Temperature", "System Prompt",
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    require_row (window, titles[i]);
  g_assert_nonnull (hearth_test_find_descendant (window, GTK_TYPE_TEXT_VIEW));
  close_and_finalize (window);
}

static gboolean
models_loaded (gpointer data)
{
  AdwComboRow *row = data;

  return g_list_model_get_n_items (adw_combo_row_get_model (row)) > 2;
}

static int
find_item (AdwComboRow *row,
           const char  *name)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), name))
      return i;
  return -1;
}

static gboolean
popover_is_mapped (gpointer data)
{
  GtkWidget *popover = hearth_test_find_descendant (GTK_WIDGET (data), GTK_TYPE_POPOVER);

  return popover != NULL && gtk_widget_get_mapped (popover);
}

/* The list shows each model's details, which only its popover builds. */
static void
open_popover (AdwComboRow *row)
{
  GtkWidget *popover;
  g_autofree char *path = NULL;

  /* On the suite's one shared Xvfb an activation can be lost while another
   * program's window maps over this one: asked again, up to three times. */
  for (guint attempt = 0; attempt < 3 && !popover_is_mapped (row); attempt++)
    {
      gtk_widget_activate (GTK_WIDGET (row));
      hearth_test_spin_until (popover_is_mapped, row, 3000);
    }
  g_assert_true (popover_is_mapped (row));
  hearth_test_wait_drawn (hearth_test_find_descendant (GTK_WIDGET (row), GTK_TYPE_POPOVER), 2000);
  popover = hearth_test_find_descendant (GTK_WIDGET (row), GTK_TYPE_POPOVER);
  g_assert_nonnull (find_label_containing (popover, "1.0\u00a0kB · 0 · F32"));
  g_assert_nonnull (find_label_containing (popover, "Automatic (first model the server lists)"));
  path = hearth_test_save_screenshot (popover, "preferences-models.png");
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
test_preferences_models (void)
{
  GtkWidget *window;
  AdwComboRow *row;
  int index;

  if (!hearth_test_require_node ())
    return;

  g_settings_set_string (settings, "endpoint", hearth_test_fault_url ());
  g_settings_set_string (settings, "default-model", "gone-model");
  window = open_window ();
  row = ADW_COMBO_ROW (require_row (window, "Default Model"));

  g_assert_true (hearth_test_spin_until (models_loaded, row, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==,
                    fault_scenarios () + 2);
  g_assert_cmpint (find_item (row, ""), ==, 0);
  g_assert_cmpint (find_item (row, "ok:latest"), >, 0);
  index = find_item (row, "gone-model");
  g_assert_cmpint (index, >, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, index);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (row), "gone-model (not installed)"));
  open_popover (row);
  assert_setting ("default-model", "gone-model");

  adw_combo_row_set_selected (row, find_item (row, "ok:latest"));
  assert_setting ("default-model", "ok:latest");
  adw_combo_row_set_selected (row, 0);
  assert_setting ("default-model", "");

  close_and_finalize (window);
  reset_settings ();
}

static gboolean
subtitle_says_unreachable (gpointer data)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (data));

  return subtitle != NULL && strstr (subtitle, "could not be reached") != NULL;
}

static void
test_preferences_models_unreachable (void)
{
  g_autofree char *address = closed_address ();
  GtkWidget *window;
  AdwComboRow *row;

  g_settings_set_string (settings, "endpoint", address);
  g_settings_set_string (settings, "default-model", "llama3.2");
  window = open_window ();
  row = ADW_COMBO_ROW (require_row (window, "Default Model"));

  g_assert_true (hearth_test_spin_until (subtitle_says_unreachable, row, 10000));
  /* Not known to be missing, so kept as it is, and still selectable. */
  g_assert_cmpint (find_item (row, "llama3.2"), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  g_assert_null (find_label_containing (GTK_WIDGET (row), "not installed"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (row)));
  adw_combo_row_set_selected (row, 0);
  assert_setting ("default-model", "");

  close_and_finalize (window);
  reset_settings ();
}

static void
test_preferences_temperature (void)
{
  GtkWidget *window = open_window ();
  GtkSwitch *toggle = GTK_SWITCH (hearth_test_find_descendant (
    require_row (window, "Use the Model’s Default Temperature"), GTK_TYPE_SWITCH));
  GtkSpinButton *spin = GTK_SPIN_BUTTON (hearth_test_find_descendant (
    require_row (window, "Temperature"), GTK_TYPE_SPIN_BUTTON));

  g_assert_true (gtk_switch_get_active (toggle));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (spin)));

  gtk_switch_set_active (toggle, FALSE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (spin)));
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "temperature"), 0.8, 1e-9);

  gtk_spin_button_set_value (spin, 1.3);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "temperature"), 1.3, 1e-9);

  gtk_switch_set_active (toggle, TRUE);
  g_assert_cmpfloat (g_settings_get_double (settings, "temperature"), ==, -1.0);

  g_settings_set_double (settings, "temperature", 0.5);
  g_assert_false (gtk_switch_get_active (toggle));
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (spin), 0.5, 1e-9);

  close_and_finalize (window);
  reset_settings ();
}

/* The cache group shows what the engine's cache measured, and Clear empties it. */
static gboolean
is_spin (GtkWidget *widget,
         gpointer   data)
{
  return GTK_IS_SPIN_BUTTON (widget);
}

static void
collect_spins (GtkWidget *widget,
               GPtrArray *spins)
{
  if (GTK_IS_SPIN_BUTTON (widget))
    g_ptr_array_add (spins, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_spins (c, spins);
}

/* Each number box has its unit beside it (not only in the subtitle), and
 * the boxes line up: same width, same right edge. */
static void
assert_units_aligned (GtkWidget *window)
{
  g_autoptr(GPtrArray) spins = g_ptr_array_new ();
  /* temperature, cache size and age, history minutes and hours, quiet hours from, until */
  const char *units[] = { "", "MB", "days", "days", "days", "", "" };
  graphene_rect_t first;

  collect_spins (window, spins);
  g_assert_cmpuint (spins->len, ==, G_N_ELEMENTS (units));
  g_assert_true (is_spin (g_ptr_array_index (spins, 0), NULL));
  for (guint i = 0; i < spins->len; i++)
    {
      GtkWidget *spin = g_ptr_array_index (spins, i);
      GtkWidget *row = gtk_widget_get_ancestor (spin, ADW_TYPE_ACTION_ROW);
      GtkWidget *unit = hearth_test_find_with_class (row, GTK_TYPE_LABEL, "spin-unit");
      graphene_rect_t bounds;

      g_assert_nonnull (unit);
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (unit)), ==, units[i]);
      g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) ?: "", "Days"));
      g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) ?: "", "Megabytes"));
      g_assert_true (gtk_widget_compute_bounds (spin, window, &bounds));
      if (i == 0)
        first = bounds;
      g_assert_cmpfloat (fabs (bounds.size.width - first.size.width), <, 1);
      g_assert_cmpfloat (fabs (bounds.origin.x - first.origin.x), <, 1);
    }
}

static void
test_preferences_cache (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("prefs-cache.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = hearth_cache_open (path, 1 << 20, 1 << 20, 0, &error);
  g_autoptr(HearthEngine) engine = hearth_engine_new (NULL);
  g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();
  g_autoptr(HearthCacheEntry) hit = NULL;
  GtkWidget *window;
  GtkWidget *stats_row;
  GtkSwitch *enabled;
  GtkButton *clear;

  g_assert_no_error (error);
  entry->content = g_strdup ("Remembered answer");
  entry->model = g_strdup ("m");
  entry->figures.total_ms = 1500;
  hearth_cache_store (cache, "k", entry);
  hit = hearth_cache_lookup (cache, "k");
  g_assert_nonnull (hit);
  hearth_engine_set_cache (engine, cache, FALSE);

  window = hearth_preferences_window_new (NULL, engine);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (widget_is_mapped, window, 5000));
  stats_row = require_row (window, "In the Cache");
  g_test_message ("cache row: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (stats_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (stats_row)),
                            "1 answer,"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (stats_row)),
                            "1.5 s of generation saved"));

  clear = GTK_BUTTON (hearth_test_find_descendant (stats_row, GTK_TYPE_BUTTON));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (clear)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (clear), "destructive-action"));
  assert_units_aligned (window);
  g_signal_emit_by_name (clear, "clicked");
  /* nothing left to clear: the button rests, grey, and the row says so */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (stats_row)), ==, "Empty");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (clear)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (clear), "destructive-action"));
  g_assert_null (hearth_cache_lookup (cache, "k"));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "preferences", FALSE);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "preferences-end", TRUE);

  enabled = GTK_SWITCH (hearth_test_find_descendant (require_row (window, "Reuse Answers"),
                                                     GTK_TYPE_SWITCH));
  g_assert_true (gtk_switch_get_active (enabled));
  gtk_switch_set_active (enabled, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "cache-enabled"));
  g_assert_false (gtk_widget_get_sensitive (require_row (window, "Size Limit")));

  close_and_finalize (window);
  reset_settings ();
}

/* The shared cache: an address is checked before it is kept, and the row
 * under it says what the server answers (a real redis-server, then none). */
typedef struct
{
  GtkWidget  *row;
  const char *text;
} SubtitleWait;

static gboolean
subtitle_contains (gpointer data)
{
  SubtitleWait *wait = data;
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (wait->row));

  return subtitle != NULL && strstr (subtitle, wait->text) != NULL;
}

static GSubprocess *
start_redis (int *port)
{
  g_autofree char *port_text = NULL;
  g_autofree char *url = closed_address ();
  g_autoptr(GError) error = NULL;
  GSubprocess *redis;

  *port = atoi (strrchr (url, ':') + 1);
  port_text = g_strdup_printf ("%d", *port);
  redis = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "redis-server", "--port",
                            port_text, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            NULL);
  g_assert_no_error (error);
  /* Listening before the row is given its address: a server still starting
   * would be asked again only at the row's next refresh, 10 s later. */
  for (guint i = 0;; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection =
        g_socket_client_connect_to_host (client, "127.0.0.1", *port, NULL, NULL);

      if (connection != NULL)
        break;
      g_assert_cmpuint (i, <, 500);
      g_usleep (10000);
    }
  return redis;
}

static void
apply_shared (GtkWidget  *entry,
              const char *url)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), url);
  g_signal_emit_by_name (entry, "apply");
}

/* Wide and narrow, scrolled so that @row's bottom is in view. */
static void
save_scrolled_to (GtkWidget  *window,
                  GtkWidget  *row,
                  const char *stem)
{
  const int widths[] = { 1280, 380 };
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      GtkWidget *scroller = gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW);
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
      g_autofree char *name = g_strdup_printf ("%s-%d.png", stem, widths[i]);
      graphene_rect_t bounds;

      gtk_window_set_default_size (GTK_WINDOW (window), widths[i], 800);
      hearth_test_spin_for (400);
      g_assert_true (gtk_widget_compute_bounds (row, scroller, &bounds));
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) +
                                bounds.origin.y + bounds.size.height + 24 -
                                gtk_widget_get_height (scroller));
      hearth_test_wait_drawn (window, 300);
      g_free (hearth_test_save_screenshot (window, name));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
}

static void
test_preferences_cache_shared (void)
{
  g_autofree char *path = hearth_test_build_tmp_path ("prefs-shared.db", NULL);
  g_autofree char *redis_path = g_find_program_in_path ("redis-server");
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = hearth_cache_open (path, 1 << 20, 1 << 20, 0, &error);
  g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (settings, 0);
  g_autoptr(GSubprocess) redis = NULL;
  g_autofree char *url = NULL;
  g_autofree char *stored = NULL;
  GtkWidget *window;
  GtkWidget *entry;
  SubtitleWait wait;
  int port;

  if (redis_path == NULL)
    {
      g_printerr ("\n*** SKIPPED: redis-server is not installed (apt-get install redis-server) ***\n\n");
      g_test_skip ("redis-server is not installed");
      return;
    }
  g_assert_no_error (error);
  hearth_engine_set_cache (engine, cache, FALSE);
  window = hearth_preferences_window_new (NULL, engine);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (widget_is_mapped, window, 5000));
  entry = require_row (window, "Shared Cache Server");
  wait.row = require_row (window, "Shared With Other Computers");
  wait.text = "None: answers stay on this computer";
  g_assert_true (subtitle_contains (&wait));

  /* An address with a password is refused, not kept, and not repeated. */
  apply_shared (entry, "redis://:hunter2@cache.lan:6379/0");
  wait.text = "REDISCLI_AUTH";
  g_assert_true (subtitle_contains (&wait));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (wait.row)), "hunter2"));
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  stored = g_settings_get_string (settings, "cache-shared-url");
  g_assert_cmpstr (stored, ==, "");

  redis = start_redis (&port);
  url = g_strdup_printf ("redis://127.0.0.1:%d/0", port);
  apply_shared (entry, url);
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_free (stored);
  stored = g_settings_get_string (settings, "cache-shared-url");
  g_assert_cmpstr (stored, ==, url);
  wait.text = "Connected";
  g_assert_true (hearth_test_spin_until (subtitle_contains, &wait, 30000));
  g_assert_cmpstr (hearth_cache_get_shared_url (cache), ==, url);
  save_scrolled_to (window, wait.row, "preferences-shared-cache");

  /* Gone: said in the row, in red, and the cache goes on. */
  g_subprocess_send_signal (redis, SIGKILL);
  g_subprocess_wait (redis, NULL, NULL);
  apply_shared (entry, url);
  wait.text = "cannot be reached";
  g_assert_true (hearth_test_spin_until (subtitle_contains, &wait, 30000));
  g_assert_true (gtk_widget_has_css_class (wait.row, "error"));
  save_scrolled_to (window, wait.row, "preferences-shared-cache-down");

  apply_shared (entry, "");
  wait.text = "None: answers stay on this computer";
  g_assert_true (hearth_test_spin_until (subtitle_contains, &wait, 5000));
  g_assert_null (hearth_cache_get_shared_url (cache));

  close_and_finalize (window);
  reset_settings ();
}

static gboolean
prompt_saved (gpointer data)
{
  g_autofree char *stored = g_settings_get_string (settings, "system-prompt");

  return g_str_equal (stored, data);
}

static void
test_preferences_system_prompt (void)
{
  GtkWidget *window = open_window ();
  GtkTextView *view = GTK_TEXT_VIEW (hearth_test_find_descendant (window, GTK_TYPE_TEXT_VIEW));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  gtk_text_buffer_set_text (buffer, "Answer in French.", -1);
  g_assert_true (hearth_test_spin_until (prompt_saved, (gpointer) "Answer in French.", 5000));

  /* Closing saves what the delay has not saved yet. */
  gtk_text_buffer_set_text (buffer, "Be brief.", -1);
  close_and_finalize (window);
  g_assert_true (prompt_saved ((gpointer) "Be brief."));

  window = open_window ();
  view = GTK_TEXT_VIEW (hearth_test_find_descendant (window, GTK_TYPE_TEXT_VIEW));
  {
    GtkTextIter start;
    GtkTextIter end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
    text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "Be brief.");
  }
  close_and_finalize (window);
  reset_settings ();
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

  g_test_add_func ("/preferences/instantiate", test_preferences_instantiate);
  g_test_add_func ("/preferences/models", test_preferences_models);
  g_test_add_func ("/preferences/models-unreachable", test_preferences_models_unreachable);
  g_test_add_func ("/preferences/temperature", test_preferences_temperature);
  g_test_add_func ("/preferences/system-prompt", test_preferences_system_prompt);
  g_test_add_func ("/preferences/cache", test_preferences_cache);
  g_test_add_func ("/preferences/cache-shared", test_preferences_cache_shared);

  ret = g_test_run ();
  g_clear_object (&settings);
  return ret;
}
