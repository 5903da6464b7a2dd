/* hearth-chat-page-models.c — the model picker: every server's models, grouped
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-chat-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-chat-page-private.h"
#include "hearth-error.h"
#include "hearth-model.h"
#include "hearth-routes.h"
#include "hearth-server-labels.h"

/* What one line of the picker is: "Auto", a server's name over its models
 * (only when there are several servers), or a model of that server. */
typedef enum
{
  PICK_AUTO,
  PICK_HEADER,
  PICK_MODEL,
  PICK_ENSEMBLES,   /* the "Ensembles" heading */
  PICK_ENSEMBLE,
} PickKind;

typedef struct
{
  PickKind               kind;
  HearthServer          *server;  /* NULL for Auto */
  const HearthModelInfo *info;    /* a model; owned by self->server_models */
  const GError          *error;   /* a header whose server could not list; idem */
  guint                  n_models;
  char                  *ensemble; /* "ensemble:NAME" */
  char                  *facts;    /* the ensemble's models and method */
} Pick;

static void
pick_free (Pick *pick)
{
  g_clear_object (&pick->server);
  g_free (pick->ensemble);
  g_free (pick->facts);
  g_free (pick);
}

static Pick *
pick_new (PickKind               kind,
          HearthServer          *server,
          const HearthModelInfo *info)
{
  Pick *pick = g_new0 (Pick, 1);

  pick->kind = kind;
  pick->server = server != NULL ? g_object_ref (server) : NULL;
  pick->info = info;
  return pick;
}

static const Pick *
pick_at (HearthChatPage *self,
         guint           position)
{
  if (self->picks == NULL || position >= self->picks->len)
    return NULL;
  return g_ptr_array_index (self->picks, position);
}

static const Pick *
selected_pick (HearthChatPage *self)
{
  return pick_at (self, gtk_drop_down_get_selected (self->model_dropdown));
}

/* Server names are worth showing only when there is more than one. */
static gboolean
grouped (HearthChatPage *self)
{
  return self->server_models != NULL && self->server_models->len > 1;
}

void
_hearth_chat_page_clear_picks (HearthChatPage *self)
{
  g_clear_pointer (&self->picks, g_ptr_array_unref);
  g_clear_pointer (&self->server_models, g_ptr_array_unref);
  g_clear_pointer (&self->chosen_server, g_free);
  g_clear_pointer (&self->chosen_model, g_free);
}

void
_hearth_chat_page_dup_choice (HearthChatPage  *self,
                              char           **server,
                              char           **model)
{
  const Pick *pick = selected_pick (self);

  *server = NULL;
  *model = NULL;
  if (pick == NULL || pick->kind == PICK_HEADER || pick->kind == PICK_ENSEMBLES)
    return;
  if (pick->kind == PICK_AUTO)
    {
      *model = g_strdup (HEARTH_MODEL_AUTO);
      return;
    }
  if (pick->kind == PICK_ENSEMBLE)
    {
      *model = g_strdup (pick->ensemble);
      return;
    }
  *server = g_strdup (hearth_server_get_name (pick->server));
  *model = g_strdup (pick->info->name);
}

static gboolean
same_model (const char *listed,
            const char *wanted)
{
  g_autofree char *tagged = NULL;

  if (g_strcmp0 (listed, wanted) == 0)
    return TRUE;
  /* "tiny" in the settings or the history is the "tiny:latest" Ollama lists. */
  tagged = hearth_model_name_with_tag (wanted);
  return g_strcmp0 (listed, tagged) == 0;
}

