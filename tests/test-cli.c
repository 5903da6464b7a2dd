/* test-cli.c — hearth-cli end to end, against the real test engine and the fault server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-endpoint.h"
#include "hearth-model.h"
#include "hearth-store.h"
#include "hearth-resource-history.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."

static const char *apis[] = { "ollama", "openai" };

/* The shared engine, serving tiny-random too and a model to pull. */
static HearthTestServer *
get_engine (void)
{
  static gboolean prepared;

  if (!prepared)
    {
      g_autofree char *random = hearth_test_make_model ("random", "tiny-random");

      hearth_test_engine_with_pull_source ();
      prepared = TRUE;
    }
  return hearth_test_engine_server (NULL);
}

static HearthMessage *
stored_reply (gint64 conversation_id)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = hearth_store_list_messages (store, conversation_id, 0, 0, &error);
  HearthMessage *last;

  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, >=, 2);
  last = g_ptr_array_steal_index (messages, messages->len - 1);
  g_assert_cmpstr (last->role, ==, "assistant");
  return last;
}

static gint64
newest_conversation (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = hearth_store_list_conversations (store, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 0);
  return ((HearthConversation *) g_ptr_array_index (list, 0))->id;
}

/* The real engine */

/* The history keeps an Ollama model by its full name: "tiny-fixed:latest". */
static JsonObject *
find_model (JsonArray  *array,
            const char *model)
{
  g_autofree char *tagged = hearth_model_name_with_tag (model);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *name = json_object_get_string_member (object, "model");

      if (g_strcmp0 (name, model) == 0 || g_strcmp0 (name, tagged) == 0)
        return object;
    }
  g_assert_not_reached ();
}

static void
test_metrics (void)
{
  g_autoptr(HearthTestRun) ask = NULL, json = NULL, csv = NULL, summary = NULL, bad = NULL;
  g_autoptr(JsonNode) rows = NULL, groups = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *group;

  if (!hearth_test_require_node ())
    return;
  ask = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--model", "tiny-fixed", "--no-cache", "how fast are you?", NULL);
  g_assert_cmpint (ask->exit_code, ==, 0);

  json = hearth_test_run_cli (NULL, "metrics", "--json", "--since", "1h", NULL);
  g_assert_cmpint (json->exit_code, ==, 0);
  rows = hearth_test_parse_json (json->out);
  g_assert_cmpfloat (json_object_get_double_member (find_model (json_node_get_array (rows),
                                                                "tiny-fixed"), "ttft_ms"), >, 0);

  csv = hearth_test_run_cli (NULL, "metrics", "--csv", "--since", "1h", NULL);
  g_assert_cmpint (csv->exit_code, ==, 0);
  g_assert_true (g_str_has_prefix (csv->out, "created_ms,model,endpoint,"));
  lines = g_strsplit (csv->out, "\r\n", -1);
  /* The header, one line per row, and the empty string after the last break. */
  g_assert_cmpuint (g_strv_length (lines), ==, json_array_get_length (json_node_get_array (rows)) + 2);

  summary = hearth_test_run_cli (NULL, "metrics", "--summary", "--json", NULL);
  g_assert_cmpint (summary->exit_code, ==, 0);
  groups = hearth_test_parse_json (summary->out);
  group = find_model (json_node_get_array (groups), "tiny-fixed");
  g_assert_cmpint (json_object_get_int_member (group, "count"), >=, 1);
  g_assert_cmpfloat (json_object_get_double_member (group, "success_rate"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (group, "success_rate"), <=, 1);

  bad = hearth_test_run_cli (NULL, "metrics", "--since", "soon", NULL);
  g_assert_cmpint (bad->exit_code, ==, 2);
  hearth_test_assert_one_line (bad->err);
}

/* The resource history the app keeps, and a reading of this machine now. */
static void
test_resources (void)
{
  g_autoptr(HearthTestRun) now = NULL, stored = NULL, table = NULL, bad = NULL;
  g_autoptr(JsonNode) reading = NULL, rows = NULL;
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(HearthResourceHistory) history = hearth_resource_history_new (store);
  g_autoptr(GError) error = NULL;
  gint64 minute_ms = (g_get_real_time () / 1000 / 60000 - 5) * 60000;
  JsonObject *object;
  gint64 mem_total;

  /* a minute of two samples, five minutes ago, as the app would write it */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HearthSample) sample = hearth_sample_new (2);

      sample->time_us = (minute_ms + 1000 + i * 1000) * 1000;
      sample->cpu_percent = 20 + 40 * i;
      sample->mem_total = (gint64) 8 << 30;
      sample->mem_used = (gint64) (1 + i) << 30;
      g_assert_true (hearth_resource_history_add (history, sample, &error));
    }
  g_assert_true (hearth_resource_history_flush (history, &error));
  g_assert_no_error (error);

  stored = hearth_test_run_cli (NULL, "resources", "--since", "1h", "--json", NULL);
  g_assert_cmpint (stored->exit_code, ==, 0);
  rows = hearth_test_parse_json (stored->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (rows)), >=, 1);
  object = json_array_get_object_element (json_node_get_array (rows), 0);
  g_assert_cmpint (json_object_get_int_member (object, "time_ms"), ==, minute_ms);
  g_assert_cmpint (json_object_get_int_member (object, "samples"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (object, "cpu_percent"), ==, 40);
  g_assert_cmpfloat (json_object_get_double_member (object, "cpu_peak"), ==, 60);
  g_assert_true (json_object_get_null_member (object, "gpu_percent"));

  table = hearth_test_run_cli (NULL, "resources", NULL);
  g_assert_cmpint (table->exit_code, ==, 0);
  g_assert_nonnull (strstr (table->out, "40.0%"));

  /* this machine, over a second: within what /proc says */
  now = hearth_test_run_cli (NULL, "resources", "--now", "--json", NULL);
  g_assert_cmpint (now->exit_code, ==, 0);
  reading = hearth_test_parse_json (now->out);
  object = json_node_get_object (reading);
  g_assert_cmpfloat (json_object_get_double_member (object, "cpu_percent"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (object, "cpu_percent"), <=, 100);
  mem_total = json_object_get_int_member (object, "mem_total");
  g_assert_cmpint (mem_total, >, 0);
  g_assert_cmpint (json_object_get_int_member (object, "mem_used"), >, 0);
  g_assert_cmpint (json_object_get_int_member (object, "mem_used"), <=, mem_total);

  bad = hearth_test_run_cli (NULL, "resources", "--since", "later", NULL);
  g_assert_cmpint (bad->exit_code, ==, 2);
  hearth_test_assert_one_line (bad->err);
}

static void
test_ask_exact_text (gconstpointer data)
{
  const char *api = data;
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthMessage) reply = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gint64 id;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--api", api, "--model", "tiny-fixed", "why is the sky blue?", NULL);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->out, ==, SENTENCE);

  id = newest_conversation ();
  store = hearth_test_open_history ();
  messages = hearth_store_list_messages (store, id, 0, 0, NULL);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[0])->content, ==, "why is the sky blue?");
  reply = stored_reply (id);
  g_assert_cmpstr (reply->content, ==, SENTENCE);
  g_assert_cmpint (reply->state, ==, HEARTH_MESSAGE_COMPLETE);
  g_assert_cmpstr (reply->api, ==, api);
  g_assert_cmpint (reply->figures.tokens_out, >, 5);
  g_assert_cmpfloat (reply->figures.tokens_per_s, >, 0);
  g_assert_cmpfloat (reply->figures.ttft_ms, >, 0);
}

