/* hearth-conversation-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-conversation-list"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-conversation-list-private.h"
#include "hearth-error.h"
#include "hearth-conversation-row.h"

#define RESOURCE_PATH "/io/github/hearthapp/Hearth/"
#define SEARCH_LIMIT  500

/* HearthConversationList */

struct _HearthConversationList
{
  GtkWidget            parent_instance;

  HearthEngine        *engine;
  GListStore          *model;
  GtkSingleSelection  *selection;
  GCancellable        *cancellable;
  GHashTable          *pending_deletes;    /* &item->id → item */
  char                *search_text;        /* NULL when not searching */
  gint64               selected_id;
  guint                generation;         /* bumped each time the list is replaced */

  AdwToastOverlay     *toast_overlay;
  GtkSearchEntry      *search_entry;
  GtkStack            *stack;
  GtkListView         *list_view;

  /* A long history arrives a screenful first, then a chunk a frame. */
  GPtrArray           *rest;               /* HearthConversationItem, still to append */
  guint                rest_tick;
  gboolean             rest_waited;        /* the frame that shows the first rows went by */

  guint                showing_results : 1;
  guint                updating : 1;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

enum {
  CONVERSATION_ACTIVATED,
  CONVERSATION_DELETED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthConversationList, hearth_conversation_list, GTK_TYPE_WIDGET)

static void start_query (HearthConversationList *self);

/* Model */

static HearthConversationItem *
find_item (HearthConversationList *self,
           gint64                  id,
           guint                  *position)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(HearthConversationItem) item = NULL;

      item = g_list_model_get_item (G_LIST_MODEL (self->model), i);

      if (item->id != id)
        continue;
      if (position != NULL)
        *position = i;
      return g_steal_pointer (&item);
    }
  return NULL;
}

/* A heading shows where a day starts; search results are ranked, not dated. */
static void
update_header (HearthConversationList *self,
               guint                   position,
               guint                   today)
{
  GListModel *model = G_LIST_MODEL (self->model);
  g_autoptr(HearthConversationItem) item = g_list_model_get_item (model, position);
  g_autoptr(HearthConversationItem) previous = NULL;
  g_autofree char *header = NULL;

  if (position > 0)
    previous = g_list_model_get_item (model, position - 1);
  if (!self->showing_results && (previous == NULL || previous->day != item->day))
    header = _hearth_conversation_list_day_to_header (item->day, today);
  _hearth_conversation_item_set_header (item, header);
}

/* Only the items that moved next to a new neighbour can change heading. */
static void
model_items_changed_cb (HearthConversationList *self,
                        guint                   position,
                        guint                   removed,
                        guint                   added,
                        GListModel             *model)
{
  guint n_items = g_list_model_get_n_items (model);
  guint today = _hearth_conversation_list_local_day (g_get_real_time () / 1000);

  for (guint i = position; i <= position + added && i < n_items; i++)
    update_header (self, i, today);
}

static void
update_page (HearthConversationList *self)
{
  const char *page = "list";

  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0)
    page = self->showing_results ? "no-results" : "empty";
  gtk_stack_set_visible_child_name (self->stack, page);
}

/* Changes the selection without it counting as the user's choice. */
static void
show_selected (HearthConversationList *self)
{
  guint position = GTK_INVALID_LIST_POSITION;
  g_autoptr(HearthConversationItem) item = NULL;

  if (self->selected_id >= 0)
    item = find_item (self, self->selected_id, &position);
  self->updating = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->updating = FALSE;
  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                                position);
}

/* GTK 4.8's list view makes a row for each of the first 200 items at once:
 * a long history would hold the first frame back by a row each. The rows a
 * window can show come first; the rest follow, a chunk per frame. */
#define ROWS_PER_FRAME  20
/* No row is shorter: a title and a date, with their padding. */
#define MIN_ROW_HEIGHT  40

/* The rows the list can show, with two to spare: from its height, or
 * before its first allocation (start-up) from the window's. */
static guint
rows_on_screen (HearthConversationList *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->list_view));
  int width;

  if (height <= 0 && GTK_IS_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))))
    gtk_window_get_default_size (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), &width,
                                 &height);
  if (height <= 0)
    height = 1200;
  return height / MIN_ROW_HEIGHT + 2;
}

static void
stop_appending (HearthConversationList *self)
{
  if (self->rest_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->rest_tick);
  self->rest_tick = 0;
  g_clear_pointer (&self->rest, g_ptr_array_unref);
}

