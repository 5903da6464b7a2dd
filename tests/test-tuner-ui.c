/* test-tuner-ui.c — the tuner dialog and the Models view's tuning, on real widgets and the
 * real test engine: a run with its table and graph, Apply, Stop, Roll Back, Preload, and the
 * watch's "slower than when tuned"
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-tuner-ui"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "hearth-graph.h"
#include "hearth-model-row.h"
#include "hearth-models-page.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-tuner-dialog.h"

#define MODEL "tiny-fixed:latest"

static GSettings *settings;

typedef struct
{
  GtkWindow        *window;
  HearthModelsPage *page;
  HearthEngine     *engine;
  HearthTuning     *tuning;
} Fixture;

static gboolean
page_is_loaded (gpointer data)
{
  return hearth_models_page_is_loaded (HEARTH_MODELS_PAGE (data));
}

/* The Models view on the test engine, with the history (one for the whole program) so runs
 * and options are kept. */
static gboolean
fixture_open (Fixture *fixture)
{
  GtkWidget *window;
  GtkWidget *page;

  if (!hearth_test_require_node ())
    return FALSE;
  g_settings_set_string (settings, "endpoint", hearth_test_engine_url ());
  g_settings_set_string (settings, "api-kind", "ollama");
  /* as the application makes it: the history, and the settings (automatic rollback) */
  fixture->engine = hearth_engine_new_for_settings (settings, HEARTH_ENGINE_HISTORY);
  g_assert_true (hearth_engine_has_history (fixture->engine));
  fixture->tuning = hearth_engine_get_tuning (fixture->engine);
  window = gtk_window_new ();
  page = g_object_new (HEARTH_TYPE_MODELS_PAGE, NULL);
  hearth_models_page_set_engine (HEARTH_MODELS_PAGE (page), fixture->engine);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  fixture->window = GTK_WINDOW (window);
  fixture->page = HEARTH_MODELS_PAGE (page);
  g_assert_true (hearth_test_spin_until (page_is_loaded, page, 10000));
  hearth_test_spin_for (100);
  return TRUE;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_close (Fixture *fixture)
{
  gpointer page = fixture->page;

  g_object_add_weak_pointer (G_OBJECT (page), &page);
  gtk_window_destroy (fixture->window);
  g_assert_true (hearth_test_spin_until (is_null, &page, 2000));
  g_clear_object (&fixture->engine);
}

static void
assert_text_has (const char *text,
                 const char *needle)
{
  if (text == NULL || strstr (text, needle) == NULL)
    g_error ("“%s” not in:\n%s", needle, text);
}

static gboolean
is_model_row (GtkWidget *widget,
              gpointer   name)
{
  return HEARTH_IS_MODEL_ROW (widget) &&
         g_strcmp0 (hearth_model_row_get_name (HEARTH_MODEL_ROW (widget)), name) == 0;
}

static HearthModelRow *
find_row (Fixture *fixture)
{
  HearthModelRow *row = (HearthModelRow *) hearth_test_find_widget (GTK_WIDGET (fixture->page),
                                                                    is_model_row, (gpointer) MODEL);

  g_assert_nonnull (row);
  return row;
}

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static gboolean
has_action (GtkWidget *widget,
            gpointer   action)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

/* A menu entry of the row (the popover is the menu button's child, shown or not). */
static GtkWidget *
row_button (HearthModelRow *row,
            const char     *action)
{
  GtkWidget *button = hearth_test_find_widget (GTK_WIDGET (row), has_action, (gpointer) action);

  g_assert_nonnull (button);
  return button;
}

static HearthModelOptions *
stored_options (Fixture *fixture)
{
  return hearth_tuning_get_model_options (fixture->tuning, MODEL,
                                          hearth_model_row_get_digest (find_row (fixture)));
}

/* A short reply per measured run keeps each trial quick. */
static void
set_options (Fixture    *fixture,
             const char *assignment)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_run_options_parse_assignment (options, "num_predict=8", &error));
  if (assignment != NULL)
    g_assert_true (hearth_run_options_parse_assignment (options, assignment, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_tuning_set_model_options (fixture->tuning, MODEL,
                                                  hearth_model_row_get_digest (find_row (fixture)),
                                                  options, &error));
  g_assert_no_error (error);
}

/* The tuner dialog */

