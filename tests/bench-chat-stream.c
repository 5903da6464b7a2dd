/* bench-chat-stream.c — long replies streamed into the chat page, frame by frame
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under a display (figures are printed, never asserted):
 *   GSK_RENDERER=cairo GDK_DEBUG=gl-disable xvfb-run -a -s "-screen 0 1280x800x24" \
 *     dbus-run-session -- meson test -C _build --benchmark --verbose
 *
 * bench-ndjson-server.mjs sends the reply as fast as it can. The real window,
 * in process, sends a prompt through the chat page; every frame painted until
 * the reply finishes is timed from the frame clock's after-paint, and the
 * process's CPU time (user + system, all threads) is taken over the same span.
 * With 20,000 tokens of prose in paragraphs, of prose in one paragraph and of one
 * giant fenced code block; then 100,000 tokens and a 4 MB reply in one paragraph.
 *
 * Baseline, measured in the same run for each case: the very deltas the chat
 * page received, replayed at the times they arrived into a plain GtkTextView
 * in its own GtkScrolledWindow (no markdown, word-wrapped, following the end),
 * in a window of the same size: what GTK's own widget for long text costs.
 * Printed side by side as "NAME-..." (the chat page) and "NAME-baseline-...".
 * HEARTH_BENCH_CASES=one-paragraph,code... runs only the cases named;
 * HEARTH_BENCH_FRAMES=1 also prints every frame interval ("NAME-frame-list",
 * in ms, from the given monotonic time), to line long frames up with a
 * profile (perf record -k CLOCK_MONOTONIC).
 */
#define G_LOG_DOMAIN "hearth-bench-chat-stream"

#include "config.h"

#include <adwaita.h>
#include <sys/resource.h>

#include "hearth-application.h"
#include "hearth-bench-util.h"
#include "hearth-chat-page.h"
#include "hearth-markdown-view.h"
#include "hearth-message-item.h"
#include "hearth-test-chat.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define TIMEOUT_MS   600000
#define SLOW_FRAME   50.0

static HearthApplication *app;

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
         usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
}

static gboolean
ready (gpointer data)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (hearth_test_find_descendant (data, GTK_TYPE_DROP_DOWN));
  GListModel *models = gtk_drop_down_get_model (dropdown);

  return gtk_widget_get_mapped (data) && models != NULL && g_list_model_get_n_items (models) > 0;
}

static void
on_after_paint (GdkFrameClock *clock,
                GArray        *frames)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (frames, now);
}

static gsize
reply_length (HearthChatPage *page)
{
  GListModel *messages = hearth_chat_page_get_messages (page);
  g_autoptr(HearthMessageItem) item =
    g_list_model_get_item (messages, g_list_model_get_n_items (messages) - 1);

  return strlen (hearth_message_item_get_message (item)->content);
}

/* Frame intervals in ms; the first runs from sending to the first frame. */
static GArray *
frame_intervals (GArray *frames,
                 gint64  start)
{
  GArray *intervals = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 previous = start;

  for (guint i = 0; i < frames->len; i++)
    {
      gint64 frame = g_array_index (frames, gint64, i);
      double interval = (frame - previous) / 1000.0;

      g_array_append_val (intervals, interval);
      previous = frame;
    }
  return intervals;
}

static void
print_frames (const char *name,
              GArray     *frames,
              gint64      start)
{
  g_autoptr(GArray) intervals = frame_intervals (frames, start);
  double *values = (double *) (void *) intervals->data;
  guint slow = 0;

  for (guint i = 0; i < intervals->len; i++)
    slow += values[i] > SLOW_FRAME;
  g_print ("%s-longest-frame: %.1f ms\n", name, hearth_bench_max (values, intervals->len));
  g_print ("%s-frames: %u\n", name, intervals->len);
  g_print ("%s-frames-over-50ms: %u\n", name, slow);
  g_print ("%s-frame-p50: %.1f ms\n", name, hearth_bench_percentile (values, intervals->len, 0.5));
  g_print ("%s-frame-p95: %.1f ms\n", name, hearth_bench_percentile (values, intervals->len, 0.95));
  /* HEARTH_BENCH_FRAMES=1 prints every frame, to see where the long ones fall. */
  if (g_getenv ("HEARTH_BENCH_FRAMES") != NULL)
    {
      g_print ("%s-frame-list (from %.3f s):", name, start / 1e6);
      for (guint i = 0; i < intervals->len; i++)
        g_print (" %.0f", values[i]);
      g_print ("\n");
    }
}

typedef struct
{
  gint64  at_us;     /* since the prompt was sent */
  char   *content;
} Delta;

static void
delta_clear (Delta *delta)
{
  g_free (delta->content);
}

typedef struct
{
  HearthChatPage *page;
  GArray  *deltas;         /* Delta, as the reply received them */
  GArray  *frames;         /* gint64 after-paint times */
  gint64   caught_up_us;   /* the markdown view had laid out all of the reply */
  gint64   start_us;
  gint64   finished_us;    /* the reply is complete */
  gint64   shown_us;       /* the first frame painted after that */
  double   cpu_ms;
} Stream;