static void
test_ask_json (gconstpointer data)
{
  const char *api = data;
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(HearthMessage) reply = NULL;
  JsonObject *o;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--api", api, "--model", "tiny-fixed:latest", "--json",
                             "--temperature", "0", "--seed", "42", "hello there", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  root = hearth_test_parse_json (run->out);
  o = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (o, "content"), ==, SENTENCE);
  g_assert_cmpstr (json_object_get_string_member (o, "api"), ==, api);
  g_assert_cmpstr (json_object_get_string_member (o, "endpoint"), ==,
                   hearth_test_server_get_url (get_engine ()));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "model"), "tiny-fixed"));
  g_assert_cmpstr (json_object_get_string_member (o, "done_reason"), ==, "stop");
  g_assert_cmpstr (json_object_get_string_member (o, "figures_from"), ==, "server");
  g_assert_cmpfloat (json_object_get_double_member (o, "ttft_ms"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "total_ms"), >=,
                     json_object_get_double_member (o, "ttft_ms"));
  g_assert_cmpint (json_object_get_int_member (o, "tokens_in"), >, 0);
  g_assert_cmpint (json_object_get_int_member (o, "tokens_out"), >, 5);
  g_assert_cmpfloat (json_object_get_double_member (o, "tokens_per_s"), >, 0);

  reply = stored_reply (json_object_get_int_member (o, "conversation_id"));
  g_assert_cmpint (reply->id, ==, json_object_get_int_member (o, "message_id"));
  g_assert_cmpint (reply->figures.tokens_out, ==, json_object_get_int_member (o, "tokens_out"));
}

static void
test_ask_stdin_and_continue (void)
{
  g_autoptr(HearthTestRun) first = NULL;
  g_autoptr(HearthTestRun) second = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *id = NULL;
  g_autofree char *stats = NULL;

  if (!hearth_test_require_node ())
    return;
  first = hearth_test_run_cli ("a question\nover two lines\n", "ask", "--endpoint",
                               hearth_test_server_get_url (get_engine ()),
                               "--model", "tiny-fixed", "-", NULL);
  g_assert_cmpint (first->exit_code, ==, 0);
  g_assert_cmpstr (first->out, ==, SENTENCE);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, newest_conversation ());
  second = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                                "--model", "tiny-fixed", "--conversation", id, "and then?", NULL);
  g_assert_cmpint (second->exit_code, ==, 0);

  store = hearth_test_open_history ();
  messages = hearth_store_list_messages (store, g_ascii_strtoll (id, NULL, 10), 0, 0, NULL);
  g_assert_cmpuint (messages->len, ==, 4);
  g_assert_cmpstr (((HearthMessage *) messages->pdata[0])->content, ==,
                   "a question\nover two lines\n");
  g_assert_cmpstr (((HearthMessage *) messages->pdata[2])->content, ==, "and then?");
  g_assert_cmpstr (((HearthMessage *) messages->pdata[3])->content, ==, SENTENCE);

  /* A conversation that does not exist is an error, and nothing is sent. */
  {
    g_autoptr(HearthTestRun) bad = hearth_test_run_cli (NULL, "ask", "--endpoint",
                                                        hearth_test_server_get_url (get_engine ()),
                                                        "--conversation", "999999", "hi", NULL);
    g_assert_cmpint (bad->exit_code, !=, 0);
    hearth_test_assert_one_line (bad->err);
  }
}

static void
test_ask_default_model (void)
{
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--json", "who are you?", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  root = hearth_test_parse_json (run->out);
  /* The first model the server lists. */
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (root), "model"));
}

static void
test_unknown_model (gconstpointer data)
{
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthMessage) reply = NULL;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--api", data, "--model", "no-such-model", "hi", NULL);
  g_assert_cmpint (run->exit_code, ==, 4);
  g_assert_cmpstr (run->out, ==, "");
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, "no-such-model"));
  g_assert_nonnull (strstr (run->err, "pull"));

  /* The question is kept; the failed reply says why. */
  reply = stored_reply (newest_conversation ());
  g_assert_cmpint (reply->state, ==, HEARTH_MESSAGE_FAILED);
  g_assert_nonnull (reply->error);
  /* and what kind of failure it was, for the metrics */
  g_assert_cmpstr (reply->error_class, ==, "model-not-found");
}

static void
test_models (gconstpointer data)
{
  const char *api = data;
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthTestRun) json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;
  gboolean found = FALSE;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "models", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--api", api, NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->out, "tiny-fixed"));

  json = hearth_test_run_cli (NULL, "models", "--endpoint", hearth_test_server_get_url (get_engine ()),
                              "--api", api, "--json", NULL);
  g_assert_cmpint (json->exit_code, ==, 0);
  root = hearth_test_parse_json (json->out);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *m = json_array_get_object_element (array, i);

      if (!g_str_has_prefix (json_object_get_string_member (m, "name"), "tiny-fixed"))
        continue;
      found = TRUE;
      if (g_str_equal (api, "ollama"))
        {
          g_assert_cmpint (json_object_get_int_member (m, "size"), >, 1000);
          g_assert_cmpstr (json_object_get_string_member (m, "quantization"), ==, "F32");
        }
    }
  g_assert_true (found);
}

