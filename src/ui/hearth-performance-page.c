/* hearth-performance-page.c — how fast the models answer, and what the machine does meanwhile
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three sections: the requests recorded in the history (tokens per second
 * and time to first token per reply, a table per model), the resource
 * sampler's CPU, memory, GPU and VRAM, and the model benchmarks. The
 * stored figures are read in a worker thread with its own connection; the
 * sampler's live samples arrive on the main thread once a second while the
 * page is mapped.
 *
 * This file holds the widget, the refresh and the request cards and tables;
 * hearth-performance-page-system.c the System section, -bench.c the
 * Benchmarks section and -export.c the export.
 */
#define G_LOG_DOMAIN "hearth-performance-page"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "hearth-endpoint.h"
#include "hearth-server-labels.h"
#include "hearth-error.h"
#include "hearth-performance-page-private.h"

#define SYSTEM_GRAPH_CAPACITY   1200
#define REQUEST_GRAPH_CAPACITY  5000
#define GRAPH_POINTS            300
#define LOADED_POLL_SECONDS     5
#define LONG_RANGE_RELOAD_S     60

G_DEFINE_FINAL_TYPE (HearthPerformancePage, hearth_performance_page, GTK_TYPE_WIDGET)

static const gint64 range_spans_ms[] = {
  [HEARTH_PERFORMANCE_RANGE_5_MIN]    = 5 * 60 * 1000,
  [HEARTH_PERFORMANCE_RANGE_1_HOUR]   = 60 * 60 * 1000,
  [HEARTH_PERFORMANCE_RANGE_24_HOURS] = 24 * 60 * 60 * 1000,
  [HEARTH_PERFORMANCE_RANGE_7_DAYS]   = 7 * 24 * 60 * 60 * (gint64) 1000,
};

gint64
_hearth_performance_page_range_span_ms (HearthPerformanceRange range)
{
  return range_spans_ms[range];
}

/* Formatting */

static char *
format_number (double value,
               int    digits)
{
  if (value < 0 || isnan (value))
    return g_strdup ("—");
  return g_strdup_printf ("%.*f", digits, value);
}

char *
_hearth_performance_page_format_ms (double ms)
{
  if (ms < 0 || isnan (ms))
    return g_strdup ("—");
  if (ms >= 10000)
    return g_strdup_printf (_("%.1f s"), ms / 1000);
  if (ms >= 100)
    return g_strdup_printf (_("%.0f ms"), ms);
  return g_strdup_printf (_("%.1f ms"), ms);
}

char *
_hearth_performance_page_format_bytes (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup ("—");
  return g_format_size (bytes);
}

char *
_hearth_performance_page_format_percent (double percent)
{
  if (percent < 0 || isnan (percent))
    return g_strdup ("—");
  return g_strdup_printf ("%.0f %%", percent);
}

/* Cards */

static void
card_init (Card        *card,
           GtkFlowBox  *parent,
           const char  *title,
           guint        capacity,
           const char  *unit)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("—");
  GtkWidget *caption = gtk_label_new (NULL);
  GtkWidget *graph = hearth_graph_new (capacity);

  gtk_widget_add_css_class (box, "card");
  /* margins rather than CSS padding: the page looks the same outside the app */
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  gtk_widget_set_margin_start (caption, 12);
  gtk_widget_set_margin_end (caption, 12);
  gtk_widget_set_margin_start (graph, 12);
  gtk_widget_set_margin_end (graph, 12);
  gtk_widget_set_margin_bottom (graph, 12);
  gtk_widget_add_css_class (title_label, "heading");
  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_widget_set_hexpand (title_label, TRUE);
  /* narrow, or with large text, the title takes two lines rather than
   * being cut short ("To…") */
  gtk_label_set_wrap (GTK_LABEL (title_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_valign (title_label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (value, "title-3");
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  /* "1.1 GB of 25.3 GB" in large text breaks in two rather than widening
   * the card past a narrow window */
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_justify (GTK_LABEL (value), GTK_JUSTIFY_RIGHT);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (caption, "caption");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (caption), PANGO_WRAP_WORD_CHAR);
  /* a long caption wraps rather than widening the card: two cards a row
   * from about 650 pixels */
  gtk_label_set_max_width_chars (GTK_LABEL (caption), 36);
  gtk_widget_set_size_request (graph, 200, 120);
  hearth_graph_set_unit (HEARTH_GRAPH (graph), unit);
  hearth_graph_set_title (HEARTH_GRAPH (graph), title);

  gtk_box_append (GTK_BOX (header), title_label);
  gtk_box_append (GTK_BOX (header), value);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), graph);
  gtk_flow_box_append (parent, box);

  card->box = box;
  card->value = GTK_LABEL (value);
  card->caption = GTK_LABEL (caption);
  card->graph = HEARTH_GRAPH (graph);
}

