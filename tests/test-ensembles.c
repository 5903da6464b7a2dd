/* test-ensembles.c — the rules of compare and ensembles without a server:
 * vote (normalised text, ties, short answers by exact match), the judge's
 * verdict read back (garbage too), first-good's check (refusals, cut-off
 * answers), MODEL@SERVER, and ensembles.conf (add, replace, remove,
 * validate, a change another program makes)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-test-util.h"

/* The methods and MODEL@SERVER */

static void
test_methods (void)
{
  HearthSetMethod method = HEARTH_SET_COMPARE;
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_set_method_parse ("vote", &method, &error));
  g_assert_no_error (error);
  g_assert_cmpint (method, ==, HEARTH_SET_VOTE);
  g_assert_true (hearth_set_method_parse ("judge", &method, NULL));
  g_assert_cmpint (method, ==, HEARTH_SET_JUDGE);
  g_assert_true (hearth_set_method_parse ("first-good", &method, NULL));
  g_assert_cmpint (method, ==, HEARTH_SET_FIRST_GOOD);
  for (guint i = HEARTH_SET_COMPARE; i <= HEARTH_SET_FIRST_GOOD; i++)
    {
      g_assert_nonnull (hearth_set_method_get_label (i));
      g_assert_nonnull (hearth_set_method_to_string (i));
    }
  g_assert_cmpstr (hearth_set_method_to_string (HEARTH_SET_FIRST_GOOD), ==, "first-good");

  /* Side by side is not a way for an ensemble to decide; the sentence lists those there are. */
  g_assert_false (hearth_set_method_parse ("compare", &method, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "vote, judge or first-good"));
  g_clear_error (&error);
  g_assert_false (hearth_set_method_parse ("Vote", &method, &error));
  g_assert_nonnull (strstr (error->message, "“Vote”"));
  g_clear_error (&error);
  g_assert_false (hearth_set_method_parse (NULL, &method, NULL));
}

static void
assert_split (const char *spec,
              const char *model,
              const char *server)
{
  g_autofree char *got_model = NULL;
  g_autofree char *got_server = NULL;

  hearth_split_model_at_server (spec, &got_model, &got_server);
  g_assert_cmpstr (got_model, ==, model);
  g_assert_cmpstr (got_server, ==, server);
}

static void
test_split (void)
{
  assert_split ("qwen3:4b", "qwen3:4b", NULL);
  assert_split ("qwen3:4b@big-box", "qwen3:4b", "big-box");
  /* The last "@" names the server; one at either end is part of the name. */
  assert_split ("me@home@laptop", "me@home", "laptop");
  assert_split ("@scoped", "@scoped", NULL);
  assert_split ("trailing@", "trailing@", NULL);
  assert_split ("", "", NULL);
}

/* One ensemble */

static HearthEnsemble *
ensemble (const char      *name,
          const char      *models,
          HearthSetMethod  method,
          const char      *judge)
{
  g_auto(GStrv) list = g_strsplit (models, ",", -1);

  return hearth_ensemble_new (name, (const char * const *) list, method, judge);
}