/* @server NULL: the first server that lists @model. */
static guint
find_pick (HearthChatPage *self,
           const char     *server,
           const char     *model)
{
  for (guint i = 0; model != NULL && self->picks != NULL && i < self->picks->len; i++)
    {
      const Pick *pick = pick_at (self, i);

      if (pick->kind == PICK_AUTO && g_strcmp0 (model, HEARTH_MODEL_AUTO) == 0)
        return i;
      if (pick->kind == PICK_ENSEMBLE && g_strcmp0 (model, pick->ensemble) == 0)
        return i;
      if (pick->kind == PICK_MODEL && same_model (pick->info->name, model) &&
          (server == NULL || g_strcmp0 (hearth_server_get_name (pick->server), server) == 0))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
select_quietly (HearthChatPage *self,
                guint           position)
{
  self->filling_picker = TRUE;
  gtk_drop_down_set_selected (self->model_dropdown, position);
  self->filling_picker = FALSE;
}

/* What a conversation was last answered with comes back when it is opened;
 * the choice also survives the list being asked again. */
void
_hearth_chat_page_choose (HearthChatPage *self,
                          const char     *server,
                          const char     *model)
{
  guint position;

  if (model == NULL || *model == '\0')
    return;
  hearth_set_str (&self->chosen_server, server);
  hearth_set_str (&self->chosen_model, model);
  position = find_pick (self, server, model);
  if (position == GTK_INVALID_LIST_POSITION && server != NULL)
    position = find_pick (self, NULL, model);
  if (position != GTK_INVALID_LIST_POSITION)
    select_quietly (self, position);
}

/* The person chose where the reply went to, not where it came from: a
 * fallback's intended server, "auto" when a rule picked the model. */
void
_hearth_chat_page_choose_from_messages (HearthChatPage *self,
                                        GPtrArray      *messages)
{
  for (guint i = messages->len; i-- > 0;)
    {
      const HearthMessage *m = g_ptr_array_index (messages, i);

      /* An ensemble is chosen again; a comparison was a one-off. */
      if (m->set_question != 0 && m->set_name != NULL &&
          g_strcmp0 (m->set_method, "compare") != 0)
        {
          g_autofree char *ensemble = g_strconcat (HEARTH_ENSEMBLE_PREFIX, m->set_name, NULL);

          _hearth_chat_page_choose (self, NULL, ensemble);
          return;
        }
      if (m->set_question != 0 || g_strcmp0 (m->role, "assistant") != 0 || m->model == NULL ||
          *m->model == '\0')
        continue;
      _hearth_chat_page_choose (self, m->fallback_from != NULL ? m->fallback_from : m->server,
                                m->route_rule != NULL ? HEARTH_MODEL_AUTO : m->model);
      return;
    }
}

/* The title says which conversation, the subtitle which model answers next. */
void
_hearth_chat_page_update_model_hints (HearthChatPage *self)
{
  const Pick *pick = selected_pick (self);
  g_autofree char *model = NULL;
  g_autofree char *placeholder = NULL;
  g_autofree char *subtitle = NULL;

  if (pick != NULL && pick->kind == PICK_MODEL)
    {
      model = hearth_model_label (pick->server, pick->info->name);
      /* Translators: the composer's placeholder; %s is the model's name */
      placeholder = hearth_model_is_demo (pick->server, pick->info->name)
                    ? g_strdup (_("Message the demo model…"))
                    : g_strdup_printf (_("Message %s…"), model);
      /* Translators: the chat's subtitle: a model, and the server it runs on */
      subtitle = grouped (self) ? g_strdup_printf (_("%s on %s"), model,
                                                   hearth_server_get_name (pick->server))
                                : g_strdup (model);
    }
  else if (pick != NULL && pick->kind == PICK_AUTO)
    subtitle = g_strdup (_("Auto: the routing rules pick the model"));
  else if (pick != NULL && pick->kind == PICK_ENSEMBLE)
    {
      const char *name = pick->ensemble + strlen (HEARTH_ENSEMBLE_PREFIX);

      /* Translators: the composer's placeholder; %s is an ensemble's name */
      placeholder = g_strdup_printf (_("Message the %s ensemble…"), name);
      /* Translators: the chat's subtitle: an ensemble and what it is */
      subtitle = g_strdup_printf (_("Ensemble %s: %s"), name, pick->facts);
    }
  if (self->compare_models != NULL && self->compare_models->len >= 2)
    {
      g_free (placeholder);
      g_free (subtitle);
      placeholder = g_strdup_printf (_("Message %u models side by side…"),
                                     self->compare_models->len);
      subtitle = _hearth_chat_page_describe_compare (self);
    }
  gtk_label_set_text (self->placeholder_label, placeholder != NULL ? placeholder : _("Message…"));
  adw_window_title_set_subtitle (self->title_widget, subtitle != NULL ? subtitle : "");
}

/* A server's name is a heading, not a choice: the nearest model is taken. */
static gboolean
skip_header (HearthChatPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->model_dropdown);
  const Pick *pick = pick_at (self, selected);

  if (pick == NULL || (pick->kind != PICK_HEADER && pick->kind != PICK_ENSEMBLES))
    return FALSE;
  for (guint i = selected + 1; i < self->picks->len; i++)
    if (pick_at (self, i)->kind == PICK_MODEL || pick_at (self, i)->kind == PICK_ENSEMBLE)
      {
        gtk_drop_down_set_selected (self->model_dropdown, i);
        return TRUE;
      }
  gtk_drop_down_set_selected (self->model_dropdown, 0);
  return TRUE;
}

static void
on_model_selected (GtkDropDown    *dropdown,
                   GParamSpec     *pspec,
                   HearthChatPage *self)
{
  const Pick *pick;

  if (skip_header (self))
    return;
  pick = selected_pick (self);
  if (!self->filling_picker && pick != NULL)
    {
      hearth_set_str (&self->chosen_server,
                      pick->server != NULL ? hearth_server_get_name (pick->server) : NULL);
      hearth_set_str (&self->chosen_model,
                      pick->kind == PICK_AUTO ? HEARTH_MODEL_AUTO
                      : pick->kind == PICK_ENSEMBLE ? pick->ensemble : pick->info->name);
    }
  _hearth_chat_page_update_model_hints (self);
}

/* Listing */

static gboolean
all_failed (GPtrArray     *lists,
            const GError **first_error)
{
  *first_error = NULL;
  for (guint i = 0; i < lists->len; i++)
    {
      const HearthServerModels *list = g_ptr_array_index (lists, i);

      if (list->models != NULL)
        return FALSE;
      if (*first_error == NULL)
        *first_error = list->error;
    }
  return lists->len > 0;
}

/* Each ensemble is a model choice of its own, under its heading. */
static void
fill_ensembles (HearthChatPage *self,
                GtkStringList  *strings)
{
  g_autoptr(GPtrArray) ensembles = hearth_ensembles_list (hearth_engine_get_ensembles (self->engine));

  if (ensembles == NULL || ensembles->len == 0)
    return;
  g_ptr_array_add (self->picks, pick_new (PICK_ENSEMBLES, NULL, NULL));
  gtk_string_list_append (strings, "");
  for (guint i = 0; i < ensembles->len; i++)
    {
      const HearthEnsemble *ensemble = g_ptr_array_index (ensembles, i);
      Pick *pick = pick_new (PICK_ENSEMBLE, NULL, NULL);

      pick->ensemble = g_strconcat (HEARTH_ENSEMBLE_PREFIX, ensemble->name, NULL);
      pick->facts = hearth_ensemble_describe (ensemble);
      g_ptr_array_add (self->picks, pick);
      gtk_string_list_append (strings, pick->ensemble);
    }
}

static guint
fill_picks (HearthChatPage *self,
            GPtrArray      *lists,
            GtkStringList  *strings)
{
  gboolean several = lists->len > 1;
  guint n_models = 0;

  self->server_models = g_ptr_array_ref (lists);
  self->picks = g_ptr_array_new_with_free_func ((GDestroyNotify) pick_free);
  g_ptr_array_add (self->picks, pick_new (PICK_AUTO, NULL, NULL));
  gtk_string_list_append (strings, HEARTH_MODEL_AUTO);
  for (guint i = 0; i < lists->len; i++)
    {
      const HearthServerModels *list = g_ptr_array_index (lists, i);
      guint count = list->models != NULL ? list->models->len : 0;

      if (several)
        {
          Pick *header = pick_new (PICK_HEADER, list->server, NULL);

          header->error = list->error;
          header->n_models = count;
          g_ptr_array_add (self->picks, header);
          /* Never a prefix of a model's name. */
          gtk_string_list_append (strings, "");
        }
      for (guint j = 0; j < count; j++)
        {
          const HearthModelInfo *info = g_ptr_array_index (list->models, j);

          g_ptr_array_add (self->picks, pick_new (PICK_MODEL, list->server, info));
          gtk_string_list_append (strings, info->name);
          n_models++;
        }
    }
  fill_ensembles (self, strings);
  return n_models;
}

/* The remembered choice, else the settings' model on the default server,
 * else the first model listed. */
static guint
initial_position (HearthChatPage *self)
{
  g_autofree char *preferred = g_settings_get_string (self->settings, "default-model");
  HearthServer *server = hearth_servers_get_default (hearth_engine_get_servers (self->engine));
  guint position = find_pick (self, self->chosen_server, self->chosen_model);

  if (position == GTK_INVALID_LIST_POSITION && *preferred != '\0')
    position = find_pick (self, server != NULL ? hearth_server_get_name (server) : NULL, preferred);
  if (position == GTK_INVALID_LIST_POSITION && *preferred != '\0')
    position = find_pick (self, NULL, preferred);
  for (guint i = 0; position == GTK_INVALID_LIST_POSITION && i < self->picks->len; i++)
    if (pick_at (self, i)->kind == PICK_MODEL)
      position = i;
  return position;
}

static void
show_listing_error (HearthChatPage *self,
                    const GError   *error)
{
  g_autofree char *line = NULL;

  if (_hearth_chat_page_error_is_unreachable (error))
    {
      /* The banner or the status page says it; the footer does not repeat it. */
      gtk_label_set_text (self->model_status_label, "");
      _hearth_chat_page_show_unreachable (self, error);
      return;
    }
  line = hearth_error_describe (error);
  gtk_label_set_text (self->model_status_label, line);
}

static void
probed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  hearth_servers_probe_finish (HEARTH_SERVERS (object), result, NULL);
}