static HearthTunerDialog *
open_dialog (Fixture *fixture,
             guint    budget)
{
  GtkWidget *dialog;
  GtkWidget *spin;

  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "models.tune", "s", MODEL);
  hearth_test_spin_for (200);
  dialog = find_toplevel (HEARTH_TYPE_TUNER_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpint (hearth_tuner_dialog_get_state (HEARTH_TUNER_DIALOG (dialog)), ==,
                   HEARTH_TUNER_DIALOG_READY);
  spin = hearth_test_find_descendant (dialog, GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), budget);
  return HEARTH_TUNER_DIALOG (dialog);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
is_settled_or_failed (gpointer data)
{
  HearthTunerDialogState state = hearth_tuner_dialog_get_state (data);

  return state == HEARTH_TUNER_DIALOG_FAILED || state == HEARTH_TUNER_DIALOG_FINISHED;
}

static GtkWidget *
find_button (GtkWidget  *dialog,
             const char *action)
{
  GtkWidget *button = hearth_test_find_widget (dialog, has_action, (gpointer) action);

  g_assert_nonnull (button);
  return button;
}

static guint
count_trial_rows (HearthTunerDialog *dialog)
{
  GtkWidget *list = hearth_test_find_with_class (GTK_WIDGET (dialog), GTK_TYPE_LIST_BOX,
                                                 "trials");
  guint n = 0;

  g_assert_nonnull (list);
  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += ADW_IS_ACTION_ROW (child);
  return n;
}