void
_hearth_performance_page_card_set (Card       *card,
                                   const char *value,
                                   const char *caption)
{
  gtk_label_set_label (card->value, value);
  gtk_label_set_label (card->caption, caption);
}

void
_hearth_performance_page_card_set_visible (Card     *card,
                                           gboolean  visible)
{
  /* the flow box wraps each child in a GtkFlowBoxChild */
  gtk_widget_set_visible (gtk_widget_get_parent (card->box), visible);
}

/* Grids as tables */

void
_hearth_performance_page_grid_clear (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

/* Text that wraps, even inside a long word, rather than widen the page */
GtkWidget *
_hearth_performance_page_wrapping_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return label;
}

void
_hearth_performance_page_list_clear (GtkBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_box_remove (list, child);
}

/* A table's row folded for a narrow page: its first cell as a title, the
 * others (@details, strings) in a line under it that wraps. */
void
_hearth_performance_page_list_row (GtkBox     *list,
                                   const char *title,
                                   GPtrArray  *details,
                                   gboolean    failed)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title_label = _hearth_performance_page_wrapping_label (title);
  g_autoptr(GString) joined = g_string_new (NULL);
  GtkWidget *details_label;

  /* a cell with nothing in it (a server without a name) is left out */
  for (guint i = 0; i < details->len; i++)
    {
      const char *detail = g_ptr_array_index (details, i);

      if (detail == NULL || *detail == '\0')
        continue;
      if (joined->len > 0)
        g_string_append (joined, " · ");
      g_string_append (joined, detail);
    }
  details_label = _hearth_performance_page_wrapping_label (joined->str);
  gtk_widget_add_css_class (title_label, "heading");
  gtk_widget_add_css_class (details_label, "caption");
  gtk_widget_add_css_class (details_label, failed ? "error" : "dim-label");
  gtk_box_append (GTK_BOX (row), title_label);
  gtk_box_append (GTK_BOX (row), details_label);
  gtk_box_append (list, row);
}

GtkLabel *
_hearth_performance_page_grid_cell (GtkGrid    *grid,
                                    int         column,
                                    int         row,
                                    const char *text,
                                    gboolean    numeric)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (row == 0)
    {
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_label_set_selectable (GTK_LABEL (label), FALSE);
    }
  if (column == 0 && row > 0)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 12);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
      gtk_widget_set_hexpand (label, TRUE);
    }
  gtk_grid_attach (grid, label, column, row, 1, 1);
  return GTK_LABEL (label);
}

/* How far apart the points of @range are: 0 for the sampler's own samples. */
static gint64
range_bucket_ms (HearthPerformanceRange range)
{
  if (range == HEARTH_PERFORMANCE_RANGE_5_MIN)
    return 0;
  return MAX (60 * 1000, range_spans_ms[range] / GRAPH_POINTS);
}

/* "1 s", "10 s", "34 min", "1 h" */
static char *
format_interval (gint64 ms)
{
  if (ms < 1000)
    return g_strdup_printf (_("%" PRId64 " ms"), ms);
  if (ms < 60 * 1000)
    return g_strdup_printf (_("%.0f s"), ms / 1000.0);
  if (ms < 60 * 60 * 1000)
    return g_strdup_printf (_("%.0f min"), ms / 60000.0);
  return g_strdup_printf (_("%.0f h"), ms / 3600000.0);
}