static void
test_pull (void)
{
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthTestRun) models = NULL;
  g_autoptr(HearthTestRun) missing = NULL;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "pull", "tiny-pulled", "--endpoint",
                             hearth_test_server_get_url (get_engine ()), NULL);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_nonnull (strstr (run->err, "pulling"));
  g_assert_nonnull (strstr (run->err, "100.0%"));
  g_assert_nonnull (strstr (run->err, "success"));

  models = hearth_test_run_cli (NULL, "models", "--endpoint",
                                hearth_test_server_get_url (get_engine ()), NULL);
  g_assert_nonnull (strstr (models->out, "tiny-pulled"));

  missing = hearth_test_run_cli (NULL, "pull", "no-such-model", "--endpoint",
                                 hearth_test_server_get_url (get_engine ()), NULL);
  g_assert_cmpint (missing->exit_code, !=, 0);
  g_assert_nonnull (strstr (missing->err, "no-such-model"));
}

static void
test_history_search (void)
{
  g_autoptr(HearthTestRun) ask = NULL;
  g_autoptr(HearthTestRun) search = NULL;
  g_autoptr(HearthTestRun) json = NULL;
  g_autoptr(HearthTestRun) list = NULL;
  g_autoptr(HearthTestRun) show = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = NULL;

  if (!hearth_test_require_node ())
    return;
  ask = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--model", "tiny-fixed", "why is the zebra striped?", NULL);
  g_assert_cmpint (ask->exit_code, ==, 0);

  search = hearth_test_run_cli (NULL, "history", "search", "zebra", NULL);
  g_assert_cmpint (search->exit_code, ==, 0);
  g_assert_nonnull (strstr (search->out, "[zebra]"));

  json = hearth_test_run_cli (NULL, "history", "search", "scatters", "--json", NULL);
  root = hearth_test_parse_json (json->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (root), 0), "role"), ==, "assistant");

  list = hearth_test_run_cli (NULL, "history", "list", NULL);
  g_assert_cmpint (list->exit_code, ==, 0);
  g_assert_nonnull (strstr (list->out, "why is the zebra striped?"));

  id = g_strdup_printf ("%" G_GINT64_FORMAT, newest_conversation ());
  show = hearth_test_run_cli (NULL, "history", "show", id, NULL);
  g_assert_cmpint (show->exit_code, ==, 0);
  g_assert_nonnull (strstr (show->out, SENTENCE));

  /* What the sidebar does, the CLI does. */
  {
    g_autoptr(HearthTestRun) rename = hearth_test_run_cli (NULL, "history", "rename", id,
                                                           "Zebra", "stripes", NULL);
    g_autoptr(HearthTestRun) listed = NULL;
    g_autoptr(HearthTestRun) deleted = NULL;
    g_autoptr(HearthTestRun) again = NULL;
    g_autoptr(HearthTestRun) gone = NULL;

    g_assert_cmpint (rename->exit_code, ==, 0);
    listed = hearth_test_run_cli (NULL, "history", "list", NULL);
    g_assert_nonnull (strstr (listed->out, "Zebra stripes"));
    deleted = hearth_test_run_cli (NULL, "history", "delete", id, NULL);
    g_assert_cmpint (deleted->exit_code, ==, 0);
    again = hearth_test_run_cli (NULL, "history", "delete", id, NULL);
    /* not found, like a model */
    g_assert_cmpint (again->exit_code, ==, 4);
    hearth_test_assert_one_line (again->err);
    gone = hearth_test_run_cli (NULL, "history", "search", "zebra", NULL);
    g_assert_null (strstr (gone->out, "[zebra]"));
  }
}

/* Cancelling: Ctrl+C keeps what arrived, and the server sees the client go. */

typedef struct
{
  GMainLoop *loop;
  GString   *out;
  GSubprocess *process;
  GInputStream *stream;
  char       buffer[4096];
  gint64     started_us;
  gsize      bytes_at_mark;
  gint64     mark_us;
} LiveRun;

static void live_read (LiveRun *live);

static void
live_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LiveRun *live = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      g_main_loop_quit (live->loop);
      return;
    }
  g_string_append_len (live->out, live->buffer, n);
  live_read (live);
}

static void
live_read (LiveRun *live)
{
  g_input_stream_read_async (live->stream, live->buffer, sizeof live->buffer, G_PRIORITY_DEFAULT,
                             NULL, live_read_cb, live);
}

static gboolean
send_signal_cb (gpointer user_data)
{
  LiveRun *live = user_data;

  g_subprocess_send_signal (live->process, live->mark_us ? SIGKILL : SIGINT);
  return G_SOURCE_REMOVE;
}

