/* hearth-cli-feedback.c — hearth-cli rate and feedback: thumbs, win rates, the export
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over the engine: hearth_engine_rate_message (), the stats and the
 * export read in its worker (hearth-feedback.h says what they count), and
 * whether "auto" follows the ratings (HearthRoutes, routes.conf), as the
 * app's replies and Preferences → Feedback do.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-metrics.h"

static char *opt_note;
static char *opt_since;
static char *opt_format;
static char *opt_output;

/* rate */

static const GOptionEntry rate_entries[] = {
  { "note", 'n', 0, G_OPTION_ARG_FILENAME, &opt_note,
    N_("A short note with the rating (500 characters at most)"), N_("TEXT") },
  { NULL }
};

#define RATE_USAGE _("Use rate MESSAGE_ID up|down|clear [--note TEXT]; the message ids are in " \
                   "hearth-cli history show ID and ask --json")

int
hearth_cli_command_rate (int    argc,
                         char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  const char *what;
  gint64 message_id;
  int rating;
  int exit_code = 0;

  if (!parse_options ("rate", N_("MESSAGE_ID up|down|clear"), rate_entries, FALSE, &argc, &argv,
                      &exit_code))
    return exit_code;
  if (argc != 4)
    return usage_error ("rate", RATE_USAGE);
  if (!parse_whole_number (_("The message id"), argv[2], 1, G_MAXINT64, &message_id, &error))
    return usage_error ("rate", error->message);
  what = argv[3];
  if (g_str_equal (what, "up"))
    rating = 1;
  else if (g_str_equal (what, "down"))
    rating = -1;
  else if (g_str_equal (what, "clear"))
    rating = 0;
  else
    {
      g_autofree char *message =
        g_strdup_printf (_("A rating is up, down or clear, not “%s”"), what);

      return usage_error ("rate", message);
    }
  if (rating == 0 && opt_note != NULL)
    return usage_error ("rate", _("clear takes the rating and its note back; it takes no --note"));
  if (opt_note != NULL && g_utf8_strlen (opt_note, -1) > HEARTH_FEEDBACK_NOTE_MAX)
    {
      g_autofree char *message =
        g_strdup_printf (_("The note is %ld characters long; keep it to %d"),
                         g_utf8_strlen (opt_note, -1), HEARTH_FEEDBACK_NOTE_MAX);

      return usage_error ("rate", message);
    }

  if ((engine = open_engine (settings, HEARTH_ENGINE_HISTORY, &error)) == NULL)
    return fail (error);
  if (!hearth_engine_rate_message (engine, message_id, rating, opt_note, &error))
    return fail (error);
  if (rating == 0)
    g_print (_("Took back the rating of message %" PRId64 ".\n"), message_id);
  else if (rating > 0 && opt_note != NULL)
    /* Translators: the number is the message's id; “up” is the rating */
    g_print (_("Rated message %" PRId64 " up, with your note.\n"), message_id);
  else if (rating > 0)
    /* Translators: the number is the message's id; “up” is the rating */
    g_print (_("Rated message %" PRId64 " up.\n"), message_id);
  else if (opt_note != NULL)
    /* Translators: the number is the message's id; “down” is the rating */
    g_print (_("Rated message %" PRId64 " down, with your note.\n"), message_id);
  else
    /* Translators: the number is the message's id; “down” is the rating */
    g_print (_("Rated message %" PRId64 " down.\n"), message_id);
  return 0;
}

/* feedback */

static const GOptionEntry feedback_entries[] = {
  { "since", 0, 0, G_OPTION_ARG_FILENAME, &opt_since,
    N_("stats, export: only what was rated or picked in this window: 90s, 5m, 1h, 24h, 30d "
       "(default: all)"), "30d" },
  { "format", 0, 0, G_OPTION_ARG_FILENAME, &opt_format,
    N_("export: pairs (prompt, chosen, rejected: what DPO trainers read) or ratings (each "
       "rated reply)"), "pairs|ratings" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    N_("export: write to this file (made readable by you only) instead of standard output"),
    N_("FILE") },
  { NULL }
};

