/* test-conversation-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-conversation-list"

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <string.h>

#include "hearth-conversation-list.h"
#include "hearth-conversation-row.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define HOSTILE_TITLE "<b>x</b> & </span>"
#define N_SEEDED      5

typedef struct
{
  HearthStore             *store;
  HearthEngine            *engine;
  GtkWindow               *window;
  HearthConversationList  *list;
  gint64                   ids[N_SEEDED];   /* newest first */
  GDateTime               *times[N_SEEDED];
  gint64                   activated_id;
  guint                    n_activated;
  gint64                   deleted_id;
  guint                    n_deleted;
} Fixture;

static const struct {
  const char *title;
  const char *content;
} seeds[N_SEEDED] = {
  { "Sourdough starter", "How much <i>flour</i> & water for a starter at 75% hydration?" },
  { HOSTILE_TITLE, "Is this title shown literally?" },
  { "Rust lifetimes", "Why does the borrow checker reject this closure?" },
  { "Trip to Lisbon", "Where can I eat pastel de nata near the tram 28 line?" },
  { "Tax questions", "Which receipts do I keep for deductions?" },
};

/* Store */

static void
raw_set_times (HearthStore *store,
               gint64       id,
               gint64       unix_ms)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = NULL;
  char *message = NULL;

  sql = g_strdup_printf ("UPDATE conversations SET created_ms = %" G_GINT64_FORMAT ","
                         " updated_ms = %" G_GINT64_FORMAT " WHERE id = %" G_GINT64_FORMAT,
                         unix_ms, unix_ms, id);
  g_assert_cmpint (sqlite3_open_v2 (hearth_store_get_path (store), &db, SQLITE_OPEN_READWRITE,
                                    NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
add_conversation (HearthStore *store,
                  const char  *title,
                  const char  *content,
                  GDateTime   *when)
{
  g_autoptr(GError) error = NULL;
  gint64 unix_ms = g_date_time_to_unix (when) * 1000;
  gint64 id = hearth_store_create_conversation (store, title, &error);
  g_autoptr(HearthMessage) question = hearth_message_new ("user", content);
  g_autoptr(HearthMessage) answer = hearth_message_new ("assistant", "An answer.");

  g_assert_no_error (error);
  question->conversation_id = answer->conversation_id = id;
  question->created_ms = unix_ms;
  answer->created_ms = unix_ms;
  hearth_store_add_message (store, question, &error);
  g_assert_no_error (error);
  hearth_store_add_message (store, answer, &error);
  g_assert_no_error (error);
  /* A new conversation starts at now; move it back to when it happened. */
  raw_set_times (store, id, unix_ms);
  return id;
}

/* Today just after midnight, so every time is still today; then yesterday
 * evening, three days ago, and three months ago. */
static void
seed_store (Fixture *fixture)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         0, 0, 0);

  fixture->times[0] = g_date_time_add_minutes (midnight, 2);
  fixture->times[1] = g_date_time_add_minutes (midnight, 1);
  fixture->times[2] = g_date_time_add_hours (midnight, -4);
  fixture->times[3] = g_date_time_add_full (midnight, 0, 0, -3, 12, 0, 0);
  fixture->times[4] = g_date_time_add_full (midnight, 0, -3, 0, 12, 0, 0);

  /* Oldest first, as they would have been written. */
  for (int i = N_SEEDED - 1; i >= 0; i--)
    fixture->ids[i] = add_conversation (fixture->store, seeds[i].title, seeds[i].content,
                                        fixture->times[i]);
}

/* Rows */

static GPtrArray *
collect_rows (HearthConversationList *list)
{
  GtkWidget *list_view = hearth_test_find_descendant (GTK_WIDGET (list), GTK_TYPE_LIST_VIEW);
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (list_view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = hearth_test_find_descendant (child, HEARTH_TYPE_CONVERSATION_ROW);

      if (row != NULL && gtk_widget_get_child_visible (child)
          && hearth_conversation_row_get_conversation_id (HEARTH_CONVERSATION_ROW (row)) >= 0)
        g_ptr_array_add (rows, row);
    }
  return rows;
}

