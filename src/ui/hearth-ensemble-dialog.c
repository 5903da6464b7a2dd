/* hearth-ensemble-dialog.c — add or edit an ensemble: its name, 2–4 models, and how they decide
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-ensemble-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-ensemble-dialog.h"
#include "hearth-error.h"

#define N_MODEL_ROWS HEARTH_ENSEMBLE_MAX_MODELS

struct _HearthEnsembleDialog
{
  AdwWindow        parent_instance;

  HearthEngine    *engine;
  HearthEnsemble  *original;     /* what is edited, or NULL for a new one */
  GCancellable    *cancellable;
  GtkStringList   *specs;        /* "MODEL@SERVER" as listed, after "None" */

  AdwEntryRow     *name_row;
  AdwComboRow     *model_rows[N_MODEL_ROWS];
  AdwComboRow     *method_row;
  AdwComboRow     *judge_row;
  GtkLabel        *error_label;
  GtkWidget       *save_button;
};

G_DEFINE_FINAL_TYPE (HearthEnsembleDialog, hearth_ensemble_dialog, ADW_TYPE_WINDOW)

static const HearthSetMethod methods[] = { HEARTH_SET_VOTE, HEARTH_SET_JUDGE, HEARTH_SET_FIRST_GOOD };

static void
show_error (HearthEnsembleDialog *self,
            const char           *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

/* Position 0 is "None"; a model is at its index in specs + 1. */
static const char *
chosen_spec (AdwComboRow *row)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint position = adw_combo_row_get_selected (row);
  GtkStringObject *item;

  if (model == NULL || position == 0 || position == GTK_INVALID_LIST_POSITION)
    return NULL;
  item = g_list_model_get_item (model, position);
  if (item == NULL)
    return NULL;
  g_object_unref (item);  /* the list keeps it */
  return gtk_string_object_get_string (item);
}

static void
select_spec (AdwComboRow *row,
             const char  *spec)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 1; spec != NULL && i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), spec))
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  adw_combo_row_set_selected (row, 0);
}

static HearthEnsemble *
build_ensemble (HearthEnsembleDialog *self)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new ();
  HearthSetMethod method = methods[MIN (adw_combo_row_get_selected (self->method_row),
                                        G_N_ELEMENTS (methods) - 1)];
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  for (guint i = 0; i < N_MODEL_ROWS; i++)
    if (chosen_spec (self->model_rows[i]) != NULL)
      g_ptr_array_add (models, (gpointer) chosen_spec (self->model_rows[i]));
  g_ptr_array_add (models, NULL);
  return hearth_ensemble_new (name,
                              (const char * const *) models->pdata, method,
                              method == HEARTH_SET_JUDGE ? chosen_spec (self->judge_row) : NULL);
}

static void
on_save (GtkButton            *button,
         HearthEnsembleDialog *self)
{
  HearthEnsembles *ensembles = hearth_engine_get_ensembles (self->engine);
  g_autoptr(HearthEnsemble) ensemble = build_ensemble (self);
  g_autoptr(GError) error = NULL;
  gboolean renamed = self->original != NULL && g_strcmp0 (self->original->name, ensemble->name) != 0;

  g_strstrip (ensemble->name);
  if (!hearth_ensemble_validate (ensemble, &error) ||
      !hearth_ensembles_add (ensembles, ensemble, self->original != NULL && !renamed, &error))
    {
      show_error (self, error->message);
      return;
    }
  /* Renamed: the old name goes once the new one is safely written. */
  if (renamed && !hearth_ensembles_remove (ensembles, self->original->name, &error))
    {
      show_error (self, error->message);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

/* What was wrong is said until something changes. */
static void
on_edited (HearthEnsembleDialog *self)
{
  show_error (self, NULL);
}

static void
on_method_changed (AdwComboRow          *row,
                   GParamSpec           *pspec,
                   HearthEnsembleDialog *self)
{
  guint selected = adw_combo_row_get_selected (row);

  show_error (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->judge_row),
                          selected < G_N_ELEMENTS (methods) && methods[selected] == HEARTH_SET_JUDGE);
}

static void
fill_from_original (HearthEnsembleDialog *self)
{
  const HearthEnsemble *e = self->original;

  if (e == NULL)
    return;
  for (guint i = 0; i < N_MODEL_ROWS; i++)
    select_spec (self->model_rows[i], e->models != NULL && i < g_strv_length (e->models)
                                      ? e->models[i] : NULL);
  select_spec (self->judge_row, e->judge);
}

/* "MODEL@SERVER" with several servers, else "MODEL": as the CLI writes them. */
static void
models_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HearthEnsembleDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lists = hearth_servers_list_models_finish (HEARTH_SERVERS (object), result,
                                                                  &error);

  if (hearth_error_is_cancelled (error))
    return;
  if (lists == NULL)
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < lists->len; i++)
    {
      const HearthServerModels *list = g_ptr_array_index (lists, i);

      for (guint j = 0; list->models != NULL && j < list->models->len; j++)
        {
          const HearthModelInfo *info = g_ptr_array_index (list->models, j);
          g_autofree char *spec = lists->len > 1
                                  ? g_strdup_printf ("%s@%s", info->name,
                                                     hearth_server_get_name (list->server))
                                  : g_strdup (info->name);

          gtk_string_list_append (self->specs, spec);
        }
    }
  /* Models the ensemble names that no server lists now stay choosable. */
  for (guint i = 0; self->original != NULL && self->original->models[i] != NULL; i++)
    {
      gboolean listed = FALSE;

      for (guint j = 1; j < g_list_model_get_n_items (G_LIST_MODEL (self->specs)) && !listed; j++)
        listed = g_str_equal (gtk_string_list_get_string (self->specs, j),
                              self->original->models[i]);
      if (!listed)
        gtk_string_list_append (self->specs, self->original->models[i]);
    }
  fill_from_original (self);
  gtk_widget_set_sensitive (self->save_button, TRUE);
}

