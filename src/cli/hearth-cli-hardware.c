/* hearth-cli-hardware.c — hearth-cli hardware and recommend: this machine, and models that suit it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"
#include "hearth-catalog.h"

static char *opt_use;
static gboolean opt_refresh;

static const GOptionEntry hardware_entries[] = {
  { "refresh", 0, 0, G_OPTION_ARG_NONE, &opt_refresh,
    N_("Measure the memory bandwidth again (it is measured once and kept)"), NULL },
  { NULL }
};

/* The bandwidth measured once and kept, unless --refresh asks again: the
 * same machine gets the same score and picks on every surface. */
static HearthHardware *
probe_this_machine (GError **error)
{
  return opt_refresh ? hearth_hardware_probe_fresh (error)
                     : hearth_hardware_probe (NULL, TRUE, error);
}


/* hardware */

static void
add_score_json (JsonBuilder       *builder,
                const HearthScore *score)
{
  json_builder_set_member_name (builder, "score");
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "value", score->score);
  json_builder_set_member_name (builder, "reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < score->reasons->len; i++)
    {
      const HearthScoreReason *reason = g_ptr_array_index (score->reasons, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "points");
      json_builder_add_int_value (builder, reason->points);
      hearth_json_add_string (builder, "text", reason->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

int
hearth_cli_command_hardware (int    argc,
                             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hardware = NULL;
  g_autoptr(HearthScore) score = NULL;
  int exit_code = 0;

  if (!parse_options ("hardware", NULL, hardware_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("hardware", _("hardware takes no arguments"));
  if ((hardware = probe_this_machine (&error)) == NULL)
    return fail (error);
  score = hearth_hardware_score (hardware);

  if (opt_json)
    {
      g_autoptr(JsonNode) root = hearth_hardware_to_json (hardware);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) score_node = NULL;

      json_builder_begin_object (builder);
      add_score_json (builder, score);
      json_builder_end_object (builder);
      score_node = json_builder_get_root (builder);
      json_object_set_member (json_node_get_object (root), "score",
                              json_node_ref (json_object_get_member (json_node_get_object (score_node),
                                                                     "score")));
      print_json (root);
      return 0;
    }
  {
    g_autofree char *report = hearth_hardware_to_markdown (hardware);

    g_print (_("%s\n## Score: %d / 100\n\n"), report, score->score);
    for (guint i = 0; i < score->reasons->len; i++)
      g_print ("- %s\n", ((HearthScoreReason *) g_ptr_array_index (score->reasons, i))->text);
  }
  return 0;
}

static const GOptionEntry recommend_entries[] = {
  { "use", 0, 0, G_OPTION_ARG_FILENAME, &opt_use,
    N_("What the model is for: chat, code or reasoning"), N_("USE") },
  { "refresh", 0, 0, G_OPTION_ARG_NONE, &opt_refresh,
    N_("Measure the memory bandwidth again (it is measured once and kept)"), NULL },
  { NULL }
};


static void
add_recommendation_json (JsonBuilder          *builder,
                         HearthRecommendation *r)
{
  hearth_json_add_string (builder, "tier", hearth_tier_to_string (r->tier));
  hearth_json_add_string (builder, "model", r->model->name);
  hearth_json_add_string (builder, "tag", r->quant->tag);
  if (r->note != NULL)
    hearth_json_add_string (builder, "note", r->note);
  hearth_json_add_string (builder, "quantization", r->quant->name);
  hearth_json_add_int (builder, "download_size", r->quant->size);
  hearth_json_add_string (builder, "placement", hearth_placement_to_string (r->fit->placement));
  hearth_json_add_int (builder, "memory_needed", r->fit->memory_needed);
  hearth_json_add_int (builder, "best_context", r->fit->best_context);
  hearth_json_add_double (builder, "tokens_per_s", r->fit->tokens_per_s);
  json_builder_set_member_name (builder, "tokens_per_s_measured");
  json_builder_add_boolean_value (builder, r->fit->measured);
  hearth_json_add_string (builder, "estimate_basis", r->fit->estimate_basis);
  /* When the catalog's figures for this model were last compared with their
   * sources; absent for entries that never recorded it. */
  if (r->model->checked != NULL)
    hearth_json_add_string (builder, "checked", r->model->checked);
}

/* The tier and placement as a person reads them; --json keeps
 * hearth_tier_to_string () and hearth_placement_to_string (). */
static const char *
tier_label (HearthTier tier)
{
  switch (tier)
    {
    case HEARTH_TIER_FAST:
      /* Translators: the first of the models recommend suggests */
      return C_("recommendation", "fast");
    case HEARTH_TIER_BALANCED:
      return C_("recommendation", "balanced");
    case HEARTH_TIER_MOST_CAPABLE:
    default:
      return C_("recommendation", "most capable");
    }
}

static const char *
placement_label (HearthPlacement placement)
{
  switch (placement)
    {
    case HEARTH_PLACEMENT_RUNS_ON_GPU:
      /* Translators: where a recommended model runs */
      return C_("placement", "runs on GPU");
    case HEARTH_PLACEMENT_PARTLY_ON_GPU:
      return C_("placement", "partly on GPU");
    case HEARTH_PLACEMENT_CPU_ONLY:
      return C_("placement", "CPU only");
    case HEARTH_PLACEMENT_TOO_LARGE:
    default:
      return C_("placement", "too large");
    }
}

/* As wide as the widest tier's name, 13 characters at least */
static guint
tier_width (void)
{
  guint width = 13;

  for (HearthTier tier = HEARTH_TIER_FAST; tier <= HEARTH_TIER_MOST_CAPABLE; tier++)
    width = column_width (tier_label (tier), width);
  return width;
}

static void
print_recommendation (HearthRecommendation *r)
{
  g_autofree char *tier = pad_text (tier_label (r->tier), tier_width ());
  g_autofree char *indent = pad_text ("", tier_width ());
  g_autofree char *tag = pad_text (r->quant->tag, 34);
  g_autofree char *size = g_format_size (r->quant->size);
  g_autofree char *needed = g_format_size (r->fit->memory_needed);
  g_autofree char *speed = r->fit->measured
                           ? g_strdup_printf (_("%.1f tokens/s (measured)"), r->fit->tokens_per_s)
                           : r->fit->tokens_per_s > 0
                           ? g_strdup_printf (_("~%.0f tokens/s (estimate)"), r->fit->tokens_per_s)
                           : g_strdup (_("no speed estimate"));

  g_print ("%s %s ", tier, tag);
  /* Translators: a recommended model's download size, the memory it needs,
   * where it runs (“runs on GPU”) and its speed (“~40 tokens/s (estimate)”) */
  g_print (_("%s download, needs %s, %s, %s\n"), size, needed,
           placement_label (r->fit->placement), speed);
  g_print ("%s %s\n", indent, r->fit->estimate_basis);
  if (r->note != NULL)
    g_print ("%s %s\n", indent, r->note);
}

int
hearth_cli_command_recommend (int    argc,
                              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthHardware) hardware = NULL;
  g_autoptr(GPtrArray) catalog = NULL;
  g_autoptr(GPtrArray) picks = NULL;
  HearthUse use = HEARTH_USE_CHAT;
  int exit_code = 0;

  if (!parse_options ("recommend", NULL, recommend_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 2)
    return usage_error ("recommend", _("recommend takes no arguments"));
  if (opt_use == NULL || g_str_equal (opt_use, "chat"))
    use = HEARTH_USE_CHAT;
  else if (g_str_equal (opt_use, "code"))
    use = HEARTH_USE_CODE;
  else if (g_str_equal (opt_use, "reasoning"))
    use = HEARTH_USE_REASONING;
  else
    return usage_error ("recommend", _("--use takes chat, code or reasoning"));

  if ((hardware = probe_this_machine (&error)) == NULL ||
      (catalog = hearth_catalog_load (&error)) == NULL)
    return fail (error);
  picks = hearth_catalog_recommend (catalog, hardware, use);
  {
    /* What this machine measured beats an estimate; no history, no matter. */
    g_autoptr(HearthEngine) engine = hearth_engine_new_for_settings (NULL, HEARTH_ENGINE_HISTORY);

    hearth_engine_apply_measurements (engine, picks);
  }
  if (opt_json)
    {
      print_json_list (picks, (HearthJsonAddFunc) add_recommendation_json);
      return 0;
    }
  if (picks->len == 0)
    {
      g_printerr (_("hearth-cli: No model in the catalog runs well on this machine. "
                    "Free some memory or use a server on another machine.\n"));
      return 0;
    }
  for (guint i = 0; i < picks->len; i++)
    print_recommendation (g_ptr_array_index (picks, i));
  return 0;
}