static HearthConversationRow *row_at (HearthConversationList *list,
                                      guint                   position);
static const char *visible_page (HearthConversationList *list);
static gboolean row_is_selected (HearthConversationRow *row);

typedef struct
{
  HearthConversationList *list;
  const char             *page;
} PageWait;

static gboolean
shows_page (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (visible_page (wait->list), wait->page) == 0;
}

static gboolean
third_row_selected (gpointer list)
{
  HearthConversationRow *row = row_at (list, 2);

  return row != NULL && row_is_selected (row);
}

static HearthConversationRow *
row_at (HearthConversationList *list,
        guint                   position)
{
  g_autoptr(GPtrArray) rows = collect_rows (list);

  g_assert_cmpuint (position, <, rows->len);
  return rows->pdata[position];
}

static HearthConversationRow *
find_row (HearthConversationList *list,
          gint64                  id)
{
  g_autoptr(GPtrArray) rows = collect_rows (list);

  for (guint i = 0; i < rows->len; i++)
    if (hearth_conversation_row_get_conversation_id (rows->pdata[i]) == id)
      return rows->pdata[i];
  return NULL;
}

static const char *
visible_page (HearthConversationList *list)
{
  GtkWidget *stack = hearth_test_find_descendant (GTK_WIDGET (list), GTK_TYPE_STACK);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static gboolean
row_is_selected (HearthConversationRow *row)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (row));

  return (gtk_widget_get_state_flags (parent) & GTK_STATE_FLAG_SELECTED) != 0;
}

typedef struct
{
  HearthConversationList *list;
  guint                   n_rows;
  const char             *first_title;
} RowsWait;

static gboolean
rows_are (gpointer data)
{
  RowsWait *wait = data;
  g_autoptr(GPtrArray) rows = collect_rows (wait->list);

  if (rows->len != wait->n_rows)
    return FALSE;
  /* Rows can be hidden for a moment before the list is allocated. */
  if (wait->n_rows == 0)
    return g_strcmp0 (visible_page (wait->list), "list") != 0;
  return wait->first_title == NULL
         || g_strcmp0 (hearth_conversation_row_get_title (rows->pdata[0]), wait->first_title) == 0;
}

static void
wait_for_rows (HearthConversationList *list,
               guint                   n_rows,
               const char             *first_title)
{
  RowsWait wait = { list, n_rows, first_title };

  g_assert_true (hearth_test_spin_until (rows_are, &wait, 5000));
}

static void
search_for (HearthConversationList *list,
            const char             *text)
{
  GtkWidget *entry = hearth_test_find_descendant (GTK_WIDGET (list), GTK_TYPE_SEARCH_ENTRY);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

typedef struct
{
  const char *label;
  const char *icon_name;
} ButtonWanted;

static gboolean
is_button (GtkWidget *widget,
           gpointer   data)
{
  const ButtonWanted *wanted = data;

  return GTK_IS_BUTTON (widget)
         && ((wanted->label != NULL
              && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), wanted->label) == 0)
             || (wanted->icon_name != NULL
                 && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)),
                               wanted->icon_name) == 0));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label,
             const char *icon_name)
{
  ButtonWanted wanted = { label, icon_name };

  return hearth_test_find_widget (widget, is_button, &wanted);
}

/* Fixture */

static void
activated_cb (HearthConversationList *list,
              gint64                  id,
              Fixture                *fixture)
{
  fixture->activated_id = id;
  fixture->n_activated++;
}

static void
deleted_cb (HearthConversationList *list,
            gint64                  id,
            Fixture                *fixture)
{
  fixture->deleted_id = id;
  fixture->n_deleted++;
}

