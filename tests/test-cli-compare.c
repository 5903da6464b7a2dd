/* test-cli-compare.c — hearth-cli compare, ensembles, ask --ensemble, rate and feedback end to end:
 * the real hearth-cli, the real test engine serving several `fixed` models that each answer
 * their own sentence, the fault server as a second server of the list, the history, the
 * feedback and the config files in a temporary XDG home
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hearth-answer-set.h"
#include "hearth-feedback.h"
#include "hearth-store.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* What each model answers, whatever it is asked. A and C agree, word for word. */
#define SENTENCE_A      "Paris is the capital of France."
#define SENTENCE_B      "The capital of France is Lyon."
#define SENTENCE_JUDGE  "Answer 2 is the best one."
#define SENTENCE_REFUSE "I can't help with that."

#define QUESTION "What is the capital of France?"

/* The shared engine, with every model made before it starts; "engine" (the
 * default server) and "faulty" (the fault server) in servers.conf. */

static gboolean set_up;

static void
make_fixed_model (const char *name,
                  const char *sentence)
{
  g_free (hearth_test_make_fixed_model (name, sentence));
}

static HearthTestRun *
run_ok (HearthTestRun *run)
{
  if (run->exit_code != 0)
    g_test_message ("exit %d\nout: %s\nerr: %s", run->exit_code, run->out, run->err);
  g_assert_cmpint (run->exit_code, ==, 0);
  return run;
}

/* A failure as every command reports one: @exit_code, nothing on standard
 * output, one line on standard error that holds @word. */
static void
assert_error (HearthTestRun *run,
              int            exit_code,
              const char    *word)
{
  g_test_message ("exit %d: %s", run->exit_code, run->err);
  g_assert_cmpint (run->exit_code, ==, exit_code);
  g_assert_cmpstr (run->out, ==, "");
  hearth_test_assert_one_line (run->err);
  if (word != NULL)
    g_assert_nonnull (strstr (run->err, word));
}

/* The alert rules a new user has would judge the test's models too; they are not the point. */
static void
disable_default_alert_rules (void)
{
  g_autoptr(HearthTestRun) rules = run_ok (hearth_test_run_cli (NULL, "alerts", "rules", "--json",
                                                                NULL));
  g_autoptr(JsonNode) root = hearth_test_parse_json (rules->out);
  JsonArray *array = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             json_object_get_int_member (
                                               json_array_get_object_element (array, i), "id"));
      g_autoptr(HearthTestRun) off = run_ok (hearth_test_run_cli (NULL, "alerts", "disable", id,
                                                                  NULL));
    }
}

static gboolean
setup (void)
{
  if (!hearth_test_require_node ())
    return FALSE;
  if (!set_up)
    {
      make_fixed_model ("tiny-a", SENTENCE_A);
      make_fixed_model ("tiny-b", SENTENCE_B);
      make_fixed_model ("tiny-c", SENTENCE_A);
      make_fixed_model ("tiny-judge", SENTENCE_JUDGE);
      make_fixed_model ("tiny-refuse", SENTENCE_REFUSE);
      {
        g_autoptr(HearthTestRun) engine =
          run_ok (hearth_test_run_cli (NULL, "servers", "add", "engine", "--url",
                                       hearth_test_engine_url (), "--api", "ollama", NULL));
        g_autoptr(HearthTestRun) faulty =
          run_ok (hearth_test_run_cli (NULL, "servers", "add", "faulty", "--url",
                                       hearth_test_fault_url (), "--api", "ollama", NULL));
        g_autoptr(HearthTestRun) by_default =
          run_ok (hearth_test_run_cli (NULL, "servers", "default", "engine", NULL));
      }
      disable_default_alert_rules ();
      set_up = TRUE;
    }
  return TRUE;
}

/* Takes @run. */
static JsonNode *
run_json (HearthTestRun *run)
{
  g_autoptr(HearthTestRun) owned = run_ok (run);

  return hearth_test_parse_json (owned->out);
}

/* The message @id as the history reads it back, its pick and rating too. */
static HearthMessage *
stored_message (gint64 id)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conversations = hearth_store_list_conversations (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < conversations->len; i++)
    {
      HearthConversation *conversation = g_ptr_array_index (conversations, i);
      g_autoptr(GPtrArray) messages = hearth_store_list_messages (store, conversation->id, 0, 0,
                                                                  &error);

      g_assert_no_error (error);
      for (guint j = 0; j < messages->len; j++)
        if (((HearthMessage *) g_ptr_array_index (messages, j))->id == id)
          return g_ptr_array_steal_index (messages, j);
    }
  g_assert_not_reached ();
}

