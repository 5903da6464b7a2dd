/* hearth-performance-page-system.c — the System section: live samples, graphs, loaded models
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-performance-page"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-performance-page-private.h"

#define GB 1e9   /* SI, as g_format_size () says it everywhere else */

static void update_live_labels (HearthPerformancePage *self,
                                const HearthSample    *sample);

static void
push_resource_row (HearthPerformancePage   *self,
                   const HearthResourceRow *row,
                   guint                    n_cores)
{
  gint64 time_us = row->time_ms * 1000;

  if (row->cpu_percent >= 0)
    hearth_graph_push (self->cpu.graph, 0, time_us, row->cpu_percent);
  /* the server's share of the whole machine, on the same axis */
  if (row->server_cpu_percent >= 0 && n_cores > 0)
    hearth_graph_push (self->cpu.graph, self->cpu_server_series, time_us,
                       row->server_cpu_percent / n_cores);
  if (row->mem_used >= 0)
    hearth_graph_push (self->memory.graph, 0, time_us, row->mem_used / GB);
  if (row->server_rss >= 0)
    hearth_graph_push (self->memory.graph, self->memory_server_series, time_us,
                       row->server_rss / GB);
  if (row->gpu_percent >= 0)
    hearth_graph_push (self->gpu.graph, 0, time_us, row->gpu_percent);
  if (row->vram_used >= 0)
    hearth_graph_push (self->vram.graph, 0, time_us, row->vram_used / GB);
}

static void
push_sample (HearthPerformancePage *self,
             const HearthSample    *sample)
{
  HearthResourceRow row;

  hearth_resource_row_from_sample (&row, sample);
  push_resource_row (self, &row, sample->n_cores);
}

void
_hearth_performance_page_fill_system_graphs (HearthPerformancePage *self,
                                             GArray                *resources)
{
  const HearthSample *last = self->sampler ? hearth_sampler_get_last (self->sampler) : NULL;
  guint n_cores = last != NULL ? last->n_cores : 0;
  gint64 since_us = g_get_real_time ()
                    - _hearth_performance_page_range_span_ms (self->range) * 1000;
  gint64 newest_row_us = G_MININT64;

  hearth_graph_clear (self->cpu.graph);
  hearth_graph_clear (self->memory.graph);
  hearth_graph_clear (self->gpu.graph);
  hearth_graph_clear (self->vram.graph);

  /* Stored minutes and hours first, then the samples in memory that are
   * newer than the last stored row. */
  for (guint i = 0; resources != NULL && i < resources->len; i++)
    {
      const HearthResourceRow *row = &g_array_index (resources, HearthResourceRow, i);

      push_resource_row (self, row, n_cores);
      newest_row_us = MAX (newest_row_us, row->time_ms * 1000);
    }
  if (newest_row_us != G_MININT64)
    newest_row_us += G_USEC_PER_SEC * 60;

  for (guint i = 0; self->sampler != NULL && i < hearth_sampler_get_n_samples (self->sampler); i++)
    {
      const HearthSample *sample = hearth_sampler_get_sample (self->sampler, i);

      if (sample->time_us >= since_us && sample->time_us >= newest_row_us)
        push_sample (self, sample);
    }
  if (last != NULL)
    update_live_labels (self, last);
}

/* Live samples */

static void
update_live_labels (HearthPerformancePage *self,
                    const HearthSample    *sample)
{
  g_autofree char *cpu = _hearth_performance_page_format_percent (sample->cpu_percent);
  g_autofree char *cpu_caption = NULL;
  g_autofree char *mem_used = _hearth_performance_page_format_bytes (sample->mem_used);
  g_autofree char *mem_total = _hearth_performance_page_format_bytes (sample->mem_total);
  g_autofree char *mem = g_strdup_printf (_("%s of %s"), mem_used, mem_total);
  g_autofree char *swap_used = _hearth_performance_page_format_bytes (sample->swap_used);
  g_autofree char *mem_caption = NULL;
  g_autofree char *caption = NULL;
  gboolean has_gpu = sample->gpu_percent >= 0 || sample->vram_used >= 0;
  double busiest = -1;

  for (guint i = 0; i < sample->n_cores; i++)
    busiest = MAX (busiest, sample->core_percent[i]);

  if (busiest >= 0)
    cpu_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "All of %u core; the busiest at %.0f %%",
                                                "All %u cores; the busiest at %.0f %%",
                                                sample->n_cores),
                                   sample->n_cores, busiest);
  else
    cpu_caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "All of %u core", "All %u cores",
                                                sample->n_cores),
                                   sample->n_cores);
  if (sample->server_pid > 0 && sample->server_cpu_percent >= 0)
    {
      g_autofree char *more = g_strdup_printf (_("%s; the inference server %.0f %% of one core"),
                                               cpu_caption, sample->server_cpu_percent);
      g_free (cpu_caption);
      cpu_caption = g_steal_pointer (&more);
    }
  _hearth_performance_page_card_set (&self->cpu, cpu, cpu_caption);

  if (sample->server_rss >= 0)
    {
      g_autofree char *rss = _hearth_performance_page_format_bytes (sample->server_rss);
      mem_caption = g_strdup_printf (_("Swap %s used; the inference server %s"), swap_used, rss);
    }
  else
    mem_caption = g_strdup_printf (_("Swap %s used"), swap_used);
  _hearth_performance_page_card_set (&self->memory, mem, mem_caption);

  _hearth_performance_page_card_set_visible (&self->gpu, has_gpu);
  _hearth_performance_page_card_set_visible (&self->vram, has_gpu);
  if (has_gpu)
    {
      g_autofree char *gpu = _hearth_performance_page_format_percent (sample->gpu_percent);
      g_autoptr(GString) gpu_caption = g_string_new (NULL);
      g_autofree char *vram_used = _hearth_performance_page_format_bytes (sample->vram_used);
      g_autofree char *vram_total = _hearth_performance_page_format_bytes (sample->vram_total);
      g_autofree char *vram = g_strdup_printf (_("%s of %s"), vram_used, vram_total);

      if (sample->gpu_temperature_c >= 0)
        g_string_append_printf (gpu_caption, _("%.0f °C"), sample->gpu_temperature_c);
      if (sample->gpu_power_w >= 0)
        {
          if (gpu_caption->len > 0)
            g_string_append (gpu_caption, " · ");
          g_string_append_printf (gpu_caption, _("%.0f W"), sample->gpu_power_w);
        }
      if (gpu_caption->len == 0)
        g_string_append (gpu_caption, _("Utilisation of the busiest GPU"));
      _hearth_performance_page_card_set (&self->gpu, gpu, gpu_caption->str);
      _hearth_performance_page_card_set (&self->vram, vram, _("All GPUs with their own memory"));
      if (sample->vram_total > 0)
        hearth_graph_set_range (self->vram.graph, 0, sample->vram_total / GB);
    }
  if (sample->mem_total > 0)
    hearth_graph_set_range (self->memory.graph, 0, sample->mem_total / GB);

  if (has_gpu)
    caption = g_strdup (_("Measured from the system's own counters, and from the GPU's driver."));
  else
    caption = g_strdup (_("Measured from the system's own counters. No GPU was found: Hearth "
                          "shows NVIDIA and AMD GPUs when their drivers report it."));
  gtk_label_set_label (self->system_caption, caption);
}

