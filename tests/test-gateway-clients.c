/* test-gateway-clients.c — the client libraries users point at Hearth's
 * gateway, run for real: ollama-js and openai-node (tests/engine/
 * gateway-clients.mjs, one JSON line per case, each asserted here as its
 * own test case) and `curl -N` against `hearth-cli serve`, all in front
 * of the real test engine.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-gateway-clients"

#include <json-glib/json-glib.h>

#include "hearth-test-gateway.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define SENTENCE "The sky is blue because air scatters blue light more than red light."
#define FIXED    "tiny-fixed:latest"
#define SLOW     "tiny-fixed:latest@slow"
#define RANDOM   "tiny-random:latest@slow"

/* One gateway (in this process) for the program: "engine" (the test
 * engine, able to pull) is the default; "slow" (a second engine that waits
 * 50 ms per token) sends one request at a time and lets one wait, so that
 * the 429 cases can fill it. */
static struct
{
  gboolean           ready;
  gboolean           skipped;
  HearthTestGateway *gw;
  HearthTestServer  *slow;
  GHashTable        *cases[2];    /* case → JsonObject, per phase */
  char              *failure[2];  /* the phase itself failed (node, the script) */
  guint              slow_closed; /* client-closed on "slow" after the main phase */
} G;

enum { PHASE_MAIN, PHASE_FULL };

static gboolean
ensure_gateway (void)
{
  if (G.ready)
    return TRUE;
  if (G.skipped || !hearth_test_require_node ())
    {
      G.skipped = TRUE;
      if (!g_test_failed ())
        g_test_skip ("no Node.js or tests/engine/node_modules (see above)");
      return FALSE;
    }
  {
    g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
    g_autofree char *random = hearth_test_make_model ("random", "tiny-random");
    g_autofree char *dir = g_path_get_dirname (fixed);
    const char *slow_args[] = { "--models", dir, "--token-delay-ms", "50", NULL };
    HearthTestServer *engine = hearth_test_engine_with_pull_source ();

    G.slow = hearth_test_server_start ("server.mjs", slow_args);
    G.gw = hearth_test_gateway_new ();
    hearth_test_gateway_add_server (G.gw, "engine", hearth_test_server_get_url (engine), 0, 0);
    hearth_test_gateway_add_server (G.gw, "slow", hearth_test_server_get_url (G.slow), 1, 1);
    hearth_test_gateway_start (G.gw);

    /* Its model loaded, so that an abort after two pieces comes while it
     * is still answering (the answer takes 16 × 50 ms). */
    {
      g_autoptr(SoupSession) session = hearth_test_stream_session ();
      g_autoptr(HearthTestStream) warm = hearth_test_stream_start (session,
                                                                   hearth_test_server_get_url (G.slow),
                                                                   HEARTH_TEST_PROTOCOL_OLLAMA,
                                                                   FIXED, "warming up", 1,
                                                                   NULL, NULL);

      while (!warm->finished)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (warm->status, ==, 200);
    }
  }
  G.ready = TRUE;
  return TRUE;
}

/* Running the script */

typedef struct
{
  GHashTable        *cases;
  GDataInputStream  *lines;
  HearthTestStream **holders;   /* closed at the script's "first-429" signal */
  GString           *junk;      /* lines that were not a case */
  gboolean           eof;
  gboolean           exited;
} Run;

static void
on_script_line (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (run->lines, result, NULL,
                                                                     &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (line == NULL)
    {
      if (error != NULL)
        g_string_append_printf (run->junk, "(reading its output: %s)\n", error->message);
      run->eof = TRUE;
      return;
    }
  if (json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      object = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (object, "case"))
        g_hash_table_replace (run->cases,
                              g_strdup (json_object_get_string_member (object, "case")),
                              json_object_ref (object));
      else if (g_strcmp0 (json_object_get_string_member_with_default (object, "signal", NULL),
                          "first-429") == 0)
        {
          /* Room in the queue: the client's retry will be answered. */
          for (guint i = 0; run->holders != NULL && run->holders[i] != NULL; i++)
            hearth_test_stream_cancel (run->holders[i]);
        }
    }
  else
    g_string_append_printf (run->junk, "%s\n", line);
  g_data_input_stream_read_line_async (run->lines, G_PRIORITY_DEFAULT, NULL, on_script_line, run);
}

static void
on_script_exit (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->exited = TRUE;
}