/* A heading says how each server is; one never checked is asked once now
 * rather than saying "Not checked yet" until the next scheduled probe. */
static void
probe_unchecked (HearthChatPage *self,
                 GPtrArray      *lists)
{
  for (guint i = 0; lists->len > 1 && i < lists->len; i++)
    {
      const HearthServerModels *list = g_ptr_array_index (lists, i);

      if (hearth_server_get_state (list->server) == HEARTH_SERVER_STATE_UNKNOWN)
        hearth_servers_probe_async (hearth_engine_get_servers (self->engine),
                                    hearth_server_get_name (list->server),
                                    self->models_cancellable, probed_cb, NULL);
    }
}

static void
models_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HearthChatPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lists = hearth_servers_list_models_finish (HEARTH_SERVERS (object),
                                                                  result, &error);
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) old_picks = NULL;
  g_autoptr(GPtrArray) old_lists = NULL;
  const GError *first_error = NULL;
  guint n_models;

  if (hearth_error_is_cancelled (error))
    return;
  if (lists == NULL || all_failed (lists, &first_error))
    {
      if (lists == NULL || first_error != NULL)
        show_listing_error (self, lists == NULL ? error : first_error);
      return;
    }

  /* The rows being unbound still read the old picks while the new ones are set. */
  old_picks = g_steal_pointer (&self->picks);
  old_lists = g_steal_pointer (&self->server_models);
  n_models = fill_picks (self, lists, strings);
  self->filling_picker = TRUE;
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (strings));
  gtk_drop_down_set_selected (self->model_dropdown, initial_position (self));
  self->filling_picker = FALSE;
  _hearth_chat_page_update_model_hints (self);
  gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown), n_models > 0);
  gtk_label_set_text (self->model_status_label,
                      n_models > 0 ? ""
                      : lists->len > 1 ? _("No server has models: pull one on the Models page")
                      : _("The server has no models: pull one first"));
  _hearth_chat_page_server_reached (self);
  probe_unchecked (self, lists);
}

