/* hearth-run-options.c — run options: the keys, what each means, which
 * servers take it, parsing, JSON and the one-line summary
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-run-options.h"

struct _HearthRunOptions
{
  guint32 set;                             /* bit (1 << key) */
  double  values[HEARTH_N_RUN_OPTIONS];
};

typedef struct
{
  const char *name;
  const char *title;
  const char *description;
  gboolean    integer;
  gboolean    speed;
  double      min;
  double      max;
  gboolean    openai;       /* an OpenAI-compatible server takes it */
  const char *openai_why;   /* why not, when it does not */
} KeyInfo;

#define FOREVER_S   (-1.0)
#define YEAR_S      (365.0 * 24 * 3600)

static const KeyInfo keys[HEARTH_N_RUN_OPTIONS] = {
  [HEARTH_RUN_OPTION_NUM_CTX] = {
    "num_ctx", N_("Context length"),
    N_("How much of the conversation the model reads at once, in tokens; more uses more memory"),
    TRUE, TRUE, 128, 1048576, FALSE,
    N_("an OpenAI-compatible server sets its context length when it loads the model, not per request") },
  [HEARTH_RUN_OPTION_NUM_GPU] = {
    "num_gpu", N_("GPU layers"),
    N_("How many of the model's layers run on the graphics card; the rest run on the CPU (0: CPU only)"),
    TRUE, TRUE, 0, 999, FALSE,
    N_("an OpenAI-compatible server decides itself how much of the model runs on the graphics card") },
  [HEARTH_RUN_OPTION_NUM_THREAD] = {
    "num_thread", N_("CPU threads"),
    N_("How many processor threads work on the model; more is not always faster"),
    TRUE, TRUE, 1, 1024, FALSE,
    N_("an OpenAI-compatible server sets its own threads") },
  [HEARTH_RUN_OPTION_NUM_BATCH] = {
    "num_batch", N_("Batch size"),
    N_("How many tokens of your message the model reads in one step; larger reads long prompts faster but uses more memory"),
    TRUE, TRUE, 1, 16384, FALSE,
    N_("an OpenAI-compatible server sets its own batch size") },
  [HEARTH_RUN_OPTION_KEEP_ALIVE] = {
    "keep_alive", N_("Keep loaded"),
    N_("How long the model stays in memory after a reply, so the next one starts at once (forever, or 0 to unload it at once)"),
    TRUE, FALSE, FOREVER_S, YEAR_S, FALSE,
    N_("an OpenAI-compatible server decides itself how long a model stays loaded") },
  [HEARTH_RUN_OPTION_TEMPERATURE] = {
    "temperature", N_("Temperature"),
    N_("How freely the model picks its words: low gives steady, predictable answers, high more varied ones"),
    FALSE, FALSE, 0, 2, TRUE, NULL },
  [HEARTH_RUN_OPTION_TOP_P] = {
    "top_p", N_("Top P"),
    N_("The model picks only among its likeliest words that together make up this share of the chances (1: all of them)"),
    FALSE, FALSE, 0, 1, TRUE, NULL },
  [HEARTH_RUN_OPTION_TOP_K] = {
    "top_k", N_("Top K"),
    N_("The model picks only among this many of its likeliest next words (0: no limit)"),
    TRUE, FALSE, 0, 1000, FALSE,
    N_("the OpenAI API has no setting for it") },
  [HEARTH_RUN_OPTION_MIN_P] = {
    "min_p", N_("Min P"),
    N_("Words less likely than this share of the likeliest word's chance are never picked (0: off)"),
    FALSE, FALSE, 0, 1, FALSE,
    N_("the OpenAI API has no setting for it") },
  [HEARTH_RUN_OPTION_REPEAT_PENALTY] = {
    "repeat_penalty", N_("Repeat penalty"),
    N_("How much the model avoids repeating itself: 1 is no penalty, higher repeats less"),
    FALSE, FALSE, 0, 2, FALSE,
    N_("the OpenAI API has no setting for it (its frequency penalty works differently)") },
  [HEARTH_RUN_OPTION_SEED] = {
    "seed", N_("Seed"),
    N_("A fixed number makes the same question give the same answer again"),
    TRUE, FALSE, 0, 2147483647, TRUE, NULL },
  [HEARTH_RUN_OPTION_NUM_PREDICT] = {
    "num_predict", N_("Longest reply"),
    N_("The most tokens a reply may have before it is cut off (-1: no limit)"),
    TRUE, FALSE, -1, 1048576, TRUE, NULL },
};