static JsonObject *
candidate (JsonObject *set,
           guint       index)
{
  JsonArray *candidates = json_object_get_array_member (set, "candidates");

  g_assert_cmpuint (index, <, json_array_get_length (candidates));
  return json_array_get_object_element (candidates, index);
}

/* compare --json of tiny-a and tiny-b: the object, checked for its documented keys */
static JsonNode *
compare_json (const char *models)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "compare", "--models", models,
                                                      "--no-cache", "--json", QUESTION, NULL);
  JsonNode *root = run_json (g_steal_pointer (&run));
  JsonObject *set = json_node_get_object (root);
  const char *keys[] = { "model", "server", "content", "state", "error", "figures",
                         "message_id", "waited" };
  const char *figures[] = { "ttft_ms", "total_ms", "tokens_out", "tokens_per_s", "load_ms" };

  g_assert_true (json_object_has_member (set, "candidates"));
  g_assert_nonnull (json_object_get_string_member (set, "schedule"));
  g_assert_cmpint (json_object_get_int_member (set, "question_id"), >, 0);
  g_assert_cmpint (json_object_get_int_member (set, "conversation_id"), >, 0);
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (set, "candidates"));
       i++)
    {
      JsonObject *c = candidate (set, i);

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        g_assert_true (json_object_has_member (c, keys[k]));
      for (guint k = 0; k < G_N_ELEMENTS (figures); k++)
        g_assert_true (json_object_has_member (json_object_get_object_member (c, "figures"),
                                               figures[k]));
    }
  return root;
}

/* The line of @text that starts with @prefix (the first one that is not an answer's header) */
static char *
line_starting (const char *text,
               const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);
  g_test_message ("no line starts with %s in:\n%s", prefix, text);
  g_assert_not_reached ();
}

/* compare */

static gint64 kept_id;      /* tiny-b's answer of the first compare */
static gint64 other_id;     /* tiny-a's */
static gint64 question_id;

static void
test_compare_two_models (void)
{
  g_autoptr(HearthTestRun) text = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *a_line = NULL, *b_line = NULL;
  JsonObject *set, *a, *b;

  if (!setup ())
    return;
  root = compare_json ("tiny-a,tiny-b");
  set = json_node_get_object (root);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (set, "candidates")), ==, 2);
  a = candidate (set, 0);
  b = candidate (set, 1);
  g_assert_cmpstr (json_object_get_string_member (a, "content"), ==, SENTENCE_A);
  g_assert_cmpstr (json_object_get_string_member (b, "content"), ==, SENTENCE_B);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *c = candidate (set, i);
      JsonObject *figures = json_object_get_object_member (c, "figures");

      g_assert_cmpstr (json_object_get_string_member (c, "state"), ==, "done");
      g_assert_true (json_object_get_null_member (c, "error"));
      g_assert_cmpstr (json_object_get_string_member (c, "server"), ==, "engine");
      g_assert_cmpint (json_object_get_int_member (c, "message_id"), >, 0);
      g_assert_cmpfloat (json_object_get_double_member (figures, "tokens_per_s"), >, 0);
      g_assert_cmpfloat (json_object_get_double_member (figures, "ttft_ms"), >, 0);
    }
  /* two models of one Ollama server: one after another, so one of them waited */
  g_assert_true (json_object_get_boolean_member (a, "waited") ||
                 json_object_get_boolean_member (b, "waited"));
  g_assert_cmpstr (json_object_get_string_member (set, "schedule"), !=, "");
  /* --conversation continues that conversation: the answers join it */
  {
    g_autofree char *conversation =
      g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (set, "conversation_id"));
    g_autoptr(HearthTestRun) more = hearth_test_run_cli (NULL, "compare", "--models",
                                                         "tiny-a,tiny-b", "--conversation",
                                                         conversation, "--json",
                                                         "And of Italy?", NULL);
    g_autoptr(JsonNode) next = run_json (g_steal_pointer (&more));

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (next), "conversation_id"),
                     ==, json_object_get_int_member (set, "conversation_id"));
  }
  other_id = json_object_get_int_member (a, "message_id");
  kept_id = json_object_get_int_member (b, "message_id");
  question_id = json_object_get_int_member (set, "question_id");

  /* to a pipe: each answer whole under its model, then each one's figures */
  text = run_ok (hearth_test_run_cli (NULL, "compare", "--models", "tiny-a,tiny-b", "--no-cache",
                                      QUESTION, NULL));
  g_test_message ("%s", text->out);
  g_assert_cmpstr (text->err, ==, "");
  g_assert_nonnull (strstr (text->out, "── tiny-a"));
  g_assert_nonnull (strstr (text->out, " on engine ──\n" SENTENCE_A "\n"));
  g_assert_nonnull (strstr (text->out, " on engine ──\n" SENTENCE_B "\n"));
  a_line = line_starting (text->out, "tiny-a");
  b_line = line_starting (text->out, "tiny-b");
  for (guint i = 0; i < 2; i++)
    {
      const char *line = i == 0 ? a_line : b_line;

      g_test_message ("figures: %s", line);
      g_assert_nonnull (strstr (line, " on engine: "));
      g_assert_nonnull (strstr (line, " tokens/s"));
      g_assert_nonnull (strstr (line, "first token after "));
      g_assert_nonnull (strstr (line, ". Message "));
    }
  g_assert_nonnull (strstr (text->out, "waited for another model"));
  g_assert_nonnull (strstr (text->out, json_object_get_string_member (set, "schedule")));
  g_assert_nonnull (strstr (text->out, "compare --pick MESSAGE_ID"));
}