/* All of the reply on screen: the markdown view may catch up over several
 * frames after the last token arrived. */
static gboolean
reply_shown (gpointer data)
{
  Stream *stream = data;
  HearthMessageRow *row;
  GtkWidget *view;
  gint64 last;

  if (stream->frames->len == 0)
    return FALSE;
  last = g_array_index (stream->frames, gint64, stream->frames->len - 1);
  row = hearth_test_chat_row_for (stream->page, hearth_test_chat_last_item (stream->page));
  view = row ? hearth_test_find_descendant (GTK_WIDGET (row), HEARTH_TYPE_MARKDOWN_VIEW) : NULL;
  if (stream->caught_up_us == 0 && last > stream->finished_us && view != NULL &&
      hearth_markdown_view_is_caught_up (HEARTH_MARKDOWN_VIEW (view)) &&
      g_str_equal (hearth_markdown_view_get_text (HEARTH_MARKDOWN_VIEW (view)),
                   hearth_message_item_get_message (hearth_test_chat_last_item (stream->page))->content))
    stream->caught_up_us = g_get_monotonic_time ();
  /* ...and a frame painted after that. */
  return stream->caught_up_us != 0 && last > stream->caught_up_us;
}

static void
on_delta (HearthReply *reply,
          const char  *content,
          const char  *thinking,
          Stream      *stream)
{
  Delta delta = { g_get_monotonic_time () - stream->start_us, g_strdup (content) };

  if (content != NULL)
    g_array_append_val (stream->deltas, delta);
}

/* Sends the prompt and spins until the finished reply has been painted. */
static void
stream_reply (HearthWindow *window,
              Stream       *stream)
{
  HearthChatPage *page = hearth_test_chat_page (window);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint),
                                     stream->frames);
  double cpu_start;

  hearth_chat_page_set_composer_text (page, "Write at length, please.");
  cpu_start = cpu_ms ();
  stream->start_us = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "chat.send", NULL));
  g_signal_connect (hearth_message_item_get_reply (hearth_test_chat_last_item (page)), "delta",
                    G_CALLBACK (on_delta), stream);
  if (!hearth_test_spin_until (hearth_test_chat_reply_finished, page, TIMEOUT_MS))
    g_error ("the reply did not finish in %d s", TIMEOUT_MS / 1000);
  stream->finished_us = g_get_monotonic_time ();
  if (!hearth_test_spin_until (reply_shown, stream, TIMEOUT_MS))
    g_error ("the finished reply was not painted in %d s", TIMEOUT_MS / 1000);
  stream->shown_us = g_array_index (stream->frames, gint64, stream->frames->len - 1);
  stream->cpu_ms = cpu_ms () - cpu_start;
  g_signal_handler_disconnect (clock, handler);
}

static void
print_stream (const char *name,
              Stream     *stream,
              guint       n_tokens,
              gsize       bytes)
{
  g_print ("%s-wall: %.0f ms to the reply painted (%.0f ms to the reply finished, "
           "%u tokens, %zu bytes)\n", name, (stream->shown_us - stream->start_us) / 1000.0,
           (stream->finished_us - stream->start_us) / 1000.0, n_tokens, bytes);
  g_print ("%s-cpu: %.0f ms (%.1f us/token)\n", name, stream->cpu_ms,
           stream->cpu_ms * 1000 / n_tokens);
  print_frames (name, stream->frames, stream->start_us);
}

typedef struct
{
  GArray        *deltas;
  guint          next;
  gint64         start_us;
  GtkTextBuffer *buffer;
  GtkTextView   *view;
} Replay;

/* Appends every delta whose time has come, as the reply's main loop would have. */
static gboolean
replay_cb (gpointer data)
{
  Replay *replay = data;
  gint64 now = g_get_monotonic_time () - replay->start_us;
  GtkTextIter end;

  if (replay->next >= replay->deltas->len)
    return G_SOURCE_CONTINUE;
  while (replay->next < replay->deltas->len &&
         g_array_index (replay->deltas, Delta, replay->next).at_us <= now)
    {
      gtk_text_buffer_get_end_iter (replay->buffer, &end);
      gtk_text_buffer_insert (replay->buffer, &end,
                              g_array_index (replay->deltas, Delta, replay->next).content, -1);
      replay->next++;
    }
  gtk_text_buffer_get_end_iter (replay->buffer, &end);
  gtk_text_view_scroll_to_iter (replay->view, &end, 0, FALSE, 0, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
replay_done (gpointer data)
{
  Replay *replay = data;
  GArray *frames = g_object_get_data (G_OBJECT (replay->view), "frames");

  return replay->next >= replay->deltas->len && frames->len > 0 &&
         g_array_index (frames, gint64, frames->len - 1) >
           GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (replay->view), "done-at")) &&
         GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (replay->view), "done-at")) != 0;
}

