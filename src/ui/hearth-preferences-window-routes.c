/* hearth-preferences-window-routes.c — the Servers page: the rules of the "Auto" model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-preferences-window-private.h"

/* The kinds a person can add, in the order the dialog lists them. */
static const struct
{
  HearthRouteKind  kind;
  const char      *title;
  const char      *value_title;   /* NULL: the kind takes no value */
  const char      *value_default;
} kinds[] = {
  { HEARTH_ROUTE_CODE, N_("Questions with code"), NULL, NULL },
  { HEARTH_ROUTE_LONG_PROMPT, N_("Long questions"), N_("At least this many characters"), "2000" },
  { HEARTH_ROUTE_SHORT_PROMPT, N_("Short questions"), N_("At most this many characters"), "200" },
  { HEARTH_ROUTE_LONG_CONVERSATION, N_("Long conversations"),
    N_("At least this many earlier messages"), "20" },
  { HEARTH_ROUTE_KEYWORD, N_("Questions with a word"), N_("The word"), "" },
};

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
route_row_new (const HearthRoute *route,
               guint              position,
               guint              n_movable)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = hearth_route_describe (route);
  GtkWidget *up, *down;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  /* the default rule is the last and always there: what nothing else matched */
  if (route->kind == HEARTH_ROUTE_DEFAULT)
    return row;
  up = _hearth_preferences_window_icon_button ("go-up-symbolic", _("Move Up"), "routes.move-up",
                                               g_variant_new_string (route->id));
  down = _hearth_preferences_window_icon_button ("go-down-symbolic", _("Move Down"),
                                                 "routes.move-down",
                                                 g_variant_new_string (route->id));
  _hearth_preferences_window_set_button_enabled (up, position > 0);
  _hearth_preferences_window_set_button_enabled (down, position + 1 < n_movable);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), down);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             _hearth_preferences_window_icon_button ("list-remove-symbolic",
                                                                     _("Remove the Rule"),
                                                                     "routes.remove",
                                                                     g_variant_new_string (route->id)));
  return row;
}

static void
show_target (AdwActionRow      *row,
             HearthRouteChoice *choice,
             const GError      *error)
{
  g_autofree char *text = NULL;

  if (choice == NULL)
    {
      adw_action_row_set_subtitle (row, error->message);
      return;
    }
  if (choice->server != NULL)
    text = g_strdup_printf (_("%s on %s"), choice->model, choice->server);
  adw_action_row_set_subtitle (row, text != NULL ? text : choice->model);
}

static void
target_resolved_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AdwActionRow) row = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthRouteChoice) choice = NULL;

  choice = hearth_routes_resolve_target_finish (HEARTH_ROUTES (object), result, &error);
  if (hearth_error_is_cancelled (error))
    return;
  show_target (row, choice, error);
}

static void
resolve_targets (HearthPreferencesWindow *self)
{
  hearth_routes_resolve_target_async (self->routes, HEARTH_ROUTE_TARGET_FAST,
                                      self->servers_cancellable, target_resolved_cb,
                                      g_object_ref (self->fast_row));
  hearth_routes_resolve_target_async (self->routes, HEARTH_ROUTE_TARGET_CAPABLE,
                                      self->servers_cancellable, target_resolved_cb,
                                      g_object_ref (self->capable_row));
}

static void
refresh_routes (HearthPreferencesWindow *self)
{
  g_autoptr(GPtrArray) routes = hearth_routes_list (self->routes);
  guint n_movable = 0;

  for (guint i = 0; routes != NULL && i < routes->len; i++)
    if (((HearthRoute *) g_ptr_array_index (routes, i))->kind != HEARTH_ROUTE_DEFAULT)
      n_movable++;
  clear_list (self->routes_list);
  for (guint i = 0; routes != NULL && i < routes->len; i++)
    gtk_list_box_append (self->routes_list,
                         route_row_new (g_ptr_array_index (routes, i), i, n_movable));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "routes.reset",
                                 !hearth_routes_are_default (self->routes));
  resolve_targets (self);
}

/* Moves, removals, reset */

static guint
route_position (HearthPreferencesWindow *self,
                const char              *id)
{
  g_autoptr(GPtrArray) routes = hearth_routes_list (self->routes);

  for (guint i = 0; routes != NULL && i < routes->len; i++)
    if (g_str_equal (((HearthRoute *) g_ptr_array_index (routes, i))->id, id))
      return i;
  return G_MAXUINT;
}

static void
route_change_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  guint position = route_position (self, id);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (position == G_MAXUINT)
    return;
  if (g_str_equal (action_name, "routes.remove"))
    ok = hearth_routes_remove (self->routes, id, &error);
  else if (g_str_equal (action_name, "routes.move-up") && position > 0)
    ok = hearth_routes_move (self->routes, id, position - 1, &error);
  else if (g_str_equal (action_name, "routes.move-down"))
    ok = hearth_routes_move (self->routes, id, position + 1, &error);
  if (!ok)
    _hearth_preferences_window_show_error (self, _("The rules were not changed"), error);
}

static void
routes_reset_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!hearth_routes_reset (self->routes, &error))
    _hearth_preferences_window_show_error (self, _("The rules were not reset"), error);
}

/* Adding a rule */

typedef struct
{
  HearthPreferencesWindow *self;
  AdwComboRow             *kind_row;
  AdwEntryRow             *value_row;
  AdwComboRow             *target_row;
  AdwEntryRow             *model_row;
  AdwComboRow             *server_row;
} RuleDialog;