/* One member fails: the other still answers, the failure is named in its place. */
static void
test_compare_one_fails (void)
{
  g_autoptr(HearthTestRun) text = NULL, all = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *failed;

  if (!setup ())
    return;
  root = compare_json ("tiny-a,error-500@faulty");
  failed = candidate (json_node_get_object (root), 1);
  g_assert_cmpstr (json_object_get_string_member (candidate (json_node_get_object (root), 0),
                                                  "content"), ==, SENTENCE_A);
  g_assert_cmpstr (json_object_get_string_member (failed, "state"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (failed, "server"), ==, "faulty");
  g_assert_nonnull (json_object_get_string_member (failed, "error"));

  /* exit 0: one model answered; the failed one named on stdout and in one line on stderr */
  text = run_ok (hearth_test_run_cli (NULL, "compare", "--models", "tiny-a,error-500@faulty",
                                      "--no-cache", QUESTION, NULL));
  g_assert_nonnull (strstr (text->out, SENTENCE_A));
  g_assert_nonnull (strstr (text->out, "── error-500"));
  g_assert_nonnull (strstr (text->out, " on faulty ──\n(no answer: "));
  {
    g_autofree char *line = line_starting (text->out, "error-500");

    g_assert_nonnull (strstr (line, " on faulty: failed: "));
  }
  hearth_test_assert_one_line (text->err);
  g_assert_true (g_str_has_prefix (text->err, "hearth-cli: error-500"));
  g_assert_nonnull (strstr (text->err, " did not answer: "));

  /* none answered: the first failure's exit code (5, a server error), a line for each */
  all = hearth_test_run_cli (NULL, "compare", "--models", "error-500@faulty,error-in-stream@faulty",
                             "--no-cache", QUESTION, NULL);
  g_assert_cmpint (all->exit_code, ==, 5);
  g_assert_nonnull (strstr (all->err, "hearth-cli: error-500"));
  g_assert_nonnull (strstr (all->err, "hearth-cli: error-in-stream"));
}

/* "Use this answer" */
static void
test_compare_pick (void)
{
  g_autoptr(HearthTestRun) pick = NULL, not_candidate = NULL, unknown = NULL, both = NULL;
  g_autoptr(HearthMessage) kept = NULL, other = NULL;
  g_autofree char *id = NULL, *question = NULL;

  if (!setup ())
    return;
  if (kept_id == 0)
    test_compare_two_models ();
  id = g_strdup_printf ("%" G_GINT64_FORMAT, kept_id);
  pick = run_ok (hearth_test_run_cli (NULL, "compare", "--pick", id, NULL));
  g_assert_nonnull (strstr (pick->out, id));
  kept = stored_message (kept_id);
  other = stored_message (other_id);
  g_assert_cmpint (kept->pick, ==, HEARTH_PICK_USER);
  g_assert_cmpint (other->pick, ==, HEARTH_PICK_NOT);

  /* the question is no candidate; a message that is not there is not found */
  question = g_strdup_printf ("%" G_GINT64_FORMAT, question_id);
  not_candidate = hearth_test_run_cli (NULL, "compare", "--pick", question, NULL);
  g_assert_cmpint (not_candidate->exit_code, !=, 0);
  g_assert_cmpstr (not_candidate->out, ==, "");
  hearth_test_assert_one_line (not_candidate->err);
  unknown = hearth_test_run_cli (NULL, "compare", "--pick", "99999999", NULL);
  assert_error (unknown, 4, "99999999");
  both = hearth_test_run_cli (NULL, "compare", "--pick", id, "--models", "tiny-a,tiny-b", NULL);
  assert_error (both, 2, "--pick");
}

static void
test_compare_usage (void)
{
  struct { const char *args[8]; int exit_code; const char *word; } cases[] = {
    { { "compare", QUESTION, NULL }, 2, "--models" },
    { { "compare", "--models", "tiny-a", QUESTION, NULL }, 2, "2 to 4" },
    { { "compare", "--models", "tiny-a,tiny-b,tiny-c,tiny-judge,tiny-refuse", QUESTION, NULL },
      2, "2 to 4" },
    { { "compare", "--models", "tiny-a,tiny-a", QUESTION, NULL }, 2, "twice" },
    { { "compare", "--models", "tiny-a,,tiny-b", QUESTION, NULL }, 2, "empty" },
    { { "compare", "--models", "tiny-a,tiny-b", NULL }, 2, "Say what to ask" },
    { { "compare", "--models", "tiny-a,tiny-b", "  ", NULL }, 2, "empty" },
    { { "compare", "--models", "tiny-a,tiny-b@nowhere", QUESTION, NULL }, 4, "nowhere" },
  };

  if (!setup ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, cases[i].args);

      assert_error (run, cases[i].exit_code, cases[i].word);
    }
}

