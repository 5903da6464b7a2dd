/* test-tuning-options-ui.c — run options and profiles in the GUI: a model's
 * options dialog, the Run Profile group in Preferences, the options under
 * each reply, and the banner when the automatic choice changes what runs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-tuning-options-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "hearth-application.h"
#include "hearth-message-item.h"
#include "hearth-message-row.h"
#include "hearth-model-options-dialog.h"
#include "hearth-preferences-window.h"
#include "hearth-profile-dialog.h"
#include "hearth-run-option-row.h"
#include "hearth-test-chat.h"
#include "hearth-test-monitors.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-tuning-private.h"
#include "hearth-window.h"

#define MODEL "tiny-fixed"

static HearthApplication *app;

/* ---- Helpers ---- */

static HearthEngine *
engine (void)
{
  return hearth_application_get_engine (app);
}

static HearthTuning *
tuning (void)
{
  return hearth_engine_get_tuning (engine ());
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
present (GtkWidget *window)
{
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (widget_is_mapped, window, 5000));
}

static void
close_and_finalize (GtkWidget *window)
{
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_for (100);
  g_assert_finalize_object (window);
}

static gboolean
is_option_row (GtkWidget *widget,
               gpointer   key)
{
  return HEARTH_IS_RUN_OPTION_ROW (widget) &&
         hearth_run_option_row_get_key (HEARTH_RUN_OPTION_ROW (widget)) == GPOINTER_TO_UINT (key);
}

static GtkWidget *
option_row (GtkWidget          *window,
            HearthRunOptionKey  key)
{
  GtkWidget *row = hearth_test_find_widget (window, is_option_row, GUINT_TO_POINTER (key));

  g_assert_nonnull (row);
  return row;
}

static const char *
subtitle_of (GtkWidget *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack ? haystack : "(null)", needle);
}

static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static void
click (GtkWidget  *window,
       const char *label)
{
  GtkWidget *button = hearth_test_find_widget (window, is_button_labelled, (gpointer) label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
set_option (GtkWidget          *window,
            HearthRunOptionKey  key,
            double              value)
{
  GtkWidget *spin = hearth_test_find_descendant (option_row (window, key),
                                                 GTK_TYPE_SPIN_BUTTON);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
}

static char *
profile_title (const char *name)
{
  g_autoptr(HearthProfile) profile = hearth_tuning_get_profile (tuning (), name, NULL);

  g_assert_nonnull (profile);
  return g_strdup (profile->title);
}

static HearthProvider *
provider (HearthApiKind api)
{
  return hearth_engine_get_provider (engine (), api, hearth_test_engine_url ());
}

/* The name the options are kept under: "tiny-fixed:latest" */
static char *
model_key (void)
{
  return hearth_provider_canonical_model_name (provider (HEARTH_API_OLLAMA), MODEL);
}

static HearthModelOptions *
stored_options (void)
{
  g_autofree char *key = model_key ();

  return hearth_tuning_get_model_options (tuning (), key, NULL);
}

static void
set_model_option (HearthRunOptionKey key,
                  double             value)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name = model_key ();

  g_assert_true (hearth_run_options_set (options, key, value, &error));
  g_assert_true (hearth_tuning_set_model_options (tuning (), name, NULL, options, &error));
  g_assert_no_error (error);
}

/* ---- Tests ---- */

/* Each row says what it means, what applies and where from. */
static void
test_editor_sources (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthRunOptions) balanced = NULL;
  g_autofree char *title = NULL;
  g_autofree char *from_profile = NULL;
  g_autofree char *set_by_you = NULL;
  GtkWidget *dialog;

  g_assert_true (hearth_tuning_use_profile (tuning (), HEARTH_PROFILE_BALANCED, &error));
  g_assert_no_error (error);
  set_model_option (HEARTH_RUN_OPTION_NUM_THREAD, 2);
  balanced = hearth_tuning_get_profile_options (tuning (), HEARTH_PROFILE_BALANCED, &error);
  g_assert_no_error (error);
  title = profile_title (HEARTH_PROFILE_BALANCED);
  from_profile = g_strdup_printf ("from the %s profile", title);

  dialog = hearth_model_options_dialog_new (engine (), provider (HEARTH_API_OLLAMA), MODEL, NULL);
  g_object_ref (dialog);
  present (dialog);
  for (guint key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      const char *subtitle = subtitle_of (option_row (dialog, key));

      assert_contains (subtitle, hearth_run_option_get_description (key));
      if (key == HEARTH_RUN_OPTION_NUM_THREAD)
        assert_contains (subtitle, "Now: 2, set by you");
      else if (hearth_run_options_is_set (balanced, key))
        {
          g_autofree char *value = hearth_run_option_format_value (
            key, hearth_run_options_get (balanced, key));
          g_autofree char *line = g_strdup_printf ("Now: %s, %s", value, from_profile);

          assert_contains (subtitle, line);
        }
      else
        assert_contains (subtitle, "Now: the server’s default");
      g_assert_true (gtk_widget_get_sensitive (option_row (dialog, key)));
    }
  hearth_test_save_wide_and_narrow (GTK_WINDOW (dialog), "tuning-options-editor", FALSE);

  /* A value of one's own, one taken away, and saved. */
  set_option (dialog, HEARTH_RUN_OPTION_NUM_CTX, 1024);
  assert_contains (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_NUM_CTX)),
                   "Now: 1024, set by you");
  g_signal_emit_by_name (hearth_test_find_with_class (
                           option_row (dialog, HEARTH_RUN_OPTION_NUM_THREAD), GTK_TYPE_BUTTON,
                           "run-option-clear"),
                         "clicked");
  set_by_you = g_strdup (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_NUM_THREAD)));
  g_assert_null (strstr (set_by_you, "set by you"));
  click (dialog, "_Save");
  hearth_test_spin_for (100);
  {
    g_autoptr(HearthModelOptions) stored = stored_options ();

    g_assert_nonnull (stored);
    g_assert_true (hearth_run_options_is_set (stored->options, HEARTH_RUN_OPTION_NUM_CTX));
    g_assert_cmpfloat (hearth_run_options_get (stored->options, HEARTH_RUN_OPTION_NUM_CTX),
                       ==, 1024);
    g_assert_false (hearth_run_options_is_set (stored->options, HEARTH_RUN_OPTION_NUM_THREAD));
  }
  /* Saved, the dialog is gone. */
  g_assert_finalize_object (dialog);
}