static AdwComboRow *
model_row_new (HearthEnsembleDialog *self,
               const char           *title)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (self->specs));
  return row;
}

static GtkWidget *
build_page (HearthEnsembleDialog *self)
{
  static const char *titles[N_MODEL_ROWS] = {
    N_("First Model"), N_("Second Model"), N_("Third Model"), N_("Fourth Model"),
  };
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *about = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *members = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *deciding = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autoptr(GtkStringList) method_list = gtk_string_list_new (NULL);

  self->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name"));
  adw_preferences_group_add (about, GTK_WIDGET (self->name_row));
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_margin_top (GTK_WIDGET (self->error_label), 12);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  adw_preferences_group_add (about, GTK_WIDGET (self->error_label));

  adw_preferences_group_set_title (members, _("Models"));
  adw_preferences_group_set_description (members, _("2 to 4 models; each answers every question"));
  for (guint i = 0; i < N_MODEL_ROWS; i++)
    {
      self->model_rows[i] = model_row_new (self, _(titles[i]));
      adw_preferences_group_add (members, GTK_WIDGET (self->model_rows[i]));
    }

  adw_preferences_group_set_title (deciding, _("The Reply"));
  adw_preferences_group_set_description (deciding,
                                         _("Majority vote: the answer most others agree with. "
                                           "A judge: another model reads them all and picks one. "
                                           "First good answer: the fastest that is complete and "
                                           "not a refusal."));
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    gtk_string_list_append (method_list, _(hearth_set_method_get_label (methods[i])));
  self->method_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->method_row), _("Chosen By"));
  adw_combo_row_set_model (self->method_row, G_LIST_MODEL (method_list));
  adw_preferences_group_add (deciding, GTK_WIDGET (self->method_row));
  self->judge_row = model_row_new (self, _("Judge"));
  adw_preferences_group_add (deciding, GTK_WIDGET (self->judge_row));

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), about);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), members);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), deciding);
  return page;
}

static void
hearth_ensemble_dialog_dispose (GObject *object)
{
  HearthEnsembleDialog *self = HEARTH_ENSEMBLE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->specs);
  g_clear_pointer (&self->original, hearth_ensemble_free);

  G_OBJECT_CLASS (hearth_ensemble_dialog_parent_class)->dispose (object);
}

static void
hearth_ensemble_dialog_class_init (HearthEnsembleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_ensemble_dialog_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hearth_ensemble_dialog_init (HearthEnsembleDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  self->cancellable = g_cancellable_new ();
  self->specs = gtk_string_list_new (NULL);
  gtk_string_list_append (self->specs, _("None"));
  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  gtk_widget_set_sensitive (self->save_button, FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), build_page (self));
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 640);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), self);
  g_signal_connect (self->save_button, "clicked", G_CALLBACK (on_save), self);
  g_signal_connect (self->method_row, "notify::selected", G_CALLBACK (on_method_changed), self);
  on_method_changed (self->method_row, NULL, self);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (on_edited), self);
  for (guint i = 0; i < N_MODEL_ROWS; i++)
    g_signal_connect_swapped (self->model_rows[i], "notify::selected", G_CALLBACK (on_edited), self);
  g_signal_connect_swapped (self->judge_row, "notify::selected", G_CALLBACK (on_edited), self);
}

/* @ensemble: the one to edit, or NULL for a new one. */
GtkWidget *
hearth_ensemble_dialog_new (GtkWindow            *parent,
                            HearthEngine         *engine,
                            const HearthEnsemble *ensemble)
{
  HearthEnsembleDialog *self = g_object_new (HEARTH_TYPE_ENSEMBLE_DIALOG,
                                             "transient-for", parent, NULL);

  self->engine = g_object_ref (engine);
  gtk_window_set_title (GTK_WINDOW (self), ensemble != NULL ? _("Edit Ensemble")
                                                            : _("New Ensemble"));
  if (ensemble != NULL)
    {
      self->original = hearth_ensemble_copy (ensemble);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), ensemble->name);
      for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
        if (methods[i] == ensemble->method)
          adw_combo_row_set_selected (self->method_row, i);
    }
  hearth_servers_list_models_async (hearth_engine_get_servers (engine), FALSE, self->cancellable,
                                    models_listed_cb, self);
  return GTK_WIDGET (self);
}