static void
on_sample (HearthSampler *sampler,
           HearthSample  *sample,
           gpointer       user_data)
{
  HearthPerformancePage *self = user_data;

  if (self->range == HEARTH_PERFORMANCE_RANGE_5_MIN)
    push_sample (self, sample);
  update_live_labels (self, sample);
}

/* Which models the server holds in memory, and where (Ollama's /api/ps) */

static void
loaded_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HearthPerformancePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GString) text = NULL;
  gboolean spilling = FALSE;

  models = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (object), result, &error);
  if (hearth_error_is_cancelled (error))
    return;
  g_clear_object (&self->loaded_cancellable);
  if (models == NULL || models->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->loaded_label), FALSE);
      return;
    }

  text = g_string_new (NULL);
  for (guint i = 0; i < models->len; i++)
    {
      const HearthLoadedModel *model = g_ptr_array_index (models, i);
      g_autofree char *size = _hearth_performance_page_format_bytes (model->size);
      g_autofree char *escaped = g_markup_escape_text (model->name, -1);

      g_string_append (text, i == 0 ? _("Loaded: ") : "; ");
      if (model->size_vram <= 0)
        g_string_append_printf (text, _("<b>%s</b> (%s, on the CPU)"), escaped, size);
      else if (model->size_vram >= model->size)
        g_string_append_printf (text, _("<b>%s</b> (%s, all in VRAM)"), escaped, size);
      else
        {
          double on_cpu = 100.0 * (model->size - model->size_vram) / model->size;

          spilling = TRUE;
          g_string_append_printf (text, _("<b>%s</b> (%s, %.0f %% on the CPU: slower than all in VRAM)"),
                                  escaped, size, on_cpu);
        }
    }
  gtk_label_set_markup (self->loaded_label, text->str);
  if (spilling)
    gtk_widget_add_css_class (GTK_WIDGET (self->loaded_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->loaded_label), "warning");
  gtk_widget_set_visible (GTK_WIDGET (self->loaded_label), TRUE);
}

gboolean
_hearth_performance_page_poll_loaded (gpointer user_data)
{
  HearthPerformancePage *self = user_data;
  HearthProvider *provider;

  if (self->engine == NULL || self->loaded_cancellable != NULL)
    return G_SOURCE_CONTINUE;
  provider = hearth_engine_get_configured_provider (self->engine, self->settings, NULL);
  if (provider == NULL ||
      !(hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_LIST_LOADED))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->loaded_label), FALSE);
      return G_SOURCE_CONTINUE;
    }
  self->loaded_cancellable = g_cancellable_new ();
  hearth_provider_list_loaded_async (provider, self->loaded_cancellable, loaded_done,
                                     g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

void
_hearth_performance_page_hold_sampler (HearthPerformancePage *self,
                                       gboolean               hold)
{
  if (self->sampler == NULL || self->holding == hold)
    return;
  self->holding = hold;
  if (hold)
    hearth_sampler_hold (self->sampler);
  else
    hearth_sampler_release (self->sampler);
}

void
hearth_performance_page_set_sampler (HearthPerformancePage *self,
                                     HearthSampler         *sampler,
                                     HearthResourceHistory *history)
{
  g_return_if_fail (HEARTH_IS_PERFORMANCE_PAGE (self));
  g_return_if_fail (HEARTH_IS_SAMPLER (sampler));

  if (self->sampler != NULL)
    {
      _hearth_performance_page_hold_sampler (self, FALSE);
      g_clear_signal_handler (&self->sample_handler, self->sampler);
    }
  g_set_object (&self->sampler, sampler);
  g_set_object (&self->history, history);
  self->sample_handler = g_signal_connect (sampler, "sample", G_CALLBACK (on_sample), self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      _hearth_performance_page_hold_sampler (self, TRUE);
      _hearth_performance_page_fill_system_graphs (self, NULL);
    }
}