/* What each range button shows, from the sampler's intervals and the
 * history's resolution as they are now, never from constants. */
static void
update_range_tooltips (HearthPerformancePage *self)
{
  GtkToggleButton *buttons[] = { self->range_5m, self->range_1h, self->range_24h, self->range_7d };
  const char *spans[] = { N_("The last 5 minutes"), N_("The last hour"), N_("The last 24 hours"),
                          N_("The last 7 days") };
  guint active_ms = 0, idle_ms = 0;
  int minute_days = self->history ? hearth_resource_history_get_minute_days (self->history) : -1;

  if (self->sampler != NULL)
    hearth_sampler_get_intervals (self->sampler, &active_ms, &idle_ms);
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      g_autofree char *tooltip = NULL;

      if (i == HEARTH_PERFORMANCE_RANGE_5_MIN && self->sampler != NULL)
        {
          g_autofree char *active = format_interval (active_ms);
          g_autofree char *idle = format_interval (idle_ms);

          tooltip = g_strdup_printf (_("%s: a sample every %s while this page is shown, "
                                       "every %s otherwise"), _(spans[i]), active, idle);
        }
      else if (i != HEARTH_PERFORMANCE_RANGE_5_MIN)
        {
          g_autofree char *bucket = format_interval (range_bucket_ms (i));

          tooltip = g_strdup_printf (_("%s: a point per %s"), _(spans[i]), bucket);
          if (minute_days >= 0 && range_spans_ms[i] > minute_days * 24 * 3600 * (gint64) 1000)
            {
              g_autofree char *more = g_strdup_printf (_("%s; older than %d days, a point per hour "
                                                         "(the history keeps no finer)"),
                                                       tooltip, minute_days);
              g_free (tooltip);
              tooltip = g_steal_pointer (&more);
            }
        }
      else
        tooltip = g_strdup (_(spans[i]));
      gtk_widget_set_tooltip_text (GTK_WIDGET (buttons[i]), tooltip);
    }
}

/* Loading the stored figures in a worker thread */

static void
set_time_windows (HearthPerformancePage *self)
{
  gint64 span_us = range_spans_ms[self->range] * 1000;
  Card *cards[] = { &self->tokens, &self->ttft, &self->cpu, &self->memory, &self->gpu, &self->vram };

  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    hearth_graph_set_time_window (cards[i]->graph, span_us);
}

static void
fill_request_cards (HearthPerformancePage *self,
                    GPtrArray             *rows)
{
  g_autoptr(GArray) speeds = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ttfts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *speed_text = NULL;
  g_autofree char *speed_caption = NULL;
  g_autofree char *ttft_text = NULL;
  g_autofree char *ttft_caption = NULL;
  g_autofree char *p95 = NULL;
  g_autofree char *p99 = NULL;
  guint failed = 0;

  hearth_graph_clear (self->tokens.graph);
  hearth_graph_clear (self->ttft.graph);

  for (guint i = 0; i < rows->len; i++)
    {
      const HearthMessage *row = g_ptr_array_index (rows, i);
      gint64 time_us = row->created_ms * 1000;

      if (row->state == HEARTH_MESSAGE_FAILED)
        failed++;
      if (row->figures.tokens_per_s > 0)
        {
          g_array_append_val (speeds, row->figures.tokens_per_s);
          hearth_graph_push (self->tokens.graph, 0, time_us, row->figures.tokens_per_s);
        }
      /* a cache hit's time is the cache's, not the model's */
      if (row->figures.ttft_ms >= 0 && row->state != HEARTH_MESSAGE_FAILED &&
          !row->figures.cached)
        {
          g_array_append_val (ttfts, row->figures.ttft_ms);
          hearth_graph_push (self->ttft.graph, 0, time_us, row->figures.ttft_ms);
        }
    }

  speed_text = speeds->len > 0
    ? g_strdup_printf (_("%.1f tokens/s"), hearth_metrics_percentile (speeds, 50))
    : g_strdup ("—");
  speed_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "Median of %u reply; one point per reply",
                                                "Median of %u replies; one point per reply",
                                                speeds->len),
                                   speeds->len);
  _hearth_performance_page_card_set (&self->tokens, speed_text, speed_caption);

  ttft_text = _hearth_performance_page_format_ms (ttfts->len > 0
                                                  ? hearth_metrics_percentile (ttfts, 50) : -1);
  p95 = _hearth_performance_page_format_ms (ttfts->len > 0
                                            ? hearth_metrics_percentile (ttfts, 95) : -1);
  p99 = _hearth_performance_page_format_ms (ttfts->len > 0
                                            ? hearth_metrics_percentile (ttfts, 99) : -1);
  if (failed > 0)
    ttft_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Median · p95 %s · p99 %s · %u request failed",
                                                 "Median · p95 %s · p99 %s · %u requests failed",
                                                 failed),
                                    p95, p99, failed);
  else
    ttft_caption = g_strdup_printf (_("Median · p95 %s · p99 %s"), p95, p99);
  _hearth_performance_page_card_set (&self->ttft, ttft_text, ttft_caption);
}