const char *
hearth_run_option_key_to_string (HearthRunOptionKey key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, NULL);
  return keys[key].name;
}

gboolean
hearth_run_option_key_from_string (const char         *name,
                                   HearthRunOptionKey *key)
{
  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    if (g_ascii_strcasecmp (name, keys[i].name) == 0)
      {
        if (key != NULL)
          *key = i;
        return TRUE;
      }
  /* The OpenAI name of the longest reply. */
  if (g_ascii_strcasecmp (name, "max_tokens") == 0)
    {
      if (key != NULL)
        *key = HEARTH_RUN_OPTION_NUM_PREDICT;
      return TRUE;
    }
  return FALSE;
}

const char *
hearth_run_option_get_title (HearthRunOptionKey key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, NULL);
  return _(keys[key].title);
}

const char *
hearth_run_option_get_description (HearthRunOptionKey key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, NULL);
  return _(keys[key].description);
}

gboolean
hearth_run_option_is_integer (HearthRunOptionKey key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, FALSE);
  return keys[key].integer;
}

void
hearth_run_option_get_range (HearthRunOptionKey  key,
                             double             *min,
                             double             *max)
{
  g_return_if_fail (key < HEARTH_N_RUN_OPTIONS);
  if (min != NULL)
    *min = keys[key].min;
  if (max != NULL)
    *max = keys[key].max;
}

gboolean
hearth_run_option_changes_speed (HearthRunOptionKey key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, FALSE);
  return keys[key].speed;
}

gboolean
hearth_run_option_is_supported (HearthRunOptionKey   key,
                                HearthApiKind        api,
                                const char         **why)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, FALSE);

  if (why != NULL)
    *why = NULL;
  /* Anthropic's Messages API takes these four (hearth-anthropic-provider.c). */
  if (api == HEARTH_API_ANTHROPIC)
    {
      if (key == HEARTH_RUN_OPTION_TEMPERATURE || key == HEARTH_RUN_OPTION_TOP_P ||
          key == HEARTH_RUN_OPTION_TOP_K || key == HEARTH_RUN_OPTION_NUM_PREDICT)
        return TRUE;
      if (why != NULL)
        *why = keys[key].speed || key == HEARTH_RUN_OPTION_KEEP_ALIVE
               ? _("Anthropic runs its models itself: there is no such setting")
               : _("Anthropic's API has no setting for it");
      return FALSE;
    }
  if (api != HEARTH_API_OPENAI || keys[key].openai)
    return TRUE;
  if (why != NULL)
    *why = _(keys[key].openai_why);
  return FALSE;
}

/* Durations: "90s", "30m", "1h", "1h30m", "forever", "-1", "0", "45" (s) */

