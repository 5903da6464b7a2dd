/* bench-open-conversation.c — opening a 10,000-message conversation, to its first paint
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under a display (figures are printed, never asserted):
 *   GSK_RENDERER=cairo GDK_DEBUG=gl-disable xvfb-run -a -s "-screen 0 1280x800x24" \
 *     dbus-run-session -- meson test -C _build --benchmark --verbose
 *
 * The history holds one conversation of 10,000 messages (assistant replies of
 * 100–400 words of markdown) and one of 4. In the real window, in process,
 * each is opened in turn; a run lasts from hearth_window_show_conversation()
 * to the first frame painted after the chat page's messages arrived. The
 * page reads the newest page of messages only and lists those that fill the
 * view (hearth-chat-page-paging.c), paging backwards on scroll, so the
 * figure covers that first screen, not all 10,000. The ratio of the two is
 * the target: opening costs the same whatever the conversation holds.
 */
#define G_LOG_DOMAIN "hearth-bench-open-conversation"

#include "config.h"

#include <adwaita.h>

#include "hearth-application.h"
#include "hearth-bench-util.h"
#include "hearth-chat-page.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define RUNS          7
#define BIG_SIZE      10000
#define SMALL_SIZE    4
#define TIMEOUT_MS    30000
#define SCROLLED_BACK 100

typedef struct
{
  GListModel *messages;
  gint64      items_us;
  gint64      paint_us;
  guint       n_items;
} Opening;

typedef struct
{
  double  paint_ms[RUNS];
  double  items_ms[RUNS];
  guint   n_items;
} Figures;

static void
on_items_changed (GListModel *messages,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Opening    *opening)
{
  if (opening->items_us == 0 && g_list_model_get_n_items (messages) > 0)
    opening->items_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Opening       *opening)
{
  if (opening->items_us != 0 && opening->paint_us == 0)
    {
      opening->paint_us = g_get_monotonic_time ();
      opening->n_items = g_list_model_get_n_items (opening->messages);
    }
}

static gboolean
painted (gpointer data)
{
  return ((Opening *) data)->paint_us != 0;
}

static gboolean
settled (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Opens @id and returns when its messages have been painted. */
static void
open_and_measure (HearthWindow *window,
                  gint64        id,
                  Figures      *figures,
                  guint         run)
{
  HearthChatPage *page = HEARTH_CHAT_PAGE (hearth_test_find_descendant (GTK_WIDGET (window),
                                                                         HEARTH_TYPE_CHAT_PAGE));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  Opening opening = { hearth_chat_page_get_messages (page), 0, 0, 0 };
  gulong items_handler = g_signal_connect (opening.messages, "items-changed",
                                           G_CALLBACK (on_items_changed), &opening);
  gulong paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint),
                                           &opening);
  gint64 start = g_get_monotonic_time ();

  hearth_window_show_conversation (window, id);
  if (!hearth_test_spin_until (painted, &opening, TIMEOUT_MS))
    g_error ("conversation %" G_GINT64_FORMAT " was not painted in %d ms", id, TIMEOUT_MS);
  g_signal_handler_disconnect (opening.messages, items_handler);
  g_signal_handler_disconnect (clock, paint_handler);
  figures->paint_ms[run] = (opening.paint_us - start) / 1000.0;
  figures->items_ms[run] = (opening.items_us - start) / 1000.0;
  figures->n_items = opening.n_items;
  /* Let what follows the first paint (rendering below the fold) finish
   * before the next run starts its clock. */
  hearth_test_spin_for (300);
}