/* The models table's row, folded: the model, and its figures in a line */
static void
add_model_list_row (HearthPerformancePage    *self,
                    const HearthMetricsGroup *group,
                    const char               *server,
                    const char               *success,
                    const char               *p50,
                    const char               *p95,
                    const char               *speed)
{
  g_autoptr(GPtrArray) details = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (details, g_strdup (server));
  if (group->cache_hits > 0)
    /* Translators: a model's requests and the answers the cache gave it,
     * on the Performance page of a narrow window */
    g_ptr_array_add (details, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u request + %u cached",
                                                            "%u requests + %u cached",
                                                            group->count),
                                               group->count, group->cache_hits));
  else
    g_ptr_array_add (details, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request",
                                                            "%u requests", group->count),
                                               group->count));
  /* Translators: the share of a model's requests that were answered ("100 %") */
  g_ptr_array_add (details, g_strdup_printf (_("%s answered"), success));
  /* Translators: a model's median time to the first token, and its 95th percentile */
  if (group->ttft_p50_ms >= 0)
    g_ptr_array_add (details, g_strdup_printf (_("first token %s, p95 %s"), p50, p95));
  if (group->median_tokens_per_s >= 0 && !isnan (group->median_tokens_per_s))
    g_ptr_array_add (details, g_strdup_printf (_("%s tokens/s"), speed));
  _hearth_performance_page_list_row (self->models_list,
                                     group->model != NULL ? group->model : _("Unknown"),
                                     details, group->success_rate == 0);
}

static void
fill_models_table (HearthPerformancePage *self,
                   GPtrArray             *groups)
{
  const char *headers[] = {
    N_("Model"), N_("Server"), N_("Requests"), N_("Success"),
    N_("First token p50"), N_("p95"), N_("Tokens/s"),
  };

  _hearth_performance_page_grid_clear (self->models_grid);
  _hearth_performance_page_list_clear (self->models_list);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    _hearth_performance_page_grid_cell (self->models_grid, c, 0, _(headers[c]), c >= 2);

  for (guint i = 0; i < groups->len; i++)
    {
      const HearthMetricsGroup *group = g_ptr_array_index (groups, i);
      g_autofree char *server =
        hearth_server_label_for_endpoint (hearth_engine_get_servers (self->engine), NULL,
                                          group->endpoint);
      /* Answers from the cache are not requests to the model: said apart. */
      g_autofree char *count = group->cache_hits > 0
        ? g_strdup_printf (_("%u + %u cached"), group->count, group->cache_hits)
        : g_strdup_printf ("%u", group->count);
      g_autofree char *success =
        _hearth_performance_page_format_percent (group->success_rate * 100);
      g_autofree char *p50 = _hearth_performance_page_format_ms (group->ttft_p50_ms);
      g_autofree char *p95 = _hearth_performance_page_format_ms (group->ttft_p95_ms);
      g_autofree char *speed = format_number (group->median_tokens_per_s, 1);
      GtkLabel *success_label;
      int row = i + 1;

      _hearth_performance_page_grid_cell (self->models_grid, 0, row,
                                          group->model != NULL ? group->model : _("Unknown"), FALSE);
      _hearth_performance_page_grid_cell (self->models_grid, 1, row, server, FALSE);
      _hearth_performance_page_grid_cell (self->models_grid, 2, row, count, TRUE);
      success_label = _hearth_performance_page_grid_cell (self->models_grid, 3, row, success, TRUE);
      if (group->success_rate == 0)
        gtk_widget_add_css_class (GTK_WIDGET (success_label), "error");
      else if (group->success_rate > 0 && group->success_rate < 1)
        gtk_widget_add_css_class (GTK_WIDGET (success_label), "warning");
      _hearth_performance_page_grid_cell (self->models_grid, 4, row, p50, TRUE);
      _hearth_performance_page_grid_cell (self->models_grid, 5, row, p95, TRUE);
      _hearth_performance_page_grid_cell (self->models_grid, 6, row, speed, TRUE);
      add_model_list_row (self, group, server, success, p50, p95, speed);
    }
}

