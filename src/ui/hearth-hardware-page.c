/* hearth-hardware-page.c — what this machine has, its score, and the models that fit it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-hardware-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-catalog-labels.h"
#include "hearth-catalog.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-hardware-page.h"
#include "hearth-hardware.h"

/* One Install button and the pull it started; shared by the row and the pull in flight. */
typedef struct
{
  HearthHardwarePage *self;       /* unowned: the page cancels every pull before it goes */
  AdwActionRow       *row;
  GtkButton          *button;
  GCancellable       *cancellable;
  char               *tag;
  char               *summary;
  gint64              started_us;
} Pull;

struct _HearthHardwarePage
{
  GtkWidget             parent_instance;

  HearthEngine         *engine;
  GSettings            *settings;
  GCancellable         *probe_cancellable;
  HearthHardware       *hardware;
  GPtrArray            *catalog;
  GPtrArray            *rows;
  GPtrArray            *pulls;
  gboolean              probe_started;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkSpinner           *spinner;
  GtkLabel             *score_label;
  AdwPreferencesGroup  *score_group;
  AdwPreferencesGroup  *recommend_group;
  AdwPreferencesGroup  *cpu_group;
  AdwPreferencesGroup  *memory_group;
  AdwPreferencesGroup  *gpu_group;
  AdwPreferencesGroup  *storage_group;
};