#define FEEDBACK_USAGE \
  _("Use feedback stats [--since 30d], feedback export --format pairs|ratings [--since 30d] " \
  "[--output FILE] or feedback routing [on|off]")

/* --since as metrics reads it; 0 (all time) without it */
static gboolean
since_ms (gint64 *since,
          int    *exit_code)
{
  g_autoptr(GError) error = NULL;
  gint64 window;

  *since = 0;
  if (opt_since == NULL)
    return TRUE;
  window = hearth_metrics_parse_since (opt_since, &error);
  if (window < 0)
    {
      *exit_code = usage_error ("feedback", error->message);
      return FALSE;
    }
  *since = MAX (1, g_get_real_time () / 1000 - window);
  return TRUE;
}

static void
add_record_json (JsonBuilder *builder,
                 gpointer     item)
{
  const HearthModelRecord *record = item;

  hearth_json_add_string (builder, "model", record->model);
  hearth_json_add_string (builder, "kind", record->kind);
  hearth_json_add_int (builder, "ups", record->ups);
  hearth_json_add_int (builder, "downs", record->downs);
  hearth_json_add_int (builder, "pick_wins", record->pick_wins);
  hearth_json_add_int (builder, "pick_losses", record->pick_losses);
  hearth_json_add_int (builder, "wins", record->wins);
  hearth_json_add_int (builder, "losses", record->losses);
  hearth_json_add_double (builder, "rate", record->rate);
}

static char *
format_rate (double rate)
{
  if (rate < 0)
    return g_strdup ("–");
  return g_strdup_printf ("%.0f%%", rate * 100);
}

static void
print_stats_table (HearthFeedbackStats *stats)
{
  /* Translators: column headers of hearth-cli feedback stats: the model,
   * the kind of question, comparisons it won, of how many, its rate of
   * wins, thumbs up and down, and the times it was picked as the better
   * answer and passed over */
  g_autoptr(CliTable) table = cli_table_new (9, 0x1fc, C_("column header", "MODEL"),
                                             C_("column header", "KIND"),
                                             C_("column header", "WINS"),
                                             C_("column header", "OF"),
                                             C_("column header", "RATE"),
                                             C_("column header", "UP"),
                                             C_("column header", "DOWN"),
                                             C_("column header", "PICKS WON"),
                                             C_("column header", "PICKS LOST"));

  for (guint i = 0; i < stats->records->len; i++)
    {
      const HearthModelRecord *record = g_ptr_array_index (stats->records, i);
      g_autofree char *rate = format_rate (record->rate);
      g_autofree char *wins = g_strdup_printf ("%u", record->wins);
      g_autofree char *of = g_strdup_printf ("%u", record->wins + record->losses);
      g_autofree char *ups = g_strdup_printf ("%u", record->ups);
      g_autofree char *downs = g_strdup_printf ("%u", record->downs);
      g_autofree char *pick_wins = g_strdup_printf ("%u", record->pick_wins);
      g_autofree char *pick_losses = g_strdup_printf ("%u", record->pick_losses);

      cli_table_add (table, record->model, record->kind, wins, of, rate, ups, downs, pick_wins,
                     pick_losses);
    }
  cli_table_print (table);
}