static void
open_window (Fixture *fixture,
             int      width,
             int      height)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, width, height);
  fixture->engine = hearth_engine_new (fixture->store);
  fixture->list = HEARTH_CONVERSATION_LIST (hearth_conversation_list_new (fixture->engine));
  g_object_ref (fixture->list);
  g_signal_connect (fixture->list, "conversation-activated", G_CALLBACK (activated_cb), fixture);
  g_signal_connect (fixture->list, "conversation-deleted", G_CALLBACK (deleted_cb), fixture);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->list));
  gtk_window_present (fixture->window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint n_stores;
  g_autofree char *name = g_strdup_printf ("conversations-%u.db", n_stores++);
  g_autofree char *path = hearth_test_build_tmp_path (name, NULL);
  g_autoptr(GError) error = NULL;

  memset (fixture, 0, sizeof *fixture);
  fixture->activated_id = fixture->deleted_id = -1;
  fixture->store = hearth_store_open (path, &error);
  g_assert_no_error (error);
  if (data == NULL)
    seed_store (fixture);
  open_window (fixture, 360, 640);
  if (data == NULL)
    wait_for_rows (fixture->list, N_SEEDED, seeds[0].title);
}

static void
close_window (Fixture *fixture)
{
  gtk_window_destroy (fixture->window);
  hearth_test_spin_until (hearth_test_only_ref, fixture->list, 2000);
  g_assert_finalize_object (g_steal_pointer (&fixture->list));
  g_assert_finalize_object (g_steal_pointer (&fixture->engine));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->list != NULL)
    close_window (fixture);
  for (guint i = 0; i < N_SEEDED; i++)
    g_clear_pointer (&fixture->times[i], g_date_time_unref);
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
}

static gboolean
conversation_exists (HearthStore *store,
                     gint64       id)
{
  g_autoptr(HearthConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;

  conversation = hearth_store_get_conversation (store, id, &error);
  if (conversation == NULL)
    g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  return conversation != NULL;
}

/* Tests */

static void
test_rows (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = collect_rows (fixture->list);
  g_autofree char *weekday = g_date_time_format (fixture->times[3], "%A");
  g_autofree char *date = g_date_time_format (fixture->times[4], "%-d %B %Y");
  const char *headers[N_SEEDED] = { "Today", NULL, "Yesterday", weekday, date };

  g_assert_cmpstr (visible_page (fixture->list), ==, "list");
  g_assert_cmpuint (rows->len, ==, N_SEEDED);
  for (guint i = 0; i < N_SEEDED; i++)
    {
      HearthConversationRow *row = rows->pdata[i];

      g_assert_cmpint (hearth_conversation_row_get_conversation_id (row), ==, fixture->ids[i]);
      g_assert_cmpstr (hearth_conversation_row_get_title (row), ==, seeds[i].title);
      g_assert_cmpstr (hearth_conversation_row_get_header (row), ==, headers[i]);
      g_assert_nonnull (strstr (hearth_conversation_row_get_subtitle_markup (row), "2 messages"));
    }
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window), "conversation-list.png"));
}