static char *
format_duration (double seconds)
{
  gint64 s = (gint64) llround (seconds);

  if (s < 0)
    return g_strdup ("forever");
  if (s == 0)
    return g_strdup ("0");
  if (s % 3600 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h", s / 3600);
  if (s % 60 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m", s / 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "s", s);
}

static gboolean
parse_duration (const char *text,
                double     *seconds)
{
  const char *p = text;
  double total = 0;
  gboolean negative = FALSE;

  while (g_ascii_isspace (*p))
    p++;
  if (g_ascii_strcasecmp (p, "forever") == 0 || g_ascii_strcasecmp (p, "never") == 0)
    {
      *seconds = FOREVER_S;
      return TRUE;
    }
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (*p == '\0')
    return FALSE;
  while (*p != '\0')
    {
      char *end = NULL;
      double value;
      double unit;

      if (!g_ascii_isdigit (*p) && *p != '.')
        return FALSE;
      value = g_ascii_strtod (p, &end);
      if (end == p || !isfinite (value))
        return FALSE;
      p = end;
      if (g_str_has_prefix (p, "ms"))
        unit = 0.001, p += 2;
      else if (*p == 'h' || *p == 'H')
        unit = 3600, p++;
      else if (*p == 'm' || *p == 'M')
        unit = 60, p++;
      else if (*p == 's' || *p == 'S')
        unit = 1, p++;
      else if (*p == '\0' && total == 0)
        unit = 1;                            /* a bare number: seconds */
      else
        return FALSE;
      total += value * unit;
    }
  /* Any negative duration keeps the model loaded, as Ollama reads it. */
  *seconds = negative && total > 0 ? FOREVER_S : round (total);
  return TRUE;
}

char *
hearth_run_option_format_value (HearthRunOptionKey key,
                                double             value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, NULL);

  if (key == HEARTH_RUN_OPTION_KEEP_ALIVE)
    {
      if (value < 0)
        return g_strdup ("forever");
      if (value == 0)
        return g_strdup (_("unload at once"));
      return format_duration (value);
    }
  if (key == HEARTH_RUN_OPTION_NUM_PREDICT && value < 0)
    return g_strdup (_("no limit"));
  if (keys[key].integer)
    return g_strdup_printf ("%.0f", value);
  g_ascii_formatd (buf, sizeof buf, "%.6g", value);
  return g_strdup (buf);
}

/* The set */

HearthRunOptions *
hearth_run_options_new (void)
{
  return g_new0 (HearthRunOptions, 1);
}

HearthRunOptions *
hearth_run_options_copy (const HearthRunOptions *options)
{
  if (options == NULL)
    return NULL;
  return g_memdup2 (options, sizeof *options);
}

void
hearth_run_options_free (HearthRunOptions *options)
{
  g_free (options);
}

gboolean
hearth_run_options_equal (const HearthRunOptions *a,
                          const HearthRunOptions *b)
{
  guint32 set_a = a ? a->set : 0;
  guint32 set_b = b ? b->set : 0;

  if (set_a != set_b)
    return FALSE;
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    if ((set_a & (1u << i)) && a->values[i] != b->values[i])
      return FALSE;
  return TRUE;
}

gboolean
hearth_run_options_is_empty (const HearthRunOptions *options)
{
  return options == NULL || options->set == 0;
}

gboolean
hearth_run_options_is_set (const HearthRunOptions *options,
                           HearthRunOptionKey      key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, FALSE);
  return options != NULL && (options->set & (1u << key)) != 0;
}

double
hearth_run_options_get (const HearthRunOptions *options,
                        HearthRunOptionKey      key)
{
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, 0);
  if (!hearth_run_options_is_set (options, key))
    return 0;
  return options->values[key];
}

static gboolean
check_value (HearthRunOptionKey   key,
             double               value,
             GError             **error)
{
  const KeyInfo *info = &keys[key];
  g_autofree char *min = NULL;
  g_autofree char *max = NULL;

  if (isfinite (value) && value >= info->min && value <= info->max
      && (!info->integer || value == floor (value)))
    return TRUE;
  if (key == HEARTH_RUN_OPTION_KEEP_ALIVE)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("keep_alive must be a time such as 90s, 30m or 1h (at most a year), "
                     "“forever” (or -1), or 0 to unload at once"));
      return FALSE;
    }
  min = g_strdup_printf (info->integer ? "%.0f" : "%g", info->min);
  max = g_strdup_printf (info->integer ? "%.0f" : "%g", info->max);
  if (info->integer)
    /* Translators: an option's name as typed (num_ctx), its title, and the
     * smallest and largest value it takes */
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("%s (%s) must be a whole number from %s to %s"), info->name, _(info->title),
                 min, max);
  else
    /* Translators: an option's name as typed (temperature), its title, and
     * the smallest and largest value it takes */
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("%s (%s) must be a number from %s to %s"), info->name, _(info->title),
                 min, max);
  return FALSE;
}

