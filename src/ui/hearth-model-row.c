/* hearth-model-row.c — one installed model: its figures, whether it is in memory, its actions
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-model-row"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hearth-model-row.h"

/* Ollama writes a model kept forever (keep_alive < 0) as expiring centuries away. */
#define FOREVER_SECONDS (365 * 24 * 3600)

struct _HearthModelRow
{
  AdwActionRow  parent_instance;

  char         *name;
  char         *facts;
  char         *memory;
  gint64        context_length;
  gboolean      can_unload;

  GtkWidget    *loaded_label;
  GtkWidget    *unload_button;
  GtkWidget    *delete_button;
};

G_DEFINE_FINAL_TYPE (HearthModelRow, hearth_model_row, ADW_TYPE_ACTION_ROW)

static void
update_subtitle (HearthModelRow *self)
{
  g_autoptr(GString) text = g_string_new (self->facts);

  if (self->context_length > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      /* Translators: the longest prompt plus reply the model was trained for, in tokens */
      g_string_append_printf (text, _("%d-token context"),
                              (int) MIN (self->context_length, G_MAXINT));
    }
  if (self->memory != NULL)
    g_string_append_printf (text, "\n%s", self->memory);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text->str);
}

static char *
format_facts (const HearthModelInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->size > 0)
    g_ptr_array_add (parts, g_format_size (info->size));
  if (info->family != NULL && *info->family != '\0')
    g_ptr_array_add (parts, g_strdup (info->family));
  if (info->parameter_size != NULL && *info->parameter_size != '\0')
    g_ptr_array_add (parts, g_strdup (info->parameter_size));
  if (info->quantization != NULL && *info->quantization != '\0')
    g_ptr_array_add (parts, g_strdup (info->quantization));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static char *
format_placement (const HearthLoadedModel *loaded)
{
  double percent = hearth_loaded_model_vram_percent (loaded);

  if (isnan (percent))
    return NULL;
  if (percent >= 99.5)
    return g_strdup (_("100 % in GPU memory"));
  if (percent < 0.5)
    return g_strdup (_("On the CPU"));
  /* Translators: how much of a loaded model sits in video memory */
  return g_strdup_printf (_("%.0f %% in GPU memory, the rest on the CPU"), percent);
}

static char *
format_expiry (const char *expires_at)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;
  gint64 seconds;

  if (expires_at == NULL || (expires = g_date_time_new_from_iso8601 (expires_at, NULL)) == NULL)
    return NULL;
  seconds = g_date_time_difference (expires, now) / G_TIME_SPAN_SECOND;
  if (seconds >= FOREVER_SECONDS)
    return g_strdup (_("stays loaded"));
  if (seconds < 60)
    return g_strdup (_("unloads in less than a minute"));
  if (seconds < 2 * 3600)
    return g_strdup_printf (g_dngettext (NULL, "unloads in %d min", "unloads in %d min",
                                         seconds / 60), (int) (seconds / 60));
  return g_strdup_printf (g_dngettext (NULL, "unloads in %d hour", "unloads in %d hours",
                                       seconds / 3600), (int) (seconds / 3600));
}

static char *
format_memory (const HearthLoadedModel *loaded)
{
  g_autofree char *placement = format_placement (loaded);
  g_autofree char *expiry = format_expiry (loaded->expires_at);

  if (placement != NULL && expiry != NULL)
    return g_strdup_printf ("%s · %s", placement, expiry);
  if (placement != NULL || expiry != NULL)
    return g_strdup (placement ? placement : expiry);
  return g_strdup (_("In memory"));
}

/* Activating the row opens its details, as its only unlabelled action. */
static void
hearth_model_row_activate (AdwActionRow *row)
{
  HearthModelRow *self = HEARTH_MODEL_ROW (row);

  ADW_ACTION_ROW_CLASS (hearth_model_row_parent_class)->activate (row);
  gtk_widget_activate_action (GTK_WIDGET (self), "models.details", "s", self->name);
}

static void
hearth_model_row_finalize (GObject *object)
{
  HearthModelRow *self = HEARTH_MODEL_ROW (object);

  g_free (self->name);
  g_free (self->facts);
  g_free (self->memory);

  G_OBJECT_CLASS (hearth_model_row_parent_class)->finalize (object);
}

static void
hearth_model_row_class_init (HearthModelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwActionRowClass *row_class = ADW_ACTION_ROW_CLASS (klass);

  object_class->finalize = hearth_model_row_finalize;

  row_class->activate = hearth_model_row_activate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-model-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, loaded_label);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, unload_button);
  gtk_widget_class_bind_template_child (widget_class, HearthModelRow, delete_button);
}

static void
hearth_model_row_init (HearthModelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->context_length = -1;
}

GtkWidget *
hearth_model_row_new (const HearthModelInfo  *info,
                      HearthProviderFeatures  features)
{
  HearthModelRow *self;
  GVariant *target;

  g_return_val_if_fail (info != NULL && info->name != NULL, NULL);

  self = g_object_new (HEARTH_TYPE_MODEL_ROW,
                       "title", info->name,
                       "use-markup", FALSE,
                       "activatable", (features & HEARTH_PROVIDER_CAN_SHOW) != 0,
                       NULL);
  self->name = g_strdup (info->name);
  self->facts = format_facts (info);
  self->can_unload = (features & HEARTH_PROVIDER_CAN_UNLOAD) != 0;
  target = g_variant_new_string (info->name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->unload_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->delete_button), target);
  gtk_widget_set_visible (self->delete_button, (features & HEARTH_PROVIDER_CAN_DELETE) != 0);
  update_subtitle (self);
  return GTK_WIDGET (self);
}

const char *
hearth_model_row_get_name (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), NULL);
  return self->name;
}

gboolean
hearth_model_row_get_loaded (HearthModelRow *self)
{
  g_return_val_if_fail (HEARTH_IS_MODEL_ROW (self), FALSE);
  return self->memory != NULL;
}

/* @loaded: (nullable): the model as the server holds it in memory, or NULL when it does not */
void
hearth_model_row_set_loaded (HearthModelRow          *self,
                             const HearthLoadedModel *loaded)
{
  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  g_clear_pointer (&self->memory, g_free);
  if (loaded != NULL)
    self->memory = format_memory (loaded);
  gtk_widget_set_visible (self->loaded_label, loaded != NULL);
  gtk_widget_set_visible (self->unload_button, loaded != NULL && self->can_unload);
  update_subtitle (self);
}

void
hearth_model_row_set_context_length (HearthModelRow *self,
                                     gint64          context_length)
{
  g_return_if_fail (HEARTH_IS_MODEL_ROW (self));

  if (self->context_length == context_length)
    return;
  self->context_length = context_length;
  update_subtitle (self);
}