static gboolean
is_state (gpointer data)
{
  gpointer *pair = data;

  return hearth_tuner_dialog_get_state (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static void
wait_state (HearthTunerDialog      *dialog,
            HearthTunerDialogState  state,
            guint                   timeout_ms)
{
  gpointer pair[2] = { dialog, GINT_TO_POINTER (state) };

  g_assert_true (hearth_test_spin_until (is_state, pair, timeout_ms));
}

typedef struct
{
  HearthTunerDialog *dialog;
  guint              n;
} RowsWait;

static gboolean
has_rows (gpointer data)
{
  RowsWait *wait = data;

  return count_trial_rows (wait->dialog) >= wait->n;
}

static HearthGraph *
dialog_graph (HearthTunerDialog *dialog)
{
  return HEARTH_GRAPH (hearth_test_find_descendant (GTK_WIDGET (dialog), HEARTH_TYPE_GRAPH));
}

static guint
count_measured (const HearthTuneResult *result)
{
  guint n = 0;

  for (guint i = 0; i < result->trials->len; i++)
    {
      const HearthTuneTrial *trial = g_ptr_array_index (result->trials, i);

      n += trial->state == HEARTH_TUNE_TRIAL_MEASURED && trial->decode_tps >= 0;
    }
  return n;
}

/* The window has taken the size asked for (a dialog's drawn frame counts a few pixels), or
 * has kept one size for a second (the narrowest its content allows). */
static void
wait_for_width (GtkWidget *window,
                int        wanted)
{
  int last = -1;
  guint same = 0;

  for (guint i = 0; i < 100 && same < 10; i++)
    {
      int width;

      hearth_test_spin_for (100);
      width = gtk_widget_get_width (window);
      if (ABS (width - wanted) <= 24)
        break;
      same = width == last ? same + 1 : 0;
      last = width;
    }
}

/* 1280 and 380 wide. The shared machine can be slow to lay out a window while trials
 * run beside it: each size is waited for before the picture is taken. */
static void
save_wide_and_narrow (GtkWindow  *window,
                      const char *stem)
{
  const int widths[] = { 1280, 380 };
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d.png", stem, widths[i]);

      gtk_window_set_default_size (window, widths[i], 800);
      wait_for_width (GTK_WIDGET (window), widths[i]);
      hearth_test_spin_for (200);
      g_free (hearth_test_save_screenshot (GTK_WIDGET (window), name));
    }
  gtk_window_set_default_size (window, width, height);
}

static gboolean
row_is_tuned (gpointer data)
{
  return hearth_model_row_get_tuned (HEARTH_MODEL_ROW (data));
}

static gboolean
options_equal_speed (const HearthRunOptions *a,
                     const HearthRunOptions *b)
{
  for (HearthRunOptionKey key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      if (!hearth_run_option_changes_speed (key))
        continue;
      if (hearth_run_options_is_set (a, key) != hearth_run_options_is_set (b, key))
        return FALSE;
      if (hearth_run_options_is_set (a, key) &&
          hearth_run_options_get (a, key) != hearth_run_options_get (b, key))
        return FALSE;
    }
  return TRUE;
}

/* A run of 3 trials: the table and the graph grow with it, Apply makes the winner the
 * model's options (the row says Tuned), Roll Back brings back the ones before. */
static void
test_tuner_apply_and_rollback (void)
{
  Fixture fixture;
  HearthTunerDialog *dialog;
  g_autoptr(HearthTuneResult) result = NULL;
  g_autoptr(HearthModelOptions) before = NULL;
  g_autoptr(HearthModelOptions) after = NULL;
  g_autoptr(HearthModelOptions) rolled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  HearthModelRow *row;
  RowsWait wait;

  if (!fixture_open (&fixture))
    return;
  row = find_row (&fixture);
  set_options (&fixture, NULL);
  before = stored_options (&fixture);
  g_assert_false (hearth_model_row_get_tuned (row));
  g_assert_false (gtk_widget_get_sensitive (row_button (row, "row.rollback")));

  dialog = open_dialog (&fixture, 3);
  text = hearth_test_visible_text (GTK_WIDGET (dialog));
  assert_text_has (text, "At most 3 trials");
  assert_text_has (text, "coordinate descent");
  g_clear_pointer (&text, g_free);
  save_wide_and_narrow (GTK_WINDOW (dialog), "tuner-dialog-ready");

  gtk_widget_activate_action (GTK_WIDGET (dialog), "tuner.start", NULL);
  g_assert_cmpint (hearth_tuner_dialog_get_state (dialog), ==, HEARTH_TUNER_DIALOG_RUNNING);
  wait = (RowsWait) { dialog, 1 };
  g_assert_true (hearth_test_spin_until (has_rows, &wait, 60000));
  text = hearth_test_visible_text (GTK_WIDGET (dialog));
  assert_text_has (text, " of ");
  assert_text_has (text, "Trial 1 · ");
  g_clear_pointer (&text, g_free);
  save_wide_and_narrow (GTK_WINDOW (dialog), "tuner-dialog-running");

  wait_state (dialog, HEARTH_TUNER_DIALOG_FINISHED, 120000);
  /* a copy: the dialog and its result go with Apply */
  g_assert_nonnull (hearth_tuner_dialog_get_result (dialog));
  result = hearth_tune_result_copy (hearth_tuner_dialog_get_result (dialog));
  g_assert_false (result->cancelled);
  g_assert_cmpuint (result->trials->len, >=, 2);
  g_assert_cmpuint (result->trials->len, <=, 3);
  /* a row per trial, a point per measured trial */
  g_assert_cmpuint (count_trial_rows (dialog), ==, result->trials->len);
  g_assert_cmpuint (hearth_graph_get_n_samples (dialog_graph (dialog), 0), ==,
                    count_measured (result));
  g_assert_cmpuint (count_measured (result), >=, 1);
  text = hearth_test_visible_text (GTK_WIDGET (dialog));
  assert_text_has (text, "Finished: ");
  assert_text_has (text, "measured");
  assert_text_has (text, "Best");
  g_clear_pointer (&text, g_free);
  save_wide_and_narrow (GTK_WINDOW (dialog), "tuner-dialog-finished");

  /* Nothing is applied before Apply. */
  after = stored_options (&fixture);
  g_assert_true (hearth_run_options_equal (after->options, before->options));
  g_assert_cmpint (after->tune_run_id, ==, 0);
  g_clear_pointer (&after, hearth_model_options_free);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "tuner.apply", NULL));
  hearth_test_spin_for (200);
  g_assert_null (find_toplevel (HEARTH_TYPE_TUNER_DIALOG));
  after = stored_options (&fixture);
  g_assert_nonnull (after);
  g_assert_cmpint (after->tune_run_id, >, 0);
  g_assert_cmpfloat (after->tuned_decode_tps, >, 0);
  g_assert_true (options_equal_speed (after->options, result->best) ||
                 hearth_run_options_equal (result->best, result->baseline));
  g_assert_nonnull (after->previous);
  g_assert_true (hearth_test_spin_until (row_is_tuned, row, 2000));
  g_assert_true (gtk_widget_get_sensitive (row_button (row, "row.rollback")));
  save_wide_and_narrow (fixture.window, "tuner-models-tuned");

  /* Roll Back: the options from before, no longer tuned. */
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.rollback", "s", MODEL);
  hearth_test_spin_for (200);
  rolled = stored_options (&fixture);
  g_assert_nonnull (rolled);
  g_assert_true (hearth_run_options_equal (rolled->options, before->options));
  g_assert_cmpint (rolled->tune_run_id, ==, 0);
  g_assert_false (hearth_model_row_get_tuned (row));
  g_assert_false (gtk_widget_get_sensitive (row_button (row, "row.rollback")));
  fixture_close (&fixture);
}