G_DEFINE_FINAL_TYPE (HearthHardwarePage, hearth_hardware_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROBED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (HearthHardwarePage *self,
       const char         *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static HearthProvider *
get_provider (HearthHardwarePage  *self,
              GError       **error)
{
  return hearth_engine_get_configured_provider (self->engine, self->settings, error);
}

/* Pulls */

static Pull *
pull_ref (Pull *pull)
{
  return g_rc_box_acquire (pull);
}

static void
pull_clear (Pull *pull)
{
  g_clear_object (&pull->row);
  g_clear_object (&pull->button);
  g_clear_object (&pull->cancellable);
  g_free (pull->tag);
  g_free (pull->summary);
}

static void
pull_unref (Pull *pull)
{
  g_rc_box_release_full (pull, (GDestroyNotify) pull_clear);
}

static void
pull_set_busy (Pull     *pull,
               gboolean  busy)
{
  gtk_button_set_label (pull->button, busy ? _("Cancel") : _("Install"));
  if (busy)
    gtk_widget_remove_css_class (GTK_WIDGET (pull->button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (pull->button), "suggested-action");
}

static void
on_pull_progress (const char *status,
                  gint64      completed,
                  gint64      total,
                  gpointer    user_data)
{
  Pull *pull = user_data;
  double seconds = (g_get_monotonic_time () - pull->started_us) / (double) G_USEC_PER_SEC;
  g_autofree char *rate = NULL;
  g_autofree char *text = NULL;

  if (total <= 0 || completed < 0)
    {
      adw_action_row_set_subtitle (pull->row, status ? status : _("Starting the download…"));
      return;
    }
  rate = g_format_size (seconds > 0.1 ? (guint64) (completed / seconds) : 0);
  /* Translators: the percentage done, then the measured download speed */
  text = g_strdup_printf (_("Downloading %d %% · %s/s"),
                          (int) (100.0 * completed / total), rate);
  adw_action_row_set_subtitle (pull->row, text);
}

static void
on_pulled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pull *pull = user_data;
  g_autoptr(GError) error = NULL;

  hearth_provider_pull_finish (HEARTH_PROVIDER (source), result, &error);
  g_clear_object (&pull->cancellable);
  pull_set_busy (pull, FALSE);
  if (error == NULL)
    {
      adw_action_row_set_subtitle (pull->row, _("Installed"));
      gtk_widget_set_visible (GTK_WIDGET (pull->button), FALSE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_action_row_set_subtitle (pull->row, pull->summary);
  else
    {
      g_autofree char *text = hearth_error_describe (error);

      adw_action_row_set_subtitle (pull->row, text);
    }
  pull_unref (pull);
}

static void
pull_start (Pull *pull)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = get_provider (pull->self, &error);

  if (provider == NULL || !(hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_PULL))
    {
      g_autofree char *text = error ? hearth_error_describe (error)
                                    : g_strdup (_("This server cannot download models."));

      adw_action_row_set_subtitle (pull->row, text);
      return;
    }
  pull->cancellable = g_cancellable_new ();
  pull->started_us = g_get_monotonic_time ();
  pull_set_busy (pull, TRUE);
  adw_action_row_set_subtitle (pull->row, _("Starting the download…"));
  hearth_provider_pull_async (provider, pull->tag, on_pull_progress, pull, pull->cancellable,
                              on_pulled, pull_ref (pull));
}

static void
on_install_clicked (GtkButton *button,
                    gpointer   user_data)
{
  Pull *pull = user_data;

  if (pull->cancellable != NULL)
    g_cancellable_cancel (pull->cancellable);
  else
    pull_start (pull);
}

/* Sensitive only when the server can download models (Ollama's /api/pull). */
static void
update_install_button (HearthHardwarePage *self,
                       GtkButton          *button)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = self->engine ? get_provider (self, &error) : NULL;
  gboolean can_pull = provider != NULL &&
                      (hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_PULL);

  gtk_widget_set_sensitive (GTK_WIDGET (button), can_pull);
  gtk_widget_set_tooltip_text (GTK_WIDGET (button),
                               can_pull ? _("Download this model to the server")
                                        : _("Only Ollama servers can download models"));
}

/* Rows */

static void
remember_row (HearthHardwarePage  *self,
              AdwPreferencesGroup *group,
              GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

static AdwActionRow *
add_row (HearthHardwarePage  *self,
         AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  remember_row (self, group, row);
  return ADW_ACTION_ROW (row);
}

static void
add_value (HearthHardwarePage  *self,
           AdwPreferencesGroup *group,
           const char          *title,
           const char          *value)
{
  AdwActionRow *row = add_row (self, group, title, NULL);
  GtkWidget *label = gtk_label_new (value ? value : _("Unknown"));

  /* Short values keep their width (an ellipsizing label would be squeezed into a
   * column of words); long ones (a models folder) shorten in the middle, down to
   * a dozen characters on a narrow window, and the tooltip keeps them whole. */
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (value != NULL && g_utf8_strlen (value, -1) > 24)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 12);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
    }
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_set_tooltip_text (label, value);
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (row, label);
}

static void
add_size (HearthHardwarePage  *self,
          AdwPreferencesGroup *group,
          const char          *title,
          gint64               bytes)
{
  g_autofree char *value = bytes >= 0 ? g_format_size (bytes) : NULL;

  add_value (self, group, title, value);
}

static void
clear_rows (HearthHardwarePage *self)
{
  for (guint i = 0; i < self->pulls->len; i++)
    {
      Pull *pull = g_ptr_array_index (self->pulls, i);

      g_cancellable_cancel (pull->cancellable);
    }
  g_ptr_array_set_size (self->pulls, 0);
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

/* The report */

static void
show_cpu (HearthHardwarePage *self)
{
  const HearthHardware *hw = self->hardware;
  g_autofree char *cores = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *features = NULL;

  if (hw->cpu_cores > 0 && hw->cpu_threads > 0)
    cores = g_strdup_printf (_("%d cores, %d threads"), hw->cpu_cores, hw->cpu_threads);
  else if (hw->cpu_threads > 0)
    cores = g_strdup_printf (_("%d threads"), hw->cpu_threads);
  if (hw->cpu_max_mhz > 0)
    clock = g_strdup_printf (_("%.2f GHz"), hw->cpu_max_mhz / 1000.0);
  if (hw->cpu_features != NULL && hw->cpu_features[0] != NULL)
    features = g_strjoinv (", ", hw->cpu_features);

  add_value (self, self->cpu_group, _("Model"), hw->cpu_model);
  add_value (self, self->cpu_group, _("Cores"), cores);
  add_value (self, self->cpu_group, _("Maximum Clock"), clock);
  add_value (self, self->cpu_group, _("Features"), features ? features : _("None of note"));
  add_value (self, self->cpu_group, _("Architecture"), hw->arch);
}

static void
show_memory (HearthHardwarePage *self)
{
  const HearthHardware *hw = self->hardware;
  g_autofree char *swap = NULL;
  g_autofree char *bandwidth = NULL;

  if (hw->swap_total > 0)
    {
      g_autofree char *free_text = g_format_size (MAX (hw->swap_free, 0));
      g_autofree char *total_text = g_format_size (hw->swap_total);

      swap = g_strdup_printf (_("%s free of %s"), free_text, total_text);
    }
  bandwidth = hw->mem_bandwidth_gbs > 0
            ? g_strdup_printf (_("%.1f GB/s, measured"), hw->mem_bandwidth_gbs)
            : g_strdup (_("Not measured"));

  add_size (self, self->memory_group, _("Total"), hw->mem_total);
  add_size (self, self->memory_group, _("Available"), hw->mem_available);
  add_value (self, self->memory_group, _("Swap"), swap ? swap : _("None"));
  add_value (self, self->memory_group, _("Read Bandwidth"), bandwidth);
}

static void
show_gpu (HearthHardwarePage *self,
          const HearthGpu    *gpu)
{
  AdwActionRow *row;
  g_autofree char *vram = NULL;
  g_autofree char *details = NULL;
  GtkWidget *label;

  if (gpu->integrated)
    vram = g_strdup (_("Shares system memory"));
  else if (gpu->vram_total > 0)
    {
      g_autofree char *size = g_format_size (gpu->vram_total);

      vram = g_strdup_printf (_("%s of VRAM"), size);
    }
  details = g_strdup_printf ("%s%s%s", hearth_gpu_vendor_to_string (gpu->vendor),
                             gpu->driver ? " · " : "", gpu->driver ? gpu->driver : "");
  row = add_row (self, self->gpu_group, gpu->name ? gpu->name : _("Unknown GPU"), details);
  label = gtk_label_new (vram ? vram : _("VRAM unknown"));
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (row, label);
}

static void
show_gpus (HearthHardwarePage *self)
{
  GPtrArray *gpus = self->hardware->gpus;

  if (gpus == NULL || gpus->len == 0)
    {
      add_row (self, self->gpu_group, _("No GPU found — models run on the CPU"), NULL);
      return;
    }
  for (guint i = 0; i < gpus->len; i++)
    show_gpu (self, g_ptr_array_index (gpus, i));
}

static void
show_storage (HearthHardwarePage *self)
{
  const HearthHardware *hw = self->hardware;

  g_autofree char *models_dir = self->engine != NULL
                                ? hearth_engine_get_server_models_dir (self->engine, self->settings)
                                : NULL;

  add_value (self, self->storage_group, _("Models Folder"),
             models_dir != NULL ? models_dir : _("Unknown — the server does not say"));
  add_size (self, self->storage_group, _("Free Space"), hw->models_free);
  add_value (self, self->storage_group, _("Kind"),
             hw->storage_kind == HEARTH_STORAGE_UNKNOWN
             ? NULL : hearth_storage_kind_to_string (hw->storage_kind));
}

static void
show_score (HearthHardwarePage *self)
{
  g_autoptr(HearthScore) score = hearth_hardware_score (self->hardware);
  g_autofree char *text = g_strdup_printf (_("%d / 100"), score->score);

  gtk_label_set_text (self->score_label, text);
  for (guint i = 0; i < score->reasons->len; i++)
    {
      const HearthScoreReason *reason = g_ptr_array_index (score->reasons, i);

      add_row (self, self->score_group, reason->text, NULL);
    }
}

static char *
describe_fit (const HearthRecommendation *pick,
              const char                 *tiers)
{
  const HearthFit *fit = pick->fit;
  g_autofree char *memory = g_format_size (fit->memory_needed);
  g_autofree char *speed = NULL;

  if (fit->tokens_per_s < 0)
    speed = g_strdup (_("speed unknown"));
  else if (fit->measured)
    speed = g_strdup_printf (_("%.0f tokens/s (measured)"), fit->tokens_per_s);
  else
    speed = g_strdup_printf (_("~%.0f tokens/s (estimate)"), fit->tokens_per_s);
  /* Translators: tier · placement · memory · speed, e.g. "Fast · CPU only · needs 1.5 GB · ~7 tokens/s (estimate)" */
  return g_strdup_printf (_("%s · %s · needs %s · %s"), tiers,
                          hearth_placement_label (fit->placement), memory, speed);
}

/* One row per tag: a model picked for several tiers names them all.
 * Returns: NULL when an earlier pick already has this tag. */
static char *
dup_tiers (GPtrArray *picks,
           guint      index)
{
  const HearthRecommendation *pick = g_ptr_array_index (picks, index);
  g_autoptr(GString) tiers = g_string_new (hearth_tier_label (pick->tier));

  for (guint i = 0; i < picks->len; i++)
    {
      const HearthRecommendation *other = g_ptr_array_index (picks, i);

      if (i == index || g_strcmp0 (other->quant->tag, pick->quant->tag) != 0)
        continue;
      if (i < index)
        return NULL;
      /* Translators: joins two tiers a model is picked for, "Fast & Balanced" */
      g_string_append_printf (tiers, _(" & %s"), hearth_tier_label (other->tier));
    }
  return g_string_free (g_steal_pointer (&tiers), FALSE);
}

static Pull *
add_install_row (HearthHardwarePage *self,
                 const char         *tag,
                 const char         *summary)
{
  Pull *pull = g_rc_box_new0 (Pull);
  AdwActionRow *row = add_row (self, self->recommend_group, tag, summary);
  GtkWidget *button = gtk_button_new_with_label (_("Install"));

  pull->self = self;
  pull->row = g_object_ref (row);
  pull->button = GTK_BUTTON (g_object_ref (button));
  pull->tag = g_strdup (tag);
  pull->summary = g_strdup (summary);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "suggested-action");
  update_install_button (self, GTK_BUTTON (button));
  g_signal_connect_data (button, "clicked", G_CALLBACK (on_install_clicked), pull_ref (pull),
                         (GClosureNotify) (void (*) (void)) pull_unref, 0);
  adw_action_row_add_suffix (row, button);
  g_ptr_array_add (self->pulls, pull);
  return pull;
}

static void
show_recommendations (HearthHardwarePage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) picks = NULL;

  if (self->catalog == NULL)
    self->catalog = hearth_catalog_load (&error);
  if (self->catalog == NULL)
    {
      add_row (self, self->recommend_group, _("The model catalog could not be read"),
               error->message);
      return;
    }
  picks = hearth_catalog_recommend (self->catalog, self->hardware, HEARTH_USE_CHAT);
  if (picks != NULL && self->engine != NULL)
    hearth_engine_apply_measurements (self->engine, picks);
  if (picks == NULL || picks->len == 0)
    add_row (self, self->recommend_group, _("No model in the catalog fits this machine"), NULL);
  for (guint i = 0; picks != NULL && i < picks->len; i++)
    {
      const HearthRecommendation *pick = g_ptr_array_index (picks, i);
      g_autofree char *tiers = NULL;
      g_autofree char *summary = NULL;
      Pull *pull;

      if ((tiers = dup_tiers (picks, i)) == NULL)
        continue;
      summary = describe_fit (pick, tiers);
      pull = add_install_row (self, pick->quant->tag, summary);

      /* The catalog's sizes age as the library changes: say quietly, in the
       * tooltip, when they were last compared with it. */
      if (pick->model->checked != NULL)
        {
          g_autofree char *tooltip = NULL;

          /* Translators: how the speed was estimated, then the date the catalog's sizes were checked (YYYY-MM-DD) */
          tooltip = g_strdup_printf (_("%s\nSizes checked %s"),
                                     pick->fit->estimate_basis, pick->model->checked);
          gtk_widget_set_tooltip_text (GTK_WIDGET (pull->row), tooltip);
        }
      else
        gtk_widget_set_tooltip_text (GTK_WIDGET (pull->row), pick->fit->estimate_basis);
    }
}

