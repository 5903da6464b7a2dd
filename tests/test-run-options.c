/* test-run-options.c — run options and the built-in profiles: what a user
 * types (num_ctx=8192, keep_alive=30m), what is sent, what is shown
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hearth-error.h"
#include "hearth-profile.h"
#include "hearth-run-options.h"
#include "hearth-test-util.h"

/* Every key has a wire name that reads back, a title in words (not the
 * wire name) and a one-line description; the speed keys are the four. */
static void
test_keys (void)
{
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      const char *name = hearth_run_option_key_to_string (i);
      HearthRunOptionKey key;
      double min, max;

      g_assert_true (hearth_run_option_key_from_string (name, &key));
      g_assert_cmpint (key, ==, i);
      g_assert_null (strchr (hearth_run_option_get_title (i), '_'));
      g_assert_cmpuint (strlen (hearth_run_option_get_description (i)), >, 20);
      g_assert_null (strchr (hearth_run_option_get_description (i), '\n'));
      hearth_run_option_get_range (i, &min, &max);
      g_assert_cmpfloat (min, <, max);
      g_assert_true (hearth_run_option_is_supported (i, HEARTH_API_OLLAMA, NULL));
    }
  g_assert_cmpstr (hearth_run_option_key_to_string (HEARTH_RUN_OPTION_NUM_CTX), ==, "num_ctx");
  g_assert_cmpstr (hearth_run_option_key_to_string (HEARTH_RUN_OPTION_KEEP_ALIVE), ==, "keep_alive");
  g_assert_cmpstr (hearth_run_option_key_to_string (HEARTH_RUN_OPTION_REPEAT_PENALTY), ==, "repeat_penalty");
  g_assert_false (hearth_run_option_key_from_string ("threads", NULL));
  /* The GPU layers explain themselves in plain words. */
  g_assert_nonnull (strstr (hearth_run_option_get_description (HEARTH_RUN_OPTION_NUM_GPU), "graphics card"));
  g_assert_true (hearth_run_option_changes_speed (HEARTH_RUN_OPTION_NUM_THREAD));
  g_assert_true (hearth_run_option_changes_speed (HEARTH_RUN_OPTION_NUM_GPU));
  g_assert_false (hearth_run_option_changes_speed (HEARTH_RUN_OPTION_TEMPERATURE));
  g_assert_false (hearth_run_option_changes_speed (HEARTH_RUN_OPTION_KEEP_ALIVE));
  g_assert_true (hearth_run_option_is_integer (HEARTH_RUN_OPTION_NUM_CTX));
  g_assert_false (hearth_run_option_is_integer (HEARTH_RUN_OPTION_TOP_P));
}

static double
parse_one (const char         *assignment,
           HearthRunOptionKey  key)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_run_options_parse_assignment (options, assignment, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_run_options_is_set (options, key));
  return hearth_run_options_get (options, key);
}

