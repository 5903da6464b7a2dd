/* test-compare-ui.c — compare, ensembles and ratings in the chat and in Preferences
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real app window under Xvfb, a real test engine serving three `fixed`
 * models that answer different sentences (two of them the same one) and
 * the fault server as a second server: compare three models with one that
 * fails (its column says why, the others finish), "Use This Answer" marks
 * the kept one, reopening the conversation shows the set as it was kept;
 * an ensemble chosen in the model picker answers with the winner, why it
 * won and every candidate behind an expander; thumbs up toggles and is
 * there after reopening; Preferences → Answers counts it all.
 * Screenshots: compare-1280.png, compare-400.png, ensemble-1280.png,
 * answers-preferences.png.
 */
#define G_LOG_DOMAIN "test-compare-ui"

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-compare-column.h"
#include "hearth-compare-view.h"
#include "hearth-engine.h"
#include "hearth-message-row.h"
#include "hearth-preferences-window.h"
#include "hearth-test-chat.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define RED  "Roses are red."
#define BLUE "The sky is blue."
#define VERDICT "Answer 2 is the best."
#define COMPARE_TOOLTIP "Ask 2 to 4 Models at Once and Compare Their Answers"

static HearthApplication *app;
static HearthTestServer *local;
static gint64 compare_conversation = -1;
static gint64 rated_conversation = -1;
static gint64 compare_stored = -1;
static gint64 stored_judged = -1;

static HearthEngine *
app_engine (void)
{
  return hearth_application_get_engine (app);
}

/* A `fixed` model that answers @sentence, in @dir. */
static void
make_model_saying (const char *dir,
                   const char *name,
                   const char *sentence)
{
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "make-model.mjs", NULL);
  g_autofree char *file = g_strconcat (name, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "node", script,
                              "--mode", "fixed", "--sentence", sentence, path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static void
use_servers (void)
{
  HearthServers *servers = hearth_engine_get_servers (app_engine ());
  g_autoptr(GError) error = NULL;

  for (guint n = g_list_model_get_n_items (G_LIST_MODEL (servers)); n > 0; n--)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), 0);

      g_assert_true (hearth_servers_remove (servers, hearth_server_get_name (server), &error));
    }
  g_assert_nonnull (hearth_servers_add (servers, "local", hearth_test_server_get_url (local),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (hearth_servers_add (servers, "faulty", hearth_test_fault_url (),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
setup (void)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("compare-models", NULL);
  const char *args[] = { "--models", dir, NULL };

  if (!hearth_test_require_node ())
    return FALSE;
  if (local != NULL)
    return TRUE;
  g_mkdir_with_parents (dir, 0700);
  make_model_saying (dir, "tiny-red", RED);
  make_model_saying (dir, "tiny-blue", BLUE);
  make_model_saying (dir, "tiny-azure", BLUE);
  make_model_saying (dir, "tiny-judge", VERDICT);
  local = hearth_test_server_start ("server.mjs", args);
  hearth_test_fault_server ();
  hearth_test_chat_use_server (hearth_test_server_get_url (local), "tiny-red");
  use_servers ();
  return TRUE;
}

static gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* Ticks @labels in the compare popover, as a person would. */
static void
choose_compare (HearthChatPage     *page,
                const char * const *labels)
{
  GtkWidget *button = hearth_test_find_named (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON, COMPARE_TOOLTIP);
  GtkPopover *popover;

  g_assert_nonnull (button);
  popover = hearth_test_popup_menu (GTK_MENU_BUTTON (button));
  for (guint i = 0; labels[i] != NULL; i++)
    {
      GtkWidget *check = hearth_test_find_named (GTK_WIDGET (popover), GTK_TYPE_CHECK_BUTTON, labels[i]);

      if (check == NULL)
        {
          g_autofree char *text = hearth_test_visible_text (GTK_WIDGET (popover));
          g_error ("“%s” is not offered to compare:\n%s", labels[i], text);
        }
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    }
  hearth_test_wait_drawn (GTK_WIDGET (popover), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (popover), "compare-picker.png"));
  gtk_popover_popdown (popover);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==,
                   g_strv_length ((char **) labels) == 3 ? "Comparing 3" : "Comparing 2");
}

/* Back to one model, as the chooser's button does it. */
static void
stop_comparing (HearthChatPage *page)
{
  GtkWidget *button = hearth_test_find_named (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON, COMPARE_TOOLTIP);
  GtkPopover *popover = hearth_test_popup_menu (GTK_MENU_BUTTON (button));
  GtkWidget *one = hearth_test_find_with_class (GTK_WIDGET (popover), GTK_TYPE_BUTTON,
                                                "stop-comparing");

  g_signal_emit_by_name (one, "clicked");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "Compare");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (hearth_test_chat_model_dropdown (page))));
}