static gboolean
append_rest_tick (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (widget);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  guint count = MIN (ROWS_PER_FRAME, self->rest->len);

  if (!self->rest_waited)
    {
      self->rest_waited = TRUE;
      return G_SOURCE_CONTINUE;
    }
  self->updating = TRUE;
  g_list_store_splice (self->model, n_items, 0, self->rest->pdata, count);
  self->updating = FALSE;
  g_ptr_array_remove_range (self->rest, 0, count);
  if (self->rest->len > 0)
    return G_SOURCE_CONTINUE;
  self->rest_tick = 0;
  g_clear_pointer (&self->rest, g_ptr_array_unref);
  if (self->selected_id >= 0
      && gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
    show_selected (self);
  return G_SOURCE_REMOVE;
}

static void
replace_items (HearthConversationList *self,
               GPtrArray              *items,
               gboolean                results)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  guint first;

  for (guint i = 0; i < items->len; i++)
    {
      HearthConversationItem *item = items->pdata[i];

      if (!g_hash_table_contains (self->pending_deletes, &item->id))
        g_ptr_array_add (shown, item);
    }

  stop_appending (self);
  first = shown->len;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && shown->len > rows_on_screen (self))
    {
      first = rows_on_screen (self);
      self->rest = g_ptr_array_new_full (shown->len - first, g_object_unref);
      for (guint i = first; i < shown->len; i++)
        g_ptr_array_add (self->rest, g_object_ref (shown->pdata[i]));
      self->rest_waited = FALSE;
      self->rest_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), append_rest_tick,
                                                      NULL, NULL);
    }
  self->showing_results = results;
  self->generation++;
  self->updating = TRUE;
  g_list_store_splice (self->model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model)),
                       shown->pdata, first);
  self->updating = FALSE;
  show_selected (self);
  update_page (self);
}

/* Loading: the engine reads in a worker; one ranking for the GUI and the CLI */

static GPtrArray *
items_from_conversations (GPtrArray *conversations)
{
  GPtrArray *items = g_ptr_array_new_full (conversations->len, g_object_unref);

  for (guint i = 0; i < conversations->len; i++)
    g_ptr_array_add (items, _hearth_conversation_item_new (conversations->pdata[i], NULL));
  return items;
}

static GPtrArray *
items_from_matches (GPtrArray *matches)
{
  GPtrArray *items = g_ptr_array_new_full (matches->len, g_object_unref);

  for (guint i = 0; i < matches->len; i++)
    {
      HearthConversationMatch *match = matches->pdata[i];

      g_ptr_array_add (items, _hearth_conversation_item_new (match->conversation, match->snippet));
    }
  return items;
}

static void
conversations_loaded_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(HearthConversationList) self = user_data;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gboolean results = g_task_get_source_tag (G_TASK (result)) == hearth_engine_search_async;

  if (results)
    found = hearth_engine_search_finish (HEARTH_ENGINE (object), result, &error);
  else
    found = hearth_engine_list_conversations_finish (HEARTH_ENGINE (object), result, &error);
  if (found == NULL)
    {
      if (!hearth_error_is_cancelled (error))
        g_warning ("Could not load the conversations: %s", error->message);
      return;
    }
  items = results ? items_from_matches (found) : items_from_conversations (found);
  replace_items (self, items, results);
}

/* A newer query makes the running one stale: cancel it. */
static void
start_query (HearthConversationList *self)
{
  if (self->engine == NULL || !hearth_engine_has_history (self->engine))
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->search_text != NULL)
    hearth_engine_search_async (self->engine, self->search_text, SEARCH_LIMIT, self->cancellable,
                                conversations_loaded_cb, g_object_ref (self));
  else
    hearth_engine_list_conversations_async (self->engine, self->cancellable,
                                            conversations_loaded_cb, g_object_ref (self));
}

/* Selection and activation */

static void
selection_changed_cb (HearthConversationList *self)
{
  HearthConversationItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (self->updating || item == NULL)
    return;
  self->selected_id = item->id;
  g_signal_emit (self, signals[CONVERSATION_ACTIVATED], 0, item->id);
}

static void
list_activate_cb (HearthConversationList *self,
                  guint                   position)
{
  g_autoptr(HearthConversationItem) item = NULL;

  if (position != gtk_single_selection_get_selected (self->selection))
    {
      gtk_single_selection_set_selected (self->selection, position);
      return;
    }
  item = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  if (item != NULL)
    g_signal_emit (self, signals[CONVERSATION_ACTIVATED], 0, item->id);
}

/* Search */

static void
search_changed_cb (HearthConversationList *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));

  g_strstrip (text);
  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  if (g_strcmp0 (text, self->search_text) == 0)
    return;
  g_free (self->search_text);
  self->search_text = g_steal_pointer (&text);
  start_query (self);
}