static void
show_report (HearthHardwarePage *self)
{
  clear_rows (self);
  show_score (self);
  show_recommendations (self);
  show_cpu (self);
  show_memory (self);
  show_gpus (self);
  show_storage (self);
}

static void
set_probed (HearthHardwarePage *self,
            gboolean            probed)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hardware.refresh", probed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hardware.copy", probed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hardware.export", probed);
  /* A spinner that spins unseen still ticks the frame clock: only while mapped. */
  gtk_spinner_set_spinning (self->spinner, !probed && gtk_widget_get_mapped (GTK_WIDGET (self)));
  gtk_stack_set_visible_child_name (self->stack, probed ? "report" : "loading");
  /* the window's header bar shows Refresh, Copy and Export for this page */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBED]);
}

static void
on_probed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  HearthHardwarePage *self;
  g_autoptr(GError) error = NULL;
  HearthHardware *hardware = hearth_hardware_probe_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = HEARTH_HARDWARE_PAGE (user_data);
  if (hardware == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("This machine could not be examined: %s"),
                                               error->message);

      toast (self, text);
      if (self->hardware == NULL)
        return;
    }
  else
    {
      g_clear_pointer (&self->hardware, hearth_hardware_free);
      self->hardware = hardware;
    }
  show_report (self);
  set_probed (self, TRUE);
}