void
_hearth_chat_page_load_models (HearthChatPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->engine == NULL)
    return;
  g_cancellable_cancel (self->models_cancellable);
  g_clear_object (&self->models_cancellable);
  self->models_cancellable = g_cancellable_new ();
  if (_hearth_chat_page_get_provider (self, &error) == NULL)
    {
      g_autofree char *line = hearth_error_describe (error);
      gtk_label_set_text (self->model_status_label, line);
      return;
    }
  gtk_label_set_text (self->model_status_label, _("Looking for models…"));
  hearth_servers_list_models_async (hearth_engine_get_servers (self->engine), FALSE,
                                    self->models_cancellable, models_loaded_cb,
                                    g_object_ref (self));
}

static void
on_servers_changed (gpointer        source,
                    HearthChatPage *self)
{
  _hearth_chat_page_load_models (self);
}

static void
on_server_setting_changed (GSettings      *settings,
                           const char     *key,
                           HearthChatPage *self)
{
  _hearth_chat_page_load_models (self);
}

void
_hearth_chat_page_watch_servers (HearthChatPage *self)
{
  g_signal_connect_object (hearth_engine_get_servers (self->engine), "changed",
                           G_CALLBACK (on_servers_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::endpoint",
                           G_CALLBACK (on_server_setting_changed), self, 0);
  g_signal_connect_object (hearth_engine_get_ensembles (self->engine), "changed",
                           G_CALLBACK (on_servers_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::api-kind",
                           G_CALLBACK (on_server_setting_changed), self, 0);
}

/* The picker's lines: the button shows the name, the list adds size and
 * parameters in a dim line; quantization is for those who hover. */

static char *
format_model_facts (const HearthModelInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->parameter_size != NULL && *info->parameter_size != '\0')
    /* Translators: a model's size in parameters, as the server writes it ("3.2B") */
    g_ptr_array_add (parts, g_strdup_printf (_("%s parameters"), info->parameter_size));
  if (info->size > 0)
    g_ptr_array_add (parts, g_format_size (info->size));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static char *
format_model_tooltip (const HearthModelInfo *info)
{
  g_autoptr(GString) text = g_string_new (info->name);

  if (info->family != NULL && *info->family != '\0')
    g_string_append_printf (text, "\n%s %s", _("Family:"), info->family);
  if (info->quantization != NULL && *info->quantization != '\0')
    g_string_append_printf (text, "\n%s %s", _("Quantization:"), info->quantization);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "Up · 12 ms", "Down — Could not connect to …", "Up — no models yet". */
static char *
format_header_facts (const Pick *pick)
{
  HearthServerState state = hearth_server_get_state (pick->server);
  double latency = hearth_server_get_latency_ms (pick->server);
  const char *label = hearth_server_state_label (state);
  g_autofree char *line = NULL;

  if (pick->error != NULL)
    {
      line = hearth_error_describe (pick->error);
      /* Translators: a server's health, and why it could not list its models */
      return g_strdup_printf (_("%s — %s"), label, line);
    }
  if (pick->n_models == 0)
    /* Translators: a server's health, and that it has no model to choose */
    return g_strdup_printf (_("%s — no models: pull one on the Models page"), label);
  if (latency >= 0 && (state == HEARTH_SERVER_STATE_UP || state == HEARTH_SERVER_STATE_DEGRADED))
    return g_strdup_printf (_("%s · %.0f ms"), label, latency);
  return g_strdup (label);
}

static void
setup_model_button_item (GtkSignalListItemFactory *factory,
                         GtkListItem              *list_item,
                         gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_list_item_set_child (list_item, label);
}

static void
bind_model_button_item (GtkSignalListItemFactory *factory,
                        GtkListItem              *list_item,
                        HearthChatPage           *self)
{
  GtkStringObject *name = gtk_list_item_get_item (list_item);
  const Pick *pick = pick_at (self, gtk_list_item_get_position (list_item));
  g_autofree char *shown = hearth_model_label (pick != NULL ? pick->server : NULL,
                                               gtk_string_object_get_string (name));
  g_autofree char *text = NULL;

  if (pick != NULL && pick->kind == PICK_AUTO)
    text = g_strdup (_("Auto"));
  else if (pick != NULL && pick->kind == PICK_ENSEMBLE)
    /* Translators: the model picker's button when an ensemble is chosen */
    text = g_strdup_printf (_("%s (ensemble)"), pick->ensemble + strlen (HEARTH_ENSEMBLE_PREFIX));
  else if (pick != NULL && pick->kind == PICK_MODEL && grouped (self))
    /* Translators: the model picker's button: a model and its server */
    text = g_strdup_printf (_("%s · %s"), shown, hearth_server_get_name (pick->server));
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (list_item)),
                      text != NULL ? text : shown);
  /* the demo's label is long: all of it on hover */
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (list_item),
                               text != NULL ? text : shown);
}