/* A terminal: a pseudo-terminal in raw mode, read until the command closes it */

typedef struct
{
  int      master;
  GString *text;
} TerminalReader;

static gpointer
read_terminal (gpointer data)
{
  TerminalReader *reader = data;
  char buffer[4096];
  ssize_t n;

  /* EIO once the last copy of the other side is closed */
  while ((n = read (reader->master, buffer, sizeof buffer)) > 0)
    g_string_append_len (reader->text, buffer, n);
  return NULL;
}

/* hearth-cli with its standard output on a terminal; what it showed, byte for byte */
static char *
run_on_terminal (const char * const *args,
                 int                *exit_code)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  TerminalReader reader = { -1, g_string_new (NULL) };
  struct termios raw;
  GThread *thread;
  int other;

  reader.master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (reader.master, >=, 0);
  g_assert_cmpint (grantpt (reader.master), ==, 0);
  g_assert_cmpint (unlockpt (reader.master), ==, 0);
  other = open (ptsname (reader.master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (other, >=, 0);
  g_assert_cmpint (tcgetattr (other, &raw), ==, 0);
  cfmakeraw (&raw);
  g_assert_cmpint (tcsetattr (other, TCSANOW, &raw), ==, 0);

  g_ptr_array_add (argv, cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_take_stdout_fd (launcher, other);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);   /* closes its copy of the terminal's other side */
  thread = g_thread_new ("terminal", read_terminal, &reader);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  close (reader.master);
  *exit_code = g_subprocess_get_exit_status (process);
  return g_string_free (reader.text, FALSE);
}

/* On a terminal each answer streams, every line after its model's name. */
static void
test_compare_terminal (void)
{
  const char *args[] = { "compare", "--models", "tiny-a,tiny-b", "--no-cache", QUESTION, NULL };
  g_autofree char *shown = NULL;
  g_autofree char *a_line = NULL, *b_line = NULL;
  int exit_code = -1;

  if (!setup ())
    return;
  shown = run_on_terminal (args, &exit_code);
  g_test_message ("%s", shown);
  g_assert_cmpint (exit_code, ==, 0);
  a_line = line_starting (shown, "tiny-a");
  b_line = line_starting (shown, "tiny-b");
  /* the names padded to one width, so that the answers line up */
  g_assert_true (g_str_has_suffix (a_line, " │ " SENTENCE_A));
  g_assert_true (g_str_has_suffix (b_line, " │ " SENTENCE_B));
  g_assert_cmpint (strstr (a_line, " │ ") - a_line, ==, strstr (b_line, " │ ") - b_line);
  /* then the figures, as to a pipe */
  g_assert_nonnull (strstr (shown, " on engine: "));
  g_assert_nonnull (strstr (shown, "compare --pick MESSAGE_ID"));
}

/* Ctrl+C stops every answer of the set. */
static void
test_compare_interrupt (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GPtrArray) conversations = NULL, messages = NULL;
  HearthMessage *slow = NULL;

  if (!setup ())
    return;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, cli, "compare", "--models", "tiny-a,slow@faulty",
                              "--no-cache", "go slowly", NULL);
  g_assert_no_error (error);
  /* the slow model streams for ten seconds; this is well inside it */
  g_usleep (1500 * 1000);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  hearth_test_assert_one_line (err);
  g_assert_nonnull (strstr (err, "Interrupted"));

  store = hearth_test_open_history ();
  conversations = hearth_store_list_conversations (store, &error);
  g_assert_no_error (error);
  messages = hearth_store_list_messages (store,
                                         ((HearthConversation *) g_ptr_array_index (conversations,
                                                                                    0))->id,
                                         0, 0, &error);
  g_assert_no_error (error);
  /* the slow one was stopped, and kept as stopped */
  for (guint i = 0; i < messages->len; i++)
    {
      HearthMessage *message = g_ptr_array_index (messages, i);

      if (message->model != NULL && g_str_has_prefix (message->model, "slow"))
        slow = message;
    }
  g_assert_nonnull (slow);
  g_assert_cmpint (slow->state, ==, HEARTH_MESSAGE_CANCELLED);
}