void
hearth_hardware_page_refresh (HearthHardwarePage *self)
{
  g_return_if_fail (HEARTH_IS_HARDWARE_PAGE (self));

  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  self->probe_cancellable = g_cancellable_new ();
  self->probe_started = TRUE;
  set_probed (self, FALSE);
  /* Refresh measures the memory bandwidth again; a first look reads the kept one. */
  if (self->hardware != NULL)
    hearth_hardware_reprobe_async (self->probe_cancellable, on_probed, self);
  else
    hearth_hardware_probe_async (self->probe_cancellable, on_probed, self);
}

/* Copy and export */

static char *
dup_report (HearthHardwarePage *self,
            GFile              *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (name != NULL && g_str_has_suffix (name, ".json"))
    {
      g_autoptr(JsonNode) node = hearth_hardware_to_json (self->hardware);

      return json_to_string (node, TRUE);
    }
  return hearth_hardware_to_markdown (self->hardware);
}

gboolean
hearth_hardware_page_export (HearthHardwarePage  *self,
                             GFile               *file,
                             GError             **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (HEARTH_IS_HARDWARE_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (self->hardware != NULL, FALSE);

  text = dup_report (self, file);
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HearthHardwarePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    text = g_strdup (_("Report saved"));
  else
    text = g_strdup_printf (_("The report could not be saved: %s"), error->message);
  toast (self, text);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  HearthHardwarePage *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (response == GTK_RESPONSE_ACCEPT && self->hardware != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      text = dup_report (self, file);
      bytes = g_bytes_new_take (text, strlen (text));
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           on_exported, g_object_ref (self));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
hardware_export (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Export Hardware Report"),
                                        GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "hardware-report.md");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_export_response), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
hardware_copy (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthHardwarePage *self = HEARTH_HARDWARE_PAGE (widget);
  g_autofree char *text = NULL;

  if (self->hardware == NULL)
    return;
  text = hearth_hardware_to_markdown (self->hardware);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  toast (self, _("Report copied"));
}

static void
hardware_refresh (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  hearth_hardware_page_refresh (HEARTH_HARDWARE_PAGE (widget));
}

/* Public API */

void
hearth_hardware_page_set_engine (HearthHardwarePage *self,
                                 HearthEngine       *engine)
{
  g_return_if_fail (HEARTH_IS_HARDWARE_PAGE (self));
  g_return_if_fail (HEARTH_IS_ENGINE (engine));

  g_set_object (&self->engine, engine);
  for (guint i = 0; i < self->pulls->len; i++)
    {
      Pull *pull = g_ptr_array_index (self->pulls, i);

      update_install_button (self, pull->button);
    }
}

gboolean
hearth_hardware_page_is_probed (HearthHardwarePage *self)
{
  g_return_val_if_fail (HEARTH_IS_HARDWARE_PAGE (self), FALSE);
  return self->hardware != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "report") == 0;
}