static gboolean
mark_cb (gpointer user_data)
{
  LiveRun *live = user_data;

  live->bytes_at_mark = live->out->len;
  live->mark_us = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static LiveRun *
live_start (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  LiveRun *live = g_new0 (LiveRun, 1);

  g_ptr_array_add (argv, cli);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  live->loop = g_main_loop_new (NULL, FALSE);
  live->out = g_string_new (NULL);
  live->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  live->stream = g_subprocess_get_stdout_pipe (live->process);
  live_read (live);
  return live;
}

static void
live_free (LiveRun *live)
{
  g_main_loop_unref (live->loop);
  g_string_free (live->out, TRUE);
  g_object_unref (live->process);
  g_free (live);
}

static void
test_cancel (gconstpointer data)
{
  const char *api = data;
  const char *args[] = { "ask", "--endpoint", NULL, "--api", api, "--model", "slow", "go", NULL };
  g_autoptr(HearthMessage) reply = NULL;
  g_autofree char *events = NULL;
  LiveRun *live;

  if (!hearth_test_require_node ())
    return;
  args[2] = hearth_test_server_get_url (hearth_test_fault_server ());
  live = live_start (args);
  g_timeout_add (1500, send_signal_cb, live);
  g_main_loop_run (live->loop);
  g_subprocess_wait (live->process, NULL, NULL);

  g_assert_cmpint (g_subprocess_get_exit_status (live->process), ==, 130);
  g_assert_cmpuint (live->out->len, >, 0);

  reply = stored_reply (newest_conversation ());
  g_assert_cmpint (reply->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_cmpstr (reply->content, ==, live->out->str);

  /* The connection was closed, so the server stopped generating. */
  g_usleep (200 * 1000);
  events = hearth_test_server_request (hearth_test_fault_server (), "GET", "/_events");
  g_assert_nonnull (strstr (events, "client-closed"));
  live_free (live);
}

/* kill -9 while streaming loses at most the last 2 seconds of text. */
static void
test_crash_safety (void)
{
  const char *args[] = { "ask", "--endpoint", NULL, "--model", "slow", "go", NULL };
  g_autoptr(HearthMessage) reply = NULL;
  LiveRun *live;

  if (!hearth_test_require_node ())
    return;
  args[2] = hearth_test_server_get_url (hearth_test_fault_server ());
  live = live_start (args);
  g_timeout_add (1000, mark_cb, live);
  g_timeout_add (3500, send_signal_cb, live);
  g_main_loop_run (live->loop);
  g_subprocess_wait (live->process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (live->process));

  reply = stored_reply (newest_conversation ());
  g_assert_cmpint (reply->state, ==, HEARTH_MESSAGE_PARTIAL);
  g_assert_true (g_str_has_prefix (live->out->str, reply->content));
  /* Everything printed by 2.5 s before the kill is stored. */
  g_assert_cmpuint (live->bytes_at_mark, >, 0);
  g_assert_cmpuint (strlen (reply->content), >=, live->bytes_at_mark);
  live_free (live);
}

/* The fault server */

typedef struct
{
  const char *model;
  int         exit_code;
  const char *stdout_prefix;   /* NULL: must be empty */
  const char *stderr_word;     /* in the one-line error */
  HearthMessageState state;
} FaultCase;

static const FaultCase fault_cases[] = {
  { "drop-mid-stream", 5, "Partial answer", "ended", HEARTH_MESSAGE_FAILED },
  { "drop-burst", 5, "Three quick words", "after part of the reply", HEARTH_MESSAGE_FAILED },
  { "reset-before-text", 5, NULL, "before any of the reply arrived", HEARTH_MESSAGE_FAILED },
  { "error-500", 5, NULL, "something broke", HEARTH_MESSAGE_FAILED },
  { "error-in-stream", 5, "", "model crashed", HEARTH_MESSAGE_FAILED },
  { "malformed", 5, "", "", HEARTH_MESSAGE_FAILED },
  { "rate-limit-always", 7, NULL, "429", HEARTH_MESSAGE_FAILED },
  { "unknown-model", 4, NULL, "unknown-model", HEARTH_MESSAGE_FAILED },
  { "auth", 6, NULL, "API key", HEARTH_MESSAGE_FAILED },
};

static void
run_fault_case (const char      *api,
                const FaultCase *c)
{
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(HearthMessage) reply = NULL;

  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (hearth_test_fault_server ()),
                             "--api", api, "--model", c->model, "hello", NULL);
  g_test_message ("%s/%s: exit %d, out “%s”, err “%.*s”", api, c->model, run->exit_code, run->out,
                  (int) strcspn (run->err, "\n"), run->err);
  g_assert_cmpint (run->exit_code, ==, c->exit_code);
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, c->stderr_word));
  if (c->stdout_prefix == NULL)
    g_assert_cmpstr (run->out, ==, "");
  else
    g_assert_true (g_str_has_prefix (run->out, c->stdout_prefix));

  /* Whatever arrived is in the history, next to why it stopped. */
  reply = stored_reply (newest_conversation ());
  g_assert_cmpint (reply->state, ==, c->state);
  g_assert_cmpstr (reply->content, ==, run->out);
  g_assert_nonnull (reply->error);
  /* a few pieces, most in one read: too little to measure a speed from */
  g_assert_cmpfloat (reply->figures.tokens_per_s, <, 0);
  g_assert_null (strstr (run->err, "was kept"));
}

static void
test_faults (gconstpointer data)
{
  if (!hearth_test_require_node ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    run_fault_case (data, &fault_cases[i]);
}

static void
test_fault_retries (gconstpointer data)
{
  const char *api = data;
  const char *models[] = { "rate-limit", "busy" };

  if (!hearth_test_require_node ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(HearthTestRun) run = NULL;
      g_autofree char *reset = hearth_test_server_request (hearth_test_fault_server (), "POST", "/_reset");
      g_autofree char *stats = NULL;

      run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (hearth_test_fault_server ()),
                                 "--api", api, "--model", models[i], "hello", NULL);
      g_assert_cmpint (run->exit_code, ==, 0);
      g_assert_cmpstr (run->out, ==, "Hello from the fault server.");
      g_assert_cmpstr (run->err, ==, "");
    }
}

static void
test_fault_exact_bytes (gconstpointer data)
{
  const char *api = data;
  g_autoptr(HearthTestRun) utf8 = NULL;
  g_autoptr(HearthTestRun) markup = NULL;
  g_autoptr(HearthTestRun) huge = NULL;

  if (!hearth_test_require_node ())
    return;
  utf8 = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (hearth_test_fault_server ()),
                              "--api", api, "--model", "split-utf8", "hello", NULL);
  g_assert_cmpint (utf8->exit_code, ==, 0);
  g_assert_cmpstr (utf8->out, ==, "héllo wörld — 日本語 🙂");

  markup = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (hearth_test_fault_server ()),
                                "--api", api, "--model", "markup", "hello", NULL);
  g_assert_cmpint (markup->exit_code, ==, 0);
  g_assert_nonnull (strstr (markup->out, "<b>bold</b> & </span> <i>"));
  g_assert_nonnull (strstr (markup->out, "\a"));
  g_assert_nonnull (strstr (markup->out, "\u202e"));
  g_assert_nonnull (strstr (markup->out, "%s %n"));

  huge = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (hearth_test_fault_server ()),
                              "--api", api, "--model", "huge", "hello", NULL);
  g_assert_cmpint (huge->exit_code, ==, 0);
  g_assert_cmpuint (strlen (huge->out), >=, 4 * 1000 * 1000);
}

static void
test_fault_stall (void)
{
  g_autoptr(HearthTestRun) run = NULL;

  if (!hearth_test_require_node ())
    return;
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (hearth_test_fault_server ()),
                             "--model", "stall", "--timeout", "1", "hello", NULL);
  g_assert_cmpint (run->exit_code, ==, 3);
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, "in time"));
}

static void
test_auth_key_from_environment (void)
{
  g_autoptr(HearthTestRun) run = NULL;
  const char *args[] = { "ask", "--endpoint", NULL, "--api", "openai", "--model", "auth", "hi",
                         NULL };

  if (!hearth_test_require_node ())
    return;
  args[2] = hearth_test_server_get_url (hearth_test_fault_server ());
  g_setenv ("HEARTH_API_KEY", "sekrit", TRUE);
  run = hearth_test_run_cliv (NULL, args);
  g_unsetenv ("HEARTH_API_KEY");
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->out, ==, "Hello from the fault server.");
}