gboolean
hearth_run_options_set (HearthRunOptions    *options,
                        HearthRunOptionKey   key,
                        double               value,
                        GError             **error)
{
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (key < HEARTH_N_RUN_OPTIONS, FALSE);

  /* Every negative keep-alive means forever. */
  if (key == HEARTH_RUN_OPTION_KEEP_ALIVE && value < 0 && isfinite (value))
    value = FOREVER_S;
  if (!check_value (key, value, error))
    return FALSE;
  options->set |= 1u << key;
  options->values[key] = value;
  return TRUE;
}

void
hearth_run_options_unset (HearthRunOptions   *options,
                          HearthRunOptionKey  key)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (key < HEARTH_N_RUN_OPTIONS);
  options->set &= ~(1u << key);
  options->values[key] = 0;
}

void
hearth_run_options_merge (HearthRunOptions       *base,
                          const HearthRunOptions *over)
{
  g_return_if_fail (base != NULL);
  if (over == NULL)
    return;
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    if (over->set & (1u << i))
      {
        base->set |= 1u << i;
        base->values[i] = over->values[i];
      }
}

static char *
list_key_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", keys[i].name);
  return g_string_free (names, FALSE);
}

static void
set_unknown_key_error (const char  *name,
                       GError     **error)
{
  g_autofree char *names = list_key_names ();

  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a run option; the options are %s"), name, names);
}

static gboolean
parse_value (HearthRunOptionKey   key,
             const char          *text,
             double              *value,
             GError             **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (key == HEARTH_RUN_OPTION_KEEP_ALIVE)
    {
      if (parse_duration (stripped, value))
        return TRUE;
      return check_value (key, NAN, error);
    }
  *value = g_ascii_strtod (stripped, &end);
  if (*stripped == '\0' || end == NULL || *end != '\0')
    return check_value (key, NAN, error);
  return TRUE;
}

gboolean
hearth_run_options_parse_assignment (HearthRunOptions  *options,
                                     const char        *assignment,
                                     GError           **error)
{
  const char *equals;
  g_autofree char *name = NULL;
  HearthRunOptionKey key;
  double value;

  g_return_val_if_fail (options != NULL, FALSE);

  equals = assignment ? strchr (assignment, '=') : NULL;
  if (equals == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an option: write it as KEY=VALUE, such as num_ctx=8192 "
                     "or keep_alive=30m"), assignment ? assignment : "");
      return FALSE;
    }
  name = g_strstrip (g_strndup (assignment, equals - assignment));
  if (!hearth_run_option_key_from_string (name, &key))
    {
      set_unknown_key_error (name, error);
      return FALSE;
    }
  if (!parse_value (key, equals + 1, &value, error))
    return FALSE;
  return hearth_run_options_set (options, key, value, error);
}

/* JSON */

JsonNode *
hearth_run_options_to_json (const HearthRunOptions *options)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; options != NULL && i < HEARTH_N_RUN_OPTIONS; i++)
    {
      double value;

      if (!(options->set & (1u << i)))
        continue;
      value = options->values[i];
      /* Ollama's keep_alive: a duration ("30m"), a negative number for
       * forever, 0 to unload at once. */
      if (i == HEARTH_RUN_OPTION_KEEP_ALIVE && value > 0)
        {
          g_autofree char *duration = format_duration (value);

          json_object_set_string_member (object, keys[i].name, duration);
        }
      else if (keys[i].integer)
        json_object_set_int_member (object, keys[i].name, (gint64) value);
      else
        json_object_set_double_member (object, keys[i].name, value);
    }
  json_node_take_object (node, object);
  return node;
}