/* Pulls @tag as its Install button would, adding a row for it when no pick has that tag. */
void
hearth_hardware_page_install (HearthHardwarePage *self,
                              const char         *tag)
{
  Pull *pull = NULL;

  g_return_if_fail (HEARTH_IS_HARDWARE_PAGE (self));
  g_return_if_fail (tag != NULL);

  for (guint i = 0; i < self->pulls->len && pull == NULL; i++)
    {
      Pull *candidate = g_ptr_array_index (self->pulls, i);

      if (g_strcmp0 (candidate->tag, tag) == 0)
        pull = candidate;
    }
  if (pull == NULL)
    pull = add_install_row (self, tag, "");
  if (pull->cancellable == NULL && self->engine != NULL)
    pull_start (pull);
}

static void
on_server_setting_changed (GSettings  *settings,
                           const char *key,
                           gpointer    user_data)
{
  HearthHardwarePage *self = user_data;

  for (guint i = 0; i < self->pulls->len; i++)
    {
      Pull *pull = g_ptr_array_index (self->pulls, i);

      if (pull->cancellable == NULL)
        update_install_button (self, pull->button);
    }
}

/* The probe costs ~100 ms of a worker: start-up must not pay for it, only a visit. */
static void
hearth_hardware_page_map (GtkWidget *widget)
{
  HearthHardwarePage *self = HEARTH_HARDWARE_PAGE (widget);

  GTK_WIDGET_CLASS (hearth_hardware_page_parent_class)->map (widget);
  if (!self->probe_started)
    hearth_hardware_page_refresh (self);
  else
    gtk_spinner_set_spinning (self->spinner, !hearth_hardware_page_is_probed (self));
}

