/* test-feedback-routing.c — "auto" following the user's ratings: the
 * switch in routes.conf, the threshold, the reply saying why; against the
 * test engine serving two models
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-routes-private.h"
#include "hearth-test-feedback.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

static const char code_question[] =
  "Why does this crash?\n```c\nint main (void) { return *(int *) 0; }\n```";

/* The rule behind it, on records made up for each case. */
static HearthModelRecord *
record_new (const char *model,
            guint       wins,
            guint       losses)
{
  HearthModelRecord *record = g_new0 (HearthModelRecord, 1);

  record->model = g_strdup (model);
  record->kind = g_strdup ("code");
  record->ups = wins;
  record->downs = losses;
  record->wins = wins;
  record->losses = losses;
  record->rate = wins + losses > 0 ? (double) wins / (wins + losses) : -1;
  return record;
}

static gboolean
installed (const char *model,
           gpointer    user_data)
{
  return g_strcmp0 (model, user_data) != 0;
}

/* Of "name wins/losses" records, who "auto" should ask instead of @rule
 * (NULL: the rule's choice stays), with @gone not installed. */
static const char *
prefer (const char *rule,
        const char *gone,
        const char *first,
        ...)
{
  g_autoptr(GPtrArray) records = NULL;
  static char *answer;
  const HearthModelRecord *best, *rule_record = NULL;
  va_list args;

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_model_record_free);
  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      guint wins = va_arg (args, guint);
      guint losses = va_arg (args, guint);

      g_ptr_array_add (records, record_new (name, wins, losses));
    }
  va_end (args);

  best = _hearth_routes_prefer_rated (records, rule, installed, (gpointer) gone,
                                      &rule_record);
  g_clear_pointer (&answer, g_free);
  if (best == NULL)
    return NULL;
  g_assert_true (rule_record == NULL || g_str_equal (rule_record->model, rule));
  answer = g_strdup (best->model);
  return answer;
}

static void
test_prefer_rated (void)
{
  g_autoptr(HearthModelRecord) best = record_new ("b", 8, 2);
  g_autoptr(HearthModelRecord) rule = record_new ("a", 3, 7);
  g_autoptr(HearthModelRecord) few = record_new ("a", 1, 1);
  g_autofree char *line = NULL;

  /* Both past the threshold, the other better: it is asked. */
  g_assert_cmpstr (prefer ("a", NULL, "a", 3, 7, "b", 8, 2, NULL), ==, "b");
  /* One rating short for either: the rule's choice stays. */
  g_assert_null (prefer ("a", NULL, "a", 3, 1, "b", 8, 2, NULL));
  g_assert_null (prefer ("a", NULL, "a", 3, 7, "b", 4, 0, NULL));
  /* The rule's choice with too few, two others with enough: the best of them. */
  g_assert_cmpstr (prefer ("a", NULL, "a", 2, 0, "b", 3, 2, "c", 5, 0, NULL), ==, "c");
  g_assert_cmpstr (prefer ("z", NULL, "b", 3, 2, "c", 5, 0, NULL), ==, "c");
  /* The same rate does not beat it, more ratings or not. */
  g_assert_null (prefer ("a", NULL, "a", 3, 2, "b", 6, 4, NULL));
  /* The rule's choice is the best: it stays. */
  g_assert_null (prefer ("a", NULL, "a", 9, 1, "b", 5, 5, NULL));
  /* A model no enabled server has cannot be asked, whatever its record. */
  g_assert_null (prefer ("a", "b", "a", 3, 7, "b", 8, 2, NULL));
  g_assert_cmpstr (prefer ("a", "b", "a", 3, 7, "b", 10, 0, "c", 6, 4, NULL), ==, "c");
  /* No ratings at all (and the last answer freed). */
  g_assert_null (prefer ("a", NULL, NULL));

  /* What the reply says, with counts. */
  line = _hearth_routes_describe_ratings ("code", best, rule, "a");
  g_assert_cmpstr (line, ==, "your ratings: b won 8 of 10 code questions; a 3 of 10");
  g_clear_pointer (&line, g_free);
  line = _hearth_routes_describe_ratings ("long-prompt", best, few, "a");
  g_assert_cmpstr (line, ==, "your ratings: b won 8 of 10 long questions; a, the rule’s "
                   "choice, has 2, fewer than the 5 needed");
  g_clear_pointer (&line, g_free);
  line = _hearth_routes_describe_ratings ("long-conversation", best, NULL, "a");
  g_assert_cmpstr (line, ==, "your ratings: b won 8 of 10 questions in long conversations; a, "
                   "the rule’s choice, has no ratings for them yet");
}

