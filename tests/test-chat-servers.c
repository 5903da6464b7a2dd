/* test-chat-servers.c — the chat, the Models page and the Performance page with several servers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real test engines (two or three at once, each with its own models), the
 * real app window under Xvfb: the model picker groups the models by server
 * with each server's health, a model of the second server is answered
 * there, a request to a server that went down falls back along the chain
 * and the line under the reply says so (also after reopening), and the
 * Models page's server selector switches lists.
 */
#define G_LOG_DOMAIN "test-chat-servers"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-engine.h"
#include "hearth-message-row.h"
#include "hearth-model-row.h"
#include "hearth-models-page.h"
#include "hearth-performance-page.h"
#include "hearth-test-chat.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static HearthApplication *app;

/* A test engine of its own serving one copy of tiny-fixed as @model. */
static HearthTestServer *
start_engine_serving (const char *model)
{
  g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
  g_autofree char *dir = hearth_test_build_tmp_path ("models-of", model, NULL);
  g_autofree char *file = g_strconcat (model, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  const char *args[] = { "--models", dir, NULL };

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_get_contents (fixed, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return hearth_test_server_start ("server.mjs", args);
}

static HearthServers *
app_servers (void)
{
  return hearth_engine_get_servers (hearth_application_get_engine (app));
}

/* Exactly these two servers, in this order, and the fallback chain through both. */
static void
use_servers (const char *first,
             const char *first_url,
             const char *second,
             const char *second_url)
{
  HearthServers *servers = app_servers ();
  const char *chain[] = { first, second, NULL };
  g_autoptr(GError) error = NULL;

  for (guint n = g_list_model_get_n_items (G_LIST_MODEL (servers)); n > 0; n--)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), 0);

      g_assert_true (hearth_servers_remove (servers, hearth_server_get_name (server), &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (hearth_servers_add (servers, first, first_url, HEARTH_API_OLLAMA, FALSE,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (hearth_servers_add (servers, second, second_url, HEARTH_API_OLLAMA, FALSE,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_servers_set_fallback (servers, chain, &error));
  g_assert_no_error (error);
}

static gboolean
probe_done (gpointer data)
{
  return *(gboolean *) data;
}

static void
probed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  hearth_servers_probe_finish (HEARTH_SERVERS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
probe_all (void)
{
  gboolean done = FALSE;

  hearth_servers_probe_async (app_servers (), NULL, NULL, probed_cb, &done);
  g_assert_true (hearth_test_spin_until (probe_done, &done, 20000));
}

/* The position of @model in the group of the @group-th server (0-based). */
static guint
position_in_group (HearthChatPage *page,
                   guint           group,
                   const char     *model)
{
  GListModel *list = gtk_drop_down_get_model (hearth_test_chat_model_dropdown (page));
  int header = -1;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      const char *name = gtk_string_list_get_string (GTK_STRING_LIST (list), i);

      if (*name == '\0')
        header++;
      else if (header == (int) group && g_str_has_prefix (name, model))
        return i;
    }
  g_error ("%s is not listed under server %u", model, group);
}

static char *
picker_text (HearthChatPage *page)
{
  g_autofree char *text = NULL;

  hearth_test_chat_open_model_picker (page);
  hearth_test_wait_drawn (hearth_test_chat_model_popover (page), 2000);
  text = hearth_test_visible_text (hearth_test_chat_model_popover (page));
  g_test_message ("picker:\n%s", text);
  return g_steal_pointer (&text);
}

static void
assert_has (const char *text,
            const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not in:\n%s", needle, text);
}

static char *
shot_name (const char *what,
           int         width)
{
  return g_strdup_printf ("chat-servers-%s-%s.png", what, width < 600 ? "narrow" : "wide");
}

/* 1. Both servers' models, grouped, with health; a model of the second is answered there. */

static gboolean
header_says_up (gpointer page)
{
  g_autofree char *text = hearth_test_visible_text (hearth_test_chat_model_popover (page));

  return strstr (text, "laptop\nUp") != NULL && strstr (text, "big-box\nUp") != NULL;
}

static void
shoot_picker (int width)
{
  g_autofree char *name = shot_name ("picker", width);
  g_autofree char *path = NULL;
  HearthWindow *window = hearth_test_chat_new_chat_window (width);
  HearthChatPage *page = hearth_test_chat_page (window);
  g_autofree char *text = picker_text (page);

  path = hearth_test_save_screenshot (hearth_test_chat_model_popover (page), name);
  hearth_test_chat_close_model_picker (page);
  hearth_test_chat_close_window (window);
}

static void
test_picker_groups (void)
{
  g_autoptr(HearthTestServer) second = NULL;
  g_autofree char *text = NULL;
  g_autofree char *route = NULL;
  HearthMessageItem *item;
  HearthWindow *window;
  HearthChatPage *page;

  if (!hearth_test_require_node ())
    return;
  second = start_engine_serving ("tiny-second");
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  use_servers ("laptop", hearth_test_engine_url (),
               "big-box", hearth_test_server_get_url (second));

  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  text = picker_text (page);
  /* Auto first, then each server's name over its models, with its health. */
  assert_has (text, "Auto\nThe routing rules pick the model\n");
  assert_has (text, "laptop\n");
  assert_has (text, "big-box\n");
  g_assert_true (strstr (text, "laptop\n") < strstr (text, "tiny-fixed\n"));
  g_assert_true (strstr (text, "big-box\n") < strstr (text, "tiny-second\n"));
  g_assert_true (strstr (text, "tiny-fixed\n") < strstr (text, "big-box\n"));
  /* The headings follow the servers' health as it is checked. */
  probe_all ();
  g_assert_true (hearth_test_spin_until (header_says_up, page, 5000));
  hearth_test_chat_close_model_picker (page);

  gtk_drop_down_set_selected (hearth_test_chat_model_dropdown (page),
                              position_in_group (page, 1, "tiny-second"));
  g_clear_pointer (&text, g_free);
  text = hearth_test_visible_text (GTK_WIDGET (hearth_test_chat_model_dropdown (page)));
  g_assert_cmpstr (g_strstrip (text), ==, "tiny-second · big-box");
  hearth_test_chat_send_and_wait (page, "Hello there");
  item = hearth_test_chat_last_item (page);
  g_assert_cmpstr (hearth_message_item_get_message (item)->server, ==, "big-box");
  g_assert_cmpstr (hearth_message_item_get_message (item)->model, ==, "tiny-second:latest");
  /* Two servers: the line under the reply names the one that answered. */
  route = hearth_message_item_dup_route (item);
  g_assert_cmpstr (route, ==, "big-box");
  hearth_test_chat_close_window (window);

  shoot_picker (1280);
  shoot_picker (360);
}

/* 2. The chosen server goes down: the chain answers, and the reply says why. */

static gboolean
row_says (gpointer page)
{
  g_autoptr(GPtrArray) rows = hearth_test_chat_rows_on_screen (page);

  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *text = hearth_test_visible_text (g_ptr_array_index (rows, i));

      if (strstr (text, "big-box · answered here because laptop was down") != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
two_messages (gpointer page)
{
  return hearth_test_chat_n_messages (page) == 2;
}

static gboolean
laptop_down_in_picker (gpointer page)
{
  g_autofree char *text = hearth_test_visible_text (hearth_test_chat_model_popover (page));

  return strstr (text, "laptop\nDown — ") != NULL;
}

static void
test_fallback_line (void)
{
  g_autoptr(HearthTestServer) laptop = NULL;
  g_autofree char *text = NULL;
  g_autofree char *route = NULL;
  g_autofree char *name = NULL;
  const HearthMessage *reply;
  HearthWindow *window;
  HearthChatPage *page;
  gint64 conversation;

  if (!hearth_test_require_node ())
    return;
  laptop = start_engine_serving ("tiny-fixed");
  hearth_test_chat_use_server (hearth_test_engine_url (), "tiny-fixed");
  use_servers ("laptop", hearth_test_server_get_url (laptop),
               "big-box", hearth_test_engine_url ());

  window = hearth_test_chat_new_chat_window (1280);
  page = hearth_test_chat_page (window);
  gtk_drop_down_set_selected (hearth_test_chat_model_dropdown (page),
                              position_in_group (page, 0, "tiny-fixed"));
  /* The laptop goes away after the list was asked: the message still goes there first. */
  g_clear_pointer (&laptop, hearth_test_server_stop);
  hearth_test_chat_send_and_wait (page, "Why is the sky blue?");
  reply = hearth_message_item_get_message (hearth_test_chat_last_item (page));
  g_assert_cmpint (reply->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (reply->server, ==, "big-box");
  g_assert_cmpstr (reply->fallback_from, ==, "laptop");
  g_assert_cmpstr (reply->fallback_reason, ==, "down");
  route = hearth_message_item_dup_route (hearth_test_chat_last_item (page));
  g_assert_cmpstr (route, ==, "big-box · answered here because laptop was down");
  g_assert_true (hearth_test_spin_until (row_says, page, 5000));
  name = shot_name ("fallback", 1280);
  hearth_test_chat_screenshot (window, name);

  /* From the history: the same line, and the conversation's choice comes back. */
  conversation = hearth_chat_page_get_conversation_id (page);
  gtk_drop_down_set_selected (hearth_test_chat_model_dropdown (page),
                              position_in_group (page, 1, "tiny-fixed"));
  hearth_chat_page_new_chat (page);
  hearth_chat_page_open_conversation (page, conversation);
  g_assert_true (hearth_test_spin_until (two_messages, page, 5000));
  g_assert_true (hearth_test_spin_until (row_says, page, 5000));
  text = hearth_test_visible_text (GTK_WIDGET (hearth_test_chat_model_dropdown (page)));
  g_assert_cmpstr (g_strstrip (text), ==, "tiny-fixed · laptop");

  /* Asked again, the server that is down shows why instead of vanishing. */
  gtk_widget_activate_action (GTK_WIDGET (page), "chat.reconnect", NULL);
  g_assert_true (hearth_test_spin_until (hearth_test_chat_models_listed, page, 10000));
  hearth_test_chat_open_model_picker (page);
  g_assert_true (hearth_test_spin_until (laptop_down_in_picker, page, 10000));
  g_clear_pointer (&name, g_free);
  name = shot_name ("picker-down", 1280);
  g_free (hearth_test_save_screenshot (hearth_test_chat_model_popover (page), name));
  hearth_test_chat_close_model_picker (page);
  hearth_test_chat_close_window (window);

  /* Narrow: the line stays one line, ellipsized. */
  window = hearth_test_chat_new_chat_window (360);
  page = hearth_test_chat_page (window);
  hearth_chat_page_open_conversation (page, conversation);
  g_assert_true (hearth_test_spin_until (two_messages, page, 5000));
  g_assert_true (hearth_test_spin_until (row_says, page, 5000));
  g_clear_pointer (&name, g_free);
  name = shot_name ("fallback", 360);
  hearth_test_chat_screenshot (window, name);
  hearth_test_chat_close_window (window);
}

/* 3. The Models page follows the server chosen at its top. */

static gboolean
is_model_row (GtkWidget *widget,
              gpointer   name)
{
  return HEARTH_IS_MODEL_ROW (widget) && gtk_widget_get_mapped (widget) &&
         g_str_has_prefix (hearth_model_row_get_name (HEARTH_MODEL_ROW (widget)), name);
}

static gboolean
row_shown (gpointer name)
{
  GtkWidget *page = g_object_get_data (G_OBJECT (app), "test-models-page");

  return hearth_test_find_widget (page, is_model_row, name) != NULL;
}

static void
test_models_page_selector (void)
{
  g_autoptr(HearthTestServer) second = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  GtkWidget *window;
  GtkWidget *page;
  GtkDropDown *selector;

  if (!hearth_test_require_node ())
    return;
  second = start_engine_serving ("tiny-second");
  use_servers ("laptop", hearth_test_engine_url (),
               "big-box", hearth_test_server_get_url (second));

  engine = hearth_engine_new (NULL);
  window = gtk_window_new ();
  page = g_object_new (HEARTH_TYPE_MODELS_PAGE, NULL);
  g_object_set_data (G_OBJECT (app), "test-models-page", page);
  hearth_models_page_set_engine (HEARTH_MODELS_PAGE (page), engine);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));

  /* The default server first. */
  g_assert_true (hearth_test_spin_until (row_shown, (gpointer) "tiny-fixed", 10000));
  g_assert_false (row_shown ((gpointer) "tiny-second"));
  selector = GTK_DROP_DOWN (hearth_test_find_descendant (page, GTK_TYPE_DROP_DOWN));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (selector)));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (selector)), ==, 2);
  hearth_test_wait_drawn (window, 2000);
  g_free (hearth_test_save_screenshot (window, "models-page-servers-wide.png"));

  gtk_drop_down_set_selected (selector, 1);
  g_assert_true (hearth_test_spin_until (row_shown, (gpointer) "tiny-second", 10000));
  g_assert_false (row_shown ((gpointer) "tiny-fixed"));

  g_object_set_data (G_OBJECT (app), "test-models-page", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (200);
}

/* 4. Benchmarks and request figures name the server, so a local and a cloud run read side by side. */

static HearthBenchResult *
bench_result (const char *server,
              const char *endpoint,
              const char *api,
              double      decode_tps)
{
  HearthBenchResult *result = hearth_bench_result_new ();

  result->created_ms = g_get_real_time () / 1000;
  result->model = g_strdup ("tiny-fixed");
  result->server = g_strdup (server);
  result->endpoint = g_strdup (endpoint);
  result->api = g_strdup (api);
  result->options = g_strdup ("{\"seed\":42}");
  result->hardware = g_strdup ("test machine");
  result->runs = 3;
  result->state = HEARTH_BENCH_COMPLETE;
  result->ttft_p50_ms = 80;
  result->ttft_p95_ms = 120;
  result->prompt_tps_median = result->prompt_tps_min = result->prompt_tps_max = 400;
  result->decode_tps_median = decode_tps;
  result->decode_tps_min = decode_tps - 1;
  result->decode_tps_max = decode_tps + 1;
  result->peak_cpu_percent = 90;
  result->peak_mem_used = (gint64) 1 << 30;
  result->peak_vram_used = -1;
  return result;
}

static gboolean
performance_loaded (gpointer page)
{
  return hearth_performance_page_is_loaded (page);
}

static void
test_performance_servers (void)
{
  HearthEngine *engine = hearth_application_get_engine (app);
  HearthServers *servers = app_servers ();
  g_autoptr(HearthBenchResult) local = NULL;
  g_autoptr(HearthBenchResult) cloud = NULL;
  g_autoptr(HearthBenchResult) one_off = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  HearthWindow *window;
  GtkWidget *page;

  if (!hearth_test_require_node ())
    return;
  use_servers ("laptop", hearth_test_engine_url (), "big-box", "http://127.0.0.1:9");
  /* Nothing of the list is at the one-off address. */
  g_assert_nonnull (hearth_servers_add (servers, "openai", "https://api.openai.com/v1",
                                        HEARTH_API_OPENAI, TRUE, "openai", &error));
  g_assert_no_error (error);
  g_assert_true (hearth_servers_set_enabled (servers, "openai", FALSE, &error));
  local = bench_result ("laptop", hearth_test_engine_url (), "ollama", 40);
  cloud = bench_result ("openai", "https://api.openai.com/v1", "openai", 90);
  one_off = bench_result (NULL, "http://127.0.0.1:7", "ollama", 10);
  g_assert_true (hearth_bench_result_save (hearth_engine_get_store (engine), local, &error));
  g_assert_true (hearth_bench_result_save (hearth_engine_get_store (engine), cloud, &error));
  g_assert_true (hearth_bench_result_save (hearth_engine_get_store (engine), one_off, &error));
  g_assert_no_error (error);

  window = hearth_test_chat_new_window (1280, 800);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (hearth_test_find_descendant (
                                           GTK_WIDGET (window), ADW_TYPE_VIEW_STACK)),
                                         "performance");
  page = hearth_test_find_descendant (GTK_WIDGET (window), HEARTH_TYPE_PERFORMANCE_PAGE);
  g_assert_true (hearth_test_spin_until (performance_loaded, page, 10000));
  hearth_test_wait_drawn (GTK_WIDGET (window), 2000);
  text = hearth_test_visible_text (page);
  g_test_message ("performance:\n%s", text);
  assert_has (text, "tiny-fixed · laptop\n");
  assert_has (text, "tiny-fixed · openai (Cloud)\n");
  /* A one-off run (--endpoint) is named by its address. */
  assert_has (text, "tiny-fixed · 127.0.0.1:7\n");
  /* The requests the earlier tests sent, by the server now at their address. */
  assert_has (text, "laptop\n");
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "performance-servers", FALSE);
  /* The benchmark runs, below the fold of the window. */
  g_free (hearth_test_save_screenshot (gtk_widget_get_parent (hearth_test_find_with_class (
                                         page, GTK_TYPE_LABEL, "perf-bench-run")),
                                       "performance-servers-benchmarks.png"));
  hearth_test_chat_close_window (window);
}

/* 5. The line's other cases, from stored messages: a cloud server, a rule, one server. */

static char *
route_of (const char *server,
          const char *route_rule)
{
  g_autoptr(HearthMessage) message = hearth_message_new ("assistant", "Hi");
  g_autoptr(HearthMessageItem) item = NULL;

  message->model = g_strdup ("tiny-fixed");
  message->server = g_strdup (server);
  message->route_rule = g_strdup (route_rule);
  item = hearth_message_item_new (message);
  hearth_message_item_set_servers (item, app_servers ());
  return hearth_message_item_dup_route (item);
}

static void
test_route_line (void)
{
  HearthServers *servers = app_servers ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cloud = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *alone = NULL;

  use_servers ("laptop", "http://127.0.0.1:9", "big-box", "http://127.0.0.1:8");
  g_assert_true (hearth_servers_set_enabled (servers, "big-box", FALSE, &error));
  g_assert_no_error (error);
  if (hearth_servers_lookup (servers, "openai") == NULL)
    g_assert_nonnull (hearth_servers_add (servers, "openai", "https://api.openai.com/v1",
                                          HEARTH_API_OPENAI, TRUE, "openai", &error));
  g_assert_no_error (error);
  g_assert_true (hearth_servers_set_enabled (servers, "openai", FALSE, &error));

  /* One server enabled: its name is not worth a line, but Cloud and a rule are. */
  alone = route_of ("laptop", NULL);
  g_assert_null (alone);
  cloud = route_of ("openai", NULL);
  g_assert_cmpstr (cloud, ==, "openai (Cloud)");
  rule = route_of ("laptop", "code → qwen2.5:7b");
  g_assert_cmpstr (rule, ==, "laptop · chosen by rule: code → qwen2.5:7b");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HearthApplication) application = hearth_test_chat_init (&argc, &argv);

  app = application;
  g_test_add_func ("/chat-servers/picker-groups", test_picker_groups);
  g_test_add_func ("/chat-servers/fallback-line", test_fallback_line);
  g_test_add_func ("/chat-servers/models-page-selector", test_models_page_selector);
  g_test_add_func ("/chat-servers/performance", test_performance_servers);
  g_test_add_func ("/chat-servers/route-line", test_route_line);
  return g_test_run ();
}