char *
hearth_run_options_to_json_string (const HearthRunOptions *options)
{
  g_autoptr(JsonNode) node = hearth_run_options_to_json (options);

  return json_to_string (node, FALSE);
}

HearthRunOptions *
hearth_run_options_from_json (JsonNode  *node,
                              GError   **error)
{
  g_autoptr(HearthRunOptions) options = hearth_run_options_new ();
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&options);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("Run options must be a JSON object such as {\"num_ctx\": 8192}"));
      return NULL;
    }
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *member = json_object_get_member (object, name);
      HearthRunOptionKey key;
      double value;

      if (!hearth_run_option_key_from_string (name, &key))
        {
          set_unknown_key_error (name, error);
          return NULL;
        }
      if (JSON_NODE_HOLDS_NULL (member))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (member))
        {
          check_value (key, NAN, error);
          return NULL;
        }
      switch (json_node_get_value_type (member))
        {
        case G_TYPE_INT64:
          value = json_node_get_int (member);
          break;
        case G_TYPE_DOUBLE:
          value = json_node_get_double (member);
          break;
        case G_TYPE_STRING:
          if (!parse_value (key, json_node_get_string (member), &value, error))
            return NULL;
          break;
        default:
          check_value (key, NAN, error);
          return NULL;
        }
      if (!hearth_run_options_set (options, key, value, error))
        return NULL;
    }
  return g_steal_pointer (&options);
}

HearthRunOptions *
hearth_run_options_from_json_string (const char  *json,
                                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;

  if (json == NULL || *json == '\0')
    return hearth_run_options_new ();
  if (!json_parser_load_from_data (parser, json, -1, &local))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("Run options are not valid JSON: %s"), local->message);
      return NULL;
    }
  return hearth_run_options_from_json (json_parser_get_root (parser), error);
}

/* What a reply shows */

char *
hearth_run_options_summary (const HearthRunOptions *options)
{
  GString *out;
  double v;

  if (options == NULL)
    return NULL;
  out = g_string_new (NULL);
#define SEP() (out->len ? " · " : "")
  if (hearth_run_options_is_set (options, HEARTH_RUN_OPTION_NUM_CTX))
    /* Translators: a short label, the context window in tokens: "ctx 8192" */
    g_string_append_printf (out,
                            _("%sctx %.0f"), SEP (), options->values[HEARTH_RUN_OPTION_NUM_CTX]);
  if (hearth_run_options_is_set (options, HEARTH_RUN_OPTION_NUM_THREAD))
    {
      v = options->values[HEARTH_RUN_OPTION_NUM_THREAD];
      /* Translators: the first %s is a separator (" · ") or nothing */
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%s%.0f thread", "%s%.0f threads",
                                                (gulong) v), SEP (), v);
    }
  if (hearth_run_options_is_set (options, HEARTH_RUN_OPTION_NUM_GPU))
    {
      v = options->values[HEARTH_RUN_OPTION_NUM_GPU];
      if (v == 0)
        /* Translators: the %s is a separator (" · ") or nothing */
        g_string_append_printf (out, _("%sCPU only"), SEP ());
      else
        g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%s%.0f GPU layer",
                                                  "%s%.0f GPU layers", (gulong) v), SEP (), v);
    }
  if (hearth_run_options_is_set (options, HEARTH_RUN_OPTION_NUM_BATCH))
    /* Translators: a short label, the batch size in tokens: "batch 512" */
    g_string_append_printf (out, _("%sbatch %.0f"), SEP (),
                            options->values[HEARTH_RUN_OPTION_NUM_BATCH]);
#undef SEP
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

HearthRunOptions *
hearth_run_options_for_api (const HearthRunOptions *options,
                            HearthApiKind           api)
{
  HearthRunOptions *copy = hearth_run_options_new ();

  if (options == NULL)
    return copy;
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    if ((options->set & (1u << i)) && hearth_run_option_is_supported (i, api, NULL))
      {
        copy->set |= 1u << i;
        copy->values[i] = options->values[i];
      }
  return copy;
}