static void
setup_model_list_item (GtkSignalListItemFactory *factory,
                       GtkListItem              *list_item,
                       gpointer                  user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *facts = gtk_label_new (NULL);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 32);
  gtk_label_set_xalign (GTK_LABEL (facts), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (facts), 40);
  gtk_widget_add_css_class (facts, "caption");
  gtk_widget_add_css_class (facts, "dim-label");
  gtk_widget_set_hexpand (box, TRUE);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), facts);
  gtk_box_append (GTK_BOX (row), box);
  gtk_box_append (GTK_BOX (row), check);
  gtk_list_item_set_child (list_item, row);
}

/* The check mark follows the selection, as on GtkDropDown's own rows. */
static void
update_model_check (GtkDropDown *dropdown,
                    GParamSpec  *pspec,
                    GtkListItem *list_item)
{
  GtkWidget *check = gtk_widget_get_last_child (gtk_list_item_get_child (list_item));

  gtk_widget_set_opacity (check, gtk_list_item_get_position (list_item) ==
                                 gtk_drop_down_get_selected (dropdown) ? 1.0 : 0.0);
}

/* A server's heading follows its health while the picker is open. */
static void
update_header (HearthServer *server,
               GParamSpec   *pspec,
               GtkListItem  *list_item)
{
  HearthChatPage *self = g_object_get_data (G_OBJECT (list_item), "hearth-page");
  const Pick *pick = self != NULL ? pick_at (self, gtk_list_item_get_position (list_item)) : NULL;
  GtkWidget *box = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GtkWidget *facts = gtk_widget_get_last_child (box);
  g_autofree char *text = NULL;

  if (pick == NULL || pick->kind != PICK_HEADER)
    return;
  text = format_header_facts (pick);
  gtk_label_set_text (GTK_LABEL (facts), text);
  gtk_widget_set_tooltip_text (box, text);
}