static gboolean
set_done (gpointer page)
{
  guint n = hearth_test_chat_n_messages (page);
  HearthMessageItem *last = n > 0 ? hearth_test_chat_last_item (page) : NULL;

  return last != NULL && hearth_message_item_is_set (last) &&
         hearth_message_item_set_is_done (last) &&
         !gtk_widget_get_visible (hearth_test_find_with_class (page, GTK_TYPE_BUTTON,
                                                               "destructive-action"));
}

static gboolean
is_column (GtkWidget *widget,
           gpointer   candidate)
{
  return HEARTH_IS_COMPARE_COLUMN (widget) &&
         hearth_compare_column_get_candidate (HEARTH_COMPARE_COLUMN (widget)) == candidate;
}

static GtkWidget *
column_for (HearthChatPage    *page,
            HearthMessageItem *set,
            guint              index)
{
  HearthMessageRow *row = hearth_test_chat_row_for (page, set);

  g_assert_nonnull (row);
  return hearth_test_find_widget (GTK_WIDGET (row), is_column,
                                  hearth_message_item_get_candidate (set, index));
}

static int
candidate_saying (HearthMessageItem *set,
                  const char        *model)
{
  for (guint i = 0; i < hearth_message_item_get_n_candidates (set); i++)
    {
      const HearthMessage *m = hearth_message_item_get_message (hearth_message_item_get_candidate (set, i));

      if (g_str_has_prefix (m->model ?: "", model))
        return i;
    }
  g_error ("no candidate of %s", model);
}

static void
assert_text_has (GtkWidget  *widget,
                 const char *needle)
{
  g_autofree char *text = hearth_test_visible_text (widget);

  if (strstr (text, needle) == NULL)
    g_error ("“%s” not shown in:\n%s", needle, text);
}

static void
assert_kept (HearthChatPage    *page,
             HearthMessageItem *set,
             int                kept)
{
  g_assert_cmpint (hearth_message_item_get_winner (set), ==, kept);
  g_assert_true (hearth_message_item_get_picked_by_user (set));
  for (guint i = 0; i < hearth_message_item_get_n_candidates (set); i++)
    {
      GtkWidget *column = column_for (page, set, i);
      GtkWidget *card = gtk_widget_get_first_child (column);

      /* The kept one is marked; the others stay, dimmed. */
      g_assert_true (gtk_widget_get_visible (column));
      g_assert_true (gtk_widget_has_css_class (card, (int) i == kept ? "set-kept" : "set-not-kept"));
    }
  assert_text_has (column_for (page, set, kept), "Kept");
}

/* 1. Three models side by side, one failing; keep one; reopen. */