static int
feedback_stats (HearthEngine *engine,
                gint64        since)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HearthFeedbackStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  gboolean use = hearth_routes_get_use_ratings (hearth_engine_get_routes (engine));
  Cli cli = { 0 };

  cli.cancellable = cancellable;
  hearth_engine_feedback_stats_async (engine, since, cancellable, keep_result, &cli);
  run_loop (&cli);
  stats = hearth_engine_feedback_stats_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (cli.interrupted)
    {
      g_printerr (_("hearth-cli: Interrupted while the ratings were read.\n"));
      return EXIT_INTERRUPTED;
    }
  if (stats == NULL)
    return fail (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "ratings", stats->ratings);
      hearth_json_add_int (builder, "picks", stats->picks);
      hearth_json_add_int (builder, "pairs", stats->pairs);
      json_builder_set_member_name (builder, "routing_uses_ratings");
      json_builder_add_boolean_value (builder, use);
      hearth_json_add_int (builder, "min_ratings", HEARTH_FEEDBACK_MIN_RATINGS);
      json_builder_set_member_name (builder, "records");
      json_builder_add_value (builder, hearth_json_array_of_objects (stats->records,
                                                                     add_record_json));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  if (stats->records->len > 0)
    {
      print_stats_table (stats);
      g_print ("\n");
    }
  {
    g_autofree char *ratings = g_strdup_printf (ngettext ("%u rating", "%u ratings",
                                                          stats->ratings),
                                                stats->ratings);
    g_autofree char *picks = g_strdup_printf (ngettext ("%u compare pick", "%u compare picks",
                                                        stats->picks), stats->picks);
    g_autofree char *pairs = g_strdup_printf (ngettext ("%u preference pair", "%u preference pairs",
                                                        stats->pairs), stats->pairs);

    /* Translators: "12 ratings, 3 compare picks; an export would write 4 preference pairs." */
    g_print (_("%s, %s; an export would write %s.\n"), ratings, picks, pairs);
  }
  if (stats->records->len > 0)
    g_print (_("A win is a thumbs up or a compare pick, a loss a thumbs down or an answer not "
               "picked; kind “all” counts every kind.\n"));
  /* Translators: the first %s is "follows" or "does not follow"; the second is on or off,
   * typed as they are */
  g_print (_("“auto” %s your ratings (hearth-cli feedback routing %s).\n"),
           use ? _("follows") : _("does not follow"), use ? "off" : "on");
  return 0;
}

/* All of @text to @path, readable by the user only: it holds the prompts. */
static gboolean
write_export (const char  *path,
              const char  *text,
              GError     **error)
{
  return g_file_set_contents_full (path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT |
                                   G_FILE_SET_CONTENTS_ONLY_EXISTING,
                                   0600, error);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  if (*text != '\0' && text[strlen (text) - 1] != '\n')
    n++;
  return n;
}

static int
feedback_export (HearthEngine         *engine,
                 HearthFeedbackFormat  format,
                 gint64                since)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Cli cli = { 0 };
  guint lines;

  cli.cancellable = cancellable;
  hearth_engine_export_feedback_async (engine, format, since, cancellable, keep_result, &cli);
  run_loop (&cli);
  text = hearth_engine_export_feedback_finish (engine, cli.result, &error);
  g_clear_object (&cli.result);
  if (cli.interrupted)
    {
      g_printerr (_("hearth-cli: Interrupted while the feedback was read; nothing was written.\n"));
      return EXIT_INTERRUPTED;
    }
  if (text == NULL)
    return fail (error);
  lines = count_lines (text);

  if (opt_output != NULL)
    {
      if (!write_export (opt_output, text, &error))
        {
          g_autofree char *reason = g_strdup (error->message);

          g_strdelimit (reason, "\r\n", ' ');
          g_printerr (_("hearth-cli: Cannot write %s: %s. Choose a file in a folder you can "
                        "write to.\n"), opt_output, reason);
          return EXIT_FAILED;
        }
      /* Translators: the last %s is the file written */
      if (format == HEARTH_FEEDBACK_PAIRS)
        g_printerr (ngettext ("hearth-cli: Wrote %u preference pair to %s.\n",
                              "hearth-cli: Wrote %u preference pairs to %s.\n", lines),
                    lines, opt_output);
      else
        g_printerr (ngettext ("hearth-cli: Wrote %u rated reply to %s.\n",
                              "hearth-cli: Wrote %u rated replies to %s.\n", lines),
                    lines, opt_output);
      return 0;
    }
  print_json_text (text);
  if (*text != '\0' && text[strlen (text) - 1] != '\n')
    output_write (OUTPUT_STDOUT, "\n", 1);
  if (lines == 0 && output_is_terminal (OUTPUT_STDERR))
    g_printerr (_("hearth-cli: Nothing to export yet: %s.\n"),
                format == HEARTH_FEEDBACK_PAIRS
                ? _("pairs come from compare picks and from up and down ratings of one question")
                : _("rate replies with hearth-cli rate MESSAGE_ID up|down"));
  return 0;
}

