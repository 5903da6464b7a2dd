/* hearth-conversation-row.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-conversation-row"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-conversation-row.h"

struct _HearthConversationRow
{
  GtkWidget       parent_instance;

  gint64          conversation_id;

  GtkLabel       *header_label;
  GtkLabel       *title_label;
  GtkLabel       *subtitle_label;
  GtkMenuButton  *menu_button;
};

G_DEFINE_FINAL_TYPE (HearthConversationRow, hearth_conversation_row, GTK_TYPE_WIDGET)

/* Returns: (nullable): the tooltip over the title — the whole title, and
 * only when the row had to cut it short. */
const char *
hearth_conversation_row_get_title_tooltip (HearthConversationRow *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_ROW (self), NULL);

  if (!pango_layout_is_ellipsized (gtk_label_get_layout (self->title_label)))
    return NULL;
  return gtk_label_get_label (self->title_label);
}

static gboolean
on_title_query_tooltip (GtkWidget             *label,
                        int                    x,
                        int                    y,
                        gboolean               keyboard_mode,
                        GtkTooltip            *tooltip,
                        HearthConversationRow *self)
{
  const char *text = hearth_conversation_row_get_title_tooltip (self);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
hearth_conversation_row_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), HEARTH_TYPE_CONVERSATION_ROW);
  /* GTK 4.8 leaves the children that have no template id. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hearth_conversation_row_parent_class)->dispose (object);
}

static void
hearth_conversation_row_class_init (HearthConversationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_conversation_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/"
                                               "hearth-conversation-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthConversationRow, header_label);
  gtk_widget_class_bind_template_child (widget_class, HearthConversationRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, HearthConversationRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, HearthConversationRow, menu_button);
  /* named by its title, which a list item alone would not say */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
hearth_conversation_row_init (HearthConversationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->conversation_id = -1;
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  self->title_label, NULL, -1);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->title_label), TRUE);
  g_signal_connect_object (self->title_label, "query-tooltip",
                           G_CALLBACK (on_title_query_tooltip), self, 0);
}

GtkWidget *
hearth_conversation_row_new (void)
{
  return g_object_new (HEARTH_TYPE_CONVERSATION_ROW, NULL);
}

gint64
hearth_conversation_row_get_conversation_id (HearthConversationRow *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_ROW (self), -1);

  return self->conversation_id;
}

static GMenuModel *
build_menu (gint64 id)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenuItem) rename = g_menu_item_new (_("_Rename…"), NULL);
  g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete"), NULL);

  g_menu_item_set_action_and_target_value (rename, "conversation.rename",
                                           g_variant_new_int64 (id));
  g_menu_item_set_action_and_target_value (delete, "conversation.delete",
                                           g_variant_new_int64 (id));
  g_menu_append_item (menu, rename);
  g_menu_append_item (menu, delete);
  return G_MENU_MODEL (menu);
}

/* Built when the menu opens, not per row: a GtkPopoverMenu for each of a
 * few hundred rows was most of the start-up cost of a long history. */
static void
create_popup (GtkMenuButton *button,
              gpointer       user_data)
{
  HearthConversationRow *self = user_data;
  g_autoptr(GMenuModel) menu = build_menu (self->conversation_id);

  gtk_menu_button_set_menu_model (button, menu);
}

/* The menu items carry the id as their action target. */
void
hearth_conversation_row_set_conversation_id (HearthConversationRow *self,
                                             gint64                 id)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_ROW (self));

  if (self->conversation_id == id)
    return;
  self->conversation_id = id;
  gtk_menu_button_set_create_popup_func (self->menu_button, create_popup, self, NULL);
}

const char *
hearth_conversation_row_get_header (HearthConversationRow *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_ROW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->header_label)))
    return NULL;
  return gtk_label_get_label (self->header_label);
}

/* A NULL @header hides the day heading above the row. */
void
hearth_conversation_row_set_header (HearthConversationRow *self,
                                    const char            *header)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_ROW (self));

  gtk_label_set_label (self->header_label, header != NULL ? header : "");
  gtk_widget_set_visible (GTK_WIDGET (self->header_label), header != NULL);
}

const char *
hearth_conversation_row_get_title (HearthConversationRow *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_ROW (self), NULL);

  return gtk_label_get_label (self->title_label);
}

/* Plain text: titles come from people and models, never markup. */
void
hearth_conversation_row_set_title (HearthConversationRow *self,
                                   const char            *title)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_ROW (self));

  gtk_label_set_label (self->title_label, title);
}


const char *
hearth_conversation_row_get_subtitle_markup (HearthConversationRow *self)
{
  g_return_val_if_fail (HEARTH_IS_CONVERSATION_ROW (self), NULL);

  return gtk_label_get_label (self->subtitle_label);
}

/* @markup must already be escaped. */
void
hearth_conversation_row_set_subtitle_markup (HearthConversationRow *self,
                                             const char            *markup)
{
  g_return_if_fail (HEARTH_IS_CONVERSATION_ROW (self));

  gtk_label_set_markup (self->subtitle_label, markup != NULL ? markup : "");
}
