/* hearth-conversation-list-item.c — HearthConversationItem, its day heading and its row
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-conversation-list"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "hearth-conversation-list-private.h"
#include "hearth-conversation-row.h"

/* HearthConversationItem: one conversation as the list shows it. Made in a
 * worker thread, then only used on the main thread. */

enum {
  ITEM_PROP_0,
  ITEM_PROP_TITLE,
  ITEM_PROP_HEADER,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

G_DEFINE_FINAL_TYPE (HearthConversationItem, hearth_conversation_item, G_TYPE_OBJECT)

static void
hearth_conversation_item_finalize (GObject *object)
{
  HearthConversationItem *self = HEARTH_CONVERSATION_ITEM (object);

  g_free (self->title);
  g_free (self->snippet);
  g_free (self->header);

  G_OBJECT_CLASS (hearth_conversation_item_parent_class)->finalize (object);
}

static void
hearth_conversation_item_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  HearthConversationItem *self = HEARTH_CONVERSATION_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case ITEM_PROP_HEADER:
      g_value_set_string (value, self->header);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_conversation_item_class_init (HearthConversationItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_conversation_item_finalize;
  object_class->get_property = hearth_conversation_item_get_property;

  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_HEADER] =
    g_param_spec_string ("header", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
hearth_conversation_item_init (HearthConversationItem *self)
{
}

guint
_hearth_conversation_list_local_day (gint64 unix_ms)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (unix_ms / 1000);
  GDate date;
  int year;
  int month;
  int day;

  if (local == NULL)
    return 1;
  g_date_time_get_ymd (local, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  return g_date_get_julian (&date);
}

HearthConversationItem *
_hearth_conversation_item_new (const HearthConversation *conversation,
                               const char               *snippet)
{
  HearthConversationItem *self = g_object_new (HEARTH_TYPE_CONVERSATION_ITEM, NULL);

  self->id = conversation->id;
  self->title = g_strdup (conversation->title != NULL ? conversation->title : "");
  self->updated_ms = conversation->updated_ms;
  self->n_messages = conversation->n_messages;
  self->snippet = g_strdup (snippet);
  self->day = _hearth_conversation_list_local_day (conversation->updated_ms);
  return self;
}

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
_hearth_conversation_item_set_title (HearthConversationItem *self,
                                     const char             *title)
{
  if (replace_string (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_TITLE]);
}

void
_hearth_conversation_item_set_header (HearthConversationItem *self,
                                      const char             *header)
{
  if (replace_string (&self->header, header))
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_HEADER]);
}

const char *
_hearth_conversation_item_get_display_title (HearthConversationItem *self)
{
  return self->title[0] != '\0' ? self->title : _("New Conversation");
}

/* Markup */

static void
append_escaped (GString    *markup,
                const char *text,
                gssize      length)
{
  g_autofree char *escaped = g_markup_escape_text (text, length);

  g_string_append (markup, escaped);
}

/* The store marks the match between [ and ]; everything else is plain text. */
static char *
snippet_to_markup (const char *snippet)
{
  GString *markup = g_string_new (NULL);
  const char *start = snippet;
  gboolean bold = FALSE;

  for (const char *p = snippet; ; p++)
    {
      gboolean opens = *p == '[' && !bold;
      gboolean closes = *p == ']' && bold;

      if (*p != '\0' && !opens && !closes)
        continue;
      append_escaped (markup, start, p - start);
      if (*p == '\0')
        break;
      g_string_append (markup, opens ? "<b>" : "</b>");
      bold = opens;
      start = p + 1;
    }
  if (bold)
    g_string_append (markup, "</b>");
  return g_string_free (markup, FALSE);
}

static char *
time_to_markup (HearthConversationItem *item)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (item->updated_ms / 1000);
  g_autofree char *hours = local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("");
  g_autofree char *text = NULL;

  if (item->n_messages <= 0)
    return g_markup_escape_text (hours, -1);
  text = g_strdup_printf (ngettext ("%s · %" PRId64 " message",
                                    "%s · %" PRId64 " messages",
                                    item->n_messages),
                          hours, item->n_messages);
  return g_markup_escape_text (text, -1);
}

char *
_hearth_conversation_list_day_to_header (guint day,
                                         guint today)
{
  g_autoptr(GDateTime) local = NULL;
  GDate date;

  if (day == today)
    return g_strdup (_("Today"));
  if (day + 1 == today)
    return g_strdup (_("Yesterday"));

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  local = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                 g_date_get_day (&date), 12, 0, 0);
  if (day < today && today - day < 7)
    return g_date_time_format (local, "%A");
  /* Translators: a day heading in the conversation list, see g_date_time_format() */
  return g_date_time_format (local, _("%-d %B %Y"));
}

/* Rows */

static void
sync_row (HearthConversationRow  *row,
          HearthConversationItem *item)
{
  g_autofree char *subtitle = NULL;

  if (item->snippet != NULL)
    subtitle = snippet_to_markup (item->snippet);
  else
    subtitle = time_to_markup (item);

  hearth_conversation_row_set_conversation_id (row, item->id);
  hearth_conversation_row_set_header (row, item->header);
  hearth_conversation_row_set_title (row, _hearth_conversation_item_get_display_title (item));
  hearth_conversation_row_set_subtitle_markup (row, subtitle);
}

static void
item_notify_cb (HearthConversationItem *item,
                GParamSpec             *pspec,
                HearthConversationRow  *row)
{
  sync_row (row, item);
}

static void
factory_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, hearth_conversation_row_new ());
}

static void
factory_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  HearthConversationItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);

  sync_row (HEARTH_CONVERSATION_ROW (row), item);
  g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), row, 0);
}

static void
factory_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   gpointer                  user_data)
{
  HearthConversationItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);

  g_signal_handlers_disconnect_by_func (item, item_notify_cb, row);
}

GtkListItemFactory *
_hearth_conversation_list_row_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind_cb), NULL);
  return factory;
}