/* The key goes in on standard input, lives in the keyring, and nowhere else. */
static gboolean
file_holds (const char *path,
            const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gsize n = strlen (needle);

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (contents + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_auth_key_from_keyring (void)
{
  g_autoptr(HearthTestRun) set = NULL;
  g_autoptr(HearthTestRun) ask = NULL;
  g_autoptr(HearthTestRun) status = NULL;
  g_autoptr(HearthTestRun) empty = NULL;
  g_autoptr(HearthTestRun) deleted = NULL;
  g_autoptr(HearthTestRun) refused = NULL;
  g_autofree char *db = NULL;
  g_autofree char *wal = NULL;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_server_get_url (hearth_test_fault_server ());
  g_unsetenv ("HEARTH_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");
  set = hearth_test_run_cli ("sekrit\n", "key", "set", "--endpoint", url, "--api", "openai", NULL);
  if (set->exit_code != 0 && strstr (set->err, "keyring") != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("No Secret Service (run with build-aux/test): %s",
                                                 set->err);
      g_test_skip (reason);
      return;
    }
  g_assert_cmpint (set->exit_code, ==, 0);
  g_assert_null (strstr (set->out, "sekrit"));

  ask = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--api", "openai", "--model", "auth",
                             "hi", NULL);
  g_assert_cmpint (ask->exit_code, ==, 0);
  g_assert_cmpstr (ask->out, ==, "Hello from the fault server.");

  status = hearth_test_run_cli (NULL, "key", "status", "--endpoint", url, "--api", "openai", NULL);
  g_assert_cmpint (status->exit_code, ==, 0);
  g_assert_nonnull (strstr (status->out, "is stored"));
  g_assert_null (strstr (status->out, "sekrit"));

  empty = hearth_test_run_cli ("\n", "key", "set", "--endpoint", url, "--api", "openai", NULL);
  g_assert_cmpint (empty->exit_code, ==, 2);

  db = hearth_store_default_path ();
  wal = g_strconcat (db, "-wal", NULL);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_false (file_holds (db, "sekrit"));
  g_assert_false (file_holds (wal, "sekrit"));

  deleted = hearth_test_run_cli (NULL, "key", "delete", "--endpoint", url, "--api", "openai", NULL);
  g_assert_cmpint (deleted->exit_code, ==, 0);
  refused = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--api", "openai", "--model", "auth",
                                 "hi", NULL);
  g_assert_cmpint (refused->exit_code, ==, 6);
}

/* A key with a line break in it is refused where it enters, with a line
 * that names where it came from; no request goes out without it, and
 * nothing reaches libsoup to complain about. */
static void
test_auth_key_with_line_break (void)
{
  g_autoptr(HearthTestRun) env = NULL;
  g_autoptr(HearthTestRun) set = NULL;
  g_autoptr(HearthTestRun) status = NULL;
  g_autoptr(HearthTestRun) stored = NULL;
  g_autoptr(HearthTestRun) cleanup = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *tool_err = NULL;
  int tool_status = 0;
  const char *url;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_server_get_url (hearth_test_fault_server ());
  g_unsetenv ("OPENAI_API_KEY");

  g_setenv ("HEARTH_API_KEY", "sek\r\nrit", TRUE);
  env = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--api", "openai", "--model", "auth",
                             "hi", NULL);
  g_unsetenv ("HEARTH_API_KEY");
  g_assert_cmpint (env->exit_code, ==, 2);
  hearth_test_assert_one_line (env->err);
  g_assert_nonnull (strstr (env->err, "HEARTH_API_KEY contains a line break"));
  g_assert_null (strstr (env->err, "sek"));
  g_assert_null (strstr (env->err, "CRITICAL"));
  g_assert_cmpstr (env->out, ==, "");

  /* key set sees the whole of standard input, not its first line */
  set = hearth_test_run_cli ("sek\r\nrit\n", "key", "set", "--endpoint", url, "--api", "openai",
                             NULL);
  if (set->exit_code != 2 && strstr (set->err, "keyring") != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("No Secret Service (run with build-aux/test): %s",
                                                 set->err);
      g_test_skip (reason);
      return;
    }
  g_assert_cmpint (set->exit_code, ==, 2);
  hearth_test_assert_one_line (set->err);
  g_assert_nonnull (strstr (set->err, "line break"));
  status = hearth_test_run_cli (NULL, "key", "status", "--endpoint", url, "--api", "openai", NULL);
  g_assert_cmpint (status->exit_code, ==, 0);
  g_assert_nonnull (strstr (status->out, "No API key"));

  /* one put in the keyring by another program is refused when it is used */
  endpoint = hearth_endpoint_resolve (url, HEARTH_API_OPENAI, NULL, NULL);
  g_assert_nonnull (endpoint);
  {
    g_autofree char *command =
      g_strdup_printf ("sh -c \"printf 'sek\\nrit' | secret-tool store --label probe "
                       "xdg:schema io.github.hearthapp.Hearth.ApiKey endpoint %s\"", endpoint);

    if (!g_spawn_command_line_sync (command, NULL, &tool_err, &tool_status, NULL) ||
        !g_spawn_check_wait_status (tool_status, NULL))
      {
        g_autofree char *reason = g_strdup_printf ("secret-tool could not store a key: %s",
                                                   tool_err ? tool_err : "not found");
        g_test_skip (reason);
        return;
      }
  }
  stored = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--api", "openai", "--model", "auth",
                                "hi", NULL);
  g_assert_cmpint (stored->exit_code, ==, 2);
  hearth_test_assert_one_line (stored->err);
  g_assert_nonnull (strstr (stored->err, "stored in the keyring"));
  g_assert_nonnull (strstr (stored->err, "line break"));
  cleanup = hearth_test_run_cli (NULL, "key", "delete", "--endpoint", url, "--api", "openai", NULL);
  g_assert_cmpint (cleanup->exit_code, ==, 0);
}

/* No server at all */

static void
test_unreachable (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(HearthTestRun) run = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and is closed now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  run = hearth_test_run_cli (NULL, "ask", "--endpoint", url, "--model", "m", "hello", NULL);
  g_assert_cmpint (run->exit_code, ==, 3);
  hearth_test_assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, "nothing is listening"));

  /* OLLAMA_HOST in the forms Ollama accepts, without a scheme. */
  g_setenv ("OLLAMA_HOST", url, TRUE);
  {
    g_autoptr(HearthTestRun) env = hearth_test_run_cli (NULL, "models", NULL);
    g_assert_cmpint (env->exit_code, ==, 3);
    g_assert_nonnull (strstr (env->err, url));
  }
  g_unsetenv ("OLLAMA_HOST");
}