static void
test_compare (void)
{
  const char *labels[] = { "tiny-red · local", "tiny-blue · local", "error-500 · faulty", NULL };
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *set;
  GtkWidget *failed, *pick;
  int blue;

  if (!setup ())
    return;
  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  choose_compare (page, labels);
  hearth_test_chat_send (page, "What colour is it?");
  g_assert_true (hearth_test_spin_until (set_done, page, 30000));
  set = hearth_test_chat_last_item (page);
  g_assert_true (hearth_message_item_is_compare (set));
  g_assert_cmpuint (hearth_message_item_get_n_candidates (set), ==, 3);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);

  /* Each answer in its column; the failure in its own, the others whole. */
  assert_text_has (column_for (page, set, candidate_saying (set, "tiny-red")), RED);
  assert_text_has (column_for (page, set, candidate_saying (set, "tiny-blue")), BLUE);
  assert_text_has (column_for (page, set, candidate_saying (set, "tiny-red")), "tokens/s");
  failed = column_for (page, set, candidate_saying (set, "error-500"));
  g_assert_true (gtk_widget_get_visible (hearth_test_find_with_class (failed, GTK_TYPE_BOX,
                                                                      "message-error")));
  assert_text_has (failed, "error-500");
  /* How the requests went out, under the answers. */
  assert_text_has (GTK_WIDGET (hearth_test_chat_row_for (page, set)),
                   hearth_message_item_get_schedule (set));
  hearth_test_chat_screenshot (window, "compare-1280.png");

  /* Keep the blue one. */
  blue = candidate_saying (set, "tiny-blue");
  pick = hearth_test_find_with_class (column_for (page, set, blue), GTK_TYPE_BUTTON, "pick-answer");
  g_assert_nonnull (pick);
  g_assert_true (gtk_widget_get_visible (pick));
  g_signal_emit_by_name (pick, "clicked");
  hearth_test_spin_for (100);
  assert_kept (page, set, blue);
  compare_conversation = hearth_chat_page_get_conversation_id (page);
  hearth_test_chat_screenshot (window, "compare-kept-1280.png");
  hearth_test_chat_close_window (window);

  /* Reopened from the history, narrow: the same set, the same one kept. */
  window = hearth_test_chat_new_window (400, 800);
  page = hearth_test_chat_page (window);
  hearth_chat_page_open_conversation (page, compare_conversation);
  g_assert_true (hearth_test_spin_until (set_done, page, 10000));
  set = hearth_test_chat_last_item (page);
  g_assert_true (hearth_message_item_is_compare (set));
  g_assert_cmpuint (hearth_message_item_get_n_candidates (set), ==, 3);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  assert_kept (page, set, candidate_saying (set, "tiny-blue"));
  assert_text_has (column_for (page, set, candidate_saying (set, "tiny-red")), RED);
  hearth_test_chat_screenshot (window, "compare-400.png");
  hearth_test_chat_close_window (window);
}

/* 1a. Stopped while one still streams: it says so, the finished one stays. */

static gboolean
first_answered (gpointer page)
{
  HearthMessageItem *set = hearth_test_chat_last_item (page);

  for (guint i = 0; hearth_message_item_is_set (set) &&
                    i < hearth_message_item_get_n_candidates (set); i++)
    {
      const HearthMessage *m = hearth_message_item_get_message (hearth_message_item_get_candidate (set, i));

      if (m->state == HEARTH_MESSAGE_COMPLETE && *m->content != '\0')
        return TRUE;
    }
  return FALSE;
}

