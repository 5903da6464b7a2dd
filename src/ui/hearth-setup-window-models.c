/* hearth-setup-window-models.c — the assistant's model step: recommended and installed models
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-catalog-labels.h"
#include "hearth-setup-window-private.h"

gboolean
_hearth_setup_window_is_installed (Server     *server,
                                   const char *name)
{
  g_autofree char *latest = NULL;

  if (name == NULL)
    return FALSE;
  latest = g_strconcat (name, ":latest", NULL);
  for (guint i = 0; server != NULL && server->models != NULL && i < server->models->len; i++)
    {
      const char *installed = ((HearthModelInfo *) g_ptr_array_index (server->models, i))->name;

      if (g_str_equal (installed, name) || g_str_equal (installed, latest))
        return TRUE;
    }
  return FALSE;
}

/* The radio of @name is on, whoever chose it. */
gboolean
_hearth_setup_window_show_chosen_model (GtkListBox *list,
                                        const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));

      if (g_strcmp0 (g_object_get_data (G_OBJECT (check), "model"), name) == 0)
        {
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_model_toggled (GtkCheckButton *check,
                  gpointer        user_data)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (gtk_widget_get_root (GTK_WIDGET (check)));

  if (gtk_check_button_get_active (check))
    hearth_setup_window_choose_model (self, g_object_get_data (G_OBJECT (check), "model"));
}

static void
add_model_row (HearthSetupWindow *self,
               GtkListBox        *list,
               const char        *name,
               const char        *title,
               const char        *subtitle)
{
  GtkWidget *check;
  AdwActionRow *row = _hearth_setup_window_radio_row_new (title, subtitle, &self->model_group, &check);

  g_object_set_data_full (G_OBJECT (check), "model", g_strdup (name), g_free);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strcmp0 (name, self->model) == 0);
  g_signal_connect (check, "toggled", G_CALLBACK (on_model_toggled), NULL);
  gtk_list_box_append (list, GTK_WIDGET (row));
}

static char *
describe_fit (const HearthRecommendation *rec)
{
  g_autofree char *size = g_format_size (rec->quant->size);
  const HearthFit *fit = rec->fit;

  if (fit->tokens_per_s < 0)
    return g_strdup_printf (_("%s download · %s"), size, hearth_placement_label (fit->placement));
  return g_strdup_printf (fit->measured ? _("%s download · %s · %.0f tokens/s measured")
                                        : _("%s download · %s · about %.0f tokens/s"),
                          size, hearth_placement_label (fit->placement), fit->tokens_per_s);
}

static const char *
recommendation_name (const HearthRecommendation *rec)
{
  return rec->quant->is_default ? rec->model->name : rec->quant->tag;
}

/* On a small machine one model can win every tier: one row says so. */
static void
add_recommendation (HearthSetupWindow *self,
                    GPtrArray         *recs,
                    guint             *i)
{
  const HearthRecommendation *rec = g_ptr_array_index (recs, *i);
  const char *name = recommendation_name (rec);
  g_autoptr(GString) title = g_string_new (hearth_tier_label (rec->tier));
  g_autofree char *subtitle = describe_fit (rec);

  while (*i + 1 < recs->len &&
         g_str_equal (name, recommendation_name (g_ptr_array_index (recs, *i + 1))))
    {
      *i += 1;
      g_string_append_printf (title, ", %s",
        hearth_tier_label (((HearthRecommendation *) g_ptr_array_index (recs, *i))->tier));
    }
  g_string_append_printf (title, " — %s", name);
  add_model_row (self, self->recommended_list, name, title->str, subtitle);
  if (rec->fit->estimate_basis != NULL)
    gtk_widget_set_tooltip_text (gtk_widget_get_last_child (GTK_WIDGET (self->recommended_list)),
                                 rec->fit->estimate_basis);
}

static void
add_recommendations (HearthSetupWindow *self)
{
  g_autoptr(GPtrArray) recs = NULL;

  if (self->catalog == NULL)
    self->catalog = hearth_catalog_load (NULL);
  if (self->catalog == NULL || self->hardware == NULL)
    return;
  recs = hearth_catalog_recommend (self->catalog, self->hardware, HEARTH_USE_CHAT);
  if (recs != NULL && self->engine != NULL)
    hearth_engine_apply_measurements (self->engine, recs);
  for (guint i = 0; recs != NULL && i < recs->len; i++)
    add_recommendation (self, recs, &i);
}

static void
add_installed (HearthSetupWindow     *self,
               const HearthModelInfo *info)
{
  g_autofree char *size = info->size >= 0 ? g_format_size (info->size) : NULL;
  g_autofree char *subtitle = size != NULL ? g_strdup_printf (_("Installed · %s"), size)
                                           : g_strdup (_("Installed"));

  /* never to be taken for a real model */
  if (self->server->demo)
    add_model_row (self, self->installed_list, info->name, _(HEARTH_DEMO_LABEL),
                   _("Ready · nothing to download"));
  else
    add_model_row (self, self->installed_list, info->name, info->name, subtitle);
}

static const char *
first_model_in (GtkListBox *list)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list));
  GtkWidget *check = row ? adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) : NULL;

  return check ? g_object_get_data (G_OBJECT (check), "model") : NULL;
}

/* The model Next takes without a click: the one already chosen or set as
 * the default, else one that needs no download, else the first recommended. */
static char *
pick_default_model (HearthSetupWindow *self)
{
  g_autofree char *setting = self->settings ? g_settings_get_string (self->settings,
                                                                      "default-model") : NULL;
  g_autoptr(GPtrArray) recs = NULL;

  if (self->model != NULL)
    return g_strdup (self->model);
  if (setting != NULL && _hearth_setup_window_is_installed (self->server, setting))
    return g_steal_pointer (&setting);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->recommended_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));
      const char *name = g_object_get_data (G_OBJECT (check), "model");

      if (_hearth_setup_window_is_installed (self->server, name))
        return g_strdup (name);
    }
  if (first_model_in (self->installed_list) != NULL)
    return g_strdup (first_model_in (self->installed_list));
  return g_strdup (first_model_in (self->recommended_list));
}

void
_hearth_setup_window_fill_models (HearthSetupWindow *self)
{
  GPtrArray *installed = self->server->models;
  g_autofree char *model = NULL;

  self->model_group = NULL;
  _hearth_setup_window_clear_list (self->recommended_list);
  _hearth_setup_window_clear_list (self->installed_list);
  /* the demo is there to try Hearth without downloading anything */
  if (self->server->api == HEARTH_API_OLLAMA && !self->server->demo)
    add_recommendations (self);
  gtk_widget_set_visible (GTK_WIDGET (self->recommended_group),
                          gtk_widget_get_first_child (GTK_WIDGET (self->recommended_list)) != NULL);
  for (guint i = 0; installed != NULL && i < installed->len; i++)
    add_installed (self, g_ptr_array_index (installed, i));
  model = pick_default_model (self);
  if (model != NULL)
    hearth_setup_window_choose_model (self, model);
  self->model_installed = _hearth_setup_window_is_installed (self->server, self->model);
}