/* A value a tuning applied says so, with the day. */
static void
test_editor_tuned (void)
{
  g_autoptr(HearthModelOptions) mo = g_new0 (HearthModelOptions, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = g_strdup_printf ("tuned %d ", g_date_time_get_day_of_month (now));
  GtkWidget *dialog;

  mo->model = model_key ();
  mo->options = hearth_run_options_new ();
  hearth_run_options_set (mo->options, HEARTH_RUN_OPTION_NUM_THREAD, 3, NULL);
  hearth_run_options_set (mo->options, HEARTH_RUN_OPTION_TEMPERATURE, 0.5, NULL);
  mo->tuned_keys = G_GUINT64_CONSTANT (1) << HEARTH_RUN_OPTION_NUM_THREAD;
  mo->tune_run_id = 0;
  mo->tuned_decode_tps = -1;
  mo->updated_ms = g_get_real_time () / 1000;
  g_assert_true (_hearth_tuning_store_model_options (tuning (), mo, &error));
  g_assert_no_error (error);

  dialog = hearth_model_options_dialog_new (engine (), provider (HEARTH_API_OLLAMA), MODEL, NULL);
  present (dialog);
  assert_contains (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_NUM_THREAD)), "Now: 3, ");
  assert_contains (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_NUM_THREAD)), day);
  assert_contains (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_TEMPERATURE)),
                   "set by you");
  /* Changed here, it is the person's own. */
  set_option (dialog, HEARTH_RUN_OPTION_NUM_THREAD, 4);
  assert_contains (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_NUM_THREAD)),
                   "Now: 4, set by you");
  close_and_finalize (dialog);
}