static void
assert_parse_error (const char *assignment,
                    const char *expected)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (hearth_run_options_parse_assignment (options, assignment, &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s”: “%s” does not say “%s”", assignment, error->message, expected);
  /* nothing half-set */
  g_assert_true (hearth_run_options_is_empty (options));
}

static void
test_parse (void)
{
  g_assert_cmpfloat (parse_one ("num_ctx=8192", HEARTH_RUN_OPTION_NUM_CTX), ==, 8192);
  g_assert_cmpfloat (parse_one (" temperature = 0.2 ", HEARTH_RUN_OPTION_TEMPERATURE), ==, 0.2);
  g_assert_cmpfloat (parse_one ("keep_alive=30m", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 1800);
  g_assert_cmpfloat (parse_one ("keep_alive=1h", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 3600);
  g_assert_cmpfloat (parse_one ("keep_alive=90s", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 90);
  g_assert_cmpfloat (parse_one ("keep_alive=1h30m", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 5400);
  g_assert_cmpfloat (parse_one ("keep_alive=forever", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, -1);
  g_assert_cmpfloat (parse_one ("keep_alive=-1", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, -1);
  g_assert_cmpfloat (parse_one ("keep_alive=0", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 0);
  g_assert_cmpfloat (parse_one ("keep_alive=45", HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 45);
  g_assert_cmpfloat (parse_one ("max_tokens=100", HEARTH_RUN_OPTION_NUM_PREDICT), ==, 100);
  g_assert_cmpfloat (parse_one ("num_gpu=0", HEARTH_RUN_OPTION_NUM_GPU), ==, 0);

  assert_parse_error ("num_ctx=abc", "num_ctx");
  assert_parse_error ("num_ctx=abc", "whole number from 128 to");
  assert_parse_error ("num_ctx=1.5", "whole number");
  assert_parse_error ("temperature=3", "from 0 to 2");
  assert_parse_error ("num_thread=0", "from 1 to");
  assert_parse_error ("threads=4", "the options are num_ctx, num_gpu");
  assert_parse_error ("num_ctx", "KEY=VALUE");
  assert_parse_error ("keep_alive=soon", "30m");
  assert_parse_error ("keep_alive=5x", "forever");
  assert_parse_error ("top_p=", "top_p");
}

static void
set (HearthRunOptions   *options,
     HearthRunOptionKey  key,
     double              value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_run_options_set (options, key, value, &error));
  g_assert_no_error (error);
}

static void
test_json (void)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  g_autoptr(HearthRunOptions) back = NULL;
  g_autoptr(HearthRunOptions) forever = hearth_run_options_new ();
  g_autoptr(HearthRunOptions) from_numbers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *forever_json = NULL;
  g_autofree char *empty = NULL;

  set (options, HEARTH_RUN_OPTION_NUM_CTX, 8192);
  set (options, HEARTH_RUN_OPTION_TEMPERATURE, 0.25);
  set (options, HEARTH_RUN_OPTION_KEEP_ALIVE, 1800);
  json = hearth_run_options_to_json_string (options);
  g_assert_cmpstr (json, ==, "{\"num_ctx\":8192,\"keep_alive\":\"30m\",\"temperature\":0.25}");
  back = hearth_run_options_from_json_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (hearth_run_options_equal (options, back));

  /* forever and unload-now, as Ollama takes them */
  set (forever, HEARTH_RUN_OPTION_KEEP_ALIVE, -1);
  forever_json = hearth_run_options_to_json_string (forever);
  g_assert_cmpstr (forever_json, ==, "{\"keep_alive\":-1}");
  set (forever, HEARTH_RUN_OPTION_KEEP_ALIVE, 0);
  g_free (forever_json);
  forever_json = hearth_run_options_to_json_string (forever);
  g_assert_cmpstr (forever_json, ==, "{\"keep_alive\":0}");
  set (forever, HEARTH_RUN_OPTION_KEEP_ALIVE, 90);
  g_free (forever_json);
  forever_json = hearth_run_options_to_json_string (forever);
  g_assert_cmpstr (forever_json, ==, "{\"keep_alive\":\"90s\"}");

  /* what Ollama's own files say: seconds as numbers, "-1" as text */
  from_numbers = hearth_run_options_from_json_string ("{\"keep_alive\": 600, \"num_thread\": 4,"
                                                      " \"top_k\": null}", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (hearth_run_options_get (from_numbers, HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 600);
  g_assert_false (hearth_run_options_is_set (from_numbers, HEARTH_RUN_OPTION_TOP_K));
  g_clear_pointer (&from_numbers, hearth_run_options_free);
  from_numbers = hearth_run_options_from_json_string ("{\"keep_alive\": \"-1\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (hearth_run_options_get (from_numbers, HEARTH_RUN_OPTION_KEEP_ALIVE), ==, -1);

  /* bad input: a message, nothing returned */
  g_assert_null (hearth_run_options_from_json_string ("{\"num_ctx\": \"big\"}", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (hearth_run_options_from_json_string ("{\"num_ctx\": 4096, \"turbo\": 1}", &error));
  g_assert_nonnull (strstr (error->message, "turbo"));
  g_clear_error (&error);
  g_assert_null (hearth_run_options_from_json_string ("[1, 2]", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (hearth_run_options_from_json_string ("{num_ctx", &error));
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  empty = hearth_run_options_to_json_string (NULL);
  g_assert_cmpstr (empty, ==, "{}");
}

static void
test_merge_and_summary (void)
{
  g_autoptr(HearthRunOptions) base = hearth_run_options_new ();
  g_autoptr(HearthRunOptions) over = hearth_run_options_new ();
  g_autoptr(HearthRunOptions) answers = hearth_run_options_new ();
  g_autofree char *summary = NULL;
  g_autofree char *one = NULL;
  g_autofree char *none = NULL;
  g_autofree char *cpu = NULL;

  set (base, HEARTH_RUN_OPTION_NUM_CTX, 2048);
  set (base, HEARTH_RUN_OPTION_NUM_THREAD, 2);
  set (over, HEARTH_RUN_OPTION_NUM_CTX, 8192);
  set (over, HEARTH_RUN_OPTION_NUM_THREAD, 4);
  set (over, HEARTH_RUN_OPTION_NUM_GPU, 33);
  set (over, HEARTH_RUN_OPTION_NUM_BATCH, 512);
  set (over, HEARTH_RUN_OPTION_TEMPERATURE, 0.7);
  hearth_run_options_merge (base, over);
  g_assert_true (hearth_run_options_equal (base, over));
  summary = hearth_run_options_summary (base);
  g_assert_cmpstr (summary, ==, "ctx 8192 · 4 threads · 33 GPU layers · batch 512");

  hearth_run_options_unset (base, HEARTH_RUN_OPTION_NUM_CTX);
  hearth_run_options_unset (base, HEARTH_RUN_OPTION_NUM_BATCH);
  set (base, HEARTH_RUN_OPTION_NUM_THREAD, 1);
  set (base, HEARTH_RUN_OPTION_NUM_GPU, 1);
  one = hearth_run_options_summary (base);
  g_assert_cmpstr (one, ==, "1 thread · 1 GPU layer");
  set (base, HEARTH_RUN_OPTION_NUM_GPU, 0);
  cpu = hearth_run_options_summary (base);
  g_assert_cmpstr (cpu, ==, "1 thread · CPU only");

  /* only answer options: no speed line */
  set (answers, HEARTH_RUN_OPTION_TEMPERATURE, 0.1);
  none = hearth_run_options_summary (answers);
  g_assert_null (none);
  g_assert_false (hearth_run_options_equal (answers, NULL));
}

static void
test_format (void)
{
  struct { HearthRunOptionKey key; double value; const char *text; } cases[] = {
    { HEARTH_RUN_OPTION_NUM_CTX, 8192, "8192" },
    { HEARTH_RUN_OPTION_TEMPERATURE, 0.7, "0.7" },
    { HEARTH_RUN_OPTION_KEEP_ALIVE, 1800, "30m" },
    { HEARTH_RUN_OPTION_KEEP_ALIVE, -1, "forever" },
    { HEARTH_RUN_OPTION_KEEP_ALIVE, 0, "unload at once" },
    { HEARTH_RUN_OPTION_NUM_PREDICT, -1, "no limit" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = hearth_run_option_format_value (cases[i].key, cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* An OpenAI-compatible server gets temperature, top_p, seed and the reply
 * length only; every other key says why in a sentence. */
static void
test_per_api (void)
{
  g_autoptr(HearthRunOptions) all = hearth_run_options_new ();
  g_autoptr(HearthRunOptions) openai = NULL;
  g_autoptr(HearthRunOptions) ollama = NULL;
  const HearthRunOptionKey taken[] = {
    HEARTH_RUN_OPTION_TEMPERATURE, HEARTH_RUN_OPTION_TOP_P, HEARTH_RUN_OPTION_SEED,
    HEARTH_RUN_OPTION_NUM_PREDICT,
  };

  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      double min;

      hearth_run_option_get_range (i, &min, NULL);
      set (all, i, MAX (min, 1));
    }
  openai = hearth_run_options_for_api (all, HEARTH_API_OPENAI);
  ollama = hearth_run_options_for_api (all, HEARTH_API_OLLAMA);
  g_assert_true (hearth_run_options_equal (ollama, all));
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      const char *why = NULL;
      gboolean expected = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (taken); j++)
        expected |= taken[j] == i;
      g_assert_cmpint (hearth_run_options_is_set (openai, i), ==, expected);
      g_assert_cmpint (hearth_run_option_is_supported (i, HEARTH_API_OPENAI, &why), ==, expected);
      if (expected)
        g_assert_null (why);
      else
        g_assert_cmpuint (strlen (why), >, 20);
    }
}

static const HearthProfile *
find (GPtrArray  *profiles,
      const char *name)
{
  for (guint i = 0; i < profiles->len; i++)
    if (g_str_equal (((HearthProfile *) profiles->pdata[i])->name, name))
      return profiles->pdata[i];
  g_assert_not_reached ();
}

/* The built-ins follow the machine: Fast uses every physical core,
 * Battery half of them (at least one). */
static void
test_builtin_profiles (void)
{
  g_autoptr(GPtrArray) eight = hearth_profile_list_builtin (8);
  g_autoptr(GPtrArray) one = hearth_profile_list_builtin (1);
  g_autoptr(GPtrArray) unknown = hearth_profile_list_builtin (-1);
  const char *names[] = { "fast", "balanced", "quality", "battery" };
  const HearthProfile *battery = find (eight, HEARTH_PROFILE_BATTERY);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (eight->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const HearthProfile *profile = eight->pdata[i];

      g_assert_cmpstr (profile->name, ==, names[i]);
      g_assert_true (profile->builtin);
      g_assert_null (profile->parent);
      g_assert_cmpuint (strlen (profile->description), >, 30);
      /* Balanced is the server's own settings; the others set a context */
      g_assert_true (hearth_run_options_is_set (profile->options, HEARTH_RUN_OPTION_NUM_CTX)
                     == !g_str_equal (profile->name, "balanced"));
    }
  g_assert_cmpfloat (hearth_run_options_get (find (eight, "fast")->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 8);
  g_assert_cmpfloat (hearth_run_options_get (find (eight, "fast")->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 2048);
  g_assert_true (hearth_run_options_is_empty (find (eight, "balanced")->options));
  g_assert_cmpfloat (hearth_run_options_get (find (eight, "quality")->options, HEARTH_RUN_OPTION_NUM_CTX), ==, 8192);
  g_assert_cmpfloat (hearth_run_options_get (battery->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 4);
  g_assert_cmpfloat (hearth_run_options_get (battery->options, HEARTH_RUN_OPTION_NUM_BATCH), ==, 128);
  g_assert_cmpfloat (hearth_run_options_get (battery->options, HEARTH_RUN_OPTION_KEEP_ALIVE), ==, 60);
  g_assert_cmpfloat (hearth_run_options_get (find (one, "battery")->options, HEARTH_RUN_OPTION_NUM_THREAD), ==, 1);
  g_assert_false (hearth_run_options_is_set (find (unknown, "fast")->options, HEARTH_RUN_OPTION_NUM_THREAD));

  json = hearth_profile_to_json (battery, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "name"), ==, "battery");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "builtin"));

  g_assert_true (hearth_profile_check_name ("long-docs", &error));
  g_assert_no_error (error);
  g_assert_false (hearth_profile_check_name ("fast", &error));
  g_assert_nonnull (strstr (error->message, "built-in"));
  g_clear_error (&error);
  g_assert_false (hearth_profile_check_name ("Long Docs", &error));
  g_assert_nonnull (strstr (error->message, "lower-case"));
  g_clear_error (&error);
  g_assert_false (hearth_profile_check_name ("", &error));
  g_clear_error (&error);
  g_assert_false (hearth_profile_check_name ("a-name-that-goes-on-far-longer-than-forty-characters", &error));
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/run-options/keys", test_keys);
  g_test_add_func ("/run-options/parse", test_parse);
  g_test_add_func ("/run-options/json", test_json);
  g_test_add_func ("/run-options/merge-summary", test_merge_and_summary);
  g_test_add_func ("/run-options/format", test_format);
  g_test_add_func ("/run-options/per-api", test_per_api);
  g_test_add_func ("/run-options/builtin-profiles", test_builtin_profiles);

  return g_test_run ();
}