static void
rule_kind_changed_cb (RuleDialog *data)
{
  guint index = adw_combo_row_get_selected (data->kind_row);

  if (index >= G_N_ELEMENTS (kinds))
    return;
  gtk_widget_set_visible (GTK_WIDGET (data->value_row), kinds[index].value_title != NULL);
  if (kinds[index].value_title != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->value_row),
                                     _(kinds[index].value_title));
      gtk_editable_set_text (GTK_EDITABLE (data->value_row), kinds[index].value_default);
    }
}

static void
rule_target_changed_cb (RuleDialog *data)
{
  gtk_widget_set_visible (GTK_WIDGET (data->model_row),
                          adw_combo_row_get_selected (data->target_row) == 2);
}

static void
rule_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  RuleDialog       *data)
{
  guint index = adw_combo_row_get_selected (data->kind_row);
  guint target = adw_combo_row_get_selected (data->target_row);
  guint server_index = adw_combo_row_get_selected (data->server_row);
  g_autofree char *value = NULL;
  g_autofree char *model = NULL;
  g_autofree char *server = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "add") || index >= G_N_ELEMENTS (kinds))
    return;
  if (kinds[index].value_title != NULL)
    value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->value_row))));
  if (target == 0)
    model = g_strdup (HEARTH_ROUTE_TARGET_FAST);
  else if (target == 1)
    model = g_strdup (HEARTH_ROUTE_TARGET_CAPABLE);
  else
    model = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->model_row))));
  if (server_index > 0 && server_index != GTK_INVALID_LIST_POSITION)
    {
      GtkStringObject *item = adw_combo_row_get_selected_item (data->server_row);

      server = g_strdup (gtk_string_object_get_string (item));
    }
  id = hearth_routes_add (data->self->routes, kinds[index].kind, value, model, server, -1, &error);
  if (id == NULL)
    _hearth_preferences_window_show_error (data->self, _("The rule was not added"), error);
}

static AdwComboRow *
combo_row_new (const char         *title,
               const char * const *items)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) list = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  return row;
}

static GtkWidget *
rule_form_new (HearthPreferencesWindow *self,
               RuleDialog              *data)
{
  GtkWidget *list = gtk_list_box_new ();
  g_autoptr(GStrvBuilder) kind_titles = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) server_names = g_strv_builder_new ();
  g_auto(GStrv) kind_strv = NULL;
  g_auto(GStrv) server_strv = NULL;
  const char *targets[] = { _("The fast model"), _("The most capable model"),
                            _("A model by name"), NULL };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_strv_builder_add (kind_titles, _(kinds[i].title));
  g_strv_builder_add (server_names, _("Wherever the model is"));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

      g_strv_builder_add (server_names, hearth_server_get_name (server));
    }
  kind_strv = g_strv_builder_end (kind_titles);
  server_strv = g_strv_builder_end (server_names);

  data->kind_row = combo_row_new (_("When"), (const char * const *) kind_strv);
  data->value_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  data->target_row = combo_row_new (_("Use"), targets);
  adw_combo_row_set_selected (data->target_row, 1);
  data->model_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->model_row), _("Model"));
  data->server_row = combo_row_new (_("On"), (const char * const *) server_strv);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->kind_row));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->value_row));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->target_row));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->model_row));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->server_row));
  g_signal_connect_swapped (data->kind_row, "notify::selected",
                            G_CALLBACK (rule_kind_changed_cb), data);
  g_signal_connect_swapped (data->target_row, "notify::selected",
                            G_CALLBACK (rule_target_changed_cb), data);
  rule_kind_changed_cb (data);
  rule_target_changed_cb (data);
  return list;
}

static void
routes_add_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthPreferencesWindow *self = HEARTH_PREFERENCES_WINDOW (widget);
  RuleDialog *data = g_new0 (RuleDialog, 1);
  AdwMessageDialog *dialog;

  data->self = self;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Add a Rule"),
                                                       _("It is tried before the last rule, "
                                                         "which answers everything else.")));
  adw_message_dialog_set_extra_child (dialog, rule_form_new (self, data));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "hearth-rule-dialog", data, g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (rule_response_cb), data);
  /* its handlers use the window: it goes with it */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
refresh_routes_idle (gpointer user_data)
{
  HearthPreferencesWindow *self = user_data;

  self->routes_refresh_id = 0;
  refresh_routes (self);
  return G_SOURCE_REMOVE;
}

/* Rebuilt once the change is done: the button that made it is still at work. */
static void
routes_changed_cb (HearthPreferencesWindow *self)
{
  if (self->routes_refresh_id == 0)
    self->routes_refresh_id = g_idle_add (refresh_routes_idle, self);
}

void
_hearth_preferences_window_bind_routes (HearthPreferencesWindow *self)
{
  refresh_routes (self);
  g_signal_connect_object (self->routes, "changed", G_CALLBACK (routes_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* the tiers are found among the models of the servers that are on */
  g_signal_connect_object (self->servers, "changed", G_CALLBACK (resolve_targets), self,
                           G_CONNECT_SWAPPED);
}

void
_hearth_preferences_window_class_routes_init (HearthPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "routes.add", NULL, routes_add_cb);
  gtk_widget_class_install_action (widget_class, "routes.reset", NULL, routes_reset_cb);
  gtk_widget_class_install_action (widget_class, "routes.move-up", "s", route_change_cb);
  gtk_widget_class_install_action (widget_class, "routes.move-down", "s", route_change_cb);
  gtk_widget_class_install_action (widget_class, "routes.remove", "s", route_change_cb);
}