static void
test_markup_title (Fixture       *fixture,
                   gconstpointer  data)
{
  HearthConversationRow *row = find_row (fixture->list, fixture->ids[1]);
  GtkWidget *label;

  g_assert_nonnull (row);
  g_assert_cmpstr (hearth_conversation_row_get_title (row), ==, HOSTILE_TITLE);
  /* The label shows the text itself, not what markup would make of it:
   * the first label below the day heading is the title. */
  label = hearth_test_find_descendant (gtk_widget_get_last_child (GTK_WIDGET (row)),
                                       GTK_TYPE_LABEL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, HOSTILE_TITLE);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  HearthConversationRow *row;

  search_for (fixture->list, "flour");
  wait_for_rows (fixture->list, 1, seeds[0].title);
  row = row_at (fixture->list, 0);
  g_assert_null (hearth_conversation_row_get_header (row));
  /* The match in bold, the rest of the message escaped. */
  g_assert_nonnull (strstr (hearth_conversation_row_get_subtitle_markup (row),
                            "&lt;i&gt;<b>flour</b>&lt;/i&gt; &amp; water"));
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window),
                                       "conversation-list-search.png"));

  /* Titles match too, though they are not in the full-text index. */
  search_for (fixture->list, "lisbon");
  wait_for_rows (fixture->list, 1, seeds[3].title);

  /* Whatever people type is text, not query syntax or markup. */
  search_for (fixture->list, "\"<b> & ] [ NEAR( * OR");
  hearth_test_spin_for (400);
  search_for (fixture->list, "");
  wait_for_rows (fixture->list, N_SEEDED, seeds[0].title);

  search_for (fixture->list, "zzzqqq");
  wait_for_rows (fixture->list, 0, NULL);
  hearth_test_spin_until (shows_page, &(PageWait) { fixture->list, "no-results" }, 2000);
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  g_assert_cmpstr (visible_page (fixture->list), ==, "no-results");
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window),
                                       "conversation-list-no-results.png"));

  search_for (fixture->list, "");
  wait_for_rows (fixture->list, N_SEEDED, seeds[0].title);
  g_assert_cmpstr (hearth_conversation_row_get_header (row_at (fixture->list, 0)), ==, "Today");
  g_assert_cmpstr (visible_page (fixture->list), ==, "list");
}

typedef struct
{
  GtkWindow *found;
} DialogWait;

static gboolean
dialog_is_mapped (gpointer data)
{
  DialogWait *wait = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_mapped (toplevel))
        {
          wait->found = GTK_WINDOW (toplevel);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_rename (Fixture       *fixture,
             gconstpointer  data)
{
  gint64 id = fixture->ids[2];
  DialogWait wait = { NULL };
  g_autoptr(HearthConversation) conversation = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->list), "conversation.rename",
                                             "x", id));
  g_assert_true (hearth_test_spin_until (dialog_is_mapped, &wait, 5000));
  dialog = ADW_MESSAGE_DIALOG (g_object_ref (wait.found));
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, seeds[2].title);
  hearth_test_wait_drawn (GTK_WIDGET (dialog), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (dialog), "conversation-list-rename.png"));

  /* An empty title is refused. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "rename"));

  gtk_editable_set_text (GTK_EDITABLE (entry), "Borrowing, explained");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "rename"));
  adw_message_dialog_response (dialog, "rename");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);

  conversation = hearth_store_get_conversation (fixture->store, id, NULL);
  g_assert_cmpstr (conversation->title, ==, "Borrowing, explained");
  g_assert_cmpstr (hearth_conversation_row_get_title (find_row (fixture->list, id)), ==,
                   "Borrowing, explained");
}

static void
test_delete_undo (Fixture       *fixture,
                  gconstpointer  data)
{
  gint64 id = fixture->ids[1];
  GtkWidget *undo;

  hearth_conversation_list_select (fixture->list, id);
  gtk_widget_activate_action (GTK_WIDGET (fixture->list), "conversation.delete", "x", id);
  wait_for_rows (fixture->list, N_SEEDED - 1, seeds[0].title);
  g_assert_null (find_row (fixture->list, id));
  /* The next row became the first of its day. */
  g_assert_cmpstr (hearth_conversation_row_get_header (row_at (fixture->list, 0)), ==, "Today");
  g_assert_cmpstr (hearth_conversation_row_get_header (row_at (fixture->list, 1)), ==,
                   "Yesterday");
  g_assert_true (conversation_exists (fixture->store, id));
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window),
                                       "conversation-list-deleted.png"));

  undo = find_button (GTK_WIDGET (fixture->list), "_Undo", NULL);
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  wait_for_rows (fixture->list, N_SEEDED, seeds[0].title);
  g_assert_cmpint (hearth_conversation_row_get_conversation_id (row_at (fixture->list, 1)), ==,
                   id);
  g_assert_null (hearth_conversation_row_get_header (row_at (fixture->list, 1)));
  g_assert_true (row_is_selected (row_at (fixture->list, 1)));
  g_assert_cmpint (hearth_conversation_list_get_selected (fixture->list), ==, id);

  hearth_test_spin_for (500);
  g_assert_true (conversation_exists (fixture->store, id));
  g_assert_cmpuint (fixture->n_deleted, ==, 0);
}

