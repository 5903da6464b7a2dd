/* hearth-metrics-export.c — the stored requests and their figures as CSV and JSON
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-metrics"

#include <string.h>

#include "hearth-json.h"
#include "hearth-metrics.h"
#include "hearth-store.h"

/* An array of flat objects, written as hearth-cli writes all its JSON. */
static char *
format_json (JsonNode *root,
             gboolean  pretty)
{
  g_autofree char *text = hearth_json_to_string (root, pretty);

  return g_strconcat (text, "\n", NULL);
}

static char *
export_json (GPtrArray         *items,
             HearthJsonAddFunc  add_item,
             gboolean           pretty)
{
  g_autoptr(JsonNode) root = hearth_json_array_of_objects (items, add_item);

  return format_json (root, pretty);
}

/* One CSV record (RFC 4180): fields with a comma, quote or line break are
 * quoted, quotes inside doubled; NULL is an empty field. */
static void
append_csv_record (GString            *out,
                   const char * const *fields,
                   guint               n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      const char *field = fields[i] != NULL ? fields[i] : "";

      if (i > 0)
        g_string_append_c (out, ',');
      if (strpbrk (field, ",\"\r\n") == NULL)
        {
          g_string_append (out, field);
          continue;
        }
      g_string_append_c (out, '"');
      for (const char *p = field; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append (out, "\r\n");
}

typedef void (*AppendCsvFunc) (GString  *out,
                               gpointer  item);

/* What one kind of item looks like in each format. */
typedef struct
{
  const char * const *header;
  guint               n_columns;
  AppendCsvFunc       append_csv;
  HearthJsonAddFunc   add_json;
} ExportShape;

static char *
export_items (GPtrArray           *items,
              HearthMetricsFormat  format,
              const ExportShape   *shape)
{
  GString *out;

  if (format != HEARTH_METRICS_FORMAT_CSV)
    return export_json (items, shape->add_json, format == HEARTH_METRICS_FORMAT_JSON_PRETTY);
  out = g_string_new (NULL);
  append_csv_record (out, shape->header, shape->n_columns);
  for (guint i = 0; i < items->len; i++)
    shape->append_csv (out, g_ptr_array_index (items, i));
  return g_string_free (out, FALSE);
}

/* An unknown figure is an empty field. */
static char *
csv_figure (double value)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (value >= 0)
    hearth_json_append_figure (out, value);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
csv_count (gint64 value)
{
  return value < 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static const char *
figures_source (const HearthMessage *m)
{
  return m->figures.from_server ? "server" : "client";
}

/* "ok", "cached" (answered from the response cache), the kind of failure ("timeout", "model-not-found"…), or what
 * became of a reply that did not end on its own ("cancelled", "partial"). */
static const char *
outcome (const HearthMessage *m)
{
  switch (m->state)
    {
    case HEARTH_MESSAGE_COMPLETE:
      return m->figures.cached ? "cached" : "ok";
    case HEARTH_MESSAGE_FAILED:
      /* replies stored before failures were classed say only that */
      return m->error_class != NULL ? m->error_class : "failed";
    case HEARTH_MESSAGE_CANCELLED:
    case HEARTH_MESSAGE_PARTIAL:
    default:
      return hearth_message_state_to_string (m->state);
    }
}

static void
add_row_json (JsonBuilder   *builder,
              HearthMessage *m)
{
  hearth_json_add_int (builder, "created_ms", m->created_ms);
  hearth_json_add_string (builder, "model", m->model);
  hearth_json_add_string (builder, "endpoint", m->endpoint);
  hearth_json_add_string (builder, "api", m->api);
  hearth_json_add_string (builder, "state", hearth_message_state_to_string (m->state));
  hearth_json_add_string (builder, "outcome", outcome (m));
  hearth_json_add_string (builder, "error", m->error);
  hearth_json_add_double (builder, "ttft_ms", m->figures.ttft_ms);
  hearth_json_add_double (builder, "total_ms", m->figures.total_ms);
  hearth_json_add_double (builder, "load_ms", m->figures.load_ms);
  hearth_json_add_int (builder, "tokens_in", m->figures.tokens_in);
  hearth_json_add_int (builder, "tokens_out", m->figures.tokens_out);
  hearth_json_add_double (builder, "prompt_tokens_per_s", m->figures.prompt_tokens_per_s);
  hearth_json_add_double (builder, "tokens_per_s", m->figures.tokens_per_s);
  hearth_json_add_string (builder, "figures_from", figures_source (m));
  hearth_json_add_string (builder, "server", m->server);
  hearth_json_add_string (builder, "client", m->client);
}

static void
append_row_csv (GString       *out,
                HearthMessage *m)
{
  g_autofree char *created = csv_count (m->created_ms);
  g_autofree char *ttft = csv_figure (m->figures.ttft_ms);
  g_autofree char *total = csv_figure (m->figures.total_ms);
  g_autofree char *tokens_in = csv_count (m->figures.tokens_in);
  g_autofree char *tokens_out = csv_count (m->figures.tokens_out);
  g_autofree char *speed = csv_figure (m->figures.tokens_per_s);
  const char *fields[] = {
    created, m->model, m->endpoint, m->api, hearth_message_state_to_string (m->state),
    outcome (m), ttft,
    total, tokens_in, tokens_out, speed, figures_source (m), m->error, m->server,
    m->client,
  };

  append_csv_record (out, fields, G_N_ELEMENTS (fields));
}

static const char * const row_columns[] = {
  "created_ms", "model", "endpoint", "api", "state", "outcome", "ttft_ms", "total_ms", "tokens_in",
  "tokens_out", "tokens_per_s", "figures_from", "error", "server", "client",
};

/**
 * hearth_metrics_export_rows:
 * @since_ms: only requests made at or after this unix time in milliseconds
 * @model: (nullable): only requests to this model
 *
 * The stored requests, oldest first, as `hearth-cli metrics --csv` and
 * `--json` print them; unknown values are empty in CSV and null in JSON.
 *
 * Returns: (transfer full): the text, ending with a line break; %NULL with
 *   @error set when the store cannot be read
 */
char *
hearth_metrics_export_rows (HearthStore          *store,
                            gint64                since_ms,
                            const char           *model,
                            HearthMetricsFormat   format,
                            GError              **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);
  g_return_val_if_fail (format <= HEARTH_METRICS_FORMAT_JSON_PRETTY, NULL);

  rows = hearth_store_list_request_rows (store, since_ms, model, error);
  if (rows == NULL)
    return NULL;
  return export_items (rows, format, &(ExportShape) {
                         row_columns, G_N_ELEMENTS (row_columns),
                         (AppendCsvFunc) append_row_csv, (HearthJsonAddFunc) add_row_json,
                       });
}

/* The figures of a group, by name, in the order both formats give them. */
static const struct
{
  const char *name;
  gsize       offset;
} group_figures[] = {
  { "success_rate", G_STRUCT_OFFSET (HearthMetricsGroup, success_rate) },
  { "ttft_p50_ms", G_STRUCT_OFFSET (HearthMetricsGroup, ttft_p50_ms) },
  { "ttft_p95_ms", G_STRUCT_OFFSET (HearthMetricsGroup, ttft_p95_ms) },
  { "ttft_p99_ms", G_STRUCT_OFFSET (HearthMetricsGroup, ttft_p99_ms) },
  { "total_p50_ms", G_STRUCT_OFFSET (HearthMetricsGroup, total_p50_ms) },
  { "total_p95_ms", G_STRUCT_OFFSET (HearthMetricsGroup, total_p95_ms) },
  { "total_p99_ms", G_STRUCT_OFFSET (HearthMetricsGroup, total_p99_ms) },
  { "median_tokens_per_s", G_STRUCT_OFFSET (HearthMetricsGroup, median_tokens_per_s) },
  { "median_prompt_tokens_per_s",
    G_STRUCT_OFFSET (HearthMetricsGroup, median_prompt_tokens_per_s) },
  { "median_load_ms", G_STRUCT_OFFSET (HearthMetricsGroup, median_load_ms) },
};

#define GROUP_FIGURE(group, i) G_STRUCT_MEMBER (double, group, group_figures[i].offset)

static void
add_group_json (JsonBuilder        *builder,
                HearthMetricsGroup *group)
{
  hearth_json_add_string (builder, "model", group->model);
  hearth_json_add_string (builder, "endpoint", group->endpoint);
  hearth_json_add_int (builder, "count", group->count);
  hearth_json_add_int (builder, "successes", group->successes);
  hearth_json_add_int (builder, "cache_hits", group->cache_hits);
  for (guint i = 0; i < G_N_ELEMENTS (group_figures); i++)
    hearth_json_add_double (builder, group_figures[i].name, GROUP_FIGURE (group, i));
  hearth_json_add_string (builder, "server", group->server);
  hearth_json_add_string (builder, "client", group->client);
}

static void
append_group_csv (GString            *out,
                  HearthMetricsGroup *group)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (fields, g_strdup (group->model));
  g_ptr_array_add (fields, g_strdup (group->endpoint));
  g_ptr_array_add (fields, csv_count (group->count));
  g_ptr_array_add (fields, csv_count (group->successes));
  g_ptr_array_add (fields, csv_count (group->cache_hits));
  for (guint i = 0; i < G_N_ELEMENTS (group_figures); i++)
    g_ptr_array_add (fields, csv_figure (GROUP_FIGURE (group, i)));
  g_ptr_array_add (fields, g_strdup (group->server));
  g_ptr_array_add (fields, g_strdup (group->client));
  append_csv_record (out, (const char * const *) fields->pdata, fields->len);
}