static void
run_phase (guint              phase,
           HearthTestStream **holders)
{
  g_autofree char *script = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                              "gateway-clients.mjs", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  run.cases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) json_object_unref);
  run.holders = holders;
  run.junk = g_string_new (NULL);
  /* stderr goes to the test's log: the clients' own warnings, if any. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "node", script, "--url", G.gw->url, "--model", FIXED,
                              "--slow", SLOW, "--pull", "tiny-pulled",
                              "--phase", phase == PHASE_MAIN ? "main" : "full", NULL);
  g_assert_no_error (error);
  run.lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (run.lines, G_PRIORITY_DEFAULT, NULL, on_script_line, &run);
  g_subprocess_wait_async (process, NULL, on_script_exit, &run);
  /* The gateway answers on this thread's loop while the clients run. */
  while (!run.eof || !run.exited)
    g_main_context_iteration (NULL, TRUE);

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    G.failure[phase] = g_strdup_printf ("gateway-clients.mjs failed (exit status %d): %s",
                                        g_subprocess_get_status (process), run.junk->str);
  else if (!g_hash_table_contains (run.cases, "end"))
    G.failure[phase] = g_strdup_printf ("gateway-clients.mjs stopped before its end: %s",
                                        run.junk->str);
  G.cases[phase] = run.cases;
  g_string_free (run.junk, TRUE);
  g_clear_object (&run.lines);
}

static void
run_main_phase (void)
{
  g_autofree char *log = NULL;

  run_phase (PHASE_MAIN, NULL);
  log = hearth_test_server_read_log (G.slow);
  g_ptr_array_unref (hearth_test_engine_log_prompts (log, &G.slow_closed));
}

/* Fills "slow": one long answer running, one waiting (its bound), from
 * this process; then the script's clients find it full. */
static void
run_full_phase (void)
{
  g_autoptr(SoupSession) session = hearth_test_stream_session ();
  HearthTestStream *holders[3] = { NULL };
  guint running = 0;

  holders[0] = hearth_test_stream_start (session, G.gw->url, HEARTH_TEST_PROTOCOL_OLLAMA, RANDOM,
                                         "holder one", 1500, NULL, NULL);
  /* Running (its answer may come in few pieces: the queue is what counts). */
  while (hearth_test_gateway_waiting_api (G.gw, "slow", &running) == 0 && running == 0 &&
         !holders[0]->finished)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
    }
  g_assert_false (holders[0]->finished);
  holders[1] = hearth_test_stream_start (session, G.gw->url, HEARTH_TEST_PROTOCOL_OLLAMA, RANDOM,
                                         "holder two", 1500, NULL, NULL);
  while (hearth_test_gateway_waiting_api (G.gw, "slow", &running) < 1 && !holders[1]->finished)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
    }
  if (holders[1]->finished)
    g_error ("the second request to \"slow\" should have waited in its queue; it ended: "
             "HTTP %u, %u pieces, %s %s", holders[1]->status, holders[1]->chunks, holders[1]->error ? holders[1]->error : "",
             holders[1]->body->str);
  g_assert_cmpuint (running, ==, 1);

  run_phase (PHASE_FULL, holders);

  /* Whatever happened, the holders go (a failed case may not have signalled). */
  for (guint i = 0; i < 2; i++)
    {
      hearth_test_stream_cancel (holders[i]);
      while (!holders[i]->finished)
        g_main_context_iteration (NULL, TRUE);
      hearth_test_stream_free (holders[i]);
    }
}

/* The outcome of one case, the phase run on first use. */
static JsonObject *
get_case (guint       phase,
          const char *name)
{
  JsonObject *object;

  if (!ensure_gateway ())
    return NULL;
  if (G.cases[phase] == NULL)
    {
      if (phase == PHASE_MAIN)
        run_main_phase ();
      else
        run_full_phase ();
    }
  object = g_hash_table_lookup (G.cases[phase], name);
  if (object == NULL)
    g_error ("the client never ran case %s: %s", name,
             G.failure[phase] != NULL ? G.failure[phase] : "(it is not in gateway-clients.mjs)");
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
    g_autofree char *line = json_to_string (node, FALSE);

    /* What the client saw, in the log. */
    g_test_message ("%s", line);
  }
  return object;
}

/* Fails with what the client threw when the case did not run through. */
static void
assert_ok (JsonObject *object)
{
  if (!json_object_get_boolean_member_with_default (object, "ok", FALSE))
    g_error ("%s: the client failed: %s (HTTP %" G_GINT64_FORMAT ")",
             json_object_get_string_member (object, "case"),
             json_object_get_string_member_with_default (object, "error", "?"),
             json_object_get_int_member_with_default (object, "status", 0));
}

