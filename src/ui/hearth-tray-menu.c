/* hearth-tray-menu.c — the tray icon's menu over com.canonical.dbusmenu
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One level under the root: Show Hearth, the firing alerts (each its
 * message and an Acknowledge item), Pause Monitoring with a check mark,
 * Quit. The panel reads it with GetLayout and sends clicks with Event; every
 * change is a new revision announced with LayoutUpdated.
 */
#define G_LOG_DOMAIN "hearth-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-tray-private.h"

#define MENU_IFACE "com.canonical.dbusmenu"
/* Long messages are cut in the menu; the tooltip has them whole. */
#define MAX_LABEL_CHARS 80

enum {
  ID_ROOT,
  ID_SHOW,
  ID_SEPARATOR_ALERTS,
  ID_QUIET,
  ID_MORE,
  ID_SEPARATOR_PAUSE,
  ID_PAUSE,
  ID_SEPARATOR_QUIT,
  ID_QUIT,
};

typedef struct
{
  int                   id;
  HearthTrayMenuAction  action;
  gboolean              enabled;
  gint64                rule_id;     /* Acknowledge */
  char                 *subject;
  GVariant             *props;       /* a{sv} */
} MenuItem;

static const char menu_xml[] =
  "<node>"
  "  <interface name='com.canonical.dbusmenu'>"
  "    <property name='Version' type='u' access='read'/>"
  "    <property name='TextDirection' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='IconThemePath' type='as' access='read'/>"
  "    <method name='GetLayout'>"
  "      <arg name='parentId' type='i' direction='in'/>"
  "      <arg name='recursionDepth' type='i' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='revision' type='u' direction='out'/>"
  "      <arg name='layout' type='(ia{sv}av)' direction='out'/>"
  "    </method>"
  "    <method name='GetGroupProperties'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='properties' type='a(ia{sv})' direction='out'/>"
  "    </method>"
  "    <method name='GetProperty'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='name' type='s' direction='in'/>"
  "      <arg name='value' type='v' direction='out'/>"
  "    </method>"
  "    <method name='Event'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='eventId' type='s' direction='in'/>"
  "      <arg name='data' type='v' direction='in'/>"
  "      <arg name='timestamp' type='u' direction='in'/>"
  "    </method>"
  "    <method name='EventGroup'>"
  "      <arg name='events' type='a(isvu)' direction='in'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShow'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='needUpdate' type='b' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShowGroup'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='updatesNeeded' type='ai' direction='out'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <signal name='ItemsPropertiesUpdated'>"
  "      <arg name='updatedProps' type='a(ia{sv})'/>"
  "      <arg name='removedProps' type='a(ias)'/>"
  "    </signal>"
  "    <signal name='LayoutUpdated'>"
  "      <arg name='revision' type='u'/>"
  "      <arg name='parent' type='i'/>"
  "    </signal>"
  "    <signal name='ItemActivationRequested'>"
  "      <arg name='id' type='i'/>"
  "      <arg name='timestamp' type='u'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

static void
menu_item_free (MenuItem *item)
{
  g_free (item->subject);
  g_variant_unref (item->props);
  g_free (item);
}

/* Building the items */

/* In dbusmenu labels an underscore marks the access key; the metric names
 * in messages (tokens_per_s) keep theirs. */
static char *
menu_label (const char *text)
{
  g_autoptr(GString) label = NULL;

  if (g_utf8_strlen (text, -1) > MAX_LABEL_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, MAX_LABEL_CHARS - 1);

      label = g_string_new (g_strstrip (cut));
      g_string_append (label, "…");
    }
  else
    label = g_string_new (text);

  g_string_replace (label, "_", "__", 0);
  return g_string_free (g_steal_pointer (&label), FALSE);
}

static MenuItem *
add_item (GPtrArray            *items,
          int                   id,
          HearthTrayMenuAction  action,
          const char           *label,
          gboolean              enabled)
{
  MenuItem *item = g_new0 (MenuItem, 1);
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  if (label != NULL)
    g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (label));
  else
    g_variant_builder_add (&props, "{sv}", "type", g_variant_new_string ("separator"));
  if (!enabled)
    g_variant_builder_add (&props, "{sv}", "enabled", g_variant_new_boolean (FALSE));

  item->id = id;
  item->action = action;
  item->enabled = enabled;
  item->props = g_variant_ref_sink (g_variant_builder_end (&props));
  g_ptr_array_add (items, item);
  return item;
}