static void
test_stop (void)
{
  const char *labels[] = { "tiny-red · local", "slow · faulty", NULL };
  HearthWindow *window;
  HearthChatPage *page;
  HearthMessageItem *set;

  if (!setup ())
    return;
  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  choose_compare (page, labels);
  hearth_test_chat_send (page, "Take your time");
  g_assert_true (hearth_test_spin_until (first_answered, page, 20000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.stop", NULL));
  g_assert_true (hearth_test_spin_until (set_done, page, 10000));
  set = hearth_test_chat_last_item (page);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  assert_text_has (column_for (page, set, candidate_saying (set, "slow")), "Stopped");
  assert_text_has (column_for (page, set, candidate_saying (set, "tiny-red")), RED);
  stop_comparing (page);
  hearth_test_chat_close_window (window);
}

/* 1b. A set as the history keeps it: columns when wide, stacked when narrow. */

/* A conversation with one question, written as a past session left it. */
static gint64
store_question (const char *title,
                gint64     *question_id)
{
  HearthStore *store = hearth_engine_get_store (app_engine ());
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthMessage) question = hearth_message_new ("user", title);
  gint64 id = hearth_store_create_conversation (store, title, &error);

  g_assert_no_error (error);
  question->conversation_id = id;
  question->created_ms = g_get_real_time () / 1000;
  *question_id = hearth_store_add_message (store, question, &error);
  g_assert_no_error (error);
  return id;
}

/* One answer of the set to @question_id, on "local", with measured-looking figures. */
static void
store_answer (gint64      id,
              gint64      question_id,
              const char *method,
              const char *model,
              const char *text,
              HearthPick  pick,
              const char *role,
              double      load_ms)
{
  g_autoptr(HearthMessage) m = hearth_message_new ("assistant", text);
  g_autoptr(GError) error = NULL;

  m->conversation_id = id;
  m->model = g_strdup (model);
  m->server = g_strdup ("local");
  m->created_ms = g_get_real_time () / 1000;
  m->set_question = question_id;
  m->set_method = g_strdup (method);
  m->set_name = g_strcmp0 (method, "judge") == 0 ? g_strdup ("panel") : NULL;
  m->set_role = g_strdup (role);
  m->pick = pick;
  m->set_reason = pick == HEARTH_PICK_AUTO
                  ? g_strdup ("The judge (tiny-azure) picked tiny-blue’s answer") : NULL;
  m->figures.tokens_out = 4 + strlen (text) / 10;
  m->figures.tokens_per_s = 90 + strlen (text);
  m->figures.ttft_ms = 30 + strlen (model);
  m->figures.load_ms = load_ms;
  hearth_store_add_message (hearth_engine_get_store (app_engine ()), m, &error);
  g_assert_no_error (error);
}

static gint64
store_compare_set (void)
{
  gint64 question;
  gint64 id = store_question ("Stored set", &question);

  store_answer (id, question, "compare", "tiny-red:latest", RED, HEARTH_PICK_NOT,
                HEARTH_SET_ROLE_CANDIDATE, 0);
  store_answer (id, question, "compare", "tiny-blue:latest",
                BLUE " It scatters blue light more than red light, all day long.",
                HEARTH_PICK_USER, HEARTH_SET_ROLE_CANDIDATE, 0);
  store_answer (id, question, "compare", "tiny-azure:latest", BLUE, HEARTH_PICK_NOT,
                HEARTH_SET_ROLE_CANDIDATE, 1500);
  return id;
}

static void
assert_layout (HearthChatPage *page,
               gboolean        side_by_side)
{
  HearthMessageItem *set = hearth_test_chat_last_item (page);
  const graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0);
  graphene_point_t first;

  g_assert_true (gtk_widget_compute_point (column_for (page, set, 0), GTK_WIDGET (page), &origin,
                                           &first));
  for (guint i = 1; i < hearth_message_item_get_n_candidates (set); i++)
    {
      graphene_point_t at;

      g_assert_true (gtk_widget_compute_point (column_for (page, set, i), GTK_WIDGET (page),
                                               &origin, &at));
      /* Side by side: one row, left to right; stacked: one column, top to bottom. */
      if (side_by_side)
        {
          g_assert_cmpfloat (at.y, ==, first.y);
          g_assert_cmpfloat (at.x, >, first.x);
        }
      else
        {
          g_assert_cmpfloat (at.x, ==, first.x);
          g_assert_cmpfloat (at.y, >, first.y);
        }
    }
}

static void
test_stored_layout (void)
{
  const int widths[] = { 1280, 400 };

  if (!setup ())
    return;
  compare_stored = store_compare_set ();
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("compare-stored-%d.png", widths[i]);
      HearthWindow *window = hearth_test_chat_new_window (widths[i], 800);
      HearthChatPage *page = hearth_test_chat_page (window);
      HearthMessageItem *set;

      hearth_chat_page_open_conversation (page, compare_stored);
      g_assert_true (hearth_test_spin_until (set_done, page, 10000));
      hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
      set = hearth_test_chat_last_item (page);
      g_assert_cmpuint (hearth_message_item_get_n_candidates (set), ==, 3);
      assert_kept (page, set, 1);
      assert_layout (page, widths[i] > 700);
      /* Measured: the third had to load its model first. */
      assert_text_has (column_for (page, set, 2), "Loaded first (1.5 s)");
      hearth_test_chat_screenshot (window, name);
      hearth_test_chat_close_window (window);
    }
}

/* 1c. A judged ensemble as the history keeps it: winner, why, and the judge on demand. */

static void
store_judged_set (void)
{
  gint64 question;

  stored_judged = store_question ("Judged", &question);
  store_answer (stored_judged, question, "judge", "tiny-red:latest", RED, HEARTH_PICK_NOT,
                HEARTH_SET_ROLE_CANDIDATE, 0);
  store_answer (stored_judged, question, "judge", "tiny-blue:latest", BLUE, HEARTH_PICK_AUTO,
                HEARTH_SET_ROLE_CANDIDATE, 0);
  store_answer (stored_judged, question, "judge", "tiny-azure:latest", "2", HEARTH_PICK_NOT,
                HEARTH_SET_ROLE_JUDGE, 0);
}

