/* hearth-chat-page-compare.c — several models at once (compare, ensembles) and ratings
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-chat-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-chat-page-private.h"
#include "hearth-error.h"
#include "hearth-message-item.h"
#include "hearth-model.h"

gboolean
_hearth_chat_page_is_busy (HearthChatPage *self)
{
  return self->reply != NULL || self->answer_set != NULL;
}

/* The models to compare, as the picker shows them */

static char *
spec_label (const char *spec)
{
  g_autofree char *model = NULL;
  g_autofree char *server = NULL;

  hearth_split_model_at_server (spec, &model, &server);
  return hearth_model_display_name (model);
}

/* "Side by side: tiny-a, tiny-b and tiny-c" */
char *
_hearth_chat_page_describe_compare (HearthChatPage *self)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = self->compare_models != NULL ? self->compare_models->len : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = spec_label (g_ptr_array_index (self->compare_models, i));

      if (i > 0)
        g_string_append (names, i + 1 == n ? _(" and ") : ", ");
      g_string_append (names, label);
    }
  /* Translators: the chat's subtitle in compare mode; %s lists the models */
  return g_strdup_printf (_("Side by side: %s"), names->str);
}

static gboolean
compare_chosen (HearthChatPage *self,
                const char     *spec)
{
  for (guint i = 0; self->compare_models != NULL && i < self->compare_models->len; i++)
    if (g_str_equal (g_ptr_array_index (self->compare_models, i), spec))
      return TRUE;
  return FALSE;
}

static void
update_compare_button (HearthChatPage *self)
{
  guint n = self->compare_models->len;
  g_autofree char *label = NULL;

  if (n >= 2)
    /* Translators: the compare button while models are chosen */
    label = g_strdup_printf (_("Comparing %u"), n);
  gtk_menu_button_set_label (self->compare_button, label != NULL ? label : _("Compare"));
  if (n >= 2)
    gtk_widget_add_css_class (GTK_WIDGET (self->compare_button), "accent");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->compare_button), "accent");
  /* One model or ensemble, or several side by side: the picker steps back. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_dropdown), n < 2);
  _hearth_chat_page_update_model_hints (self);
}

/* At most four: the others cannot be ticked until one is unticked. */
static void
limit_checks (HearthChatPage *self)
{
  gboolean full = self->compare_models->len >= HEARTH_ENSEMBLE_MAX_MODELS;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->compare_list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));

      if (GTK_IS_CHECK_BUTTON (check))
        gtk_widget_set_sensitive (check, !full || gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
    }
}

static void
on_compare_toggled (GtkCheckButton *check,
                    HearthChatPage *self)
{
  const char *spec = g_object_get_data (G_OBJECT (check), "hearth-spec");

  if (gtk_check_button_get_active (check) && !compare_chosen (self, spec))
    g_ptr_array_add (self->compare_models, g_strdup (spec));
  else if (!gtk_check_button_get_active (check))
    for (guint i = 0; i < self->compare_models->len; i++)
      if (g_str_equal (g_ptr_array_index (self->compare_models, i), spec))
        g_ptr_array_remove_index (self->compare_models, i);
  limit_checks (self);
  update_compare_button (self);
}

/* The list is made again each time it opens: the servers' models change. */
static void
fill_compare_list (HearthChatPage *self)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) specs = _hearth_chat_page_list_model_specs (self, labels);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->compare_list))) != NULL)
    gtk_list_box_remove (self->compare_list, child);
  /* A model no longer listed is no longer compared. */
  for (guint i = self->compare_models->len; i-- > 0;)
    {
      gboolean listed = FALSE;

      for (guint j = 0; j < specs->len && !listed; j++)
        listed = g_str_equal (g_ptr_array_index (specs, j),
                              g_ptr_array_index (self->compare_models, i));
      if (!listed)
        g_ptr_array_remove_index (self->compare_models, i);
    }
  for (guint i = 0; i < specs->len; i++)
    {
      const char *spec = g_ptr_array_index (specs, i);
      GtkWidget *check = gtk_check_button_new_with_label (g_ptr_array_index (labels, i));

      g_object_set_data_full (G_OBJECT (check), "hearth-spec", g_strdup (spec), g_free);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), compare_chosen (self, spec));
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_compare_toggled), self, 0);
      gtk_list_box_append (self->compare_list, check);
    }
  if (specs->len == 0)
    gtk_list_box_append (self->compare_list, gtk_label_new (_("No models listed yet")));
  limit_checks (self);
  update_compare_button (self);
}