/* Reset takes every value of the model's own away, once saved. */
static void
test_editor_reset (void)
{
  GtkWidget *dialog;
  g_autoptr(HearthModelOptions) stored = NULL;

  set_model_option (HEARTH_RUN_OPTION_TEMPERATURE, 0.3);
  dialog = hearth_model_options_dialog_new (engine (), provider (HEARTH_API_OLLAMA), MODEL, NULL);
  present (dialog);
  assert_contains (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_TEMPERATURE)),
                   "set by you");
  click (dialog, "_Reset to Defaults");
  g_assert_null (strstr (subtitle_of (option_row (dialog, HEARTH_RUN_OPTION_TEMPERATURE)),
                         "set by you"));
  /* Not yet saved: nothing changed. */
  stored = stored_options ();
  g_assert_nonnull (stored);
  click (dialog, "_Save");
  hearth_test_spin_for (100);
  g_clear_pointer (&stored, hearth_model_options_free);
  stored = stored_options ();
  g_assert_true (stored == NULL || hearth_run_options_is_empty (stored->options));
}

static gboolean
says_not_saved (gpointer dialog)
{
  g_autofree char *text = hearth_test_visible_text (dialog);

  return strstr (text, "Not saved: ") != NULL;
}

/* Without a history nothing can be kept: said in the dialog, which stays
 * open with every value typed. */
static void
test_editor_save_error (void)
{
  g_autoptr(HearthEngine) no_history = hearth_engine_new (NULL);
  HearthProvider *ollama = hearth_engine_get_provider (no_history, HEARTH_API_OLLAMA,
                                                       hearth_test_engine_url ());
  GtkWidget *dialog = hearth_model_options_dialog_new (no_history, ollama, MODEL, NULL);
  double value = 0;

  present (dialog);
  set_option (dialog, HEARTH_RUN_OPTION_NUM_BATCH, 256);
  click (dialog, "_Save");
  g_assert_true (hearth_test_spin_until (says_not_saved, dialog, 5000));
  g_assert_true (gtk_widget_get_visible (dialog));
  g_assert_true (hearth_run_option_row_get_own (
                   HEARTH_RUN_OPTION_ROW (option_row (dialog, HEARTH_RUN_OPTION_NUM_BATCH)),
                   &value));
  g_assert_cmpfloat (value, ==, 256);
  g_free (hearth_test_save_screenshot (dialog, "tuning-options-editor-error.png"));
  close_and_finalize (dialog);
}

/* An OpenAI-compatible server takes no thread count: said, not dropped. */
static void
test_editor_unsupported (void)
{
  GtkWidget *dialog;
  GtkWidget *row;
  const char *why = NULL;

  g_assert_false (hearth_run_option_is_supported (HEARTH_RUN_OPTION_NUM_THREAD,
                                                  HEARTH_API_OPENAI, &why));
  g_assert_nonnull (why);
  dialog = hearth_model_options_dialog_new (engine (), provider (HEARTH_API_OPENAI), MODEL, NULL);
  present (dialog);
  row = option_row (dialog, HEARTH_RUN_OPTION_NUM_THREAD);
  g_assert_true (gtk_widget_get_visible (row));
  g_assert_false (gtk_widget_get_sensitive (row));
  assert_contains (subtitle_of (row), why);
  g_assert_true (gtk_widget_get_sensitive (option_row (dialog, HEARTH_RUN_OPTION_TEMPERATURE)));
  close_and_finalize (dialog);
}

/* The options a reply ran with, under it; what it records is what was sent. */
static void
test_next_chat_sends_options (void)
{
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *item;
  HearthMessageRow *row;
  const HearthMessage *message;
  g_autoptr(HearthRunOptions) sent = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  g_autofree char *stats = NULL;

  set_model_option (HEARTH_RUN_OPTION_NUM_CTX, 1024);
  window = hearth_test_chat_new_window (1280, 800);
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, MODEL);
  hearth_test_chat_send_and_wait (page, "Hello");
  item = hearth_test_chat_last_item (page);
  message = hearth_message_item_get_message (item);
  g_assert_cmpint (message->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_nonnull (message->options);
  sent = hearth_run_options_from_json_string (message->options, NULL);
  g_assert_nonnull (sent);
  g_assert_cmpfloat (hearth_run_options_get (sent, HEARTH_RUN_OPTION_NUM_CTX), ==, 1024);

  /* The test engine says what it was asked for, where it can. */
  stats = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/_stats");
  if (strstr (stats, "last_options") != NULL)
    assert_contains (strstr (stats, "last_options"), "\"num_ctx\":1024");

  summary = hearth_run_options_summary (sent);
  g_assert_nonnull (summary);
  hearth_test_spin_for (200);
  row = hearth_test_chat_row_for (page, item);
  g_assert_nonnull (row);
  text = hearth_test_visible_text (GTK_WIDGET (row));
  assert_contains (text, summary);
  hearth_test_chat_screenshot (window, "tuning-options-reply.png");
  hearth_test_chat_close_window (window);
}