/* Adds more properties to the item just added */
static void
add_props (MenuItem   *item,
           const char *format,
           ...)
{
  GVariantDict dict;
  va_list args;
  const char *name = format;

  g_variant_dict_init (&dict, item->props);
  va_start (args, format);
  while (name != NULL)
    {
      g_variant_dict_insert_value (&dict, name, va_arg (args, GVariant *));
      name = va_arg (args, const char *);
    }
  va_end (args);
  g_variant_unref (item->props);
  item->props = g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
add_alert (GPtrArray             *items,
           const HearthTrayAlert *alert,
           gboolean               last)
{
  g_autofree char *label = menu_label (alert->message);
  MenuItem *item;

  /* The message opens Hearth, where the alert can be looked into. */
  item = add_item (items, alert->item_id, HEARTH_TRAY_MENU_SHOW_ALERTS, label, TRUE);
  add_props (item,
             "icon-name", g_variant_new_string (hearth_tray_severity_icon (alert->severity)),
             NULL);
  /* Panels colour an "alert" red, readable; their "warning" yellow is
   * barely readable on a light menu, and the icon says it already. */
  if (alert->severity == HEARTH_ALERT_CRITICAL)
    add_props (item, "disposition", g_variant_new_string ("alert"), NULL);

  if (alert->acknowledged)
    add_item (items, alert->item_id + 1, HEARTH_TRAY_MENU_NONE, _("Acknowledged"), FALSE);
  else
    {
      item = add_item (items, alert->item_id + 1, HEARTH_TRAY_MENU_ACKNOWLEDGE,
                       _("Acknowledge"), TRUE);
      item->rule_id = alert->rule_id;
      item->subject = g_strdup (alert->subject);
    }

  if (!last)
    add_item (items, alert->item_id + 2, HEARTH_TRAY_MENU_NONE, NULL, TRUE);
}

static GPtrArray *
build_items (GPtrArray *alerts,
             gboolean   paused)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) menu_item_free);
  guint shown = MIN (alerts->len, HEARTH_TRAY_MAX_MENU_ALERTS);
  MenuItem *pause;

  add_item (items, ID_SHOW, HEARTH_TRAY_MENU_SHOW, _("Show Hearth"), TRUE);
  add_item (items, ID_SEPARATOR_ALERTS, HEARTH_TRAY_MENU_NONE, NULL, TRUE);

  if (alerts->len == 0)
    add_item (items, ID_QUIET, HEARTH_TRAY_MENU_NONE,
              paused ? _("Monitoring is paused") : _("Nothing needs attention"), FALSE);
  for (guint i = 0; i < shown; i++)
    add_alert (items, g_ptr_array_index (alerts, i), i + 1 == shown);
  if (alerts->len > shown)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("%u more alert in Hearth…",
                                                         "%u more alerts in Hearth…",
                                                         alerts->len - shown),
                                               alerts->len - shown);

      add_item (items, ID_MORE, HEARTH_TRAY_MENU_SHOW_ALERTS, more, TRUE);
    }

  add_item (items, ID_SEPARATOR_PAUSE, HEARTH_TRAY_MENU_NONE, NULL, TRUE);
  pause = add_item (items, ID_PAUSE, HEARTH_TRAY_MENU_PAUSE, _("Pause Monitoring"), TRUE);
  add_props (pause,
             "toggle-type", g_variant_new_string ("checkmark"),
             "toggle-state", g_variant_new_int32 (paused ? 1 : 0),
             NULL);
  add_item (items, ID_SEPARATOR_QUIT, HEARTH_TRAY_MENU_NONE, NULL, TRUE);
  add_item (items, ID_QUIT, HEARTH_TRAY_MENU_QUIT, _("Quit"), TRUE);

  return items;
}

/* Reading it over D-Bus */

static const MenuItem *
find_item (HearthTrayMenu *menu,
           int             id)
{
  for (guint i = 0; i < menu->items->len; i++)
    {
      const MenuItem *item = g_ptr_array_index (menu->items, i);

      if (item->id == id)
        return item;
    }
  return NULL;
}

/* Returns: (nullable): the item's properties, %NULL when there is no such item */
static GVariant *
item_props (HearthTrayMenu *menu,
            int             id)
{
  const MenuItem *item = id == ID_ROOT ? NULL : find_item (menu, id);

  if (id == ID_ROOT)
    return menu->root_props;
  return item != NULL ? item->props : NULL;
}

/* Only the properties asked for; none asked is all of them. */
static GVariant *
filter_props (GVariant           *props,
              const char * const *names)
{
  GVariantDict dict;
  GVariantDict filtered;

  if (names == NULL || names[0] == NULL)
    return props;

  g_variant_dict_init (&dict, props);
  g_variant_dict_init (&filtered, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_variant_dict_lookup_value (&dict, names[i], NULL);

      if (value != NULL)
        g_variant_dict_insert_value (&filtered, names[i], value);
    }
  g_variant_dict_clear (&dict);
  return g_variant_dict_end (&filtered);
}