static void
test_usage_errors (void)
{
  const char *cases[][4] = {
    { "ask", NULL },
    { "ask", "--api", "grpc", "hi" },
    { "ask", "--endpoint", "ftp://x", "hi" },
    { "ask", "--bogus", "hi", NULL },
    { "frobnicate", NULL },
    { "history", "show", "abc", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[5] = { 0 };
      g_autoptr(HearthTestRun) run = NULL;

      memcpy (args, cases[i], sizeof cases[i]);
      run = hearth_test_run_cliv (NULL, args);
      g_assert_cmpint (run->exit_code, ==, 2);
      hearth_test_assert_one_line (run->err);
    }
}

static gint64
engine_chat_requests (const char *path)
{
  g_autofree char *stats = hearth_test_server_request (get_engine (), "GET", "/_stats");
  g_autoptr(JsonNode) root = hearth_test_parse_json (stats);
  JsonObject *paths = json_object_get_object_member (json_node_get_object (root), "paths");

  return json_object_get_int_member_with_default (paths, path, 0);
}

static JsonObject *
ask_json (const char *api,
          const char *extra,
          const char *prompt)
{
  const char *args[] = { "ask", "--endpoint", NULL, "--api", api, "--model", "tiny-fixed",
                         "--json", prompt, extra, NULL };
  g_autoptr(HearthTestRun) run = NULL;
  g_autoptr(JsonNode) root = NULL;

  args[2] = hearth_test_server_get_url (get_engine ());
  run = hearth_test_run_cliv (NULL, args);
  g_assert_cmpint (run->exit_code, ==, 0);
  root = hearth_test_parse_json (run->out);
  return json_object_ref (json_node_get_object (root));
}

/* The second identical deterministic question is answered from the cache:
 * the engine sees one request, not two. */
static void
test_cache (gconstpointer data)
{
  const char *api = data;
  const char *path = g_str_equal (api, "openai") ? "/v1/chat/completions" : "/api/chat";
  g_autofree char *prompt = g_strdup_printf ("Cache me, %s", api);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) fresh = NULL;
  g_autoptr(JsonObject) sampled = NULL;
  g_autoptr(HearthTestRun) stats = NULL;
  g_autoptr(HearthTestRun) cleared = NULL;
  g_autoptr(JsonNode) stats_root = NULL;
  gint64 before;

  if (!hearth_test_require_node ())
    return;
  before = engine_chat_requests (path);
  first = ask_json (api, "--temperature=0", prompt);
  g_assert_false (json_object_get_boolean_member (first, "cached"));
  g_assert_cmpint (engine_chat_requests (path), ==, before + 1);

  second = ask_json (api, "--temperature=0", prompt);
  g_assert_true (json_object_get_boolean_member (second, "cached"));
  g_assert_cmpint (engine_chat_requests (path), ==, before + 1);
  g_assert_cmpstr (json_object_get_string_member (second, "content"), ==, SENTENCE);
  /* The original figures, and the time not spent generating again. */
  g_assert_cmpint (json_object_get_int_member (second, "tokens_out"), ==,
                   json_object_get_int_member (first, "tokens_out"));
  g_assert_true (json_object_has_member (second, "time_saved_ms"));
  g_assert_cmpint (json_object_get_int_member (second, "message_id"), >,
                   json_object_get_int_member (first, "message_id"));

  /* --no-cache, and a sampled (non-deterministic) question, go to the model. */
  fresh = ask_json (api, "--no-cache", prompt);
  g_assert_false (json_object_get_boolean_member (fresh, "cached"));
  g_assert_cmpint (engine_chat_requests (path), ==, before + 2);
  sampled = ask_json (api, "--temperature=0.8", prompt);
  g_assert_false (json_object_get_boolean_member (sampled, "cached"));
  g_assert_cmpint (engine_chat_requests (path), ==, before + 3);

  stats = hearth_test_run_cli (NULL, "cache", "stats", "--json", NULL);
  g_assert_cmpint (stats->exit_code, ==, 0);
  stats_root = hearth_test_parse_json (stats->out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stats_root), "entries"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stats_root), "disk_hits"), >=, 1);

  cleared = hearth_test_run_cli (NULL, "cache", "clear", NULL);
  g_assert_cmpint (cleared->exit_code, ==, 0);
  {
    g_autoptr(JsonObject) after_clear = ask_json (api, "--temperature=0", prompt);
    g_assert_false (json_object_get_boolean_member (after_clear, "cached"));
  }
}

/* A damaged cache is set aside with a warning; the question is answered. */
static void
test_cache_corrupt (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("XDG_CACHE_HOME"), "hearth", NULL);
  g_autofree char *db = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(HearthTestRun) run = NULL;
  const char garbage[] = "not a cache at all, just some bytes that are long enough to matter";

  if (!hearth_test_require_node ())
    return;
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (db, garbage, sizeof garbage, NULL));
  run = hearth_test_run_cli (NULL, "ask", "--endpoint", hearth_test_server_get_url (get_engine ()),
                             "--model", "tiny-fixed", "--temperature", "0", "hello cache", NULL);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpstr (run->out, ==, SENTENCE);
  g_assert_nonnull (strstr (run->err, "damaged"));
  g_assert_null (strstr (run->err, "CRITICAL"));
}

/* On this machine the report agrees with the system. */
static void
test_hardware_and_recommend (void)
{
  g_autoptr(HearthTestRun) hardware = hearth_test_run_cli (NULL, "hardware", "--json", NULL);
  g_autoptr(HearthTestRun) text = hearth_test_run_cli (NULL, "hardware", NULL);
  g_autoptr(HearthTestRun) recommend = hearth_test_run_cli (NULL, "recommend", "--use", "code",
                                                            "--json", NULL);
  g_autoptr(HearthTestRun) bad = hearth_test_run_cli (NULL, "recommend", "--use", "poetry", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) picks = NULL;
  g_autofree char *meminfo = NULL;
  JsonObject *cpu, *memory;
  const char *line;

  g_assert_cmpint (hardware->exit_code, ==, 0);
  root = hearth_test_parse_json (hardware->out);
  cpu = json_object_get_object_member (json_node_get_object (root), "cpu");
  memory = json_object_get_object_member (json_node_get_object (root), "memory");
  g_assert_cmpint (json_object_get_int_member (cpu, "threads"), ==, g_get_num_processors ());
  g_assert_true (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL));
  line = strstr (meminfo, "MemTotal:");
  g_assert_nonnull (line);
  g_assert_cmpint (json_object_get_int_member (memory, "total"), ==,
                   g_ascii_strtoll (line + strlen ("MemTotal:"), NULL, 10) * 1024);
  g_assert_cmpfloat (json_object_get_double_member (memory, "bandwidth_gbs"), >, 0);
  g_assert_true (json_object_has_member (json_node_get_object (root), "score"));

  g_assert_cmpint (text->exit_code, ==, 0);
  g_assert_nonnull (strstr (text->out, "## Score:"));

  g_assert_cmpint (recommend->exit_code, ==, 0);
  picks = hearth_test_parse_json (recommend->out);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (picks)); i++)
    {
      JsonObject *pick = json_array_get_object_element (json_node_get_array (picks), i);

      g_assert_nonnull (strstr (json_object_get_string_member (pick, "estimate_basis"), "stimate"));
      g_assert_cmpint (json_object_get_int_member (pick, "memory_needed"), <,
                       json_object_get_int_member (memory, "total"));
    }

  g_assert_cmpint (bad->exit_code, ==, 2);
  hearth_test_assert_one_line (bad->err);
}