static const char *
str (JsonObject *object,
     const char *member)
{
  return json_object_get_string_member_with_default (object, member, NULL);
}

static gint64
num (JsonObject *object,
     const char *member)
{
  return json_object_get_int_member_with_default (object, member, -1);
}

static gboolean
flag (JsonObject *object,
      const char *member)
{
  return json_object_get_boolean_member_with_default (object, member, FALSE);
}

static gboolean
array_has (JsonObject *object,
           const char *member,
           const char *value)
{
  JsonArray *array = json_object_get_array_member (object, member);

  g_assert_nonnull (array);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

/* A proper start of the answer: the client stopped reading it midway. */
static void
assert_cut_short (const char *text)
{
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (SENTENCE, text));
  g_assert_cmpuint (strlen (text), <, strlen (SENTENCE));
}

/* ollama-js */

static void
test_ollama_list (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.list");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_true (array_has (c, "names", FIXED));
  g_assert_true (array_has (c, "names", "auto"));
  g_assert_true (flag (c, "has_details"));
}

static void
test_ollama_show (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.show");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "family"), ==, "llama");
  g_assert_cmpstr (str (c, "format"), ==, "gguf");
  g_assert_true (flag (c, "has_template"));
}

static void
test_ollama_ps (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.ps");

  if (c == NULL)
    return;
  assert_ok (c);
  /* The chats before it loaded the model. */
  g_assert_true (array_has (c, "names", FIXED));
}

static void
test_ollama_chat (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.chat");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_cmpstr (str (c, "role"), ==, "assistant");
  g_assert_true (flag (c, "done"));
  g_assert_cmpstr (str (c, "done_reason"), ==, "stop");
  g_assert_cmpint (num (c, "eval_count"), ==, 16);
}

static void
test_ollama_chat_stream (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.chat.stream");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  /* At least a piece and the last line (pieces the engine sent together
   * may arrive together; the abort cases show it streams on "slow"). */
  g_assert_cmpint (num (c, "parts"), >=, 2);
  g_assert_true (flag (c, "done"));
  g_assert_cmpstr (str (c, "done_reason"), ==, "stop");
  g_assert_cmpint (num (c, "eval_count"), ==, 16);
}

static void
test_ollama_generate (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.generate");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_true (flag (c, "done"));
  g_assert_cmpstr (str (c, "done_reason"), ==, "stop");
}

static void
test_ollama_generate_stream (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.generate.stream");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_cmpint (num (c, "parts"), >=, 2);
  g_assert_true (flag (c, "done"));
}

static void
test_ollama_pull (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.pull");

  if (c == NULL)
    return;
  assert_ok (c);
  /* Progress as it came, then the model is there to use. */
  g_assert_true (array_has (c, "statuses", "pulling manifest"));
  g_assert_cmpstr (str (c, "last"), ==, "success");
  g_assert_cmpint (num (c, "completed"), >, 0);
  g_assert_true (array_has (c, "listed", "tiny-pulled:latest"));
}

static void
test_ollama_abort_stream (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.abort.stream");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_true (flag (c, "threw"));
  g_assert_cmpstr (str (c, "name"), ==, "AbortError");
  g_assert_cmpint (num (c, "parts"), ==, 2);
  assert_cut_short (str (c, "text"));
}

static void
test_ollama_abort_client (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.abort.client");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_true (flag (c, "threw"));
  g_assert_cmpstr (str (c, "name"), ==, "AbortError");
  g_assert_cmpint (num (c, "parts"), ==, 2);
}

static void
test_ollama_after_abort (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.after-abort");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_true (flag (c, "done"));
}

static void
assert_unknown_model (JsonObject *c)
{
  assert_ok (c);
  g_assert_true (flag (c, "threw"));
  g_assert_cmpint (num (c, "status"), ==, 404);
  /* The message names the model the program asked for. */
  g_assert_nonnull (strstr (str (c, "message"), "no-such-model"));
}

static void
test_ollama_unknown_model (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.error.unknown-model");

  if (c == NULL)
    return;
  assert_unknown_model (c);
  g_assert_cmpstr (str (c, "class"), ==, "ResponseError");
}

