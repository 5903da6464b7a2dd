/* hearth-compare-column.c — one model's answer in a set: text, figures, and "Use this answer"
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-compare-column"

#include <glib/gi18n.h>

#include "hearth-compare-column.h"
#include "hearth-error.h"
#include "hearth-markdown-view.h"

struct _HearthCompareColumn
{
  GtkWidget          parent_instance;

  HearthMessageItem *set_item;
  HearthMessageItem *candidate;
  HearthReply       *reply;      /* while it streams */
  guint              index;
  gboolean           can_pick;

  GtkWidget         *box;
  GtkLabel          *model_label;
  GtkLabel          *server_label;
  GtkSpinner        *spinner;
  GtkLabel          *badge_label;
  GtkLabel          *notes_label;
  HearthMarkdownView *markdown_view;
  GtkWidget         *error_box;
  GtkLabel          *error_label;
  GtkLabel          *figures_label;
  GtkWidget         *pick_button;
};

G_DEFINE_FINAL_TYPE (HearthCompareColumn, hearth_compare_column, GTK_TYPE_WIDGET)

/* A load shorter than this is the server's bookkeeping, not a model read
 * from disk (the benchmark's own threshold). */
#define LOAD_NOISE_MS 50.0

static char *
format_duration (double ms)
{
  return ms < 1000 ? g_strdup_printf (_("%.0f ms"), ms) : g_strdup_printf (_("%.1f s"), ms / 1000);
}

/* "Loaded first (2.1 s)", "Waited for the model before it": why this one
 * was slower to start, when it was. */
static char *
describe_notes (HearthCompareColumn *self,
                gboolean             streaming)
{
  const HearthMessage *m = hearth_message_item_get_message (self->candidate);
  gboolean waited = hearth_message_item_candidate_waited (self->set_item, self->index);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (streaming && self->reply != NULL && hearth_reply_get_state (self->reply) == HEARTH_REPLY_WAITING)
    g_ptr_array_add (parts, g_strdup (waited ? _("Waiting for the model before it")
                                             : _("Waiting for the server")));
  else if (waited)
    g_ptr_array_add (parts, g_strdup (_("Waited for the model before it")));
  if (!streaming && m->figures.load_ms >= LOAD_NOISE_MS && !m->figures.cached)
    {
      g_autofree char *load = format_duration (m->figures.load_ms);

      /* Translators: the model had to be read into memory before it answered */
      g_ptr_array_add (parts, g_strdup_printf (_("Loaded first (%s)"), load));
    }
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static const char *
badge_text (HearthCompareColumn *self)
{
  int winner = hearth_message_item_get_winner (self->set_item);

  if (winner != (int) self->index)
    return NULL;
  if (hearth_message_item_is_compare (self->set_item))
    return hearth_message_item_get_picked_by_user (self->set_item) ? _("Kept") : NULL;
  return _("Chosen");
}

static void
refresh (HearthCompareColumn *self)
{
  const HearthMessage *m = hearth_message_item_get_message (self->candidate);
  gboolean streaming = hearth_message_item_is_streaming (self->candidate);
  gboolean failed = !streaming && m->state == HEARTH_MESSAGE_FAILED;
  int winner = hearth_message_item_get_winner (self->set_item);
  gboolean decided_by_user = hearth_message_item_get_picked_by_user (self->set_item);
  g_autofree char *model = hearth_message_item_dup_model_label (self->candidate);
  g_autofree char *notes = describe_notes (self, streaming);
  g_autofree char *figures = NULL;
  const char *badge = badge_text (self);

  gtk_label_set_text (self->model_label, model != NULL ? model : _("Model"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  model != NULL ? model : _("Model"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_label), m->model);
  gtk_label_set_text (self->server_label, m->server != NULL ? m->server : "");
  gtk_widget_set_visible (GTK_WIDGET (self->server_label), m->server != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), streaming);
  gtk_spinner_set_spinning (self->spinner, streaming);
  gtk_widget_set_visible (GTK_WIDGET (self->badge_label), badge != NULL);
  gtk_label_set_text (self->badge_label, badge != NULL ? badge : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), notes != NULL);
  gtk_label_set_text (self->notes_label, notes != NULL ? notes : "");

  gtk_widget_set_visible (self->error_box, failed);
  gtk_label_set_text (self->error_label, m->error != NULL ? m->error : _("This model’s answer failed."));
  gtk_widget_set_visible (GTK_WIDGET (self->markdown_view), !failed || *m->content != '\0');
  if (m->state == HEARTH_MESSAGE_CANCELLED && !streaming)
    {
      gtk_widget_set_visible (self->error_box, TRUE);
      gtk_label_set_text (self->error_label, _("Stopped before it finished."));
    }

  figures = !streaming && !failed ? hearth_message_item_dup_figures (self->candidate) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->figures_label), figures != NULL && *figures != '\0');
  gtk_label_set_text (self->figures_label, figures != NULL ? figures : "");

  /* Only an answer that came whole can be kept. */
  gtk_widget_set_visible (self->pick_button,
                          self->can_pick && !streaming && m->state == HEARTH_MESSAGE_COMPLETE &&
                          *m->content != '\0' && m->id > 0 &&
                          !(decided_by_user && winner == (int) self->index));
  /* Once the person kept one, the others step back but stay readable. */
  if (decided_by_user && winner != (int) self->index)
    gtk_widget_add_css_class (self->box, "set-not-kept");
  else
    gtk_widget_remove_css_class (self->box, "set-not-kept");
  if (winner == (int) self->index && badge != NULL)
    gtk_widget_add_css_class (self->box, "set-kept");
  else
    gtk_widget_remove_css_class (self->box, "set-kept");
}