/* The switch: off by default, kept in routes.conf, kept by reset, "changed". */
static void
on_changed (HearthRoutes *routes,
            guint        *n_changed)
{
  (*n_changed)++;
}

static gboolean
give_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Until the file monitor has told the engine (20 s at most, so that a
 * missed change fails instead of hanging). */
static void
wait_for_change (guint *n_changed)
{
  gboolean gave_up = FALSE;
  guint timeout = g_timeout_add_seconds (20, give_up, &gave_up);

  while (*n_changed == 0 && !gave_up)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gave_up);
  g_source_remove (timeout);
}

static void
test_use_ratings_switch (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthEngine) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_test_config_path ("routes.conf");
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  HearthRoutes *routes;
  guint n_changed = 0;

  if (!hearth_test_require_node ())
    return;
  engine = hearth_test_lab_engine ("switch", &store);
  routes = hearth_engine_get_routes (engine);
  g_signal_connect (routes, "changed", G_CALLBACK (on_changed), &n_changed);
  g_assert_false (hearth_routes_get_use_ratings (routes));

  g_assert_true (hearth_routes_set_use_ratings (routes, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_routes_get_use_ratings (routes));
  g_assert_cmpuint (n_changed, ==, 1);
  /* The rules are still the defaults: only the switch is written. */
  g_assert_true (hearth_routes_are_default (routes));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "[ratings]"));
  g_assert_null (strstr (contents, "[rule "));
  g_clear_pointer (&contents, g_free);

  /* The same again is no change. */
  g_assert_true (hearth_routes_set_use_ratings (routes, TRUE, &error));
  g_assert_cmpuint (n_changed, ==, 1);

  /* Another engine (another process) reads it. */
  again = hearth_engine_new (NULL);
  g_assert_true (hearth_routes_get_use_ratings (hearth_engine_get_routes (again)));
  g_assert_true (hearth_routes_are_default (hearth_engine_get_routes (again)));
  g_clear_object (&again);

  /* A rule written keeps the switch; reset drops the rules, not the switch. */
  id = hearth_routes_add (routes, HEARTH_ROUTE_KEYWORD, "sql", ALPHA, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hearth_routes_get_use_ratings (routes));
  g_assert_true (hearth_routes_reset (routes, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_routes_are_default (routes));
  g_assert_true (hearth_routes_get_use_ratings (routes));
  again = hearth_engine_new (NULL);
  g_assert_true (hearth_routes_get_use_ratings (hearth_engine_get_routes (again)));
  g_clear_object (&again);

  g_assert_true (hearth_routes_set_use_ratings (routes, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (hearth_routes_get_use_ratings (routes));
  again = hearth_engine_new (NULL);
  g_assert_false (hearth_routes_get_use_ratings (hearth_engine_get_routes (again)));

  /* Another program (hearth-cli feedback routing on) turns it on: the
   * engine follows, and says so. */
  n_changed = 0;
  g_assert_true (hearth_routes_set_use_ratings (hearth_engine_get_routes (again), TRUE, &error));
  g_assert_no_error (error);
  wait_for_change (&n_changed);
  g_assert_true (hearth_routes_get_use_ratings (routes));
  g_assert_true (hearth_routes_are_default (routes));
}

/* Asks "auto" and returns the reply, with its route rule in the history too. */
static HearthReply *
ask_auto (HearthEngine *engine,
          HearthStore  *store,
          const char   *question)
{
  HearthReply *reply = hearth_test_ask (engine, HEARTH_MODEL_AUTO, question);
  gint64 conversation = hearth_reply_get_conversation_id (reply);
  g_autoptr(HearthMessage) stored = NULL;

  stored = hearth_test_stored_message (store, conversation, hearth_reply_get_message_id (reply));

  g_test_message ("%s → %s: %s", question, hearth_reply_get_model (reply),
                  hearth_reply_get_route_rule (reply));
  g_assert_cmpstr (stored->route_rule, ==, hearth_reply_get_route_rule (reply));
  g_assert_cmpstr (stored->model, ==, hearth_reply_get_model (reply));
  return reply;
}

/* Rates @n new answers of @model to plain questions. */
static void
rate_answers (HearthEngine *engine,
              const char   *model,
              guint         n,
              int           rating)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthReply) reply = hearth_test_ask (engine, model, "Say something.");

      hearth_test_rate_ok (engine, hearth_reply_get_message_id (reply), rating, NULL);
    }
}