static void
on_compare_popover_shown (GtkPopover     *popover,
                          HearthChatPage *self)
{
  fill_compare_list (self);
}

static void
on_compare_clear (GtkButton      *button,
                  HearthChatPage *self)
{
  g_ptr_array_set_size (self->compare_models, 0);
  fill_compare_list (self);
  gtk_menu_button_popdown (self->compare_button);
}

static GtkWidget *
build_compare_popover (HearthChatPage *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (_("Compare Side by Side"));
  GtkWidget *hint = gtk_label_new (_("Choose 2 to 4 models: your next message goes to each, and "
                                     "you keep the answer you like best."));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clear = gtk_button_new_with_mnemonic (_("_Ask One Model"));

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (hint), 36);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  self->compare_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->compare_list, GTK_SELECTION_NONE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->compare_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Models to compare"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->compare_list));
  gtk_widget_set_tooltip_text (clear, _("Stop comparing: the model picker chooses again"));
  gtk_widget_set_halign (clear, GTK_ALIGN_END);
  gtk_widget_add_css_class (clear, "stop-comparing");
  g_signal_connect_object (clear, "clicked", G_CALLBACK (on_compare_clear), self, 0);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), hint);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (GTK_BOX (box), clear);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  g_signal_connect_object (popover, "show", G_CALLBACK (on_compare_popover_shown), self, 0);
  return popover;
}

void
_hearth_chat_page_setup_compare (HearthChatPage *self)
{
  self->compare_models = g_ptr_array_new_with_free_func (g_free);
  gtk_menu_button_set_popover (self->compare_button, build_compare_popover (self));
  update_compare_button (self);
}

/* Sending to several models */

static void
on_set_finished (HearthAnswerSet *set,
                 HearthChatPage  *self)
{
  g_signal_handlers_disconnect_by_data (set, self);
  if (set == self->answer_set)
    g_clear_object (&self->answer_set);
  _hearth_chat_page_update_actions (self);
  _hearth_chat_page_sidebar_reload (self);
}

static void
track_set (HearthChatPage  *self,
           HearthAnswerSet *set)
{
  g_autoptr(HearthMessageItem) item =
    hearth_message_item_new_for_set (set, hearth_engine_get_servers (self->engine));

  self->answer_set = g_object_ref (set);
  g_signal_connect (set, "finished", G_CALLBACK (on_set_finished), self);
  g_list_store_append (self->messages, item);
  gtk_stack_set_visible_child_name (self->content_stack, "messages");
  _hearth_chat_page_scroll_to_bottom (self);
  _hearth_chat_page_update_actions (self);
  if (hearth_answer_set_is_finished (set))
    on_set_finished (set, self);
}

/* Returns: (transfer full): the set, or NULL with @error set; @request is
 * the engine's. */
static HearthAnswerSet *
start_set (HearthChatPage     *self,
           HearthChatRequest  *request,
           const char         *model,
           GError            **error)
{
  const HearthEnsemble *ensemble;

  if (self->compare_models->len >= HEARTH_ENSEMBLE_MIN_MODELS)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) models = NULL;

      for (guint i = 0; i < self->compare_models->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (self->compare_models, i));
      models = g_strv_builder_end (builder);
      return hearth_engine_compare (self->engine, request, (const char * const *) models,
                                    self->conversation_id, error);
    }
  ensemble = hearth_ensembles_lookup (hearth_engine_get_ensembles (self->engine), model);
  if (ensemble == NULL)
    {
      hearth_chat_request_free (request);
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("The ensemble “%s” is gone. Choose another model."),
                   model + strlen (HEARTH_ENSEMBLE_PREFIX));
      return NULL;
    }
  return hearth_engine_ask_ensemble (self->engine, request, ensemble, self->conversation_id, error);
}

gboolean
_hearth_chat_page_send_set (HearthChatPage    *self,
                            HearthChatRequest *request,
                            const char        *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthAnswerSet) set = NULL;
  gboolean was_new = self->conversation_id < 0;

  if (self->compare_models->len < HEARTH_ENSEMBLE_MIN_MODELS &&
      (request->model == NULL || !g_str_has_prefix (request->model, HEARTH_ENSEMBLE_PREFIX)))
    return FALSE;
  set = start_set (self, request, request->model, &error);
  if (set == NULL)
    {
      /* Nothing was sent; the text stays in the composer. */
      g_autofree char *line = hearth_error_describe (error);
      _hearth_chat_page_toast (self, line);
      return TRUE;
    }
  self->conversation_id = hearth_answer_set_get_conversation_id (set);
  _hearth_chat_page_add_question (self, self->conversation_id,
                                  hearth_answer_set_get_question_id (set), text);
  track_set (self, set);
  _hearth_chat_page_started (self, was_new);
  return TRUE;
}