static GVariant *
layout_node (HearthTrayMenu     *menu,
             int                 id,
             int                 depth,
             const char * const *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  for (guint i = 0; id == ID_ROOT && depth != 0 && i < menu->items->len; i++)
    {
      const MenuItem *item = g_ptr_array_index (menu->items, i);

      g_variant_builder_add (&children, "v", layout_node (menu, item->id, depth - 1, names));
    }

  return g_variant_new ("(i@a{sv}av)", id, filter_props (item_props (menu, id), names), &children);
}

static void
get_layout (HearthTrayMenu        *menu,
            GVariant              *parameters,
            GDBusMethodInvocation *invocation)
{
  int parent, depth;
  g_autofree const char **names = NULL;

  g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);
  if (item_props (menu, parent) == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", parent);
      return;
    }
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(u@(ia{sv}av))", menu->revision,
                                                        layout_node (menu, parent, depth,
                                                                     names)));
}

static void
add_group_props (HearthTrayMenu     *menu,
                 GVariantBuilder    *builder,
                 int                 id,
                 const char * const *names)
{
  GVariant *props = item_props (menu, id);

  if (props != NULL)
    g_variant_builder_add (builder, "(i@a{sv})", id, filter_props (props, names));
}

static void
get_group_properties (HearthTrayMenu        *menu,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) ids = NULL;
  g_autofree const char **names = NULL;
  GVariantBuilder builder;
  gsize n_ids;
  const gint32 *id_values;

  g_variant_get (parameters, "(@ai^a&s)", &ids, &names);
  id_values = g_variant_get_fixed_array (ids, &n_ids, sizeof (gint32));
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ia{sv})"));
  /* No ids asks for every item. */
  if (n_ids == 0)
    {
      add_group_props (menu, &builder, ID_ROOT, names);
      for (guint i = 0; i < menu->items->len; i++)
        add_group_props (menu, &builder, ((MenuItem *) menu->items->pdata[i])->id, names);
    }
  for (gsize i = 0; i < n_ids; i++)
    add_group_props (menu, &builder, id_values[i], names);

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &builder));
}

static void
get_property (HearthTrayMenu        *menu,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) value = NULL;
  const char *name;
  GVariant *props;
  int id;

  g_variant_get (parameters, "(i&s)", &id, &name);
  props = item_props (menu, id);
  if (props != NULL)
    value = g_variant_lookup_value (props, name, NULL);
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Menu item %d has no property “%s”", id, name);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
}

/* A click, kept apart from the item: acting on it may rebuild the menu. */
typedef struct
{
  HearthTrayMenuAction  action;
  gint64                rule_id;
  char                 *subject;
} Click;

static void
click_clear (Click *click)
{
  g_clear_pointer (&click->subject, g_free);
}

/* FALSE when there is no such item */
static gboolean
take_event (HearthTrayMenu *menu,
            int             id,
            const char     *event_id,
            Click          *click)
{
  const MenuItem *item = find_item (menu, id);

  if (item == NULL)
    return id == ID_ROOT;
  if (g_str_equal (event_id, "clicked") && item->enabled &&
      item->action != HEARTH_TRAY_MENU_NONE)
    {
      click->action = item->action;
      click->rule_id = item->rule_id;
      click->subject = g_strdup (item->subject);
    }
  return TRUE;
}

static void
act (HearthTrayMenu *menu,
     Click          *clicks,
     guint           n_clicks)
{
  g_autoptr(HearthTray) tray = g_object_ref (menu->tray);

  for (guint i = 0; i < n_clicks; i++)
    if (clicks[i].action != HEARTH_TRAY_MENU_NONE)
      hearth_tray_activate_item (tray, clicks[i].action, clicks[i].rule_id, clicks[i].subject);
}

static void
event (HearthTrayMenu        *menu,
       GVariant              *parameters,
       GDBusMethodInvocation *invocation)
{
  Click click = { 0, };
  const char *event_id;
  int id;

  g_variant_get (parameters, "(i&svu)", &id, &event_id, NULL, NULL);
  if (!take_event (menu, id, event_id, &click))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", id);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
  act (menu, &click, 1);
  click_clear (&click);
}

static void
event_group (HearthTrayMenu        *menu,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GArray) clicks = g_array_new (FALSE, TRUE, sizeof (Click));
  GVariantBuilder errors;
  const char *event_id;
  int id;

  g_array_set_clear_func (clicks, (GDestroyNotify) click_clear);
  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_get (parameters, "(a(isvu))", &iter);
  while (g_variant_iter_loop (iter, "(i&svu)", &id, &event_id, NULL, NULL))
    {
      Click click = { 0, };

      if (take_event (menu, id, event_id, &click))
        g_array_append_val (clicks, click);
      else
        g_variant_builder_add (&errors, "i", id);
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
  act (menu, (Click *) (gpointer) clicks->data, clicks->len);
}