/* What the one default rule ("everything else") picks. */
static void
set_default_rule (HearthRoutes *routes,
                  const char   *model)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = hearth_routes_add (routes, HEARTH_ROUTE_DEFAULT, NULL, model, NULL, -1,
                                           &error);

  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "default");
}

static void
test_auto_follows_ratings (void)
{
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code_id = NULL;
  HearthRoutes *routes;

  if (!hearth_test_require_node ())
    return;
  engine = hearth_test_lab_engine ("auto", &store);
  routes = hearth_engine_get_routes (engine);
  /* The rules name alpha for everything, so that only the ratings can
   * send a question to beta. */
  code_id = hearth_routes_add (routes, HEARTH_ROUTE_CODE, NULL, ALPHA, NULL, 0, &error);
  g_assert_no_error (error);
  set_default_rule (routes, ALPHA);

  /* Alpha: five thumbs down; beta: four up. */
  rate_answers (engine, ALPHA, 5, -1);
  rate_answers (engine, BETA, 4, 1);

  /* Off (the default): the rule decides, whatever the ratings. */
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_cmpstr (hearth_reply_get_content (reply), ==, ALPHA_SENTENCE);
    g_assert_null (strstr (hearth_reply_get_route_rule (reply), "ratings"));
  }

  /* On, with only one model past the threshold (beta has 4): still the rule. */
  g_assert_true (hearth_routes_set_use_ratings (routes, TRUE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==, "everything else → "
                     ALPHA " on lab");
  }

  /* Beta's fifth: both have enough, and beta's record is the better. */
  rate_answers (engine, BETA, 1, 1);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_cmpstr (hearth_reply_get_server (reply), ==, "lab");
    g_assert_cmpstr (hearth_reply_get_content (reply), ==, BETA_SENTENCE);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==,
                     "everything else → your ratings: " BETA " won 5 of 5 plain questions "
                     "(no code, not long); " ALPHA " 0 of 5");
  }

  /* A rule that names the server too: the ratings choose among its models. */
  {
    g_autoptr(HearthReply) reply = NULL;
    g_autofree char *id = hearth_routes_add (routes, HEARTH_ROUTE_KEYWORD, "ocean", ALPHA, "lab",
                                             0, &error);

    g_assert_no_error (error);
    reply = ask_auto (engine, store, "Tell me about the ocean.");
    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_cmpstr (hearth_reply_get_server (reply), ==, "lab");
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==,
                     "the word “ocean” → your ratings: " BETA " won 5 of 5 plain questions "
                     "(no code, not long); " ALPHA " 0 of 5");
    g_assert_true (hearth_routes_remove (routes, id, &error));
    g_assert_no_error (error);
  }

  /* The ratings are for plain questions: a code question still follows its rule. */
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, code_question);

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==, "code → " ALPHA " on lab");
  }

  /* A record is beaten only by a better rate: alpha at 5 of 10 against
   * beta's 5 of 5 still loses, and when the rule picks beta it keeps it. */
  rate_answers (engine, ALPHA, 5, 1);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_nonnull (strstr (hearth_reply_get_route_rule (reply), ALPHA " 5 of 10"));
  }
  set_default_rule (routes, BETA);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, BETA);
    g_assert_cmpstr (hearth_reply_get_route_rule (reply), ==, "everything else → "
                     BETA " on lab");
  }

  /* Off again: never. */
  set_default_rule (routes, ALPHA);
  g_assert_true (hearth_routes_set_use_ratings (routes, FALSE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(HearthReply) reply = ask_auto (engine, store, "Tell me about the sky.");

    g_assert_cmpstr (hearth_reply_get_model (reply), ==, ALPHA);
    g_assert_null (strstr (hearth_reply_get_route_rule (reply), "ratings"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  hearth_test_init (&argc, &argv);

  g_test_add_func ("/feedback-routing/prefer-rated", test_prefer_rated);
  g_test_add_func ("/feedback-routing/use-ratings-switch", test_use_ratings_switch);
  g_test_add_func ("/feedback-routing/auto-follows-ratings", test_auto_follows_ratings);

  status = g_test_run ();
  hearth_test_lab_stop ();
  return status;
}