/* Stop in the middle: the best so far is shown as stopped early, and closing keeps the
 * model's options exactly as they were. */
static void
test_tuner_cancel (void)
{
  Fixture fixture;
  HearthTunerDialog *dialog;
  const HearthTuneResult *result;
  g_autoptr(HearthModelOptions) before = NULL;
  g_autoptr(HearthModelOptions) after = NULL;
  g_autofree char *text = NULL;
  RowsWait wait;

  if (!fixture_open (&fixture))
    return;
  set_options (&fixture, "num_batch=64");
  before = stored_options (&fixture);
  dialog = open_dialog (&fixture, 6);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "tuner.start", NULL);
  wait = (RowsWait) { dialog, 1 };
  g_assert_true (hearth_test_spin_until (has_rows, &wait, 60000));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "tuner.cancel", NULL);
  wait_state (dialog, HEARTH_TUNER_DIALOG_FINISHED, 60000);
  result = hearth_tuner_dialog_get_result (dialog);
  g_assert_true (result->cancelled);
  g_assert_cmpuint (result->trials->len, <, 6);
  g_assert_cmpuint (count_trial_rows (dialog), ==, result->trials->len);
  text = hearth_test_visible_text (GTK_WIDGET (dialog));
  assert_text_has (text, "Stopped early");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "tuner.keep", NULL);
  hearth_test_spin_for (200);
  g_assert_null (find_toplevel (HEARTH_TYPE_TUNER_DIALOG));
  after = stored_options (&fixture);
  g_assert_true (hearth_run_options_equal (after->options, before->options));
  g_assert_cmpint (after->tune_run_id, ==, before->tune_run_id);
  g_assert_false (hearth_model_row_get_tuned (find_row (&fixture)));
  fixture_close (&fixture);
}

/* Preload */

static gboolean
row_is_unloaded (gpointer data)
{
  return !hearth_model_row_get_loaded (HEARTH_MODEL_ROW (data));
}

static gboolean
row_has_reason (gpointer data)
{
  return hearth_model_row_get_load_reason (HEARTH_MODEL_ROW (data)) != NULL;
}

static void
test_preload (void)
{
  Fixture fixture;
  HearthModelRow *row;
  g_autofree char *ps = NULL;

  if (!fixture_open (&fixture))
    return;
  row = find_row (&fixture);
  /* Out of memory first, so that it is the preload that loads it. */
  if (hearth_model_row_get_loaded (row))
    {
      gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.unload", "s", MODEL);
      g_assert_true (hearth_test_spin_until (row_is_unloaded, row, 8000));
    }
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.preload", "s", MODEL);
  g_assert_true (hearth_test_spin_until (row_has_reason, row, 20000));
  g_assert_true (hearth_model_row_get_loaded (row));
  assert_text_has (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Preloaded by you");
  ps = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/ps");
  assert_text_has (ps, "tiny-fixed");
  save_wide_and_narrow (fixture.window, "tuner-models-preloaded");
  fixture_close (&fixture);
}

/* The watch */

static HearthTuneResult *
measured_result (Fixture *fixture,
                 double   decode_tps)
{
  HearthTuneResult *result = g_new0 (HearthTuneResult, 1);
  HearthTuneTrial *trial = g_new0 (HearthTuneTrial, 1);
  g_autoptr(GError) error = NULL;

  trial->index = 1;
  trial->options = hearth_run_options_new ();
  g_assert_true (hearth_run_options_parse_assignment (trial->options, "num_thread=1", &error));
  trial->model = g_strdup (MODEL);
  trial->state = HEARTH_TUNE_TRIAL_MEASURED;
  trial->decode_tps = decode_tps;
  trial->prompt_tps = decode_tps * 4;
  trial->ttft_ms = 40;
  trial->peak_ram = trial->peak_vram = trial->size = trial->size_vram = -1;
  trial->best = TRUE;
  result->model = g_strdup (MODEL);
  result->digest = g_strdup (hearth_model_row_get_digest (find_row (fixture)));
  result->machine = g_strdup (hearth_tuning_machine_key (fixture->tuning));
  result->method = g_strdup ("coordinate descent");
  result->started_ms = g_get_real_time () / 1000 - 1000;
  result->finished_ms = g_get_real_time () / 1000;
  result->trials = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tune_trial_free);
  result->baseline = hearth_run_options_new ();
  result->best = hearth_run_options_copy (trial->options);
  result->best_index = 1;
  result->baseline_decode_tps = decode_tps * 0.8;
  result->best_decode_tps = decode_tps;
  g_ptr_array_add (result->trials, trial);
  return result;
}