static void
refresh_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HearthPerformancePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthPerformanceReport) report = NULL;

  report = hearth_engine_performance_report_finish (HEARTH_ENGINE (object), result, &error);
  if (hearth_error_is_cancelled (error))
    return;
  g_clear_object (&self->refresh_cancellable);
  self->loaded = TRUE;
  if (report == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  gtk_stack_set_visible_child_name (self->requests_stack, report->rows->len > 0 ? "data" : "empty");
  fill_request_cards (self, report->rows);
  fill_models_table (self, report->groups);
  _hearth_performance_page_fill_recent_requests (self, report->rows);
  _hearth_performance_page_fill_bench_table (self, report->bench);
  _hearth_performance_page_fill_system_graphs (self, report->resources);
}

/**
 * hearth_performance_page_refresh:
 *
 * Reads the requests, resource history and benchmarks of the current range
 * again, in a worker thread.
 */
void
hearth_performance_page_refresh (HearthPerformancePage *self)
{
  gint64 span_ms;
  gint64 bucket_ms;

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));

  set_time_windows (self);
  update_range_tooltips (self);
  if (self->engine == NULL || !hearth_engine_has_history (self->engine))
    {
      /* No history: the live samples are still worth showing. */
      gtk_stack_set_visible_child_name (self->requests_stack, "empty");
      _hearth_performance_page_fill_system_graphs (self, NULL);
      self->loaded = TRUE;
      return;
    }

  if (self->refresh_cancellable != NULL)
    g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();
  self->loaded = FALSE;

  span_ms = range_spans_ms[self->range];
  /* The last five minutes come from the sampler's ring in memory. */
  bucket_ms = range_bucket_ms (self->range);
  hearth_engine_performance_report_async (self->engine, g_get_real_time () / 1000 - span_ms,
                                          bucket_ms, self->refresh_cancellable, refresh_done,
                                          g_object_ref (self));
}

gboolean
hearth_performance_page_is_loaded (HearthPerformancePage *self)
{
  g_return_val_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self), FALSE);

  return self->loaded;
}

static gboolean
reload_long_range (gpointer user_data)
{
  HearthPerformancePage *self = user_data;

  if (self->range != HEARTH_PERFORMANCE_RANGE_5_MIN && self->refresh_cancellable == NULL)
    hearth_performance_page_refresh (self);
  return G_SOURCE_CONTINUE;
}

static void
open_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GtkWidget *stack = gtk_widget_get_ancestor (widget, ADW_TYPE_VIEW_STACK);

  if (stack != NULL)
    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "chat");
}

/* Range */

void
hearth_performance_page_set_range (HearthPerformancePage  *self,
                                   HearthPerformanceRange  range)
{
  GtkToggleButton *buttons[] = { self->range_5m, self->range_1h, self->range_24h, self->range_7d };

  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (range <= HEARTH_PERFORMANCE_RANGE_7_DAYS);

  if (!gtk_toggle_button_get_active (buttons[range]))
    {
      /* toggling calls back here */
      gtk_toggle_button_set_active (buttons[range], TRUE);
      return;
    }
  if (self->range == range && self->loaded)
    return;
  self->range = range;
  hearth_performance_page_refresh (self);
}