static void
on_baseline_paint (GdkFrameClock *clock,
                   Replay        *replay)
{
  GArray *frames = g_object_get_data (G_OBJECT (replay->view), "frames");

  on_after_paint (clock, frames);
  if (replay->next >= replay->deltas->len &&
      g_object_get_data (G_OBJECT (replay->view), "done-at") == NULL)
    {
      g_object_set_data (G_OBJECT (replay->view), "done-at",
                         GSIZE_TO_POINTER ((gsize) g_get_monotonic_time ()));
      /* The frame that ends the run: an idle view paints none of its own,
       * and the wait for one (seconds) was counted as the longest frame. */
      gtk_widget_queue_draw (GTK_WIDGET (replay->view));
    }
}

/* The baseline: the same deltas at the same times into a plain GtkTextView. */
static void
bench_baseline (const char *name,
                GArray     *deltas,
                guint       n_tokens,
                gsize       bytes,
                int         width,
                int         height)
{
  g_autofree char *baseline = g_strconcat (name, "-baseline", NULL);
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  Replay replay = { deltas, 0, 0, gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                    GTK_TEXT_VIEW (view) };
  Stream stream = { 0 };
  GdkFrameClock *clock;
  gulong handler;
  guint source;
  double cpu_start;

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_spin_for (500);
  g_object_set_data (G_OBJECT (view), "frames", frames);

  clock = gtk_widget_get_frame_clock (window);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_baseline_paint), &replay);
  cpu_start = cpu_ms ();
  replay.start_us = stream.start_us = g_get_monotonic_time ();
  source = g_timeout_add (1, replay_cb, &replay);
  if (!hearth_test_spin_until (replay_done, &replay, TIMEOUT_MS))
    g_error ("the baseline did not finish in %d s", TIMEOUT_MS / 1000);
  stream.cpu_ms = cpu_ms () - cpu_start;
  stream.frames = frames;
  stream.finished_us = replay.start_us + g_array_index (deltas, Delta, deltas->len - 1).at_us;
  stream.shown_us = g_array_index (frames, gint64, frames->len - 1);
  g_signal_handler_disconnect (clock, handler);
  g_source_remove (source);
  print_stream (baseline, &stream, n_tokens, bytes);
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (200);
}

static gboolean
wanted (const char *name)
{
  const char *only = g_getenv ("HEARTH_BENCH_CASES");
  g_auto(GStrv) names = NULL;

  if (only == NULL || *only == '\0')
    return TRUE;
  names = g_strsplit (only, ",", -1);
  return g_strv_contains ((const char * const *) names, name + strlen ("stream-"));
}

static void
bench_stream (const char *name,
              guint       n_tokens,
              const char *mode)
{
  g_autofree char *tokens = g_strdup_printf ("%u", n_tokens);
  const char *args[] = { "--tokens", tokens, mode, NULL };
  g_autoptr(HearthTestServer) server = NULL;
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) deltas = g_array_new (FALSE, FALSE, sizeof (Delta));
  g_autofree char *screenshot = g_strconcat ("bench-", name, ".png", NULL);
  Stream stream = { 0 };
  HearthWindow *window;
  gsize bytes;
  int width;
  int height;

  if (!wanted (name))
    return;
  server = hearth_test_server_start ("bench-ndjson-server.mjs", args);
  g_array_set_clear_func (deltas, (GDestroyNotify) delta_clear);
  stream.frames = frames;
  stream.deltas = deltas;
  hearth_test_chat_use_server (hearth_test_server_get_url (server), "bench:latest");
  window = hearth_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (ready, window, 10000));
  hearth_test_spin_for (500);

  stream.page = hearth_test_chat_page (window);
  stream_reply (window, &stream);
  bytes = reply_length (hearth_test_chat_page (window));
  print_stream (name, &stream, n_tokens, bytes);
  hearth_test_spin_for (300);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (window), screenshot));
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (200);

  bench_baseline (name, deltas, n_tokens, bytes, width, height);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  hearth_test_init (&argc, &argv);
  /* g_test_init() turns debug messages on; printing them would be measured. */
  g_log_set_debug_enabled (FALSE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-chat-stream: no display; run under xvfb-run (see the top of this file)\n");
      return 77;
    }
  adw_init ();
  if (!hearth_test_require_node ())
    return 77;

  app = hearth_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* A reply in paragraphs, as models write; the worst case, one 20,000-token
   * paragraph; and one giant code block. */
  bench_stream ("stream-paragraphs", 20000, "--paragraphs");
  bench_stream ("stream-one-paragraph", 20000, NULL);
  bench_stream ("stream-code", 20000, "--code");
  bench_stream ("stream-100k", 100000, NULL);
  /* A 4 MB reply (a million tokens): it took over two minutes to show. */
  bench_stream ("stream-4mb", 1000000, NULL);
  g_clear_object (&app);
  return 0;
}