static gboolean
deleted_once (gpointer data)
{
  Fixture *fixture = data;

  return fixture->n_deleted == 1;
}

static void
test_delete_dismiss (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 id = fixture->ids[3];
  GtkWidget *close;

  hearth_conversation_list_select (fixture->list, id);
  gtk_widget_activate_action (GTK_WIDGET (fixture->list), "conversation.delete", "x", id);
  wait_for_rows (fixture->list, N_SEEDED - 1, seeds[0].title);
  g_assert_cmpuint (fixture->n_deleted, ==, 0);

  close = find_button (GTK_WIDGET (fixture->list), NULL, "window-close-symbolic");
  g_assert_nonnull (close);
  gtk_widget_activate (close);
  g_assert_true (hearth_test_spin_until (deleted_once, fixture, 5000));
  g_assert_cmpint (fixture->deleted_id, ==, id);
  g_assert_false (conversation_exists (fixture->store, id));
  g_assert_cmpint (hearth_conversation_list_get_selected (fixture->list), ==, -1);

  /* A reload does not bring it back. */
  hearth_conversation_list_reload (fixture->list);
  hearth_test_spin_for (200);
  wait_for_rows (fixture->list, N_SEEDED - 1, seeds[0].title);
  g_assert_null (find_row (fixture->list, id));
}

static void
test_delete_on_dispose (Fixture       *fixture,
                        gconstpointer  data)
{
  gint64 id = fixture->ids[4];

  gtk_widget_activate_action (GTK_WIDGET (fixture->list), "conversation.delete", "x", id);
  wait_for_rows (fixture->list, N_SEEDED - 1, seeds[0].title);
  g_assert_true (conversation_exists (fixture->store, id));

  close_window (fixture);
  g_assert_false (conversation_exists (fixture->store, id));
}

static void
test_activate (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *list_view = hearth_test_find_descendant (GTK_WIDGET (fixture->list),
                                                      GTK_TYPE_LIST_VIEW);

  g_assert_cmpint (hearth_conversation_list_get_selected (fixture->list), ==, -1);

  /* A click selects, and that picks the conversation. */
  gtk_widget_activate_action (list_view, "list.select-item", "(ubb)", 2, FALSE, FALSE);
  g_assert_cmpuint (fixture->n_activated, ==, 1);
  g_assert_cmpint (fixture->activated_id, ==, fixture->ids[2]);
  g_assert_cmpint (hearth_conversation_list_get_selected (fixture->list), ==, fixture->ids[2]);

  /* Enter on a row. */
  gtk_widget_activate_action (list_view, "list.activate-item", "u", 0);
  g_assert_cmpuint (fixture->n_activated, ==, 2);
  g_assert_cmpint (fixture->activated_id, ==, fixture->ids[0]);

  /* Selecting from code is not the user's choice. */
  hearth_conversation_list_select (fixture->list, fixture->ids[4]);
  g_assert_cmpuint (fixture->n_activated, ==, 2);
  g_assert_cmpint (hearth_conversation_list_get_selected (fixture->list), ==, fixture->ids[4]);
}