HearthPerformanceRange
hearth_performance_page_get_range (HearthPerformancePage *self)
{
  g_return_val_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self), HEARTH_PERFORMANCE_RANGE_5_MIN);

  return self->range;
}

static void
on_range_toggled (GtkToggleButton       *button,
                  HearthPerformancePage *self)
{
  GtkToggleButton *buttons[] = { self->range_5m, self->range_1h, self->range_24h, self->range_7d };

  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (buttons[i] == button && (self->range != i || !self->loaded))
      {
        self->range = i;
        hearth_performance_page_refresh (self);
      }
}

/* Wiring */

static void
on_reply_recorded (HearthEngine *engine,
                   HearthReply  *reply,
                   gpointer      user_data)
{
  HearthPerformancePage *self = user_data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hearth_performance_page_refresh (self);
  else
    self->loaded = FALSE;
}

void
hearth_performance_page_set_engine (HearthPerformancePage *self,
                                    HearthEngine          *engine)
{
  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (HEARTH_IS_ENGINE (engine));

  if (self->engine != NULL)
    g_clear_signal_handler (&self->recorded_handler, self->engine);
  g_set_object (&self->engine, engine);
  self->recorded_handler = g_signal_connect (engine, "reply-recorded",
                                             G_CALLBACK (on_reply_recorded), self);
  self->loaded = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      hearth_performance_page_refresh (self);
      _hearth_performance_page_load_models (self);
    }
}

static void
hearth_performance_page_map (GtkWidget *widget)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);

  GTK_WIDGET_CLASS (hearth_performance_page_parent_class)->map (widget);

  _hearth_performance_page_hold_sampler (self, TRUE);
  if (!self->loaded && self->refresh_cancellable == NULL)
    hearth_performance_page_refresh (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->models)) == 0)
    _hearth_performance_page_load_models (self);
  _hearth_performance_page_poll_loaded (self);
  self->loaded_source = g_timeout_add_seconds (LOADED_POLL_SECONDS,
                                               _hearth_performance_page_poll_loaded, self);
  self->reload_source = g_timeout_add_seconds (LONG_RANGE_RELOAD_S, reload_long_range, self);
}

static void
hearth_performance_page_unmap (GtkWidget *widget)
{
  HearthPerformancePage *self = HEARTH_PERFORMANCE_PAGE (widget);

  _hearth_performance_page_hold_sampler (self, FALSE);
  g_clear_handle_id (&self->loaded_source, g_source_remove);
  g_clear_handle_id (&self->reload_source, g_source_remove);

  GTK_WIDGET_CLASS (hearth_performance_page_parent_class)->unmap (widget);
}

static void
hearth_performance_page_dispose (GObject *object)
{
  HearthPerformancePage *self = (HearthPerformancePage *)object;
  GCancellable **cancellables[] = {
    &self->refresh_cancellable, &self->loaded_cancellable, &self->models_cancellable,
    &self->bench_cancellable,
  };

  for (guint i = 0; i < G_N_ELEMENTS (cancellables); i++)
    if (*cancellables[i] != NULL)
      {
        g_cancellable_cancel (*cancellables[i]);
        g_clear_object (cancellables[i]);
      }
  g_clear_handle_id (&self->loaded_source, g_source_remove);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->sampler != NULL)
    {
      _hearth_performance_page_hold_sampler (self, FALSE);
      g_clear_signal_handler (&self->sample_handler, self->sampler);
    }
  if (self->engine != NULL)
    g_clear_signal_handler (&self->recorded_handler, self->engine);
  if (self->bench != NULL)
    g_signal_handlers_disconnect_by_data (self->bench, self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->bench);
  g_clear_object (&self->sampler);
  g_clear_object (&self->history);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_object (&self->models);

  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_PERFORMANCE_PAGE);

  G_OBJECT_CLASS (hearth_performance_page_parent_class)->dispose (object);
}