static void
test_stored_judged (void)
{
  HearthMessageItem *set;
  HearthMessageRow *row;
  GtkWidget *judge, *candidates;
  HearthWindow *window;
  HearthChatPage *page;

  if (!setup ())
    return;
  store_judged_set ();
  window = hearth_test_chat_new_window (1280, 800);
  page = hearth_test_chat_page (window);
  hearth_chat_page_open_conversation (page, stored_judged);
  g_assert_true (hearth_test_spin_until (set_done, page, 10000));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  set = hearth_test_chat_last_item (page);
  g_assert_cmpuint (hearth_message_item_get_n_candidates (set), ==, 2);
  row = hearth_test_chat_row_for (page, set);
  assert_text_has (GTK_WIDGET (row), "panel · tiny-blue");
  assert_text_has (GTK_WIDGET (row), BLUE);
  assert_text_has (GTK_WIDGET (row), "The judge (tiny-azure) picked tiny-blue’s answer");
  candidates = hearth_test_find_named (GTK_WIDGET (row), GTK_TYPE_EXPANDER, "All 2 Answers");
  judge = hearth_test_find_named (GTK_WIDGET (row), GTK_TYPE_EXPANDER, "The Judge’s Reasoning (tiny-azure)");
  g_assert_nonnull (candidates);
  g_assert_nonnull (judge);
  gtk_expander_set_expanded (GTK_EXPANDER (candidates), TRUE);
  gtk_expander_set_expanded (GTK_EXPANDER (judge), TRUE);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  assert_text_has (candidates, RED);
  assert_text_has (candidates, "Chosen");
  hearth_test_chat_screenshot (window, "ensemble-judged-1280.png");
  hearth_test_chat_close_window (window);
}

/* 2. An ensemble from the picker: the winner, why, and every candidate. */

static void
test_ensemble (void)
{
  const char *models[] = { "tiny-red@local", "tiny-blue@local", "tiny-azure@local", NULL };
  g_autoptr(HearthEnsemble) trio = NULL;
  g_autoptr(GError) error = NULL;
  HearthMessageItem *set;
  HearthMessageRow *row;
  GtkWidget *expander;
  HearthWindow *window;
  HearthChatPage *page;

  if (!setup ())
    return;
  trio = hearth_ensemble_new ("trio", models, HEARTH_SET_VOTE, NULL);
  g_assert_true (hearth_ensembles_add (hearth_engine_get_ensembles (app_engine ()), trio, TRUE,
                                       &error));
  g_assert_no_error (error);
  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "ensemble:trio");
  hearth_test_chat_send (page, "What colour is the sky?");
  g_assert_true (hearth_test_spin_until (set_done, page, 30000));
  set = hearth_test_chat_last_item (page);
  g_assert_false (hearth_message_item_is_compare (set));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  row = hearth_test_chat_row_for (page, set);
  /* The winner's text, and why it won. */
  assert_text_has (GTK_WIDGET (row), BLUE);
  assert_text_has (GTK_WIDGET (row), "Chosen by majority vote: 2 of 3 answers agree");
  /* Every candidate one click away, with its model. */
  expander = hearth_test_find_named (GTK_WIDGET (row), GTK_TYPE_EXPANDER, "All 3 Answers");
  g_assert_nonnull (expander);
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  assert_text_has (expander, RED);
  assert_text_has (expander, "tiny-azure");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "ensemble", TRUE);
  hearth_test_chat_close_window (window);
}

/* 2b. A judge, asked live: its verdict picks, its reasoning one click away. */