static void
test_ollama_unknown_model_stream (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "ollama.error.unknown-model.stream");

  if (c == NULL)
    return;
  assert_unknown_model (c);
  g_assert_cmpstr (str (c, "class"), ==, "ResponseError");
}

/* openai-node */

static void
test_openai_models (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.models.list");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_true (array_has (c, "ids", FIXED));
  g_assert_true (array_has (c, "ids", "auto"));
}

static void
test_openai_chat (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.chat");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_cmpstr (str (c, "role"), ==, "assistant");
  g_assert_cmpstr (str (c, "finish_reason"), ==, "stop");
  g_assert_cmpstr (str (c, "object"), ==, "chat.completion");
  g_assert_cmpint (num (c, "completion_tokens"), ==, 16);
}

static void
test_openai_chat_stream (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.chat.stream");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_cmpint (num (c, "chunks"), >=, 2);
  g_assert_cmpstr (str (c, "finish_reason"), ==, "stop");
  /* Not asked for: no usage chunk. */
  g_assert_true (json_object_get_null_member (c, "usage"));
}

static void
test_openai_chat_stream_usage (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.chat.stream.usage");
  JsonObject *usage;

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  g_assert_false (json_object_get_null_member (c, "usage"));
  usage = json_object_get_object_member (c, "usage");
  g_assert_cmpint (num (usage, "completion_tokens"), ==, 16);
  g_assert_cmpint (num (usage, "prompt_tokens"), >, 0);
  g_assert_cmpint (num (usage, "total_tokens"), ==,
                   num (usage, "prompt_tokens") + num (usage, "completion_tokens"));
  /* The usage chunk has no choices, as OpenAI sends it. */
  g_assert_cmpint (num (c, "usage_choices"), ==, 0);
}

static void
test_openai_abort (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.abort");

  if (c == NULL)
    return;
  assert_ok (c);
  /* openai-node ends an aborted stream's loop quietly (or throws its
   * APIUserAbortError): either way, after the second chunk. */
  g_assert_true (!flag (c, "threw") || flag (c, "is_user_abort"));
  g_assert_cmpint (num (c, "chunks"), ==, 2);
  assert_cut_short (str (c, "text"));
}

static void
test_openai_after_abort (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.after-abort");

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
}

static void
test_openai_unknown_model (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.error.unknown-model");

  if (c == NULL)
    return;
  assert_unknown_model (c);
  g_assert_true (flag (c, "is_not_found"));
}

static void
test_openai_unknown_model_stream (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "openai.error.unknown-model.stream");

  if (c == NULL)
    return;
  assert_unknown_model (c);
  g_assert_true (flag (c, "is_not_found"));
}

/* The three aborted streams went to "slow": each reached its server as a
 * closed connection, so the engine stopped generating for nobody. */
static void
test_abort_reaches_engine (void)
{
  JsonObject *c = get_case (PHASE_MAIN, "end");

  if (c == NULL)
    return;
  g_assert_cmpuint (G.slow_closed, >=, 3);
}

/* A full queue */

static void
assert_429 (JsonObject *c)
{
  guint64 seconds = 0;

  assert_ok (c);
  g_assert_true (flag (c, "threw"));
  g_assert_cmpint (num (c, "status"), ==, 429);
  g_assert_nonnull (str (c, "message"));
  g_assert_cmpstr (str (c, "message"), !=, "");
  /* Retry-After in whole seconds, at least one (when the client lets us see it). */
  if (str (c, "retry_after") != NULL)
    {
      g_assert_true (g_ascii_string_to_unsigned (str (c, "retry_after"), 10, 1, 3600, &seconds,
                                                 NULL));
    }
}

static void
test_full_openai (void)
{
  JsonObject *c = get_case (PHASE_FULL, "openai.429.no-retry");
  JsonArray *attempts;

  if (c == NULL)
    return;
  assert_429 (c);
  g_assert_true (flag (c, "is_rate_limit"));
  g_assert_nonnull (str (c, "retry_after"));
  attempts = json_object_get_array_member (c, "attempts");
  g_assert_cmpuint (json_array_get_length (attempts), ==, 1);
  g_assert_cmpint (json_array_get_int_element (attempts, 0), ==, 429);
}

static void
test_full_ollama (void)
{
  JsonObject *c = get_case (PHASE_FULL, "ollama.429");

  if (c == NULL)
    return;
  assert_429 (c);
  g_assert_cmpstr (str (c, "class"), ==, "ResponseError");
}