/* A damaged history is a clear error, and the database is left for the user. */
static void
test_corrupt_history (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("XDG_DATA_HOME"));
  g_autofree char *home = hearth_test_build_tmp_path ("corrupt-home", NULL);
  g_autofree char *dir = g_build_filename (home, "hearth", NULL);
  g_autofree char *db = g_build_filename (dir, "hearth.db", NULL);
  g_autofree char *after = NULL;
  const char garbage[] = "this is not a database, it is a shopping list: eggs, milk, flour";
  const char *commands[][4] = {
    { "history", "list", NULL },
    { "history", "search", "eggs", NULL },
    { "ask", "--endpoint", "127.0.0.1:9", "hi" },
  };

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (db, garbage, sizeof garbage, NULL));
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[5] = { 0 };
      g_autoptr(HearthTestRun) run = NULL;

      memcpy (args, commands[i], sizeof commands[i]);
      run = hearth_test_run_cliv (NULL, args);
      /* the history cannot be read */
      g_assert_cmpint (run->exit_code, ==, 9);
      hearth_test_assert_one_line (run->err);
      g_assert_nonnull (strstr (run->err, "damaged"));
      g_assert_nonnull (strstr (run->err, db));
    }
  g_setenv ("XDG_DATA_HOME", saved, TRUE);

  g_assert_true (g_file_get_contents (db, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, garbage);
}

/* Runs hearth-cli as nobody; reports "<name> <exit> <first line of stdout or stderr>". */
static void
report_cli (int         fd,
            const char *name,
            const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL);
  line = g_strdup_printf ("%s %d %.*s\n", name, g_spawn_check_wait_status (status, NULL) ? 0
                          : WIFEXITED (status) ? WEXITSTATUS (status) : -1,
                          (int) strcspn (*out ? out : err, "\n"), *out ? out : err);
  if (write (fd, line, strlen (line)) < 0)
    _exit (3);
}

static void
read_only_history_child (int      fd,
                         gpointer user_data)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  const char *list[] = { cli, "history", "list", NULL };
  const char *search[] = { cli, "history", "search", "readable", NULL };
  const char *rename[] = { cli, "history", "rename", user_data, "new title", NULL };

  report_cli (fd, "list", list);
  report_cli (fd, "search", search);
  report_cli (fd, "rename", rename);
}

/* A history folder that cannot be written is still listed and searched; a
 * change says it cannot be made, and why. */
static void
test_read_only_history (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autofree char *path = g_strdup (hearth_store_get_path (store));
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *id = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(HearthMessage) message = hearth_message_new ("user", "still readable");
  g_autoptr(GError) error = NULL;

  message->conversation_id = hearth_store_create_conversation (store, "Read-only history", &error);
  g_assert_no_error (error);
  hearth_store_add_message (store, message, &error);
  g_assert_no_error (error);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, message->conversation_id);
  g_clear_object (&store);

  if (!hearth_test_hand_to_nobody (g_getenv ("XDG_DATA_HOME"), dir, path, NULL))
    return;
  g_assert_cmpint (chmod (path, 0400), ==, 0);
  g_assert_cmpint (chmod (dir, 0500), ==, 0);
  output = hearth_test_run_as_nobody (read_only_history_child, id);
  g_assert_cmpint (chmod (dir, 0700), ==, 0);
  g_assert_cmpint (chmod (path, 0600), ==, 0);
  if (output == NULL)
    return;
  g_test_message ("%s", output);
  lines = g_strsplit (output, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "list 0 "));
  g_assert_nonnull (strstr (lines[0], "Read-only history"));
  g_assert_true (g_str_has_prefix (lines[1], "search 0 "));
  g_assert_nonnull (strstr (lines[1], "Read-only history"));
  g_assert_true (g_str_has_prefix (lines[2], "rename 9 hearth-cli: "));
  g_assert_nonnull (strstr (lines[2], "cannot be written"));
  g_assert_nonnull (strstr (lines[2], "permissions"));
}

/* A disk that fills while the reply arrives: a real one, a 1 MB tmpfs on the
 * history's folder, mounted in a mount namespace of our own (unshare maps
 * us to root there, as an ordinary user too) so nothing outside sees it.
 * hearth-cli then lists the history from inside, and the files are copied out. */
static const char full_disk_script[] =
  "set -e\n"
  "mkdir -p \"$XDG_DATA_HOME/hearth\"\n"
  "mount -t tmpfs -o size=1m hearth-full \"$XDG_DATA_HOME/hearth\"\n"
  "set +e\n"
  "\"$1\" ask --endpoint \"$2\" --model huge hello >\"$3/out\" 2>\"$3/err\"\n"
  "echo $? >\"$3/code\"\n"
  "\"$1\" history list --json >\"$3/list\" 2>&1\n";

static gboolean
report_file (const char  *report,
             const char  *name,
             char       **contents,
             gsize       *length)
{
  g_autofree char *path = g_build_filename (report, name, NULL);

  return g_file_get_contents (path, contents, length, NULL);
}