static void
test_judge (void)
{
  const char *models[] = { "tiny-red@local", "tiny-blue@local", NULL };
  g_autoptr(HearthEnsemble) panel = NULL;
  g_autoptr(GError) error = NULL;
  HearthMessageItem *set;
  HearthMessageRow *row;
  GtkWidget *judge;
  HearthWindow *window;
  HearthChatPage *page;

  if (!setup ())
    return;
  panel = hearth_ensemble_new ("panel", models, HEARTH_SET_JUDGE, "tiny-judge@local");
  g_assert_true (hearth_ensembles_add (hearth_engine_get_ensembles (app_engine ()), panel, TRUE,
                                       &error));
  g_assert_no_error (error);
  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "ensemble:panel");
  hearth_test_chat_send (page, "Which is right?");
  g_assert_true (hearth_test_spin_until (set_done, page, 30000));
  set = hearth_test_chat_last_item (page);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  row = hearth_test_chat_row_for (page, set);
  /* The judge named the second answer: tiny-blue's. */
  g_assert_cmpint (hearth_message_item_get_winner (set), ==, candidate_saying (set, "tiny-blue"));
  assert_text_has (GTK_WIDGET (row), "panel · tiny-blue");
  assert_text_has (GTK_WIDGET (row), "The judge (tiny-judge");
  judge = hearth_test_find_named (GTK_WIDGET (row), GTK_TYPE_EXPANDER, "The Judge’s Reasoning (tiny-judge)");
  g_assert_nonnull (judge);
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (judge)));
  gtk_expander_set_expanded (GTK_EXPANDER (judge), TRUE);
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  assert_text_has (judge, VERDICT);
  hearth_test_chat_screenshot (window, "ensemble-judge-1280.png");
  hearth_test_chat_close_window (window);
}

/* 3. Thumbs up on a reply: toggled, and still there after reopening. */

static GtkToggleButton *
thumbs_up_of (HearthChatPage    *page,
              HearthMessageItem *item)
{
  HearthMessageRow *row = hearth_test_chat_row_for (page, item);
  GtkWidget *button;

  g_assert_nonnull (row);
  button = hearth_test_find_named (GTK_WIDGET (row), GTK_TYPE_TOGGLE_BUTTON, "Good Answer");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  return GTK_TOGGLE_BUTTON (button);
}

/* The note, through its popover, as a person would type it. */
static void
add_note (HearthChatPage    *page,
          HearthMessageItem *item,
          const char        *note)
{
  GtkWidget *button = hearth_test_find_named (GTK_WIDGET (hearth_test_chat_row_for (page, item)),
                                              GTK_TYPE_MENU_BUTTON, "Add a Note to Your Rating");
  GtkPopover *popover;
  GtkWidget *entry;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  popover = hearth_test_popup_menu (GTK_MENU_BUTTON (button));
  entry = hearth_test_find_descendant (GTK_WIDGET (popover), GTK_TYPE_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), note);
  g_signal_emit_by_name (entry, "activate");
  hearth_test_spin_for (50);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (popover)));
}

static void
test_thumbs (void)
{
  HearthMessageItem *item;
  HearthWindow *window;
  HearthChatPage *page;

  if (!setup ())
    return;
  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  hearth_test_chat_select_model (page, "tiny-red");
  hearth_test_chat_send_and_wait (page, "Say something");
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  item = hearth_test_chat_last_item (page);
  g_assert_false (gtk_toggle_button_get_active (thumbs_up_of (page, item)));
  gtk_toggle_button_set_active (thumbs_up_of (page, item), TRUE);
  g_assert_cmpint (hearth_message_item_get_message (item)->rating, ==, 1);
  g_assert_true (gtk_toggle_button_get_active (thumbs_up_of (page, item)));
  /* Lit, it stays in sight without the pointer over the reply. */
  g_assert_cmpfloat (gtk_widget_get_opacity (GTK_WIDGET (thumbs_up_of (page, item))), ==, 1.0);
  hearth_test_chat_screenshot (window, "thumbs-1280.png");
  add_note (page, item, "Short and right");
  g_assert_cmpstr (hearth_message_item_get_message (item)->rating_note, ==, "Short and right");
  rated_conversation = hearth_chat_page_get_conversation_id (page);

  hearth_chat_page_new_chat (page);
  hearth_chat_page_open_conversation (page, rated_conversation);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_reply_finished, page, 10000));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  item = hearth_test_chat_last_item (page);
  g_assert_cmpint (hearth_message_item_get_message (item)->rating, ==, 1);
  g_assert_cmpstr (hearth_message_item_get_message (item)->rating_note, ==, "Short and right");
  g_assert_true (gtk_toggle_button_get_active (thumbs_up_of (page, item)));
  hearth_test_chat_close_window (window);
}

/* 4. An ensemble made in Preferences, offered by the picker. */