/* ensembles */

static JsonObject *
find_ensemble (JsonNode   *list,
               const char *name)
{
  JsonArray *array = json_node_get_array (list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *ensemble = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (ensemble, "name"), name))
        return ensemble;
    }
  return NULL;
}

static void
test_ensembles (void)
{
  g_autoptr(HearthTestRun) add = NULL, again = NULL, replace = NULL, list = NULL, removed = NULL;
  g_autoptr(JsonNode) json = NULL, after = NULL;
  g_autofree char *conf = hearth_test_build_tmp_path ("config", "hearth", "ensembles.conf", NULL);
  g_autofree char *contents = NULL;
  JsonObject *trio;
  struct { const char *args[12]; int exit_code; const char *word; } bad[] = {
    { { "ensembles", "add", "solo", "--models", "tiny-a", "--method", "vote", NULL }, 2, "2 to 4" },
    { { "ensembles", "add", "x", "--models", "tiny-a,tiny-b", "--method", "majority", NULL },
      2, "majority" },
    { { "ensembles", "add", "x", "--models", "tiny-a,tiny-b", "--method", "judge", NULL },
      2, "--judge" },
    { { "ensembles", "add", "x", "--models", "tiny-a,tiny-b", "--method", "vote", "--judge",
        "tiny-judge", NULL }, 2, "--judge" },
    { { "ensembles", "add", "x", "--models", "tiny-a,tiny-b", NULL }, 2, "--method" },
    { { "ensembles", "add", "x", "--models", "tiny-a,tiny-b@nowhere", "--method", "vote", NULL },
      4, "nowhere" },
    { { "ensembles", "add", "bad name!", "--models", "tiny-a,tiny-b", "--method", "vote", NULL },
      2, NULL },
    { { "ensembles", "remove", "nope", NULL }, 4, "nope" },
    { { "ensembles", "list", "--method", "vote", NULL }, 2, "ensembles add" },
    { { "ensembles", "rename", "trio", NULL }, 2, NULL },
  };

  if (!setup ())
    return;
  add = run_ok (hearth_test_run_cli (NULL, "ensembles", "add", "trio", "--models",
                                     "tiny-a,tiny-b,tiny-c", "--method", "vote", NULL));
  g_assert_nonnull (strstr (add->out, "trio"));
  g_assert_true (g_file_get_contents (conf, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "trio"));

  again = hearth_test_run_cli (NULL, "ensembles", "add", "trio", "--models", "tiny-a,tiny-b",
                               "--method", "vote", NULL);
  assert_error (again, 2, "--replace");

  replace = run_ok (hearth_test_run_cli (NULL, "ensembles", "add", "trio", "--models",
                                         "tiny-a,tiny-b,tiny-c", "--method", "judge", "--judge",
                                         "tiny-judge", "--replace", NULL));
  json = run_json (hearth_test_run_cli (NULL, "ensembles", "list", "--json", NULL));
  trio = find_ensemble (json, "trio");
  g_assert_nonnull (trio);
  g_assert_cmpstr (json_object_get_string_member (trio, "method"), ==, "judge");
  g_assert_cmpstr (json_object_get_string_member (trio, "judge"), ==, "tiny-judge");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (trio, "models")), ==, 3);

  list = run_ok (hearth_test_run_cli (NULL, "ensembles", "list", NULL));
  g_assert_nonnull (strstr (list->out, "trio"));
  g_assert_nonnull (strstr (list->out, "tiny-a, tiny-b, tiny-c"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, bad[i].args);

      assert_error (run, bad[i].exit_code, bad[i].word);
    }

  /* a named ensemble is asked as such: the judge picks the second answer */
  {
    g_autoptr(HearthTestRun) ask = run_ok (hearth_test_run_cli (NULL, "ask", "--ensemble", "trio",
                                                                "--json", QUESTION, NULL));
    g_autoptr(JsonNode) root = hearth_test_parse_json (ask->out);
    JsonObject *set = json_node_get_object (root);
    JsonObject *judge = json_object_get_object_member (set, "judge");

    g_assert_cmpstr (json_object_get_string_member (set, "content"), ==, SENTENCE_B);
    g_assert_cmpint (json_object_get_int_member (set, "winner"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (set, "ensemble"), ==, "trio");
    g_assert_cmpstr (json_object_get_string_member (set, "method"), ==, "judge");
    g_assert_nonnull (judge);
    g_assert_cmpstr (json_object_get_string_member (judge, "verdict"), ==, SENTENCE_JUDGE);
    g_assert_nonnull (json_object_get_string_member (set, "reason"));
  }

  removed = run_ok (hearth_test_run_cli (NULL, "ensembles", "remove", "trio", NULL));
  after = run_json (hearth_test_run_cli (NULL, "ensembles", "list", "--json", NULL));
  g_assert_null (find_ensemble (after, "trio"));
  {
    g_autoptr(HearthTestRun) gone = hearth_test_run_cli (NULL, "ask", "--ensemble", "trio",
                                                         QUESTION, NULL);

    assert_error (gone, 4, "trio");
  }
}