static void
assert_invalid (HearthEnsemble *bad,
                const char     *words)
{
  g_autoptr(HearthEnsemble) owned = bad;
  g_autoptr(GError) error = NULL;

  g_assert_false (hearth_ensemble_validate (owned, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  /* One sentence a user can act on. */
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_validate (void)
{
  g_autoptr(HearthEnsemble) good = ensemble ("three-small", "a,b@big-box,c", HEARTH_SET_VOTE,
                                             NULL);
  g_autoptr(HearthEnsemble) judged = ensemble ("judged", "a,b", HEARTH_SET_JUDGE, "c@laptop");
  g_autoptr(HearthEnsemble) copy = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_ensemble_validate (good, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_ensemble_validate (judged, &error));
  g_assert_no_error (error);
  copy = hearth_ensemble_copy (judged);
  g_assert_cmpstr (copy->judge, ==, "c@laptop");
  g_assert_cmpuint (g_strv_length (copy->models), ==, 2);

  assert_invalid (ensemble ("one", "a", HEARTH_SET_VOTE, NULL), "2 to 4 models");
  assert_invalid (ensemble ("five", "a,b,c,d,e", HEARTH_SET_VOTE, NULL), "has 5");
  assert_invalid (ensemble ("twice", "a,b,a", HEARTH_SET_VOTE, NULL), "“a” is in the ensemble twice");
  assert_invalid (ensemble ("no-judge", "a,b", HEARTH_SET_JUDGE, NULL), "judge");
  assert_invalid (ensemble ("stray", "a,b", HEARTH_SET_FIRST_GOOD, "c"), "Only a judge ensemble");
  assert_invalid (ensemble ("side", "a,b", HEARTH_SET_COMPARE, NULL), "vote, judge or first-good");
  assert_invalid (ensemble ("two words", "a,b", HEARTH_SET_VOTE, NULL), "cannot name an ensemble");
  assert_invalid (ensemble ("", "a,b", HEARTH_SET_VOTE, NULL), "cannot name an ensemble");
  assert_invalid (ensemble ("spaced", "a,b c", HEARTH_SET_VOTE, NULL), "“b c”");
  assert_invalid (ensemble ("semi", "a,b;c", HEARTH_SET_VOTE, NULL), "semicolons");
  assert_invalid (ensemble ("empty", "a,", HEARTH_SET_VOTE, NULL), "MODEL@SERVER");
}

static void
test_describe (void)
{
  g_autoptr(HearthEnsemble) three = ensemble ("x", "qwen3:4b,llama3.2:3b,gemma3:4b",
                                              HEARTH_SET_VOTE, NULL);
  g_autoptr(HearthEnsemble) judged = ensemble ("y", "a:latest,b@big-box", HEARTH_SET_JUDGE,
                                               "c@laptop");
  g_autofree char *text = hearth_ensemble_describe (three);
  g_autofree char *judged_text = hearth_ensemble_describe (judged);

  g_assert_cmpstr (text, ==, "qwen3:4b, llama3.2:3b and gemma3:4b — majority vote");
  /* As people say them: no ":latest", "on SERVER" rather than "@SERVER". */
  g_assert_cmpstr (judged_text, ==, "a and b on big-box — a judge picks (c on laptop)");
}

/* Vote */

static void
assert_normal (const char *answer,
               const char *expected)
{
  g_autofree char *got = hearth_vote_normalize (answer);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_vote_normalize (void)
{
  assert_normal ("  Paris.  ", "paris");
  assert_normal ("Hello,\n\t  World!", "hello, world");
  assert_normal ("It is 4!?", "it is 4");
  /* Only the ends lose their punctuation; inside it is part of the answer. */
  assert_normal ("3.14", "3.14");
  assert_normal ("ÉTÉ à Paris…", "été à paris…");
  assert_normal ("...", "");
  assert_normal ("", "");
  assert_normal (NULL, "");
}

static int
vote (const char * const *answers,
      guint              *votes)
{
  return hearth_vote_choose (answers, votes);
}

static void
test_vote_choose (void)
{
  guint votes = 0;

  {
    const char *answers[] = { "Lyon", "Paris.", "  paris", "PARIS!", NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 1);
    g_assert_cmpuint (votes, ==, 3);
  }
  {
    /* Nobody agrees: the first to finish. */
    const char *answers[] = { "Red", "Blue", "Green", NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 0);
    g_assert_cmpuint (votes, ==, 1);
  }
  {
    /* A tie of two groups: the group whose member finished first. */
    const char *answers[] = { "four", "4", "4.", "Four", NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 0);
    g_assert_cmpuint (votes, ==, 2);
  }
  {
    /* Failed answers ("") are never counted, even when they are the most. */
    const char *answers[] = { "", "", "Yes", NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 2);
    g_assert_cmpuint (votes, ==, 1);
  }
  {
    const char *answers[] = { "", "  ", NULL };

    g_assert_cmpint (vote (answers, &votes), ==, -1);
    g_assert_cmpuint (votes, ==, 0);
  }
  {
    const char *answers[] = { NULL };

    g_assert_cmpint (vote (answers, NULL), ==, -1);
  }
  {
    /* Short answers agree only word for word: one word changed is another answer. */
    const char *answers[] = { "The answer is four.", "The answer is 4", "the answer is 4!", NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 1);
    g_assert_cmpuint (votes, ==, 2);
  }
}

static void
test_vote_long_answers (void)
{
  guint votes = 0;
  const char *long_a = "The sky looks blue because molecules in the air scatter short blue "
                       "wavelengths of sunlight much more strongly than the longer red ones.";
  /* The same answer with one word changed and one added. */
  const char *long_b = "The sky looks blue because molecules in the air scatter short blue "
                       "wavelengths of sunlight far more strongly than the longer red ones do.";
  const char *other = "Because the ocean reflects its colour onto the sky above it, which is "
                      "a common myth that many people still believe to be true today.";
  /* A short answer is never "most of" a long one. */
  const char *short_one = "Rayleigh scattering.";

  {
    const char *answers[] = { other, long_a, short_one, long_b, NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 1);
    g_assert_cmpuint (votes, ==, 2);
  }
  {
    const char *answers[] = { short_one, long_a, NULL };

    g_assert_cmpint (vote (answers, &votes), ==, 0);
    g_assert_cmpuint (votes, ==, 1);
  }
}

/* The judge */

static void
test_judge_prompt (void)
{
  const char *answers[] = { "Paris.", "Lyon, I think.", NULL };
  g_autofree char *prompt = hearth_judge_prompt ("What is the capital of France?", answers);

  g_assert_nonnull (strstr (prompt, "What is the capital of France?"));
  g_assert_nonnull (strstr (prompt, "Answer 1:\nParis."));
  g_assert_nonnull (strstr (prompt, "Answer 2:\nLyon, I think."));
  g_assert_null (strstr (prompt, "Answer 3"));
  g_assert_nonnull (strstr (prompt, "1 to 2"));
}

static void
test_judge_verdict (void)
{
  g_assert_cmpint (hearth_judge_read_verdict ("2", 3), ==, 1);
  g_assert_cmpint (hearth_judge_read_verdict ("Answer 2 is the best.", 3), ==, 1);
  g_assert_cmpint (hearth_judge_read_verdict ("#3 is best: it is complete.", 3), ==, 2);
  g_assert_cmpint (hearth_judge_read_verdict ("**1**\nIt names the capital.", 2), ==, 0);
  g_assert_cmpint (hearth_judge_read_verdict ("(2)", 2), ==, 1);
  g_assert_cmpint (hearth_judge_read_verdict ("Best: 3.", 3), ==, 2);
  /* Numbers that do not stand alone, or name no answer, are passed over. */
  g_assert_cmpint (hearth_judge_read_verdict ("v2 is old; 1 is right", 2), ==, 0);
  g_assert_cmpint (hearth_judge_read_verdict ("The 2nd one", 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict ("About 2.5 times better", 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict ("1,000 reasons, but 2", 3), ==, 1);
  g_assert_cmpint (hearth_judge_read_verdict ("Answer 5", 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict ("0", 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict ("99999999999999999999999 then 1", 3), ==, 0);
  /* Garbage: no verdict, and nothing breaks. */
  g_assert_cmpint (hearth_judge_read_verdict ("They are all lovely.", 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict ("\xff\xfe 2", 3), ==, 1);
  g_assert_cmpint (hearth_judge_read_verdict ("", 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict (NULL, 3), ==, -1);
  g_assert_cmpint (hearth_judge_read_verdict ("1", 0), ==, -1);
}

/* First good */

static void
test_first_good_check (void)
{
  g_assert_true (hearth_answer_is_good ("Paris.", "stop"));
  g_assert_true (hearth_answer_is_good ("Paris.", NULL));
  g_assert_true (hearth_answer_is_good ("I can tell you: it is Paris.", "stop"));
  g_assert_true (hearth_answer_is_good ("Sorry to hear that! Here is how to fix it.", "stop"));

  /* Empty, or nothing but white space. */
  g_assert_false (hearth_answer_is_good ("", "stop"));
  g_assert_false (hearth_answer_is_good (" \n\t", "stop"));
  g_assert_false (hearth_answer_is_good (NULL, "stop"));
  /* Cut off by the length limit: not finished. */
  g_assert_false (hearth_answer_is_good ("The capital of France is", "length"));
  /* Refusals, with either apostrophe and in any case. */
  g_assert_false (hearth_answer_is_good ("I can't help with that.", "stop"));
  g_assert_false (hearth_answer_is_good ("I’m sorry, but I cannot do that.", "stop"));
  g_assert_false (hearth_answer_is_good ("  \"As an AI language model, I have no opinions.\"",
                                         "stop"));
  g_assert_false (hearth_answer_is_good ("I CANNOT ASSIST WITH THAT REQUEST", "stop"));
  g_assert_false (hearth_answer_is_good ("I'm unable to answer questions about that.", "stop"));
}

/* ensembles.conf */

static char *
conf_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "hearth", "ensembles.conf", NULL);
}

static void
fresh_conf (void)
{
  g_autofree char *path = conf_path ();
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);

  g_unlink (path);
  g_unlink (backup);
}

static char *
names_of (HearthEnsembles *ensembles)
{
  g_autoptr(GPtrArray) list = hearth_ensembles_list (ensembles);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? " " : "",
                            ((HearthEnsemble *) g_ptr_array_index (list, i))->name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
on_changed_count (HearthEnsembles *ensembles,
                  guint           *count)
{
  (*count)++;
}

static void
test_conf_edit (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(HearthEnsemble) vote_three = ensemble ("three", "a,b@big-box,c", HEARTH_SET_VOTE,
                                                   NULL);
  g_autoptr(HearthEnsemble) judged = ensemble ("judged", "a,b", HEARTH_SET_JUDGE, "c@laptop");
  g_autoptr(HearthEnsemble) replacement = ensemble ("three", "x,y", HEARTH_SET_FIRST_GOOD, NULL);
  g_autoptr(HearthEnsemble) bad = ensemble ("bad", "a", HEARTH_SET_VOTE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = conf_path ();
  g_autofree char *names = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *judge = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_auto(GStrv) models = NULL;
  HearthEnsembles *ensembles;
  const HearthEnsemble *found;
  guint changed = 0;

  fresh_conf ();
  engine = hearth_engine_new (NULL);
  ensembles = hearth_engine_get_ensembles (engine);
  g_assert_true (ensembles == hearth_engine_get_ensembles (engine));
  g_signal_connect (ensembles, "changed", G_CALLBACK (on_changed_count), &changed);
  names = names_of (ensembles);
  g_assert_cmpstr (names, ==, "");

  g_assert_true (hearth_ensembles_add (ensembles, vote_three, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_ensembles_add (ensembles, judged, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 2);
  g_clear_pointer (&names, g_free);
  names = names_of (ensembles);
  g_assert_cmpstr (names, ==, "judged three");

  /* The file is what a person (or hearth-cli) reads and writes. */
  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  models = g_key_file_get_string_list (file, "three", "models", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (models), ==, 3);
  g_assert_cmpstr (models[1], ==, "b@big-box");
  judge = g_key_file_get_value (file, "judged", "judge", NULL);
  g_assert_cmpstr (judge, ==, "c@laptop");

  found = hearth_ensembles_lookup (ensembles, "ensemble:judged");
  g_assert_nonnull (found);
  g_assert_cmpint (found->method, ==, HEARTH_SET_JUDGE);
  g_assert_true (hearth_ensembles_lookup (ensembles, "judged") == found);
  g_assert_null (hearth_ensembles_lookup (ensembles, "nope"));

  /* A name taken: refused without replace, replaced with it. */
  g_assert_false (hearth_ensembles_add (ensembles, replacement, FALSE, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "already an ensemble called “three”"));
  g_clear_error (&error);
  g_assert_cmpint (hearth_ensembles_lookup (ensembles, "three")->method, ==, HEARTH_SET_VOTE);
  g_assert_true (hearth_ensembles_add (ensembles, replacement, TRUE, &error));
  g_assert_no_error (error);
  found = hearth_ensembles_lookup (ensembles, "three");
  g_assert_cmpint (found->method, ==, HEARTH_SET_FIRST_GOOD);
  g_assert_cmpstr (found->models[0], ==, "x");

  /* Something not valid is refused and loses nothing. */
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  changed = 0;
  g_assert_false (hearth_ensembles_add (ensembles, bad, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "2 to 4 models"));
  g_clear_error (&error);
  g_assert_false (hearth_ensembles_remove (ensembles, "ghost", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no ensemble called “ghost”"));
  g_assert_nonnull (strstr (error->message, "judged, three"));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (changed, ==, 0);

  g_assert_true (hearth_ensembles_remove (ensembles, "ensemble:three", &error));
  g_assert_no_error (error);
  g_clear_pointer (&names, g_free);
  names = names_of (ensembles);
  g_assert_cmpstr (names, ==, "judged");
  g_assert_cmpuint (changed, ==, 1);
  g_signal_handlers_disconnect_by_data (ensembles, &changed);
}

static gboolean
give_up (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_changed_quit (HearthEnsembles *ensembles,
                 GMainLoop       *loop)
{
  g_main_loop_quit (loop);
}

/* Runs @script in a shell in the config folder, as another program would,
 * and waits for @ensembles to notice. */
static void
edit_elsewhere (HearthEnsembles *ensembles,
                const char      *script)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "hearth", NULL);
  const char *argv[] = { "sh", "-c", script, NULL };
  int status = 0;
  gulong handler;
  guint timeout;

  handler = g_signal_connect (ensembles, "changed", G_CALLBACK (on_changed_quit), loop);
  /* A bound so that a missed change fails instead of hanging. */
  timeout = g_timeout_add_seconds (20, give_up, loop);
  g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_main_loop_run (loop);
  g_signal_handler_disconnect (ensembles, handler);
  g_assert_true (g_source_remove (timeout));
}

static void
wait_for_change (HearthEnsembles *ensembles)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gulong handler = g_signal_connect (ensembles, "changed", G_CALLBACK (on_changed_quit), loop);
  guint timeout = g_timeout_add_seconds (20, give_up, loop);

  g_main_loop_run (loop);
  g_signal_handler_disconnect (ensembles, handler);
  g_assert_true (g_source_remove (timeout));
}

static void
test_conf_other_writer (void)
{
  g_autofree char *path = conf_path ();
  g_autoptr(HearthEnsembles) app = NULL;
  g_autoptr(HearthEnsembles) cli = NULL;
  g_autoptr(HearthEnsemble) pair = ensemble ("pair", "a,b", HEARTH_SET_VOTE, NULL);
  g_autoptr(HearthEnsemble) quick = ensemble ("quick", "c,d", HEARTH_SET_FIRST_GOOD, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  fresh_conf ();
  app = _hearth_ensembles_new (path);
  cli = _hearth_ensembles_new (path);

  /* What one writes, the other sees without being told. */
  g_assert_true (hearth_ensembles_add (cli, pair, FALSE, &error));
  g_assert_no_error (error);
  wait_for_change (app);
  g_assert_nonnull (hearth_ensembles_lookup (app, "pair"));

  /* A change the app has not heard of yet is not written over by the next one. */
  g_assert_true (hearth_ensembles_add (app, quick, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_ensembles_remove (cli, "pair", &error));
  g_assert_no_error (error);
  names = names_of (cli);
  g_assert_cmpstr (names, ==, "quick");

  /* A file written aside and moved into place, as editors do. */
  edit_elsewhere (app, "printf '[by-hand]\\nmodels=m1;m2@laptop\\nmethod=judge\\njudge=m3\\n' "
                       "> ensembles.conf.new && mv ensembles.conf.new ensembles.conf");
  g_clear_pointer (&names, g_free);
  names = names_of (app);
  g_assert_cmpstr (names, ==, "by-hand");
  g_assert_cmpstr (hearth_ensembles_lookup (app, "by-hand")->judge, ==, "m3");

  edit_elsewhere (app, "rm ensembles.conf");
  g_clear_pointer (&names, g_free);
  names = names_of (app);
  g_assert_cmpstr (names, ==, "");
}

/* A file a person broke: what reads is used, the rest is kept aside, not written over. */
static void
test_conf_broken (void)
{
  g_autofree char *path = conf_path ();
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *kept = NULL;
  g_autofree char *names = NULL;
  g_autoptr(HearthEnsembles) ensembles = NULL;
  g_autoptr(HearthEnsemble) added = ensemble ("added", "a,b", HEARTH_SET_VOTE, NULL);
  g_autoptr(GError) error = NULL;
  const char *half = "[fine]\nmodels=a;b\nmethod=vote\n\n"
                     "[lonely]\nmodels=a\nmethod=vote\n\n"
                     "[odd]\nmodels=a;b\nmethod=sideways\n";

  fresh_conf ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, half, -1, NULL));
  ensembles = _hearth_ensembles_new (path);
  names = names_of (ensembles);
  g_assert_cmpstr (names, ==, "fine");

  g_assert_true (hearth_ensembles_add (ensembles, added, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (backup, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, half);
  g_clear_pointer (&names, g_free);
  names = names_of (ensembles);
  g_assert_cmpstr (names, ==, "added fine");
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/ensembles/methods", test_methods);
  g_test_add_func ("/ensembles/split", test_split);
  g_test_add_func ("/ensembles/validate", test_validate);
  g_test_add_func ("/ensembles/describe", test_describe);
  g_test_add_func ("/ensembles/vote/normalize", test_vote_normalize);
  g_test_add_func ("/ensembles/vote/choose", test_vote_choose);
  g_test_add_func ("/ensembles/vote/long-answers", test_vote_long_answers);
  g_test_add_func ("/ensembles/judge/prompt", test_judge_prompt);
  g_test_add_func ("/ensembles/judge/verdict", test_judge_verdict);
  g_test_add_func ("/ensembles/first-good/check", test_first_good_check);
  g_test_add_func ("/ensembles/conf/edit", test_conf_edit);
  g_test_add_func ("/ensembles/conf/other-writer", test_conf_other_writer);
  g_test_add_func ("/ensembles/conf/broken", test_conf_broken);

  return g_test_run ();
}