static void
choose_in (GtkWidget  *dialog,
           const char *title,
           const char *choice)
{
  AdwComboRow *row = ADW_COMBO_ROW (hearth_test_find_widget (dialog, is_row_titled,
                                                             (gpointer) title));
  GListModel *list;

  g_assert_nonnull (row);
  list = adw_combo_row_get_model (row);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (list), i), choice) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("%s does not offer %s", title, choice);
}

static GtkWidget *
find_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (g_str_equal (G_OBJECT_TYPE_NAME (l->data), "HearthEnsembleDialog") &&
        gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_ready (gpointer data)
{
  GtkWidget *dialog = find_dialog ();
  GtkWidget *save = dialog != NULL ? hearth_test_find_with_class (dialog, GTK_TYPE_BUTTON,
                                                                  "suggested-action") : NULL;

  return save != NULL && gtk_widget_get_sensitive (save);
}

static gboolean
dialog_gone (gpointer data)
{
  return find_dialog () == NULL;
}

static void
test_ensemble_dialog (void)
{
  HearthEnsembles *ensembles;
  GtkWidget *prefs, *dialog, *save;
  HearthWindow *window;
  g_autofree char *picker = NULL;

  if (!setup ())
    return;
  ensembles = hearth_engine_get_ensembles (app_engine ());
  prefs = hearth_preferences_window_new (NULL, app_engine ());
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "answers");
  gtk_window_present (GTK_WINDOW (prefs));
  hearth_test_wait_drawn (prefs, 2000);
  g_assert_true (gtk_widget_activate_action (prefs, "ensembles.add", NULL));
  g_assert_true (hearth_test_spin_until (dialog_ready, NULL, 20000));
  dialog = find_dialog ();
  /* Not valid yet: one model is not an ensemble; the dialog says why and stays. */
  gtk_editable_set_text (GTK_EDITABLE (hearth_test_find_descendant (dialog, ADW_TYPE_ENTRY_ROW)),
                         "duo");
  choose_in (dialog, "First Model", "tiny-red:latest@local");
  save = hearth_test_find_with_class (dialog, GTK_TYPE_BUTTON, "suggested-action");
  g_signal_emit_by_name (save, "clicked");
  g_assert_nonnull (find_dialog ());
  g_assert_null (hearth_ensembles_lookup (ensembles, "duo"));
  choose_in (dialog, "Second Model", "tiny-blue:latest@local");
  choose_in (dialog, "Chosen By", "First good answer");
  hearth_test_wait_drawn (dialog, 2000);
  g_free (hearth_test_save_screenshot (dialog, "ensemble-dialog.png"));
  g_signal_emit_by_name (save, "clicked");
  g_assert_true (hearth_test_spin_until (dialog_gone, NULL, 5000));
  g_assert_nonnull (hearth_ensembles_lookup (ensembles, "duo"));
  g_assert_true (hearth_test_wait_for_text (prefs, "duo", 5000));
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* The picker offers it, under its heading, as a choice of its own. */
  window = hearth_test_chat_new_chat_window (1280);
  hearth_test_chat_select_model (hearth_test_chat_page (window), "ensemble:duo");
  picker = hearth_test_visible_text (GTK_WIDGET (hearth_test_chat_model_dropdown (
                                                   hearth_test_chat_page (window))));
  g_assert_cmpstr (g_strstrip (picker), ==, "duo (ensemble)");
  hearth_test_chat_close_window (window);
}

/* 5. Preferences → Answers: each model's record with its counts. */