static gboolean
notice_shown (gpointer data)
{
  GtkWidget *notice = hearth_model_row_get_notice (HEARTH_MODEL_ROW (data));

  return notice != NULL && gtk_widget_get_visible (notice) && gtk_widget_get_mapped (notice);
}

static void
feed_slow_replies (Fixture *fixture,
                   double   decode_tps)
{
  const char *digest = hearth_model_row_get_digest (find_row (fixture));
  g_autoptr(HearthResolvedOptions) sent = hearth_tuning_resolve (fixture->tuning, MODEL, digest,
                                                                 HEARTH_API_OLLAMA, NULL);

  for (guint i = 0; i < HEARTH_TUNING_WATCH_REPLIES; i++)
    hearth_tuning_observe_reply (fixture->tuning, MODEL, digest, sent->options,
                                 decode_tps + (i % 3) * 0.1);
}

static void
test_regression (void)
{
  Fixture fixture;
  g_autoptr(HearthTuneResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelOptions) rolled = NULL;
  HearthModelRow *row;
  GtkWidget *notice;
  g_autofree char *text = NULL;

  if (!fixture_open (&fixture))
    return;
  g_settings_set_boolean (settings, "tuning-auto-rollback", FALSE);
  row = find_row (&fixture);
  result = measured_result (&fixture, 24.0);
  g_assert_true (hearth_tuning_apply_result (fixture.tuning, result, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_test_spin_until (row_is_tuned, row, 2000));
  g_assert_false (notice_shown (row));

  feed_slow_replies (&fixture, 18.2);
  g_assert_true (hearth_test_spin_until (notice_shown, row, 5000));
  notice = hearth_model_row_get_notice (row);
  text = hearth_test_visible_text (notice);
  assert_text_has (text, "Slower than when tuned: 18.");
  assert_text_has (text, "against 24.0");
  assert_text_has (text, "Roll Back");
  assert_text_has (text, "Tune Again");
  save_wide_and_narrow (fixture.window, "tuner-models-regression");

  gtk_widget_activate_action (notice, "models.rollback", "s", MODEL);
  hearth_test_spin_for (200);
  rolled = stored_options (&fixture);
  g_assert_true (rolled == NULL || rolled->tune_run_id == 0);
  g_assert_false (hearth_model_row_get_tuned (row));
  fixture_close (&fixture);
}

/* With the setting on, the watch rolls back by itself and the row says so. */
static void
test_regression_auto_rollback (void)
{
  Fixture fixture;
  g_autoptr(HearthTuneResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthModelOptions) rolled = NULL;
  HearthModelRow *row;
  g_autofree char *text = NULL;

  if (!fixture_open (&fixture))
    return;
  g_settings_set_boolean (settings, "tuning-auto-rollback", TRUE);
  row = find_row (&fixture);
  result = measured_result (&fixture, 30.0);
  g_assert_true (hearth_tuning_apply_result (fixture.tuning, result, &error));
  g_assert_no_error (error);
  feed_slow_replies (&fixture, 15.0);
  g_assert_true (hearth_test_spin_until (notice_shown, row, 5000));
  text = hearth_test_visible_text (hearth_model_row_get_notice (row));
  assert_text_has (text, "Tuning rolled back");
  rolled = stored_options (&fixture);
  g_assert_true (rolled == NULL || rolled->tune_run_id == 0);
  g_settings_set_boolean (settings, "tuning-auto-rollback", FALSE);
  fixture_close (&fixture);
}

/* On a server that cannot preload or take the tuner's options, those entries are off and
 * say why instead of failing; the options stay. */
static void
test_preload_openai (void)
{
  Fixture fixture;
  GtkWidget *button;
  GtkWidget *menu;

  if (!fixture_open (&fixture))
    return;
  g_assert_true (gtk_widget_get_sensitive (row_button (find_row (&fixture), "row.preload")));
  g_settings_set_string (settings, "api-kind", "openai");
  g_assert_true (hearth_test_spin_until (page_is_loaded, fixture.page, 10000));
  hearth_test_spin_for (200);
  button = row_button (find_row (&fixture), "row.preload");
  g_assert_false (gtk_widget_get_sensitive (button));
  assert_text_has (gtk_widget_get_tooltip_text (button), "Ollama");
  button = row_button (find_row (&fixture), "row.tune");
  g_assert_false (gtk_widget_get_sensitive (button));
  assert_text_has (gtk_widget_get_tooltip_text (button), "Ollama");
  g_assert_true (gtk_widget_get_sensitive (row_button (find_row (&fixture), "row.options")));
  /* the menu as it opens: the entry greyed out */
  menu = hearth_test_find_descendant (GTK_WIDGET (find_row (&fixture)), GTK_TYPE_MENU_BUTTON);
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu));
  g_assert_true (hearth_test_spin_until (is_mapped,
                                         gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu)),
                                         5000));
  hearth_test_spin_for (200);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu))),
                                       "tuner-models-menu-openai.png"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu));
  g_settings_set_string (settings, "api-kind", "ollama");
  g_assert_true (hearth_test_spin_until (page_is_loaded, fixture.page, 10000));
  fixture_close (&fixture);
}

