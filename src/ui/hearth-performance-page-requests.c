/* hearth-performance-page-requests.c — the Performance page's latest
 * requests, each with the program that asked (Hearth's own chat, or
 * another program through the API gateway, by its User-Agent)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-performance-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-performance-page-private.h"
#include "hearth-server-labels.h"

/* Enough to see who is asking now; the export has every row. */
#define RECENT_ROWS 12

static char *
format_clock (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (local == NULL)
    return g_strdup ("—");
  if (g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now) &&
      g_date_time_get_year (local) == g_date_time_get_year (now))
    return g_date_time_format (local, "%H:%M:%S");
  return g_date_time_format (local, "%b %d %H:%M");
}

static const char *
describe_result (const HearthMessage *row)
{
  if (row->state == HEARTH_MESSAGE_FAILED)
    return _("Failed");
  if (row->figures.cached)
    return _("From the cache");
  return _("Answered");
}

/* The grid is made the first time, below the table per model. */
static GtkGrid *
ensure_grid (HearthPerformancePage *self)
{
  GtkWidget *frame = gtk_widget_get_ancestor (GTK_WIDGET (self->models_grid), GTK_TYPE_FRAME);
  GtkWidget *box = gtk_widget_get_parent (frame);
  GtkWidget *heading, *squeezer, *own_frame;

  if (self->recent_grid != NULL)
    return self->recent_grid;
  heading = gtk_label_new (_("Latest Requests"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 6);
  self->recent_grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->recent_grid, 18);
  gtk_grid_set_row_spacing (self->recent_grid, 6);
  g_object_set (self->recent_grid, "margin-top", 12, "margin-bottom", 12, "margin-start", 12,
                "margin-end", 12, NULL);
  gtk_widget_set_name (GTK_WIDGET (self->recent_grid), "recent-requests");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->recent_grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Latest requests and the program that sent each"), -1);
  self->recent_list = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));
  g_object_set (self->recent_list, "margin-top", 12, "margin-bottom", 12, "margin-start", 12,
                "margin-end", 12, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->recent_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Latest requests and the program that sent each"), -1);
  /* the table while its columns fit, as the table per model above */
  squeezer = adw_squeezer_new ();
  adw_squeezer_set_homogeneous (ADW_SQUEEZER (squeezer), FALSE);
  adw_squeezer_set_switch_threshold_policy (ADW_SQUEEZER (squeezer),
                                            ADW_FOLD_THRESHOLD_POLICY_NATURAL);
  adw_squeezer_set_transition_type (ADW_SQUEEZER (squeezer), ADW_SQUEEZER_TRANSITION_TYPE_NONE);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), GTK_WIDGET (self->recent_grid));
  adw_squeezer_add (ADW_SQUEEZER (squeezer), GTK_WIDGET (self->recent_list));
  own_frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (own_frame), squeezer);
  gtk_box_insert_child_after (GTK_BOX (box), heading, frame);
  gtk_box_insert_child_after (GTK_BOX (box), own_frame, heading);
  return self->recent_grid;
}

/* A request, folded: the program, and what it asked in a line */
static void
add_recent_list_row (HearthPerformancePage *self,
                     const HearthMessage   *row,
                     const char            *server,
                     const char            *time)
{
  g_autoptr(GPtrArray) details = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (details, g_strdup (row->model != NULL ? row->model : _("Unknown")));
  g_ptr_array_add (details, g_strdup (server));
  g_ptr_array_add (details, g_strdup (time));
  g_ptr_array_add (details, g_strdup (describe_result (row)));
  if (!row->figures.cached && row->figures.ttft_ms >= 0)
    {
      g_autofree char *ttft = _hearth_performance_page_format_ms (row->figures.ttft_ms);

      /* Translators: a request's time to its first token */
      g_ptr_array_add (details, g_strdup_printf (_("first token %s"), ttft));
    }
  _hearth_performance_page_list_row (self->recent_list,
                                     row->client != NULL ? row->client : _("Hearth (chat)"),
                                     details, row->state == HEARTH_MESSAGE_FAILED);
}

/* @rows: HearthMessage, oldest first */
void
_hearth_performance_page_fill_recent_requests (HearthPerformancePage *self,
                                               GPtrArray             *rows)
{
  const char *headers[] = {
    N_("Program"), N_("Model"), N_("Server"), N_("Time"), N_("Result"), N_("First token"),
  };
  GtkGrid *grid = ensure_grid (self);
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  guint shown = MIN (rows->len, RECENT_ROWS);

  _hearth_performance_page_grid_clear (grid);
  _hearth_performance_page_list_clear (self->recent_list);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    _hearth_performance_page_grid_cell (grid, c, 0, _(headers[c]), c == 5);

  for (guint i = 0; i < shown; i++)
    {
      const HearthMessage *row = g_ptr_array_index (rows, rows->len - 1 - i);
      g_autofree char *server = row->server != NULL
        ? g_strdup (row->server)
        : hearth_server_label_for_endpoint (servers, NULL, row->endpoint);
      g_autofree char *time = format_clock (row->created_ms);
      g_autofree char *ttft = _hearth_performance_page_format_ms (row->figures.cached ? -1
                                                                  : row->figures.ttft_ms);
      GtkLabel *result;
      int r = i + 1;

      /* Hearth's own chat has no User-Agent */
      _hearth_performance_page_grid_cell (grid, 0, r, row->client != NULL ? row->client
                                                                          : _("Hearth (chat)"),
                                          FALSE);
      _hearth_performance_page_grid_cell (grid, 1, r, row->model != NULL ? row->model
                                                                         : _("Unknown"), FALSE);
      _hearth_performance_page_grid_cell (grid, 2, r, server, FALSE);
      _hearth_performance_page_grid_cell (grid, 3, r, time, FALSE);
      result = _hearth_performance_page_grid_cell (grid, 4, r, describe_result (row), FALSE);
      if (row->state == HEARTH_MESSAGE_FAILED)
        gtk_widget_add_css_class (GTK_WIDGET (result), "error");
      _hearth_performance_page_grid_cell (grid, 5, r, ttft, TRUE);
      add_recent_list_row (self, row, server, time);
    }
}