/* ask --ensemble-models: vote and first-good on crafted answers */
static void
test_ask_ensemble (void)
{
  g_autoptr(HearthTestRun) vote = NULL, json = NULL, first_good = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *set;
  gint64 winner;

  if (!setup ())
    return;
  /* A and C say the same: they win 2 of 3; only the winner's text on stdout */
  vote = run_ok (hearth_test_run_cli (NULL, "ask", "--ensemble-models", "tiny-a,tiny-b,tiny-c",
                                      "--method", "vote", "--no-cache", QUESTION, NULL));
  g_test_message ("%s", vote->err);
  g_assert_cmpstr (vote->out, ==, SENTENCE_A);
  g_assert_nonnull (strstr (vote->err, " won (Majority vote): "));
  g_assert_nonnull (strstr (vote->err, "2 of 3"));

  json = run_ok (hearth_test_run_cli (NULL, "ask", "--ensemble-models", "tiny-a,tiny-b,tiny-c",
                                      "--method", "vote", "--json", QUESTION, NULL));
  root = hearth_test_parse_json (json->out);
  set = json_node_get_object (root);
  winner = json_object_get_int_member (set, "winner");
  g_assert_true (winner == 0 || winner == 2);
  g_assert_cmpstr (json_object_get_string_member (set, "content"), ==, SENTENCE_A);
  g_assert_nonnull (strstr (json_object_get_string_member (set, "reason"), "2 of 3"));
  g_assert_true (json_object_get_null_member (set, "ensemble"));
  g_assert_true (json_object_get_null_member (set, "judge"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (set, "candidates")), ==, 3);
  g_assert_cmpint (json_object_get_int_member (set, "message_id"), ==,
                   json_object_get_int_member (candidate (set, winner), "message_id"));

  /* the refusal is not a good answer, however fast */
  first_good = run_ok (hearth_test_run_cli (NULL, "ask", "--ensemble-models", "tiny-refuse,tiny-a",
                                            "--method", "first-good", "--no-cache", QUESTION, NULL));
  g_assert_cmpstr (first_good->out, ==, SENTENCE_A);

  /* every member fails: nothing on stdout, each failure named, the first one's exit code */
  {
    g_autoptr(HearthTestRun) failed =
      hearth_test_run_cli (NULL, "ask", "--ensemble-models", "error-500@faulty,error-in-stream@faulty",
                           "--method", "vote", "--no-cache", QUESTION, NULL);

    g_test_message ("%s", failed->err);
    g_assert_cmpint (failed->exit_code, ==, 5);
    g_assert_cmpstr (failed->out, ==, "");
    g_assert_nonnull (strstr (failed->err, "hearth-cli: error-500"));
    g_assert_nonnull (strstr (failed->err, "hearth-cli: error-in-stream"));
  }

  {
    struct { const char *args[12]; int exit_code; const char *word; } bad[] = {
      { { "ask", "--ensemble-models", "tiny-a,tiny-b", QUESTION, NULL }, 2, "--method" },
      { { "ask", "--ensemble-models", "tiny-a,tiny-b", "--method", "best", QUESTION, NULL },
        2, "best" },
      { { "ask", "--method", "vote", QUESTION, NULL }, 2, "--ensemble-models" },
      { { "ask", "--ensemble", "x", "--model", "tiny-a", QUESTION, NULL }, 2, "--model" },
      { { "ask", "--ensemble", "x", "--method", "vote", QUESTION, NULL }, 2, "--method" },
      { { "ask", "--ensemble", "nope", QUESTION, NULL }, 4, "nope" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, bad[i].args);

        assert_error (run, bad[i].exit_code, bad[i].word);
      }
  }
}

/* rate */