static void
bind_header (HearthChatPage *self,
             GtkListItem    *list_item,
             const Pick     *pick,
             GtkWidget      *title,
             GtkWidget      *facts)
{
  g_autofree char *label = hearth_server_label (pick->server);

  gtk_label_set_text (GTK_LABEL (title), label);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_visible (facts, TRUE);
  /* Why a server could not list can be long: one line, all of it on hover. */
  gtk_label_set_ellipsize (GTK_LABEL (facts), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (facts), 30);
  /* The server, not the pick: the picks may be replaced before the unbind. */
  g_object_set_data (G_OBJECT (list_item), "hearth-page", self);
  g_object_set_data_full (G_OBJECT (list_item), "hearth-server", g_object_ref (pick->server),
                          g_object_unref);
  g_signal_connect_object (pick->server, "notify::state", G_CALLBACK (update_header),
                           list_item, 0);
  g_signal_connect_object (pick->server, "notify::latency-ms", G_CALLBACK (update_header),
                           list_item, 0);
  update_header (pick->server, NULL, list_item);
}

static void
bind_model_list_item (GtkSignalListItemFactory *factory,
                      GtkListItem              *list_item,
                      HearthChatPage           *self)
{
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *box = gtk_widget_get_first_child (row);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *facts = gtk_widget_get_next_sibling (title);
  const Pick *pick = pick_at (self, gtk_list_item_get_position (list_item));
  gboolean choice = pick != NULL && pick->kind != PICK_HEADER && pick->kind != PICK_ENSEMBLES;
  g_autofree char *shown = NULL;
  g_autofree char *facts_text = NULL;
  g_autofree char *tooltip = NULL;

  if (pick == NULL)
    return;
  gtk_label_set_ellipsize (GTK_LABEL (facts), PANGO_ELLIPSIZE_NONE);
  gtk_label_set_width_chars (GTK_LABEL (facts), -1);
  gtk_list_item_set_selectable (list_item, choice);
  gtk_list_item_set_activatable (list_item, choice);
  gtk_widget_remove_css_class (title, "heading");
  gtk_widget_set_margin_top (row, !choice ? 12 : 0);
  gtk_widget_set_margin_start (row, (pick->kind == PICK_MODEL && grouped (self)) ||
                                    pick->kind == PICK_ENSEMBLE ? 12 : 0);
  gtk_widget_set_visible (gtk_widget_get_last_child (row), choice);
  if (pick->kind == PICK_HEADER)
    {
      bind_header (self, list_item, pick, title, facts);
      return;
    }
  if (pick->kind == PICK_ENSEMBLES)
    {
      gtk_label_set_text (GTK_LABEL (title), _("Ensembles"));
      gtk_widget_add_css_class (title, "heading");
      gtk_label_set_text (GTK_LABEL (facts), _("Several models answer; one reply is kept"));
      gtk_widget_set_visible (facts, TRUE);
      return;
    }
  if (pick->kind == PICK_AUTO)
    {
      shown = g_strdup (_("Auto"));
      facts_text = g_strdup (_("The routing rules pick the model"));
      tooltip = g_strdup (_("Auto — the routing rules pick the model for each message "
                            "(Preferences, Servers)"));
    }
  else if (pick->kind == PICK_ENSEMBLE)
    {
      shown = g_strdup (pick->ensemble + strlen (HEARTH_ENSEMBLE_PREFIX));
      facts_text = g_strdup (pick->facts);
      tooltip = g_strdup (pick->facts);
    }
  else if (hearth_model_is_demo (pick->server, pick->info->name))
    {
      /* "Demo model" over "placeholder text, for trying Hearth without a server" */
      g_auto(GStrv) parts = g_strsplit (_(HEARTH_DEMO_LABEL), " — ", 2);

      shown = g_strdup (parts[0]);
      facts_text = g_strdup (parts[1] != NULL ? parts[1] : "");
      tooltip = g_strdup (_(HEARTH_DEMO_LABEL));
    }
  else
    {
      shown = hearth_model_display_name (pick->info->name);
      facts_text = format_model_facts (pick->info);
      tooltip = format_model_tooltip (pick->info);
    }
  gtk_label_set_text (GTK_LABEL (title), shown);
  gtk_label_set_text (GTK_LABEL (facts), facts_text);
  gtk_widget_set_visible (facts, *facts_text != '\0');
  gtk_widget_set_tooltip_text (box, tooltip);
  g_signal_connect_object (self->model_dropdown, "notify::selected",
                           G_CALLBACK (update_model_check), list_item, 0);
  update_model_check (self->model_dropdown, NULL, list_item);
}