/* Opens @id and scrolls up until at least @n messages are listed. */
static void
scroll_back (HearthWindow *window,
             gint64        id,
             guint         n)
{
  HearthChatPage *page = HEARTH_CHAT_PAGE (hearth_test_find_descendant (GTK_WIDGET (window),
                                                                         HEARTH_TYPE_CHAT_PAGE));
  GListModel *messages = hearth_chat_page_get_messages (page);
  GtkWidget *view = hearth_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  Figures ignored;

  open_and_measure (window, id, &ignored, 0);
  for (guint i = 0; i < 10 * n && g_list_model_get_n_items (messages) < n; i++)
    {
      gtk_adjustment_set_value (adjustment, MIN (40, gtk_adjustment_get_upper (adjustment)));
      hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
      gtk_adjustment_set_value (adjustment, 0);
      hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
    }
}

static void
print_figures (const char *name,
               Figures    *figures)
{
  g_print ("%s-first-paint-p50: %.1f ms\n", name, hearth_bench_median (figures->paint_ms, RUNS));
  g_print ("%s-first-paint-max: %.1f ms\n", name, hearth_bench_max (figures->paint_ms, RUNS));
  g_print ("%s-messages-in-model-p50: %.1f ms (%u messages loaded at first paint)\n", name,
           hearth_bench_median (figures->items_ms, RUNS), figures->n_items);
}

static void
make_history (gint64 *big,
              gint64 *small)
{
  g_autofree char *path = hearth_store_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (10000);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  *big = hearth_bench_fill_conversation (store, "Ten thousand messages", BIG_SIZE, rand);
  *small = hearth_bench_fill_conversation (store, "Four messages", SMALL_SIZE, rand);
  g_print ("open-history-written: %d + %d messages in %.0f ms\n", BIG_SIZE, SMALL_SIZE,
           (g_get_monotonic_time () - start) / 1000.0);
}

static void
bench_open (HearthApplication *app,
            gint64             big,
            gint64             small)
{
  HearthWindow *window = hearth_window_new (app);
  Figures big_figures, small_figures, last;
  g_autofree char *screenshot = NULL;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (settled, window, TIMEOUT_MS));
  hearth_test_spin_for (500);
  g_print ("open-rss-before: %.1f MiB\n", hearth_bench_rss_kib () / 1024.0);
  for (guint i = 0; i < RUNS; i++)
    {
      open_and_measure (window, big, &big_figures, i);
      open_and_measure (window, small, &small_figures, i);
    }
  print_figures ("open-10000-messages", &big_figures);
  print_figures ("open-4-messages", &small_figures);
  g_print ("open-ratio-10000-vs-4: %.2f (first paint, p50; target <= 1.2, and each <= 100 ms)\n",
           hearth_bench_median (big_figures.paint_ms, RUNS) /
           hearth_bench_median (small_figures.paint_ms, RUNS));

  /* Leaving a conversation read far back: its rows are destroyed as the
   * next one opens (GtkListView 4.8 keeps no row of a removed item). */
  scroll_back (window, big, SCROLLED_BACK);
  open_and_measure (window, small, &last, 0);
  g_print ("open-4-messages-after-scrolling-back-first-paint: %.1f ms (leaving %u messages "
           "listed)\n", last.paint_ms[0], SCROLLED_BACK);

  open_and_measure (window, big, &last, 0);
  hearth_test_spin_for (1000);
  g_print ("open-rss-after-10000-messages: %.1f MiB (%u messages in the model after 1 s)\n",
           hearth_bench_rss_kib () / 1024.0,
           g_list_model_get_n_items (hearth_chat_page_get_messages (HEARTH_CHAT_PAGE (
             hearth_test_find_descendant (GTK_WIDGET (window), HEARTH_TYPE_CHAT_PAGE)))));
  screenshot = hearth_test_save_screenshot (GTK_WIDGET (window), "bench-open-conversation.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(HearthApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  gint64 big, small;

  hearth_test_init (&argc, &argv);
  /* g_test_init() turns debug messages on; printing them would be measured. */
  g_log_set_debug_enabled (FALSE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-open-conversation: no display; run under xvfb-run (see the top of this file)\n");
      return 77;
    }
  adw_init ();
  /* Before the application registers: it opens the store at start-up. */
  make_history (&big, &small);

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  bench_open (app, big, small);
  return 0;
}