/* A stored reply shows the options it was sent with too. */
static void
test_stored_reply_options (void)
{
  g_autoptr(HearthMessage) message = hearth_message_new ("assistant", "Hi");
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(HearthMessageItem) item = NULL;
  g_autofree char *figures = NULL;
  g_autofree char *summary = NULL;

  hearth_run_options_set (options, HEARTH_RUN_OPTION_NUM_CTX, 8192, NULL);
  hearth_run_options_set (options, HEARTH_RUN_OPTION_NUM_THREAD, 4, NULL);
  message->options = hearth_run_options_to_json_string (options);
  message->state = HEARTH_MESSAGE_COMPLETE;
  message->figures.tokens_per_s = 12.5;
  item = hearth_message_item_new (message);
  figures = hearth_message_item_dup_figures (item);
  summary = hearth_run_options_summary (options);
  assert_contains (figures, "12.5 tokens/s");
  assert_contains (figures, summary);
  assert_contains (summary, "8192");

  /* Unreadable options are left out, nothing else is lost. */
  g_free (message->options);
  message->options = g_strdup ("{not json");
  g_clear_object (&item);
  item = hearth_message_item_new (message);
  g_free (figures);
  figures = hearth_message_item_dup_figures (item);
  g_assert_cmpstr (figures, ==, "12.5 tokens/s");
}

static gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
find_row (GtkWidget  *window,
          const char *title)
{
  return hearth_test_find_widget (window, is_row_titled, (gpointer) title);
}

static guint
profile_index (const char *name)
{
  g_autoptr(GPtrArray) profiles = hearth_tuning_list_profiles (tuning ());

  for (guint i = 0; i < profiles->len; i++)
    if (g_str_equal (((HearthProfile *) profiles->pdata[i])->name, name))
      return i;
  g_error ("no profile %s", name);
}

/* Picking a profile in Preferences makes it the one in use. */
static void
test_preferences_profile (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(HearthProfile) fast = hearth_tuning_get_profile (tuning (), HEARTH_PROFILE_FAST, NULL);
  g_autoptr(HearthProfile) balanced = hearth_tuning_get_profile (tuning (),
                                                                 HEARTH_PROFILE_BALANCED, NULL);
  g_autofree char *chosen = NULL;
  GtkWidget *window = hearth_preferences_window_new (NULL, engine ());
  GtkWidget *row;

  g_settings_set_boolean (settings, "run-profile-automatic", FALSE);
  present (window);
  row = find_row (window, "Profile");
  g_assert_nonnull (row);
  assert_contains (subtitle_of (row), balanced->description);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), profile_index (HEARTH_PROFILE_FAST));
  chosen = g_settings_get_string (settings, "run-profile");
  g_assert_cmpstr (chosen, ==, HEARTH_PROFILE_FAST);
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning ()), ==, HEARTH_PROFILE_FAST);
  assert_contains (subtitle_of (row), fast->description);

  /* The switches are the settings. */
  gtk_switch_set_active (GTK_SWITCH (hearth_test_find_descendant (
                           find_row (window, "Load Models Before You Use Them"), GTK_TYPE_SWITCH)),
                         TRUE);
  g_assert_true (g_settings_get_boolean (settings, "preload-learned"));
  g_settings_set_boolean (settings, "preload-learned", FALSE);

  /* The regression watch says the core's figures (hearth-tuning.h), not a copy. */
  {
    g_autofree char *replies = g_strdup_printf ("last %u replies", HEARTH_TUNING_WATCH_REPLIES);
    g_autofree char *percent = g_strdup_printf ("more than %.0f %% slower",
                                                HEARTH_TUNING_WATCH_DROP_PERCENT);

    row = find_row (window, "Undo a Tuning That Got Slower");
    g_assert_nonnull (row);
    assert_contains (subtitle_of (row), replies);
    assert_contains (subtitle_of (row), percent);
  }
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "tuning-options-preferences", FALSE);
  close_and_finalize (window);
  g_settings_set_boolean (settings, "run-profile-automatic", TRUE);
}