/* A model the server does not have, and a server that is not there: said in the dialog. */
static void
run_to_failure (Fixture        *fixture,
                HearthProvider *provider,
                const char     *model,
                const char     *stem,
                const char     *expected)
{
  GtkWidget *dialog = hearth_tuner_dialog_new (fixture->engine, provider, model, NULL);
  GtkWidget *spin = hearth_test_find_descendant (dialog, GTK_TYPE_SPIN_BUTTON);
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;
  gpointer weak = dialog;

  gtk_window_set_transient_for (GTK_WINDOW (dialog), fixture->window);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 2);
  gtk_widget_activate_action (dialog, "tuner.start", NULL);
  g_assert_true (hearth_test_spin_until (is_settled_or_failed, dialog, 60000));
  hearth_test_spin_for (200);
  text = hearth_test_visible_text (dialog);
  g_test_message ("%s", text);
  assert_text_has (text, expected);
  g_assert_false (gtk_widget_get_visible (find_button (dialog, "tuner.apply")));
  shot = hearth_test_save_screenshot (dialog, stem);
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (hearth_test_spin_until (is_null, &weak, 2000));
}

static void
test_errors (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  HearthProvider *provider;
  HearthProvider *nowhere;

  if (!fixture_open (&fixture))
    return;
  provider = hearth_engine_get_configured_provider (fixture.engine, settings, &error);
  g_assert_no_error (error);
  run_to_failure (&fixture, provider, "no-such-model:latest", "tuner-dialog-missing.png",
                  "is not installed on the server");
  nowhere = hearth_engine_get_provider (fixture.engine, HEARTH_API_OLLAMA, "http://127.0.0.1:9");
  run_to_failure (&fixture, nowhere, MODEL, "tuner-dialog-unreachable.png", "127.0.0.1:9");
  fixture_close (&fixture);
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

  g_test_add_func ("/tuner-ui/apply-rollback", test_tuner_apply_and_rollback);
  g_test_add_func ("/tuner-ui/cancel", test_tuner_cancel);
  g_test_add_func ("/tuner-ui/preload", test_preload);
  g_test_add_func ("/tuner-ui/preload-openai", test_preload_openai);
  g_test_add_func ("/tuner-ui/regression", test_regression);
  g_test_add_func ("/tuner-ui/regression-auto-rollback", test_regression_auto_rollback);
  g_test_add_func ("/tuner-ui/errors", test_errors);

  ret = g_test_run ();
  g_clear_object (&settings);
  return ret;
}