static void
test_not_saved_full_disk (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  g_autofree char *data = hearth_test_build_tmp_path ("full-disk-data", NULL);
  g_autofree char *report = hearth_test_build_tmp_path ("full-disk-report", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL, *code = NULL, *list = NULL, *why = NULL;
  gsize out_len = 0;
  const char *argv[] = { "unshare", "--mount", "--map-root-user", "sh", "-c", full_disk_script,
                         "sh", cli, NULL, report, NULL };

  if (!hearth_test_require_node ())
    return;
  argv[8] = hearth_test_server_get_url (hearth_test_fault_server ());
  g_assert_cmpint (g_mkdir_with_parents (report, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &why, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0 ||
      !g_file_test (report, G_FILE_TEST_IS_DIR) ||
      !report_file (report, "code", &code, NULL))
    {
      /* No mount namespace here (a container without user namespaces). */
      g_test_skip_printf ("SKIPPED: cannot mount a small tmpfs with unshare (%s), so a full "
                          "disk is NOT tested", why);
      return;
    }
  g_assert_true (report_file (report, "out", &out, &out_len));
  g_assert_true (report_file (report, "err", &err, NULL));
  g_assert_true (report_file (report, "list", &list, NULL));
  g_test_message ("exit %s; err %s; history %s", g_strstrip (code), err, list);

  /* All of it was printed; the status and one line say it was not kept. */
  g_assert_cmpuint (out_len, ==, 4 * 1024 * 1024);
  g_assert_cmpstr (code, ==, "9");
  hearth_test_assert_one_line (err);
  g_assert_nonnull (strstr (err, "not saved"));
  g_assert_nonnull (strstr (err, "disk is full"));
}

/* The conversation deleted while its reply streams: printed, said, exit 9. */
static gboolean
delete_newest_cb (gpointer user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, newest_conversation ());
  g_autoptr(HearthTestRun) deleted = hearth_test_run_cli (NULL, "history", "delete", id, NULL);

  g_assert_cmpint (deleted->exit_code, ==, 0);
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
keep_async_result (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_not_saved_deleted (void)
{
  const char *args[] = { "ask", "--endpoint", NULL, "--model", "slow", "go", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  const char *argv[G_N_ELEMENTS (args) + 1] = { cli };
  g_autoptr(GAsyncResult) result = NULL;
  gboolean deleted = FALSE;

  if (!hearth_test_require_node ())
    return;
  args[2] = hearth_test_server_get_url (hearth_test_fault_server ());
  for (guint i = 0; args[i]; i++)
    argv[i + 1] = args[i];
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_timeout_add (1500, delete_newest_cb, &deleted);
  g_subprocess_communicate_async (process, NULL, NULL, keep_async_result, &result);
  while (!deleted || result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_communicate_finish (process, result, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%.*s", (int) g_bytes_get_size (err), (const char *) g_bytes_get_data (err, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 9);
  g_assert_cmpuint (g_bytes_get_size (out), >, 100);
  g_assert_true (g_str_has_suffix (g_bytes_get_data (out, NULL), "t199 "));
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));

    hearth_test_assert_one_line (text);
    g_assert_nonnull (strstr (text, "not saved"));
    g_assert_nonnull (strstr (text, "deleted"));
  }
}

/* The default alert rules judge every reply ask records; a "slower than
 * its normal" firing or resolving as the engines here change speed would
 * add a line to ask's standard error. These tests are about ask's own
 * output: the rules are off (test-cli-alerts tests them). */
static void
disable_default_alert_rules (void)
{
  g_autoptr(HearthTestRun) rules = hearth_test_run_cli (NULL, "alerts", "rules", "--json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  g_assert_cmpint (rules->exit_code, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, rules->out, -1, &error));
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), >, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             json_object_get_int_member (
                                               json_array_get_object_element (array, i), "id"));
      g_autoptr(HearthTestRun) off = hearth_test_run_cli (NULL, "alerts", "disable", id, NULL);

      g_assert_cmpint (off->exit_code, ==, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);
  disable_default_alert_rules ();

  for (guint i = 0; i < G_N_ELEMENTS (apis); i++)
    {
      g_autofree char *p1 = g_strdup_printf ("/cli/%s/ask-exact-text", apis[i]);
      g_autofree char *p2 = g_strdup_printf ("/cli/%s/ask-json", apis[i]);
      g_autofree char *p3 = g_strdup_printf ("/cli/%s/unknown-model", apis[i]);
      g_autofree char *p4 = g_strdup_printf ("/cli/%s/models", apis[i]);
      g_autofree char *p5 = g_strdup_printf ("/cli/%s/cancel", apis[i]);
      g_autofree char *p6 = g_strdup_printf ("/cli/%s/faults", apis[i]);
      g_autofree char *p7 = g_strdup_printf ("/cli/%s/fault-retries", apis[i]);
      g_autofree char *p8 = g_strdup_printf ("/cli/%s/fault-exact-bytes", apis[i]);
      g_autofree char *p9 = g_strdup_printf ("/cli/%s/cache", apis[i]);

      g_test_add_data_func (p1, apis[i], test_ask_exact_text);
      g_test_add_data_func (p2, apis[i], test_ask_json);
      g_test_add_data_func (p3, apis[i], test_unknown_model);
      g_test_add_data_func (p4, apis[i], test_models);
      g_test_add_data_func (p5, apis[i], test_cancel);
      g_test_add_data_func (p6, apis[i], test_faults);
      g_test_add_data_func (p7, apis[i], test_fault_retries);
      g_test_add_data_func (p8, apis[i], test_fault_exact_bytes);
      g_test_add_data_func (p9, apis[i], test_cache);
    }
  g_test_add_func ("/cli/stdin-and-continue", test_ask_stdin_and_continue);
  g_test_add_func ("/cli/default-model", test_ask_default_model);
  g_test_add_func ("/cli/pull", test_pull);
  g_test_add_func ("/cli/history", test_history_search);
  g_test_add_func ("/cli/metrics", test_metrics);
  g_test_add_func ("/cli/resources", test_resources);
  g_test_add_func ("/cli/crash-safety", test_crash_safety);
  g_test_add_func ("/cli/stall", test_fault_stall);
  g_test_add_func ("/cli/auth-key-from-environment", test_auth_key_from_environment);
  g_test_add_func ("/cli/auth-key-from-keyring", test_auth_key_from_keyring);
  g_test_add_func ("/cli/auth-key-with-line-break", test_auth_key_with_line_break);
  g_test_add_func ("/cli/unreachable", test_unreachable);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/corrupt-history", test_corrupt_history);
  g_test_add_func ("/cli/read-only-history", test_read_only_history);
  g_test_add_func ("/cli/not-saved/full-disk", test_not_saved_full_disk);
  g_test_add_func ("/cli/not-saved/deleted", test_not_saved_deleted);
  g_test_add_func ("/cli/cache-corrupt", test_cache_corrupt);
  g_test_add_func ("/cli/hardware-and-recommend", test_hardware_and_recommend);

  return g_test_run ();
}