static void
on_reply_delta (HearthReply         *reply,
                const char          *content,
                const char          *thinking,
                HearthCompareColumn *self)
{
  if (content != NULL)
    hearth_markdown_view_append (self->markdown_view, content);
}

static void
drop_reply (HearthCompareColumn *self)
{
  if (self->reply != NULL)
    g_signal_handlers_disconnect_by_data (self->reply, self);
  g_clear_object (&self->reply);
}

static void
on_candidate_changed (HearthMessageItem   *candidate,
                      HearthCompareColumn *self)
{
  if (self->reply != NULL && hearth_reply_is_finished (self->reply))
    {
      drop_reply (self);
      /* What was kept, whole, in case a delta came after the last frame. */
      hearth_markdown_view_set_text (self->markdown_view,
                                     hearth_message_item_get_message (candidate)->content);
      hearth_markdown_view_finish (self->markdown_view);
    }
  refresh (self);
}

static void
on_set_changed (HearthMessageItem   *set_item,
                HearthCompareColumn *self)
{
  refresh (self);
}

static void
on_reply_state (HearthReply         *reply,
                GParamSpec          *pspec,
                HearthCompareColumn *self)
{
  refresh (self);
}

static void
unbind (HearthCompareColumn *self)
{
  drop_reply (self);
  if (self->candidate != NULL)
    g_signal_handlers_disconnect_by_data (self->candidate, self);
  if (self->set_item != NULL)
    g_signal_handlers_disconnect_by_data (self->set_item, self);
  g_clear_object (&self->candidate);
  g_clear_object (&self->set_item);
}