static void
test_rate (void)
{
  g_autoptr(HearthTestRun) up = NULL, down = NULL, clear = NULL;
  g_autoptr(HearthMessage) after_up = NULL, after_down = NULL, after_clear = NULL;
  g_autofree char *id = NULL, *question = NULL, *long_note = NULL;

  if (!setup ())
    return;
  if (other_id == 0)
    test_compare_two_models ();
  id = g_strdup_printf ("%" G_GINT64_FORMAT, other_id);
  up = run_ok (hearth_test_run_cli (NULL, "rate", id, "up", NULL));
  after_up = stored_message (other_id);
  g_assert_cmpint (after_up->rating, ==, 1);

  down = run_ok (hearth_test_run_cli (NULL, "rate", id, "down", "--note", "Lyon is wrong", NULL));
  after_down = stored_message (other_id);
  g_assert_cmpint (after_down->rating, ==, -1);
  g_assert_cmpstr (after_down->rating_note, ==, "Lyon is wrong");

  clear = run_ok (hearth_test_run_cli (NULL, "rate", id, "clear", NULL));
  after_clear = stored_message (other_id);
  g_assert_cmpint (after_clear->rating, ==, 0);

  question = g_strdup_printf ("%" G_GINT64_FORMAT, question_id);
  long_note = g_strnfill (HEARTH_FEEDBACK_NOTE_MAX + 1, 'x');
  {
    struct { const char *args[8]; int exit_code; const char *word; } bad[] = {
      { { "rate", "abc", "up", NULL }, 2, "abc" },
      { { "rate", id, "sideways", NULL }, 2, "sideways" },
      { { "rate", id, NULL }, 2, "up|down|clear" },
      { { "rate", id, "clear", "--note", "why", NULL }, 2, "--note" },
      { { "rate", id, "up", "--note", long_note, NULL }, 2, "500" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, bad[i].args);

        assert_error (run, bad[i].exit_code, bad[i].word);
      }
  }
  /* a message that is not there: not found, exit 4, as compare --pick */
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "rate", "99999999", "up", NULL);

    g_assert_cmpint (run->exit_code, ==, 4);
    g_assert_cmpstr (run->out, ==, "");
    hearth_test_assert_one_line (run->err);
    g_assert_nonnull (strstr (run->err, "99999999"));
  }
  /* a question is not a reply */
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "rate", question, "up", NULL);

    g_assert_cmpint (run->exit_code, !=, 0);
    g_assert_cmpstr (run->out, ==, "");
    hearth_test_assert_one_line (run->err);
  }
}

/* feedback stats, export and routing */

static JsonObject *
find_record (JsonObject *stats,
             const char *model_prefix,
             const char *kind)
{
  JsonArray *records = json_object_get_array_member (stats, "records");

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (g_str_has_prefix (json_object_get_string_member (record, "model"), model_prefix) &&
          g_str_equal (json_object_get_string_member (record, "kind"), kind))
        return record;
    }
  return NULL;
}

/* Each line of @text is a JSON object that has @keys. */
static guint
check_jsonl (const char         *text,
             const char * const *keys)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) line = NULL;

      if (lines[i][0] == '\0' && lines[i + 1] == NULL)
        break;
      line = hearth_test_parse_json (lines[i]);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (line));
      for (guint k = 0; keys[k] != NULL; k++)
        g_assert_true (json_object_has_member (json_node_get_object (line), keys[k]));
      n++;
    }
  return n;
}