static void
stop_search_cb (HearthConversationList *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* Enter in the search entry opens the best result. */
static void
search_activate_cb (HearthConversationList *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    list_activate_cb (self, 0);
}

/* Rename */

static void
show_error_toast (HearthConversationList *self,
                  const char             *what,
                  const GError           *error)
{
  g_autofree char *escaped = g_markup_escape_text (error->message, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new_format ("%s: %s", what, escaped));
}

static void
rename_conversation (HearthConversationList *self,
                     gint64                  id,
                     const char             *title)
{
  g_autoptr(HearthConversationItem) item = NULL;
  g_autoptr(GError) error = NULL;

  if (self->engine == NULL)
    return;
  if (!hearth_engine_rename_conversation (self->engine, id, title, &error))
    {
      show_error_toast (self, _("Could not rename the conversation"), error);
      return;
    }
  item = find_item (self, id, NULL);
  if (item != NULL)
    _hearth_conversation_item_set_title (item, title);
}

static char *
rename_dialog_get_title (AdwMessageDialog *dialog)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static void
rename_entry_changed_cb (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *title = rename_dialog_get_title (dialog);

  adw_message_dialog_set_response_enabled (dialog, "rename", *title != '\0');
}

static void
rename_response_cb (AdwMessageDialog       *dialog,
                    const char             *response,
                    HearthConversationList *self)
{
  g_autofree char *title = rename_dialog_get_title (dialog);
  HearthConversationItem *item = g_object_get_data (G_OBJECT (dialog), "item");

  if (g_strcmp0 (response, "rename") == 0 && *title != '\0')
    rename_conversation (self, item->id, title);
}

static GtkWidget *
rename_dialog_new (HearthConversationList *self,
                   HearthConversationItem *item)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *entry = gtk_entry_new ();
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       _("Rename Conversation"), NULL));
  gtk_editable_set_text (GTK_EDITABLE (entry), item->title);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Title"),
                                  -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  rename_entry_changed_cb (GTK_EDITABLE (entry), dialog);

  g_object_set_data_full (G_OBJECT (dialog), "item", g_object_ref (item), g_object_unref);
  g_signal_connect (entry, "changed", G_CALLBACK (rename_entry_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (rename_response_cb), self, 0);
  return GTK_WIDGET (dialog);
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (widget);
  g_autoptr(HearthConversationItem) item = NULL;

  item = find_item (self, g_variant_get_int64 (parameter), NULL);
  if (item != NULL)
    gtk_window_present (GTK_WINDOW (rename_dialog_new (self, item)));
}

/* Delete, with a toast to undo it; the store only forgets once the toast is gone */

static void
delete_from_store (HearthConversationList *self,
                   gint64                  id)
{
  g_autoptr(GError) error = NULL;

  if (self->engine == NULL)
    return;
  if (!hearth_engine_delete_conversation (self->engine, id, &error)
      && !g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
    {
      show_error_toast (self, _("Could not delete the conversation"), error);
      start_query (self);
      return;
    }
  if (self->selected_id == id)
    self->selected_id = -1;
  g_signal_emit (self, signals[CONVERSATION_DELETED], 0, id);
}

static void
toast_dismissed_cb (AdwToast               *toast,
                    HearthConversationList *self)
{
  HearthConversationItem *item = g_object_get_data (G_OBJECT (toast), "item");
  gint64 id = item->id;

  if (g_hash_table_remove (self->pending_deletes, &id))
    delete_from_store (self, id);
}

/* Back in place if the list is still the one it left; else the list reloads. */
static void
toast_undo_cb (AdwToast               *toast,
               HearthConversationList *self)
{
  HearthConversationItem *item = g_object_get_data (G_OBJECT (toast), "item");
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  if (!g_hash_table_steal (self->pending_deletes, &item->id))
    return;
  if (item->generation == self->generation)
    g_list_store_insert (self->model, MIN (item->position, n_items), item);
  else
    start_query (self);
  g_object_unref (item);
  show_selected (self);
  update_page (self);
}

static void
show_undo_toast (HearthConversationList *self,
                 HearthConversationItem *item)
{
  g_autofree char *title = g_markup_escape_text (_hearth_conversation_item_get_display_title (item),
                                                 -1);
  AdwToast *toast = adw_toast_new_format (_("“%s” deleted"), title);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "item", g_object_ref (item), g_object_unref);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_undo_cb), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (widget);
  g_autoptr(HearthConversationItem) item = NULL;
  guint position;

  item = find_item (self, g_variant_get_int64 (parameter), &position);
  if (item == NULL)
    return;

  item->position = position;
  item->generation = self->generation;
  g_hash_table_insert (self->pending_deletes, &item->id, g_object_ref (item));

  self->updating = TRUE;
  g_list_store_remove (self->model, position);
  self->updating = FALSE;
  update_page (self);
  show_undo_toast (self, item);
}