/* Nothing is built lazily: every item is ready before the menu opens. */
static void
about_to_show_group (HearthTrayMenu        *menu,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) ids = NULL;
  GVariantBuilder errors;
  const gint32 *id_values;
  gsize n_ids;

  g_variant_get (parameters, "(@ai)", &ids);
  id_values = g_variant_get_fixed_array (ids, &n_ids, sizeof (gint32));
  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  for (gsize i = 0; i < n_ids; i++)
    if (item_props (menu, id_values[i]) == NULL)
      g_variant_builder_add (&errors, "i", id_values[i]);

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@aiai)",
                                                                    g_variant_new ("ai", NULL),
                                                                    &errors));
}

static void
menu_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  HearthTrayMenu *menu = user_data;

  if (g_str_equal (method_name, "GetLayout"))
    get_layout (menu, parameters, invocation);
  else if (g_str_equal (method_name, "GetGroupProperties"))
    get_group_properties (menu, parameters, invocation);
  else if (g_str_equal (method_name, "GetProperty"))
    get_property (menu, parameters, invocation);
  else if (g_str_equal (method_name, "Event"))
    event (menu, parameters, invocation);
  else if (g_str_equal (method_name, "EventGroup"))
    event_group (menu, parameters, invocation);
  else if (g_str_equal (method_name, "AboutToShow"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    about_to_show_group (menu, parameters, invocation);
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static GVariant *
menu_get_property (GDBusConnection  *connection,
                   const char       *sender,
                   const char       *object_path,
                   const char       *interface_name,
                   const char       *property_name,
                   GError          **error,
                   gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string ("ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  /* IconThemePath: the theme's icons only */
  return g_variant_new_strv (NULL, 0);
}

static const GDBusInterfaceVTable menu_vtable = {
  menu_method_call,
  menu_get_property,
  NULL,
};

/* Life */

void
hearth_tray_menu_init (HearthTrayMenu  *menu,
                       HearthTray      *tray,
                       GDBusConnection *bus)
{
  static GDBusNodeInfo *menu_node;
  g_autoptr(GError) error = NULL;
  GVariantBuilder root;

  menu->tray = tray;
  menu->bus = bus;
  menu->items = g_ptr_array_new_with_free_func ((GDestroyNotify) menu_item_free);
  g_variant_builder_init (&root, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&root, "{sv}", "children-display", g_variant_new_string ("submenu"));
  menu->root_props = g_variant_ref_sink (g_variant_builder_end (&root));

  menu->registration_id = g_dbus_connection_register_object (bus, HEARTH_TRAY_MENU_PATH,
                                                             hearth_tray_interface_info (
                                                               &menu_node, menu_xml),
                                                             &menu_vtable, menu, NULL, &error);
  if (menu->registration_id == 0)
    g_warning ("The tray icon's menu cannot be shown: %s", error->message);
}

void
hearth_tray_menu_update (HearthTrayMenu *menu,
                         GPtrArray      *alerts,
                         gboolean        paused)
{
  g_autoptr(GPtrArray) items = build_items (alerts, paused);
  g_autoptr(GPtrArray) previous = NULL;
  g_autoptr(GVariant) layout = NULL;

  if (menu->items == NULL)
    return;

  previous = g_steal_pointer (&menu->items);
  menu->items = g_steal_pointer (&items);
  layout = g_variant_ref_sink (layout_node (menu, ID_ROOT, -1, NULL));
  if (menu->layout != NULL && g_variant_equal (layout, menu->layout))
    return;

  g_clear_pointer (&menu->layout, g_variant_unref);
  menu->layout = g_steal_pointer (&layout);
  menu->revision++;
  g_dbus_connection_emit_signal (menu->bus, NULL, HEARTH_TRAY_MENU_PATH, MENU_IFACE,
                                 "LayoutUpdated",
                                 g_variant_new ("(ui)", menu->revision, ID_ROOT), NULL);
}

void
hearth_tray_menu_clear (HearthTrayMenu *menu)
{
  if (menu->registration_id != 0)
    g_dbus_connection_unregister_object (menu->bus, menu->registration_id);
  menu->registration_id = 0;
  g_clear_pointer (&menu->items, g_ptr_array_unref);
  g_clear_pointer (&menu->layout, g_variant_unref);
  g_clear_pointer (&menu->root_props, g_variant_unref);
}