/* A profile of one's own: added with a few options, listed, removed. */
static void
test_preferences_custom_profile (void)
{
  GtkWidget *window = hearth_preferences_window_new (NULL, engine ());
  GtkWidget *dialog;
  g_autoptr(HearthProfile) added = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;
  g_autofree char *name = hearth_profile_dialog_name_for ("Long Documents!");

  g_assert_cmpstr (name, ==, "long-documents");
  present (window);
  g_assert_null (find_row (window, "Long Documents"));
  dialog = hearth_profile_dialog_new (GTK_WINDOW (window), engine ());
  present (dialog);
  /* No name, no Add. */
  g_assert_false (gtk_widget_get_sensitive (
                    hearth_test_find_widget (dialog, is_button_labelled, (gpointer) "_Add")));
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, "Name")), "Long Documents");
  set_option (dialog, HEARTH_RUN_OPTION_NUM_CTX, 16384);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (dialog), "tuning-options-new-profile", FALSE);
  click (dialog, "_Add");
  hearth_test_spin_for (100);

  added = hearth_tuning_get_profile (tuning (), "long-documents", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (added->parent, ==, HEARTH_PROFILE_BALANCED);
  g_assert_cmpfloat (hearth_run_options_get (added->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 16384);
  g_assert_false (hearth_run_options_is_set (added->options, HEARTH_RUN_OPTION_NUM_THREAD));
  row = find_row (window, "Long Documents");
  g_assert_nonnull (row);

  g_signal_emit_by_name (hearth_test_find_descendant (row, GTK_TYPE_BUTTON), "clicked");
  hearth_test_spin_for (100);
  g_assert_null (find_row (window, "Long Documents"));
  g_assert_null (hearth_tuning_get_profile (tuning (), "long-documents", NULL));
  close_and_finalize (window);
}

static gboolean
is_group_titled (GtkWidget *widget,
                 gpointer   title)
{
  return ADW_IS_PREFERENCES_GROUP (widget) &&
         g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0;
}

static gboolean
banner_shown (gpointer window)
{
  GtkWidget *box = hearth_test_find_with_class (window, GTK_TYPE_BOX, "automatic-banner");
  GtkWidget *revealer = gtk_widget_get_parent (box);

  return gtk_revealer_get_child_revealed (GTK_REVEALER (revealer));
}

static gboolean
banner_hidden (gpointer window)
{
  return !banner_shown (window);
}

static char *
banner_text (HearthWindow *window)
{
  GtkWidget *box = hearth_test_find_with_class (GTK_WIDGET (window), GTK_TYPE_BOX,
                                                "automatic-banner");

  g_assert_nonnull (box);
  return hearth_test_visible_text (box);
}

static gboolean
nothing_loaded (gpointer data)
{
  g_autofree char *ps = hearth_test_server_request (hearth_test_engine_server (NULL), "GET",
                                                    "/api/ps");

  return strstr (ps, MODEL) == NULL;
}

static gboolean
banner_says_unloaded (gpointer window)
{
  g_autofree char *text = banner_text (window);

  return strstr (text, "unloaded tiny-fixed") != NULL;
}

/* Power saver: Battery; memory low: a smaller context and idle models
 * unloaded; both said at the top of the window, and gone after. */
static void
test_automatic_banner (void)
{
  g_autoptr(HearthTestPowerMonitor) power = g_object_new (HEARTH_TYPE_TEST_POWER_MONITOR, NULL);
  g_autoptr(HearthTestMemoryMonitor) memory = g_object_new (HEARTH_TYPE_TEST_MEMORY_MONITOR, NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *loaded = NULL;
  HearthWindow *window;
  HearthChatPage *page;

  g_assert_true (hearth_tuning_use_profile (tuning (), HEARTH_PROFILE_BALANCED, &error));
  hearth_tuning_set_monitors (tuning (), G_POWER_PROFILE_MONITOR (power),
                              G_MEMORY_MONITOR (memory));
  window = hearth_test_chat_new_window (1280, 800);
  hearth_test_spin_for (300);
  g_assert_false (banner_shown (window));

  /* Not when the person chose otherwise. */
  g_settings_set_boolean (settings, "run-profile-automatic", FALSE);
  hearth_test_power_monitor_set (power, TRUE);
  hearth_test_spin_for (300);
  g_assert_false (banner_shown (window));
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning ()), ==, HEARTH_PROFILE_BALANCED);
  g_settings_set_boolean (settings, "run-profile-automatic", TRUE);
  g_assert_true (hearth_test_spin_until (banner_shown, window, 5000));
  text = banner_text (window);
  assert_contains (text, "Battery profile in use");
  g_assert_cmpstr (hearth_tuning_get_active_profile (tuning ()), ==, HEARTH_PROFILE_BATTERY);
  hearth_test_chat_screenshot (window, "tuning-options-banner-battery.png");
  /* Preferences says so where the profile is chosen. */
  {
    GtkWidget *preferences = hearth_preferences_window_new (NULL, engine ());
    GtkWidget *group;

    present (preferences);
    group = hearth_test_find_widget (preferences, is_group_titled, (gpointer) "Run Profile");
    g_assert_nonnull (group);
    assert_contains (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                     "Battery profile in use");
    hearth_test_power_monitor_set (power, FALSE);
    hearth_test_spin_for (100);
    g_assert_null (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                           "Battery profile in use"));
    close_and_finalize (preferences);
  }
  g_assert_true (hearth_test_spin_until (banner_hidden, window, 5000));

  /* A model in memory, idle for longer than HEARTH_IDLE_UNLOAD_S. */
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, MODEL);
  hearth_test_chat_send_and_wait (page, "Hello");
  loaded = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/ps");
  assert_contains (loaded, MODEL);
  hearth_test_spin_for (1500);

  g_signal_emit_by_name (memory, "low-memory-warning", G_MEMORY_MONITOR_WARNING_LEVEL_LOW);
  g_assert_true (hearth_test_spin_until (banner_shown, window, 5000));
  g_free (text);
  text = banner_text (window);
  assert_contains (text, "Memory is low");
  g_assert_true (hearth_test_spin_until (nothing_loaded, NULL, 10000));
  g_assert_true (hearth_test_spin_until (banner_says_unloaded, window, 5000));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "tuning-options-banner-memory", FALSE);

  /* New monitors start without pressure: the banner goes. */
  hearth_tuning_set_monitors (tuning (), G_POWER_PROFILE_MONITOR (power), NULL);
  g_assert_true (hearth_test_spin_until (banner_hidden, window, 5000));
  hearth_tuning_set_monitors (tuning (), NULL, NULL);
  hearth_test_chat_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* An idle model is one unused for a second here, not five minutes. */
  g_setenv ("HEARTH_IDLE_UNLOAD_S", "1", TRUE);
  app = hearth_test_chat_init (&argc, &argv);
  if (!hearth_test_require_node ())
    {
      g_object_unref (app);
      return 77;
    }
  hearth_test_chat_use_server (hearth_test_engine_url (), MODEL);
  /* No monitor of this machine's: the tests give their own. */
  hearth_tuning_set_monitors (tuning (), NULL, NULL);

  g_test_add_func ("/tuning-options-ui/editor/sources", test_editor_sources);
  g_test_add_func ("/tuning-options-ui/editor/tuned", test_editor_tuned);
  g_test_add_func ("/tuning-options-ui/editor/reset", test_editor_reset);
  g_test_add_func ("/tuning-options-ui/editor/unsupported", test_editor_unsupported);
  g_test_add_func ("/tuning-options-ui/editor/save-error", test_editor_save_error);
  g_test_add_func ("/tuning-options-ui/reply/sent", test_next_chat_sends_options);
  g_test_add_func ("/tuning-options-ui/reply/stored", test_stored_reply_options);
  g_test_add_func ("/tuning-options-ui/preferences/profile", test_preferences_profile);
  g_test_add_func ("/tuning-options-ui/preferences/custom-profile",
                   test_preferences_custom_profile);
  g_test_add_func ("/tuning-options-ui/window/automatic-banner", test_automatic_banner);

  status = g_test_run ();
  g_object_unref (app);
  return status;
}
