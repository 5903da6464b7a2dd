/* bench-chat-stream.c — 20,000 tokens streamed into the chat page, frame by frame
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
 * With prose in paragraphs, prose in one paragraph, and one giant fenced code block.
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

#define TOKENS       "20000"
#define N_TOKENS     20000
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
}

typedef struct
{
  HearthChatPage *page;
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
print_stream (const char     *name,
              Stream         *stream,
              HearthChatPage *page)
{
  g_print ("%s-%s-tokens-wall: %.0f ms to the reply painted (%.0f ms to the reply finished, "
           "%zu bytes)\n", name, TOKENS, (stream->shown_us - stream->start_us) / 1000.0,
           (stream->finished_us - stream->start_us) / 1000.0, reply_length (page));
  g_print ("%s-cpu: %.0f ms (%.1f us/token)\n", name, stream->cpu_ms,
           stream->cpu_ms * 1000 / N_TOKENS);
  print_frames (name, stream->frames, stream->start_us);
}

static void
bench_stream (const char *name,
              const char *mode)
{
  const char *args[] = { "--tokens", TOKENS, mode, NULL };
  g_autoptr(HearthTestServer) server = hearth_test_server_start ("bench-ndjson-server.mjs", args);
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *screenshot = g_strconcat ("bench-", name, ".png", NULL);
  Stream stream = { 0 };
  HearthWindow *window;

  stream.frames = frames;
  hearth_test_chat_use_server (hearth_test_server_get_url (server), "bench:latest");
  window = hearth_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (ready, window, 10000));
  hearth_test_spin_for (500);

  stream.page = hearth_test_chat_page (window);
  stream_reply (window, &stream);
  print_stream (name, &stream, hearth_test_chat_page (window));
  hearth_test_spin_for (300);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (window), screenshot));
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (200);
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
  bench_stream ("stream-paragraphs", "--paragraphs");
  bench_stream ("stream-one-paragraph", NULL);
  bench_stream ("stream-code", "--code");
  g_clear_object (&app);
  return 0;
}