/**
 * hearth_metrics_export_groups:
 * @since_ms: only requests made at or after this unix time in milliseconds
 * @model: (nullable): only requests to this model
 *
 * The figures of hearth_metrics_aggregate_by() as `hearth-cli metrics
 * --summary` prints them; unknown values are empty in CSV and null in JSON.
 *
 * Returns: (transfer full): the text, ending with a line break; %NULL with
 *   @error set when the store cannot be read
 */
char *
hearth_metrics_export_groups (HearthStore            *store,
                              gint64                  since_ms,
                              const char             *model,
                              HearthMetricsGrouping   grouping,
                              HearthMetricsFormat     format,
                              GError                **error)
{
  return hearth_metrics_export_named_groups (store, since_ms, model, grouping, format, NULL,
                                             error);
}

/**
 * hearth_metrics_export_named_groups:
 * @servers: (nullable): endpoint → server name, for each group's "server"
 *
 * hearth_metrics_export_groups () with each group's server named.
 */
char *
hearth_metrics_export_named_groups (HearthStore            *store,
                                    gint64                  since_ms,
                                    const char             *model,
                                    HearthMetricsGrouping   grouping,
                                    HearthMetricsFormat     format,
                                    GHashTable             *servers,
                                    GError                **error)
{
  const char *columns[7 + G_N_ELEMENTS (group_figures)] = {
    "model", "endpoint", "count", "successes", "cache_hits",
  };
  g_autoptr(GPtrArray) groups = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (store), NULL);
  g_return_val_if_fail (format <= HEARTH_METRICS_FORMAT_JSON_PRETTY, NULL);

  groups = hearth_metrics_aggregate_by (store, since_ms, model, grouping, error);
  if (groups == NULL)
    return NULL;
  hearth_metrics_name_servers (groups, servers);
  for (guint i = 0; i < G_N_ELEMENTS (group_figures); i++)
    columns[5 + i] = group_figures[i].name;
  columns[5 + G_N_ELEMENTS (group_figures)] = "server";
  columns[6 + G_N_ELEMENTS (group_figures)] = "client";
  return export_items (groups, format, &(ExportShape) {
                         columns, G_N_ELEMENTS (columns),
                         (AppendCsvFunc) append_group_csv, (HearthJsonAddFunc) add_group_json,
                       });
}