static void
stats_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  HearthFeedbackStats **stats = user_data;
  g_autoptr(GError) error = NULL;

  *stats = hearth_engine_feedback_stats_finish (HEARTH_ENGINE (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
stats_read (gpointer stats)
{
  return *(HearthFeedbackStats **) stats != NULL;
}

static HearthFeedbackStats *
read_stats (void)
{
  HearthFeedbackStats *stats = NULL;

  hearth_engine_feedback_stats_async (app_engine (), 0, NULL, stats_cb, &stats);
  g_assert_true (hearth_test_spin_until (stats_read, &stats, 10000));
  return stats;
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(int *) user_data = hearth_preferences_window_export_feedback_finish (
    HEARTH_PREFERENCES_WINDOW (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
exported (gpointer lines)
{
  return *(int *) lines >= 0;
}

static void
check_export (GtkWidget            *prefs,
              HearthFeedbackFormat  format,
              guint                 expected,
              const char           *member)
{
  g_autofree char *name = g_strdup_printf ("export-%s.jsonl",
                                           hearth_feedback_format_to_string (format));
  g_autofree char *path = hearth_test_build_tmp_path (name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  int written = -1;
  guint n = 0;

  hearth_preferences_window_export_feedback_async (HEARTH_PREFERENCES_WINDOW (prefs), format,
                                                   file, NULL, exported_cb, &written);
  g_assert_true (hearth_test_spin_until (exported, &written, 10000));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_assert_true (json_object_has_member (json_node_get_object (json_parser_get_root (parser)),
                                             member));
      n++;
    }
  g_assert_cmpint (written, ==, n);
  g_assert_cmpuint (n, ==, expected);
  g_assert_cmpuint (n, >, 0);
}

static void
test_preferences (void)
{
  GtkWidget *steer, *toggle;
  g_autoptr(HearthFeedbackStats) stats = NULL;
  g_autofree char *summary = NULL;
  GtkWidget *prefs;
  g_autofree char *path = NULL;

  if (!setup ())
    return;
  if (compare_conversation < 0 || rated_conversation < 0)
    {
      g_test_skip ("needs the compare and thumbs tests first");
      return;
    }
  prefs = hearth_preferences_window_new (NULL, app_engine ());
  gtk_window_set_default_size (GTK_WINDOW (prefs), 800, 900);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "answers");
  gtk_window_present (GTK_WINDOW (prefs));
  /* What the engine counts, as the page says it: the thumbs and both
   * compare picks (the stored set's and the one made above). */
  stats = read_stats ();
  g_assert_cmpuint (stats->ratings, >=, 1);
  g_assert_cmpuint (stats->picks, >=, 2);
  summary = g_strdup_printf ("Thumbs: %u · compare picks: %u", stats->ratings, stats->picks);
  g_assert_true (hearth_test_wait_for_text (prefs, summary, 10000));
  for (guint i = 0; i < stats->records->len; i++)
    {
      const HearthModelRecord *r = g_ptr_array_index (stats->records, i);
      g_autofree char *won = NULL;

      if (g_strcmp0 (r->kind, "all") != 0 || r->wins + r->losses == 0)
        continue;
      won = g_strdup_printf ("Won %u of %u", r->wins, r->wins + r->losses);
      assert_text_has (prefs, won);
    }
  assert_text_has (prefs, "tiny-blue");
  assert_text_has (prefs, "trio");
  assert_text_has (prefs, "at least 5 ratings each");
  steer = hearth_test_find_widget (prefs, is_row_titled, (gpointer) "Let Ratings Steer Auto");
  g_assert_nonnull (steer);
  toggle = hearth_test_find_descendant (steer, GTK_TYPE_SWITCH);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  g_assert_true (hearth_routes_get_use_ratings (hearth_engine_get_routes (app_engine ())));
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
  g_assert_false (hearth_routes_get_use_ratings (hearth_engine_get_routes (app_engine ())));
  path = hearth_test_save_screenshot (prefs, "answers-preferences.png");

  /* The export: one JSON object a line, as many as the page said. */
  check_export (prefs, HEARTH_FEEDBACK_PAIRS, stats->pairs, "chosen");
  check_export (prefs, HEARTH_FEEDBACK_RATINGS, stats->ratings, "rating");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HearthApplication) application = hearth_test_chat_init (&argc, &argv);
  int status;

  app = application;
  g_test_add_func ("/compare-ui/stored-layout", test_stored_layout);
  g_test_add_func ("/compare-ui/stored-judged", test_stored_judged);
  g_test_add_func ("/compare-ui/compare", test_compare);
  g_test_add_func ("/compare-ui/stop", test_stop);
  g_test_add_func ("/compare-ui/ensemble", test_ensemble);
  g_test_add_func ("/compare-ui/judge", test_judge);
  g_test_add_func ("/compare-ui/thumbs", test_thumbs);
  g_test_add_func ("/compare-ui/ensemble-dialog", test_ensemble_dialog);
  g_test_add_func ("/compare-ui/preferences", test_preferences);
  status = g_test_run ();
  g_clear_pointer (&local, hearth_test_server_stop);
  return status;
}