static void
hearth_hardware_page_unmap (GtkWidget *widget)
{
  HearthHardwarePage *self = HEARTH_HARDWARE_PAGE (widget);

  gtk_spinner_set_spinning (self->spinner, FALSE);
  GTK_WIDGET_CLASS (hearth_hardware_page_parent_class)->unmap (widget);
}

static void
hearth_hardware_page_dispose (GObject *object)
{
  HearthHardwarePage *self = HEARTH_HARDWARE_PAGE (object);

  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  if (self->pulls != NULL)
    clear_rows (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_HARDWARE_PAGE);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->hardware, hearth_hardware_free);
  g_clear_pointer (&self->catalog, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->pulls, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_hardware_page_parent_class)->dispose (object);
}

static void
hearth_hardware_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_PROBED:
      g_value_set_boolean (value, hearth_hardware_page_is_probed (HEARTH_HARDWARE_PAGE (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_hardware_page_class_init (HearthHardwarePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_hardware_page_dispose;
  object_class->get_property = hearth_hardware_page_get_property;

  properties[PROP_PROBED] = g_param_spec_boolean ("probed", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->map = hearth_hardware_page_map;
  widget_class->unmap = hearth_hardware_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-hardware-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, stack);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, score_label);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, score_group);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, recommend_group);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, cpu_group);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, memory_group);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, gpu_group);
  gtk_widget_class_bind_template_child (widget_class, HearthHardwarePage, storage_group);

  gtk_widget_class_install_action (widget_class, "hardware.refresh", NULL, hardware_refresh);
  gtk_widget_class_install_action (widget_class, "hardware.copy", NULL, hardware_copy);
  gtk_widget_class_install_action (widget_class, "hardware.export", NULL, hardware_export);
}

static void
hearth_hardware_page_init (HearthHardwarePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->rows = g_ptr_array_new ();
  self->pulls = g_ptr_array_new_with_free_func ((GDestroyNotify) pull_unref);

  g_signal_connect_object (self->settings, "changed::endpoint",
                           G_CALLBACK (on_server_setting_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::api-kind",
                           G_CALLBACK (on_server_setting_changed), self, 0);
  set_probed (self, FALSE);
}