static void
test_feedback (void)
{
  g_autoptr(JsonNode) root = NULL, stats_root = NULL;
  g_autoptr(HearthTestRun) pick = NULL, up = NULL, down = NULL, table = NULL, pairs = NULL;
  g_autoptr(HearthTestRun) ratings = NULL;
  g_autofree char *b_id = NULL, *a_id = NULL, *file = NULL, *contents = NULL;
  const char *pair_keys[] = { "prompt", "chosen", "rejected", NULL };
  const char *rating_keys[] = { "prompt", "response", "model", "rating", NULL };
  GStatBuf st;
  JsonObject *stats, *record;

  if (!setup ())
    return;
  /* a compare of its own: B kept and rated up, A rated down */
  root = compare_json ("tiny-a,tiny-b");
  a_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                          json_object_get_int_member (candidate (json_node_get_object (root), 0),
                                                      "message_id"));
  b_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                          json_object_get_int_member (candidate (json_node_get_object (root), 1),
                                                      "message_id"));
  pick = run_ok (hearth_test_run_cli (NULL, "compare", "--pick", b_id, NULL));
  up = run_ok (hearth_test_run_cli (NULL, "rate", b_id, "up", NULL));
  down = run_ok (hearth_test_run_cli (NULL, "rate", a_id, "down", NULL));

  stats_root = run_json (hearth_test_run_cli (NULL, "feedback", "stats", "--json", NULL));
  stats = json_node_get_object (stats_root);
  g_assert_cmpint (json_object_get_int_member (stats, "ratings"), >=, 2);
  g_assert_cmpint (json_object_get_int_member (stats, "picks"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "pairs"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "min_ratings"), ==,
                   HEARTH_FEEDBACK_MIN_RATINGS);
  record = find_record (stats, "tiny-b", "all");
  g_assert_nonnull (record);
  g_assert_cmpint (json_object_get_int_member (record, "ups"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (record, "pick_wins"), >=, 1);
  record = find_record (stats, "tiny-a", "all");
  g_assert_nonnull (record);
  g_assert_cmpint (json_object_get_int_member (record, "downs"), >=, 1);

  table = run_ok (hearth_test_run_cli (NULL, "feedback", "stats", "--since", "30d", NULL));
  g_assert_nonnull (strstr (table->out, "tiny-b"));
  g_assert_nonnull (strstr (table->out, "preference"));

  pairs = run_ok (hearth_test_run_cli (NULL, "feedback", "export", "--format", "pairs", NULL));
  g_assert_cmpuint (check_jsonl (pairs->out, pair_keys), >=, 1);
  g_assert_nonnull (strstr (pairs->out, SENTENCE_B));

  file = hearth_test_build_tmp_path ("ratings.jsonl", NULL);
  ratings = run_ok (hearth_test_run_cli (NULL, "feedback", "export", "--format", "ratings",
                                         "--since", "30d", "--output", file, NULL));
  g_assert_cmpstr (ratings->out, ==, "");
  g_assert_nonnull (strstr (ratings->err, file));
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpuint (check_jsonl (contents, rating_keys), >=, 2);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  {
    struct { const char *args[10]; int exit_code; const char *word; } bad[] = {
      { { "feedback", "export", NULL }, 2, "--format" },
      { { "feedback", "export", "--format", "csv", NULL }, 2, "csv" },
      { { "feedback", "stats", "--since", "soon", NULL }, 2, "soon" },
      { { "feedback", "stats", "--format", "pairs", NULL }, 2, "export" },
      { { "feedback", "teach", NULL }, 2, "feedback stats" },
      { { "feedback", "routing", "maybe", NULL }, 2, "maybe" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(HearthTestRun) run = hearth_test_run_cliv (NULL, bad[i].args);

        assert_error (run, bad[i].exit_code, bad[i].word);
      }
  }
}

static void
test_feedback_routing (void)
{
  g_autoptr(HearthTestRun) shown = NULL, on = NULL, off = NULL;
  g_autoptr(JsonNode) on_json = NULL, off_json = NULL;
  g_autofree char *conf = hearth_test_build_tmp_path ("config", "hearth", "routes.conf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *threshold = g_strdup_printf ("%d ratings", HEARTH_FEEDBACK_MIN_RATINGS);

  if (!setup ())
    return;
  shown = run_ok (hearth_test_run_cli (NULL, "feedback", "routing", NULL));
  g_assert_true (g_str_has_prefix (shown->out, "Off"));
  g_assert_nonnull (strstr (shown->out, threshold));

  on = run_ok (hearth_test_run_cli (NULL, "feedback", "routing", "on", NULL));
  g_assert_true (g_str_has_prefix (on->out, "On"));
  g_assert_nonnull (strstr (on->out, threshold));
  g_assert_true (g_file_get_contents (conf, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "[ratings]"));
  on_json = run_json (hearth_test_run_cli (NULL, "feedback", "routing", "--json", NULL));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (on_json),
                                                 "routing_uses_ratings"));

  off = run_ok (hearth_test_run_cli (NULL, "feedback", "routing", "off", NULL));
  g_assert_true (g_str_has_prefix (off->out, "Off"));
  off_json = run_json (hearth_test_run_cli (NULL, "feedback", "routing", "--json", NULL));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (off_json),
                                                  "routing_uses_ratings"));
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/cli-compare/two-models", test_compare_two_models);
  g_test_add_func ("/cli-compare/one-fails", test_compare_one_fails);
  g_test_add_func ("/cli-compare/pick", test_compare_pick);
  g_test_add_func ("/cli-compare/usage", test_compare_usage);
  g_test_add_func ("/cli-compare/terminal", test_compare_terminal);
  g_test_add_func ("/cli-compare/interrupt", test_compare_interrupt);
  g_test_add_func ("/cli-compare/ensembles", test_ensembles);
  g_test_add_func ("/cli-compare/ask-ensemble", test_ask_ensemble);
  g_test_add_func ("/cli-compare/rate", test_rate);
  g_test_add_func ("/cli-compare/feedback", test_feedback);
  g_test_add_func ("/cli-compare/feedback-routing", test_feedback_routing);

  return g_test_run ();
}