void
hearth_compare_column_bind (HearthCompareColumn *self,
                            HearthMessageItem   *set_item,
                            guint                index,
                            gboolean             can_pick)
{
  HearthMessageItem *candidate;
  HearthReply *reply;
  const HearthMessage *m;

  g_return_if_fail (HEARTH_IS_COMPARE_COLUMN (self));

  unbind (self);
  if (set_item == NULL)
    return;
  candidate = hearth_message_item_get_candidate (set_item, index);
  m = hearth_message_item_get_message (candidate);
  self->set_item = g_object_ref (set_item);
  self->candidate = g_object_ref (candidate);
  self->index = index;
  self->can_pick = can_pick;
  reply = hearth_message_item_get_reply (candidate);
  if (reply != NULL && !hearth_reply_is_finished (reply))
    {
      self->reply = g_object_ref (reply);
      hearth_markdown_view_set_text (self->markdown_view, hearth_reply_get_content (reply));
      g_signal_connect (reply, "delta", G_CALLBACK (on_reply_delta), self);
      g_signal_connect (reply, "notify::state", G_CALLBACK (on_reply_state), self);
    }
  else
    {
      hearth_markdown_view_set_text (self->markdown_view, m->content);
      hearth_markdown_view_finish (self->markdown_view);
    }
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->pick_button),
                                          g_variant_new_int64 (m->id));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pick_button), "chat.pick-answer");
  g_signal_connect (candidate, "changed", G_CALLBACK (on_candidate_changed), self);
  g_signal_connect (set_item, "changed", G_CALLBACK (on_set_changed), self);
  refresh (self);
}

HearthMessageItem *
hearth_compare_column_get_candidate (HearthCompareColumn *self)
{
  g_return_val_if_fail (HEARTH_IS_COMPARE_COLUMN (self), NULL);
  return self->candidate;
}

static GtkWidget *
caption_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
build_header (HearthCompareColumn *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  self->model_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->model_label, 0);
  gtk_label_set_ellipsize (self->model_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->model_label), "heading");
  self->server_label = GTK_LABEL (caption_label ());
  gtk_label_set_wrap (self->server_label, FALSE);
  gtk_label_set_ellipsize (self->server_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (names, TRUE);
  gtk_box_append (GTK_BOX (names), GTK_WIDGET (self->model_label));
  gtk_box_append (GTK_BOX (names), GTK_WIDGET (self->server_label));
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->spinner), GTK_ALIGN_CENTER);
  self->badge_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->badge_label), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->badge_label), "cached-badge");
  gtk_widget_add_css_class (GTK_WIDGET (self->badge_label), "caption");
  gtk_box_append (GTK_BOX (header), names);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->spinner));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->badge_label));
  gtk_box_append (GTK_BOX (self->box), header);
}

static void
build_error (HearthCompareColumn *self)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  self->error_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 9);
  gtk_widget_add_css_class (self->error_box, "message-error");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->error_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->error_label), TRUE);
  gtk_box_append (GTK_BOX (self->error_box), icon);
  gtk_box_append (GTK_BOX (self->error_box), GTK_WIDGET (self->error_label));
  gtk_box_append (GTK_BOX (self->box), self->error_box);
}

static void
hearth_compare_column_dispose (GObject *object)
{
  HearthCompareColumn *self = HEARTH_COMPARE_COLUMN (object);

  unbind (self);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (hearth_compare_column_parent_class)->dispose (object);
}

static void
hearth_compare_column_class_init (HearthCompareColumnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_compare_column_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
hearth_compare_column_init (HearthCompareColumn *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->box, "set-column");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  build_header (self);
  self->notes_label = GTK_LABEL (caption_label ());
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->notes_label));
  self->markdown_view = HEARTH_MARKDOWN_VIEW (hearth_markdown_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->markdown_view), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->markdown_view), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->markdown_view));
  build_error (self);
  self->figures_label = GTK_LABEL (caption_label ());
  gtk_widget_add_css_class (GTK_WIDGET (self->figures_label), "numeric");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->figures_label));
  self->pick_button = gtk_button_new_with_mnemonic (_("_Use This Answer"));
  gtk_widget_set_tooltip_text (self->pick_button,
                               _("Keep this answer as the conversation’s reply; the others stay "
                                 "here, and the next question follows on from this one"));
  gtk_widget_set_halign (self->pick_button, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->pick_button, "pick-answer");
  gtk_box_append (GTK_BOX (self->box), self->pick_button);
}

GtkWidget *
hearth_compare_column_new (void)
{
  return g_object_new (HEARTH_TYPE_COMPARE_COLUMN, NULL);
}