void
_hearth_chat_page_stop_set (HearthChatPage *self)
{
  if (self->answer_set == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->answer_set, self);
  hearth_answer_set_cancel (self->answer_set);
  g_clear_object (&self->answer_set);
}

/* A page that ends inside a set (read older than what is shown) adds its
 * answers to the set already on screen rather than showing a second one. */
static gboolean
join_next_set (HearthChatPage *self,
               GPtrArray      *set)
{
  g_autoptr(HearthMessageItem) next = NULL;
  const HearthMessage *m = g_ptr_array_index (set, 0);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
    return FALSE;
  next = g_list_model_get_item (G_LIST_MODEL (self->messages), 0);
  if (hearth_message_item_get_set_question (next) != m->set_question)
    return FALSE;
  for (guint i = 0; i < set->len; i++)
    hearth_message_item_add_to_set (next, g_ptr_array_index (set, i));
  g_list_model_items_changed (G_LIST_MODEL (self->messages), 0, 1, 1);
  return TRUE;
}

/* From the history: the answers of one question to several models are one
 * item, read back as they were kept. */
GPtrArray *
_hearth_chat_page_items_from_messages (HearthChatPage *self,
                                       GPtrArray      *messages)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  HearthServers *servers = hearth_engine_get_servers (self->engine);

  for (guint i = 0; i < messages->len;)
    {
      const HearthMessage *m = g_ptr_array_index (messages, i);
      g_autoptr(GPtrArray) set = NULL;
      HearthMessageItem *item;

      if (m->set_question == 0)
        {
          item = hearth_message_item_new (m);
          hearth_message_item_set_servers (item, servers);
          g_ptr_array_add (items, item);
          i++;
          continue;
        }
      set = g_ptr_array_new ();
      for (; i < messages->len &&
             ((HearthMessage *) g_ptr_array_index (messages, i))->set_question == m->set_question;
           i++)
        g_ptr_array_add (set, g_ptr_array_index (messages, i));
      if (i == messages->len && join_next_set (self, set))
        break;
      g_ptr_array_add (items, hearth_message_item_new_for_stored_set (set, servers));
    }
  return items;
}

/* The set on screen whose candidate @id is; its index in @index. */
static HearthMessageItem *
find_set_of (HearthChatPage *self,
             gint64          id,
             guint          *index)
{
  GListModel *list = G_LIST_MODEL (self->messages);

  for (guint i = g_list_model_get_n_items (list); i-- > 0;)
    {
      g_autoptr(HearthMessageItem) item = g_list_model_get_item (list, i);

      for (guint j = 0; j < hearth_message_item_get_n_candidates (item); j++)
        if (hearth_message_item_get_id (hearth_message_item_get_candidate (item, j)) == id)
          {
            *index = j;
            return item;
          }
    }
  return NULL;
}

static void
chat_pick_answer (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  gint64 id = g_variant_get_int64 (parameter);
  g_autoptr(GError) error = NULL;
  HearthMessageItem *item;
  guint index = 0;

  if ((item = find_set_of (self, id, &index)) == NULL)
    return;
  if (!hearth_engine_pick_answer (self->engine, id, &error))
    {
      _hearth_chat_page_toast (self, error->message);
      return;
    }
  hearth_message_item_mark_picked (item, index);
}

static void
chat_rate_message (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HearthChatPage *self = HEARTH_CHAT_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *note = NULL;
  HearthMessageItem *item;
  gint64 id;
  int rating;

  g_variant_get (parameter, "(xi&s)", &id, &rating, &note);
  if ((item = _hearth_chat_page_find_item (self, id, NULL)) == NULL)
    return;
  if (*note == '\0')
    note = NULL;
  if (!hearth_engine_rate_message (self->engine, id, rating, note, &error))
    {
      _hearth_chat_page_toast (self, error->message);
      /* The buttons go back to what the history holds. */
      hearth_message_item_set_rating (item, hearth_message_item_get_message (item)->rating,
                                      hearth_message_item_get_message (item)->rating_note);
      return;
    }
  hearth_message_item_set_rating (item, rating, note);
}

void
_hearth_chat_page_class_compare_init (HearthChatPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "chat.pick-answer", "x", chat_pick_answer);
  gtk_widget_class_install_action (widget_class, "chat.rate-message", "(xis)", chat_rate_message);
}