static int
feedback_routing (HearthEngine *engine,
                  const char   *value)
{
  HearthRoutes *routes = hearth_engine_get_routes (engine);
  g_autoptr(GError) error = NULL;
  gboolean use;

  if (value != NULL)
    {
      if (!g_str_equal (value, "on") && !g_str_equal (value, "off"))
        {
          g_autofree char *message =
            g_strdup_printf (_("feedback routing takes on or off, not “%s”"), value);

          return usage_error ("feedback", message);
        }
      if (!hearth_routes_set_use_ratings (routes, g_str_equal (value, "on"), &error))
        return fail (error);
    }
  use = hearth_routes_get_use_ratings (routes);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "routing_uses_ratings");
      json_builder_add_boolean_value (builder, use);
      hearth_json_add_int (builder, "min_ratings", HEARTH_FEEDBACK_MIN_RATINGS);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  if (use)
    g_print (_("On: for “auto”, once at least two models that can answer have %d ratings for "
               "a kind of question (code, long prompts, long conversations, the rest), the one "
               "with the better record is asked when it beats the routing rule's choice.\n"),
             HEARTH_FEEDBACK_MIN_RATINGS);
  else
    g_print (_("Off: “auto” follows the routing rules only (hearth-cli routes list). Turn it on "
               "with hearth-cli feedback routing on: then, once two models have %d ratings for a "
               "kind of question, the better rated one is asked.\n"), HEARTH_FEEDBACK_MIN_RATINGS);
  return 0;
}

int
hearth_cli_command_feedback (int    argc,
                             char **argv)
{
  g_autoptr(GSettings) settings = hearth_settings_try_new ();
  g_autoptr(HearthEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  HearthFeedbackFormat format = HEARTH_FEEDBACK_PAIRS;
  const char *sub;
  gint64 since = 0;
  int exit_code = 0;

  if (!parse_options ("feedback", N_("stats | export | routing [on|off]"), feedback_entries, FALSE,
                      &argc, &argv, &exit_code))
    return exit_code;
  sub = argc >= 3 ? argv[2] : "stats";
  if ((g_str_equal (sub, "routing") && argc > 4) ||
      (!g_str_equal (sub, "routing") && argc > 3) ||
      (!g_str_equal (sub, "stats") && !g_str_equal (sub, "export") &&
       !g_str_equal (sub, "routing")))
    return usage_error ("feedback", FEEDBACK_USAGE);
  if (!g_str_equal (sub, "export") && (opt_format != NULL || opt_output != NULL))
    return usage_error ("feedback", _("--format and --output are for feedback export"));
  if (g_str_equal (sub, "routing") && opt_since != NULL)
    return usage_error ("feedback", _("--since is for feedback stats and export"));
  if (g_str_equal (sub, "export"))
    {
      if (opt_format == NULL)
        return usage_error ("feedback", _("Say what to export: --format pairs (prompt, chosen, "
                                          "rejected) or --format ratings"));
      if (!hearth_feedback_format_parse (opt_format, &format, &error))
        return usage_error ("feedback", error->message);
      if (opt_json)
        return usage_error ("feedback", _("export writes JSON lines already; leave out --json"));
      if (opt_output != NULL && *opt_output == '\0')
        return usage_error ("feedback", _("--output needs a file name"));
    }
  if (!since_ms (&since, &exit_code))
    return exit_code;

  if ((engine = open_engine (settings, g_str_equal (sub, "routing") ? 0 : HEARTH_ENGINE_HISTORY,
                             &error)) == NULL)
    return fail (error);
  if (g_str_equal (sub, "stats"))
    return feedback_stats (engine, since);
  if (g_str_equal (sub, "export"))
    return feedback_export (engine, format, since);
  return feedback_routing (engine, argc == 4 ? argv[3] : NULL);
}