/* What the toasts still hold back is done when the list goes away. */
static void
finish_pending_deletes (HearthConversationList *self)
{
  GHashTableIter iter;
  HearthConversationItem *item;

  g_hash_table_iter_init (&iter, self->pending_deletes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &item))
    {
      g_autoptr(GError) error = NULL;

      if (!hearth_engine_delete_conversation (self->engine, item->id, &error)
          && !g_error_matches (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND))
        g_warning ("Could not delete conversation %" G_GINT64_FORMAT ": %s",
                   item->id, error->message);
      g_hash_table_iter_remove (&iter);
    }
}

/* Key bindings act on the selected conversation. */
static gboolean
selected_shortcut_cb (GtkWidget *widget,
                      GVariant  *args,
                      gpointer   user_data)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (widget);
  const char *action_name = g_variant_get_string (args, NULL);

  if (self->selected_id < 0)
    return FALSE;
  return gtk_widget_activate_action (widget, action_name, "x", self->selected_id);
}

/* Style */

static void
ensure_style (void)
{
  static GtkCssProvider *provider;

  if (provider != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PATH "hearth-conversation-list.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* GObject */

static void
hearth_conversation_list_dispose (GObject *object)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->engine != NULL)
    finish_pending_deletes (self);
  /* Without an engine, nothing the children do while they go starts a query. */
  g_clear_object (&self->engine);
  stop_appending (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_CONVERSATION_LIST);

  g_clear_object (&self->selection);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (hearth_conversation_list_parent_class)->dispose (object);
}

static void
hearth_conversation_list_finalize (GObject *object)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (object);

  g_hash_table_unref (self->pending_deletes);
  g_free (self->search_text);

  G_OBJECT_CLASS (hearth_conversation_list_parent_class)->finalize (object);
}

static void
hearth_conversation_list_set_engine (HearthConversationList *self,
                                     HearthEngine           *engine)
{
  if (!g_set_object (&self->engine, engine))
    return;
  start_query (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

static void
hearth_conversation_list_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_conversation_list_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  HearthConversationList *self = HEARTH_CONVERSATION_LIST (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      hearth_conversation_list_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_conversation_list_class_init (HearthConversationListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_conversation_list_dispose;
  object_class->finalize = hearth_conversation_list_finalize;
  object_class->get_property = hearth_conversation_list_get_property;
  object_class->set_property = hearth_conversation_list_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         HEARTH_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONVERSATION_ACTIVATED] =
    g_signal_new ("conversation-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[CONVERSATION_DELETED] =
    g_signal_new ("conversation-deleted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "hearth-conversation-list.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthConversationList, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HearthConversationList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HearthConversationList, stack);
  gtk_widget_class_bind_template_child (widget_class, HearthConversationList, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_install_action (widget_class, "conversation.rename", "x", rename_action);
  gtk_widget_class_install_action (widget_class, "conversation.delete", "x", delete_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_F2, 0,
                                selected_shortcut_cb, "s", "conversation.rename");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Delete, 0,
                                selected_shortcut_cb, "s", "conversation.delete");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hearth_conversation_list_init (HearthConversationList *self)
{
  g_autoptr(GtkListItemFactory) factory = _hearth_conversation_list_row_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  ensure_style ();

  self->selected_id = -1;
  self->pending_deletes = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                 NULL, g_object_unref);

  self->model = g_list_store_new (HEARTH_TYPE_CONVERSATION_ITEM);
  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (model_items_changed_cb), self, G_CONNECT_SWAPPED);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
}

GtkWidget *
hearth_conversation_list_new (HearthEngine *engine)
{
  g_return_val_if_fail (engine == NULL || HEARTH_IS_ENGINE (engine), NULL);

  return g_object_new (HEARTH_TYPE_CONVERSATION_LIST,
                       "engine", engine,
                       NULL);
}

HearthEngine *
hearth_conversation_list_get_engine (HearthConversationList *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_LIST (self), NULL);

  return self->engine;
}

/* Reloads in a worker thread; the selection stays on the same conversation. */
void
hearth_conversation_list_reload (HearthConversationList *self)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_LIST (self));

  start_query (self);
}

/* Selects @id (-1: nothing) without emitting HearthConversationList::conversation-activated. */
void
hearth_conversation_list_select (HearthConversationList *self,
                                 gint64                  id)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_LIST (self));

  self->selected_id = id >= 0 ? id : -1;
  show_selected (self);
}

gint64
hearth_conversation_list_get_selected (HearthConversationList *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_LIST (self), -1);

  return self->selected_id;
}

void
hearth_conversation_list_focus_search (HearthConversationList *self)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_LIST (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