static void
test_reload_keeps_selection (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  gint64 id = fixture->ids[2];
  gint64 new_id;

  hearth_conversation_list_select (fixture->list, id);
  hearth_test_spin_until (third_row_selected, fixture->list, 2000);
  g_assert_true (row_is_selected (row_at (fixture->list, 2)));

  new_id = add_conversation (fixture->store, "Fresh question", "Something new", now);
  hearth_conversation_list_reload (fixture->list);
  wait_for_rows (fixture->list, N_SEEDED + 1, "Fresh question");
  g_assert_cmpint (hearth_conversation_row_get_conversation_id (row_at (fixture->list, 0)), ==,
                   new_id);
  g_assert_cmpint (hearth_conversation_list_get_selected (fixture->list), ==, id);
  g_assert_false (row_is_selected (row_at (fixture->list, 2)));
  g_assert_true (row_is_selected (row_at (fixture->list, 3)));
  g_assert_cmpint (hearth_conversation_row_get_conversation_id (row_at (fixture->list, 3)), ==,
                   id);
  g_assert_cmpuint (fixture->n_activated, ==, 0);
}

/* A window that starts narrow: resizing a mapped window is up to the X server. */
static void
test_narrow (Fixture       *fixture,
             gconstpointer  data)
{
  close_window (fixture);
  open_window (fixture, 220, 480);
  wait_for_rows (fixture->list, N_SEEDED, seeds[0].title);
  hearth_conversation_list_select (fixture->list, fixture->ids[1]);
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->list)), <=, 240);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window),
                                       "conversation-list-narrow.png"));
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  hearth_test_spin_until (shows_page, &(PageWait) { fixture->list, "empty" }, 2000);
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  g_assert_cmpstr (visible_page (fixture->list), ==, "empty");
  g_free (hearth_test_save_screenshot (GTK_WIDGET (fixture->window),
                                       "conversation-list-empty.png"));
  hearth_conversation_list_focus_search (fixture->list);
}

static gboolean
list_has_all (gpointer data)
{
  HearthConversationList *list = data;
  GtkListView *view = GTK_LIST_VIEW (hearth_test_find_descendant (GTK_WIDGET (list),
                                                                  GTK_TYPE_LIST_VIEW));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))) == 150;
}

/* A long history comes a screenful first, the rest a frame later: in the
 * end every conversation is listed, newest first, as with a short one. */
static void
test_long_history (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GPtrArray) rows = NULL;

  close_window (fixture);
  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *title = g_strdup_printf ("Conversation %u", i + 1);
      g_autoptr(GDateTime) when = g_date_time_add_minutes (now, (int) i - 1000);

      add_conversation (fixture->store, title, "A question.", when);
    }
  open_window (fixture, 360, 640);
  g_assert_true (hearth_test_spin_until (list_has_all, fixture->list, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (fixture->window), 2000);
  rows = collect_rows (fixture->list);
  g_assert_cmpuint (rows->len, >, 0);
  g_assert_cmpstr (hearth_conversation_row_get_title (rows->pdata[0]), ==, "Conversation 150");
}

static void
test_no_display (void)
{
  g_test_skip ("needs a display: run under xvfb-run");
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/conversation-list/no-display", test_no_display);
      return g_test_run ();
    }
  adw_init ();

#define ADD(path, func, data) \
  g_test_add ("/conversation-list/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("rows", test_rows, NULL);
  ADD ("markup-title", test_markup_title, NULL);
  ADD ("search", test_search, NULL);
  ADD ("rename", test_rename, NULL);
  ADD ("delete-undo", test_delete_undo, NULL);
  ADD ("delete-dismiss", test_delete_dismiss, NULL);
  ADD ("delete-on-dispose", test_delete_on_dispose, NULL);
  ADD ("activate", test_activate, NULL);
  ADD ("reload-keeps-selection", test_reload_keeps_selection, NULL);
  ADD ("narrow", test_narrow, NULL);
  ADD ("empty", test_empty, "empty");
  ADD ("long-history", test_long_history, "empty");

#undef ADD

  return g_test_run ();
}