static void
test_full_openai_stream (void)
{
  JsonObject *c = get_case (PHASE_FULL, "openai.429.stream");

  if (c == NULL)
    return;
  assert_429 (c);
  g_assert_true (flag (c, "is_rate_limit"));
}

/* openai-node waits as Retry-After says and tries again; by then there is room. */
static void
test_full_openai_retry (void)
{
  JsonObject *c = get_case (PHASE_FULL, "openai.429.retry");
  JsonArray *attempts;
  guint64 seconds = 0;

  if (c == NULL)
    return;
  assert_ok (c);
  g_assert_false (flag (c, "threw"));
  g_assert_cmpstr (str (c, "text"), ==, SENTENCE);
  attempts = json_object_get_array_member (c, "attempts");
  g_assert_cmpuint (json_array_get_length (attempts), ==, 2);
  g_assert_cmpint (json_array_get_int_element (attempts, 0), ==, 429);
  g_assert_cmpint (json_array_get_int_element (attempts, 1), ==, 200);
  g_assert_true (g_ascii_string_to_unsigned (str (c, "retry_after"), 10, 1, 3600, &seconds, NULL));
}

/* curl -N against hearth-cli serve */

static HearthTestServe *serve;

static gboolean
ensure_serve (void)
{
  if (!ensure_gateway ())
    return FALSE;
  if (serve == NULL)
    serve = hearth_test_serve_start (NULL);
  return TRUE;
}

/* curl's stdout and the status it printed last (-w). */
static char *
curl (const char *path,
      const char *body,
      guint      *status)
{
  g_autofree char *url = g_strconcat (hearth_test_serve_get_url (serve), path, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *mark;
  guint64 code = 0;

  if (body != NULL)
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "-sS", "-N",
                                "-H", "Content-Type: application/json", "-d", body,
                                "-w", "\nHTTP %{http_code}", url, NULL);
  else
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "-sS", "-N",
                                "-w", "\nHTTP %{http_code}", url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  mark = g_strrstr (out, "\nHTTP ");
  g_assert_nonnull (mark);
  *mark = '\0';
  g_assert_true (g_ascii_string_to_unsigned (mark + strlen ("\nHTTP "), 10, 100, 599, &code, NULL));
  *status = code;
  return g_steal_pointer (&out);
}

static gboolean
require_curl (void)
{
  g_autofree char *path = g_find_program_in_path ("curl");

  if (path == NULL)
    {
      g_printerr ("\n*** SKIPPED: curl is not installed (build-aux/setup.sh installs it) ***\n\n");
      g_test_skip ("curl is not installed");
    }
  return path != NULL;
}

static void
test_curl_root (void)
{
  g_autofree char *out = NULL;
  guint status;

  if (!require_curl () || !ensure_serve ())
    return;
  out = curl ("/", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (out, ==, "Ollama is running");
}

static void
test_curl_ollama_stream (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint status, n = 0;
  gboolean done = FALSE;

  if (!require_curl () || !ensure_serve ())
    return;
  out = curl ("/api/chat", "{\"model\":\"" FIXED "\",\"messages\":[{\"role\":\"user\","
              "\"content\":\"curl, Ollama's protocol\"}]}", &status);
  g_assert_cmpuint (status, ==, 200);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object, *message;

      if (*lines[i] == '\0')
        continue;
      g_assert_false (done);   /* nothing after the last line */
      node = hearth_test_parse_json (lines[i]);
      object = json_node_get_object (node);
      message = json_object_get_object_member (object, "message");
      if (message != NULL)
        g_string_append (text, json_object_get_string_member_with_default (message, "content", ""));
      done = json_object_get_boolean_member_with_default (object, "done", FALSE);
      n++;
    }
  g_assert_true (done);
  g_assert_cmpuint (n, >=, 2);  /* NDJSON: pieces, then the last line */
  g_assert_cmpstr (text->str, ==, SENTENCE);
}

