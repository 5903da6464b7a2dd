/* hearth-performance-page-private.h — shared by the files of HearthPerformancePage
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-bench.h"
#include "hearth-graph.h"
#include "hearth-performance-page.h"

G_BEGIN_DECLS

typedef struct
{
  GtkWidget   *box;
  GtkLabel    *value;
  GtkLabel    *caption;
  HearthGraph *graph;
} Card;

struct _HearthPerformancePage
{
  GtkWidget               parent_instance;

  /* template */
  AdwToastOverlay        *toast_overlay;
  GtkToggleButton        *range_5m;
  GtkToggleButton        *range_1h;
  GtkToggleButton        *range_24h;
  GtkToggleButton        *range_7d;
  GtkDropDown            *model_dropdown;
  GtkButton              *bench_button;
  GtkRevealer            *bench_revealer;
  GtkLabel               *bench_label;
  GtkProgressBar         *bench_progress;
  GtkStack               *requests_stack;
  GtkFlowBox             *request_cards;
  GtkGrid                *models_grid;
  GtkBox                 *models_list;    /* the same, folded for a narrow page */
  GtkLabel               *system_caption;
  GtkFlowBox             *system_cards;
  GtkLabel               *loaded_label;
  GtkStack               *bench_stack;
  GtkGrid                *bench_grid;
  GtkGrid                *recent_grid;    /* made by -requests.c */
  GtkBox                 *recent_list;

  HearthEngine           *engine;
  GSettings              *settings;
  HearthSampler          *sampler;
  HearthResourceHistory  *history;
  gulong                  sample_handler;
  gulong                  recorded_handler;
  gboolean                holding;
  HearthPerformanceRange  range;

  Card                    tokens;
  Card                    ttft;
  Card                    cpu;
  Card                    memory;
  Card                    gpu;
  Card                    vram;
  guint                   cpu_server_series;
  guint                   memory_server_series;

  GCancellable           *refresh_cancellable;
  gboolean                loaded;
  guint                   reload_source;
  guint                   loaded_source;
  GCancellable           *loaded_cancellable;

  GtkStringList          *models;
  GCancellable           *models_cancellable;
  HearthBench            *bench;
  GCancellable           *bench_cancellable;
  GtkFileChooserNative   *chooser;
};

/* hearth-performance-page.c */
gint64    _hearth_performance_page_range_span_ms           (HearthPerformanceRange  range);
char     *_hearth_performance_page_format_ms               (double                  ms);
char     *_hearth_performance_page_format_bytes            (gint64                  bytes);
char     *_hearth_performance_page_format_percent          (double                  percent);
void      _hearth_performance_page_card_set                (Card                   *card,
                                                            const char             *value,
                                                            const char             *caption);
void      _hearth_performance_page_card_set_visible        (Card                   *card,
                                                            gboolean                visible);
void      _hearth_performance_page_grid_clear              (GtkGrid                *grid);
GtkLabel *_hearth_performance_page_grid_cell               (GtkGrid                *grid,
                                                            int                     column,
                                                            int                     row,
                                                            const char             *text,
                                                            gboolean                numeric);
GtkWidget *_hearth_performance_page_wrapping_label        (const char             *text);
void      _hearth_performance_page_list_clear              (GtkBox                 *list);
void      _hearth_performance_page_list_row                (GtkBox                 *list,
                                                            const char             *title,
                                                            GPtrArray              *details,
                                                            gboolean                failed);

/* hearth-performance-page-system.c */
void      _hearth_performance_page_fill_system_graphs      (HearthPerformancePage  *self,
                                                            GArray                 *resources);
gboolean  _hearth_performance_page_poll_loaded             (gpointer                user_data);
void      _hearth_performance_page_hold_sampler            (HearthPerformancePage  *self,
                                                            gboolean                hold);

/* hearth-performance-page-bench.c */
void      _hearth_performance_page_load_models             (HearthPerformancePage  *self);
void      _hearth_performance_page_fill_bench_table        (HearthPerformancePage  *self,
                                                            GPtrArray              *results);
void      _hearth_performance_page_benchmark_action        (GtkWidget              *widget,
                                                            const char             *action_name,
                                                            GVariant               *parameter);
void      _hearth_performance_page_cancel_benchmark_action (GtkWidget              *widget,
                                                            const char             *action_name,
                                                            GVariant               *parameter);

/* hearth-performance-page-requests.c */
void      _hearth_performance_page_fill_recent_requests    (HearthPerformancePage  *self,
                                                            GPtrArray              *rows);

/* hearth-performance-page-export.c */
void      _hearth_performance_page_export_action           (GtkWidget              *widget,
                                                            const char             *action_name,
                                                            GVariant               *parameter);

G_END_DECLS