static void
unbind_model_list_item (GtkSignalListItemFactory *factory,
                        GtkListItem              *list_item,
                        HearthChatPage           *self)
{
  HearthServer *server = g_object_get_data (G_OBJECT (list_item), "hearth-server");

  if (server != NULL)
    {
      g_signal_handlers_disconnect_by_func (server, update_header, list_item);
      g_object_set_data (G_OBJECT (list_item), "hearth-server", NULL);
    }
  g_signal_handlers_disconnect_by_func (self->model_dropdown, update_model_check, list_item);
}

void
_hearth_chat_page_setup_model_picker (HearthChatPage *self)
{
  g_autoptr(GtkListItemFactory) button_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list_factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (button_factory, "setup", G_CALLBACK (setup_model_button_item), NULL);
  g_signal_connect (button_factory, "bind", G_CALLBACK (bind_model_button_item), self);
  g_signal_connect (list_factory, "setup", G_CALLBACK (setup_model_list_item), NULL);
  g_signal_connect (list_factory, "bind", G_CALLBACK (bind_model_list_item), self);
  g_signal_connect (list_factory, "unbind", G_CALLBACK (unbind_model_list_item), self);
  gtk_drop_down_set_factory (self->model_dropdown, button_factory);
  gtk_drop_down_set_list_factory (self->model_dropdown, list_factory);
  g_signal_connect_object (self->model_dropdown, "notify::selected",
                           G_CALLBACK (on_model_selected), self, 0);
}

/* "MODEL@SERVER" (or "MODEL" with one server) of every model listed, in
 * the picker's order, and how to show it; for compare's choice. */
GPtrArray *
_hearth_chat_page_list_model_specs (HearthChatPage *self,
                                    GPtrArray      *labels)
{
  GPtrArray *specs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; self->picks != NULL && i < self->picks->len; i++)
    {
      const Pick *pick = pick_at (self, i);
      g_autofree char *shown = NULL;

      if (pick->kind != PICK_MODEL)
        continue;
      shown = hearth_model_label (pick->server, pick->info->name);
      g_ptr_array_add (specs, g_strdup_printf ("%s@%s", pick->info->name,
                                               hearth_server_get_name (pick->server)));
      g_ptr_array_add (labels, grouped (self)
                               ? g_strdup_printf (_("%s · %s"), shown,
                                                  hearth_server_get_name (pick->server))
                               : g_steal_pointer (&shown));
    }
  return specs;
}