static void
hearth_performance_page_class_init (HearthPerformancePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_performance_page_dispose;
  widget_class->map = hearth_performance_page_map;
  widget_class->unmap = hearth_performance_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-performance-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_5m);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_1h);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_24h);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, range_7d);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_button);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_revealer);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_label);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_progress);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, requests_stack);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, request_cards);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, models_grid);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, models_list);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, system_caption);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, system_cards);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, loaded_label);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_stack);
  gtk_widget_class_bind_template_child (widget_class, HearthPerformancePage, bench_grid);

  gtk_widget_class_install_action (widget_class, "performance.benchmark", NULL,
                                   _hearth_performance_page_benchmark_action);
  gtk_widget_class_install_action (widget_class, "performance.cancel-benchmark", NULL,
                                   _hearth_performance_page_cancel_benchmark_action);
  gtk_widget_class_install_action (widget_class, "performance.open-chat", NULL, open_chat_action);
  gtk_widget_class_install_action (widget_class, "performance.export", "s",
                                   _hearth_performance_page_export_action);
}

static void
hearth_performance_page_init (HearthPerformancePage *self)
{
  GtkToggleButton *buttons[4];

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->models = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (self->models));
  /* shown once the server has listed its models */
  gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.benchmark", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "performance.cancel-benchmark", FALSE);

  buttons[0] = self->range_5m;
  buttons[1] = self->range_1h;
  buttons[2] = self->range_24h;
  buttons[3] = self->range_7d;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    g_signal_connect (buttons[i], "toggled", G_CALLBACK (on_range_toggled), self);

  card_init (&self->tokens, self->request_cards, _("Tokens per Second"), REQUEST_GRAPH_CAPACITY,
             _("tokens/s"));
  hearth_graph_add_series (self->tokens.graph, _("Reply"));
  /* from zero: a 2 % wobble must not look like a collapse */
  hearth_graph_set_range (self->tokens.graph, 0, NAN);
  card_init (&self->ttft, self->request_cards, _("Time to First Token"), REQUEST_GRAPH_CAPACITY,
             _("ms"));
  hearth_graph_add_series (self->ttft.graph, _("Reply"));
  hearth_graph_set_series_color (self->ttft.graph, 0, HEARTH_GRAPH_COLOR_SUCCESS);
  hearth_graph_set_range (self->ttft.graph, 0, NAN);

  card_init (&self->cpu, self->system_cards, _("CPU"), SYSTEM_GRAPH_CAPACITY, "%");
  hearth_graph_add_series (self->cpu.graph, _("All"));
  self->cpu_server_series = hearth_graph_add_series (self->cpu.graph, _("Server"));
  hearth_graph_set_series_color (self->cpu.graph, self->cpu_server_series, HEARTH_GRAPH_COLOR_WARNING);
  hearth_graph_set_range (self->cpu.graph, 0, 100);
  card_init (&self->memory, self->system_cards, _("Memory"), SYSTEM_GRAPH_CAPACITY, _("GB"));
  hearth_graph_add_series (self->memory.graph, _("Used"));
  hearth_graph_set_range (self->memory.graph, 0, NAN);
  self->memory_server_series = hearth_graph_add_series (self->memory.graph, _("Server"));
  hearth_graph_set_series_color (self->memory.graph, self->memory_server_series,
                                 HEARTH_GRAPH_COLOR_WARNING);
  card_init (&self->gpu, self->system_cards, _("GPU"), SYSTEM_GRAPH_CAPACITY, "%");
  hearth_graph_add_series (self->gpu.graph, _("GPU"));
  hearth_graph_set_series_color (self->gpu.graph, 0, HEARTH_GRAPH_COLOR_SUCCESS);
  hearth_graph_set_range (self->gpu.graph, 0, 100);
  card_init (&self->vram, self->system_cards, _("VRAM"), SYSTEM_GRAPH_CAPACITY, _("GB"));
  hearth_graph_add_series (self->vram.graph, _("Used"));
  hearth_graph_set_range (self->vram.graph, 0, NAN);
  hearth_graph_set_series_color (self->vram.graph, 0, HEARTH_GRAPH_COLOR_SUCCESS);
  _hearth_performance_page_card_set_visible (&self->gpu, FALSE);
  _hearth_performance_page_card_set_visible (&self->vram, FALSE);
  set_time_windows (self);
}