static void
test_curl_openai_stream (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint status, n = 0;
  gboolean done = FALSE;

  if (!require_curl () || !ensure_serve ())
    return;
  out = curl ("/v1/chat/completions", "{\"model\":\"" FIXED "\",\"stream\":true,\"messages\":"
              "[{\"role\":\"user\",\"content\":\"curl, OpenAI's protocol\"}]}", &status);
  g_assert_cmpuint (status, ==, 200);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonArray *choices;

      if (!g_str_has_prefix (lines[i], "data: "))
        continue;
      g_assert_false (done);
      if (g_str_equal (lines[i], "data: [DONE]"))
        {
          done = TRUE;
          continue;
        }
      node = hearth_test_parse_json (lines[i] + strlen ("data: "));
      choices = json_object_get_array_member (json_node_get_object (node), "choices");
      g_assert_nonnull (choices);
      if (json_array_get_length (choices) > 0)
        {
          JsonObject *delta = json_object_get_object_member (json_array_get_object_element (choices, 0),
                                                             "delta");

          if (delta != NULL && json_object_has_member (delta, "content") &&
              !json_object_get_null_member (delta, "content"))
            g_string_append (text, json_object_get_string_member (delta, "content"));
        }
      n++;
    }
  g_assert_true (done);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (text->str, ==, SENTENCE);
}

static void
test_curl_unknown_model (void)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint status;

  if (!require_curl () || !ensure_serve ())
    return;
  out = curl ("/api/chat", "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\","
              "\"content\":\"hello\"}]}", &status);
  g_assert_cmpuint (status, ==, 404);
  /* Ollama's shape: {"error": "…"}, naming the model. */
  node = hearth_test_parse_json (out);
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (node), "error"),
                            "no-such-model"));
}

static void
clean_up (void)
{
  g_clear_pointer (&serve, hearth_test_serve_free);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&G.cases[i], g_hash_table_unref);
      g_clear_pointer (&G.failure[i], g_free);
    }
  g_clear_pointer (&G.gw, hearth_test_gateway_free);
  g_clear_pointer (&G.slow, hearth_test_server_stop);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  hearth_test_init (&argc, &argv);

  g_test_add_func ("/gateway-clients/ollama/list", test_ollama_list);
  g_test_add_func ("/gateway-clients/ollama/show", test_ollama_show);
  g_test_add_func ("/gateway-clients/ollama/chat", test_ollama_chat);
  g_test_add_func ("/gateway-clients/ollama/chat-stream", test_ollama_chat_stream);
  g_test_add_func ("/gateway-clients/ollama/generate", test_ollama_generate);
  g_test_add_func ("/gateway-clients/ollama/generate-stream", test_ollama_generate_stream);
  g_test_add_func ("/gateway-clients/ollama/ps", test_ollama_ps);
  g_test_add_func ("/gateway-clients/ollama/pull", test_ollama_pull);
  g_test_add_func ("/gateway-clients/ollama/abort-stream", test_ollama_abort_stream);
  g_test_add_func ("/gateway-clients/ollama/abort-client", test_ollama_abort_client);
  g_test_add_func ("/gateway-clients/ollama/after-abort", test_ollama_after_abort);
  g_test_add_func ("/gateway-clients/ollama/unknown-model", test_ollama_unknown_model);
  g_test_add_func ("/gateway-clients/ollama/unknown-model-stream", test_ollama_unknown_model_stream);
  g_test_add_func ("/gateway-clients/openai/models", test_openai_models);
  g_test_add_func ("/gateway-clients/openai/chat", test_openai_chat);
  g_test_add_func ("/gateway-clients/openai/chat-stream", test_openai_chat_stream);
  g_test_add_func ("/gateway-clients/openai/chat-stream-usage", test_openai_chat_stream_usage);
  g_test_add_func ("/gateway-clients/openai/abort", test_openai_abort);
  g_test_add_func ("/gateway-clients/openai/after-abort", test_openai_after_abort);
  g_test_add_func ("/gateway-clients/openai/unknown-model", test_openai_unknown_model);
  g_test_add_func ("/gateway-clients/openai/unknown-model-stream", test_openai_unknown_model_stream);
  g_test_add_func ("/gateway-clients/abort-reaches-engine", test_abort_reaches_engine);
  g_test_add_func ("/gateway-clients/full/openai", test_full_openai);
  g_test_add_func ("/gateway-clients/full/ollama", test_full_ollama);
  g_test_add_func ("/gateway-clients/full/openai-stream", test_full_openai_stream);
  g_test_add_func ("/gateway-clients/full/openai-retry", test_full_openai_retry);
  g_test_add_func ("/gateway-clients/curl/root", test_curl_root);
  g_test_add_func ("/gateway-clients/curl/ollama-stream", test_curl_ollama_stream);
  g_test_add_func ("/gateway-clients/curl/openai-stream", test_curl_openai_stream);
  g_test_add_func ("/gateway-clients/curl/unknown-model", test_curl_unknown_model);

  status = g_test_run ();
  clean_up ();
  return status;
}
