/* hearth-test-panel.c — reading and clicking a tray icon as a panel does
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-panel"

#include "hearth-test-panel.h"
#include "hearth-test-ui.h"

#define ITEM_PATH  "/StatusNotifierItem"
#define ITEM_IFACE "org.kde.StatusNotifierItem"
#define MENU_PATH  "/MenuBar"
#define MENU_IFACE "com.canonical.dbusmenu"
#define TIMEOUT_MS 5000

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

GVariant *
hearth_test_panel_call (const HearthTestPanel *panel,
                        const char            *path,
                        const char            *interface,
                        const char            *method,
                        GVariant              *parameters,
                        GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_dbus_connection_call (panel->bus, panel->item, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, got_result, &result);
  g_assert_true (hearth_test_spin_until (has_result, &result, TIMEOUT_MS));
  return g_dbus_connection_call_finish (panel->bus, result, error);
}

GVariant *
hearth_test_panel_item_property (const HearthTestPanel *panel,
                                 const char            *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *value;

  reply = hearth_test_panel_call (panel, ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                                  g_variant_new ("(ss)", ITEM_IFACE, name), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

char *
hearth_test_panel_item_string (const HearthTestPanel *panel,
                               const char            *name)
{
  g_autoptr(GVariant) value = hearth_test_panel_item_property (panel, name);

  return g_variant_dup_string (value, NULL);
}

char *
hearth_test_panel_tooltip (const HearthTestPanel *panel)
{
  g_autoptr(GVariant) tooltip = hearth_test_panel_item_property (panel, "ToolTip");
  g_autofree char *title = NULL;
  char *text = NULL;

  g_variant_get (tooltip, "(s@a(iiay)ss)", NULL, NULL, &title, &text);
  g_assert_cmpstr (title, ==, "Hearth");
  return text;
}

GVariant *
hearth_test_panel_menu (const HearthTestPanel *panel,
                        guint                 *revision)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *layout;

  reply = hearth_test_panel_call (panel, MENU_PATH, MENU_IFACE, "GetLayout",
                                  g_variant_new ("(iias)", 0, -1, NULL), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u@(ia{sv}av))", revision, &layout);
  return layout;
}

/* The properties of the root's @i-th child */
static GVariant *
child_props (GVariant *menu,
             gsize     i,
             int      *id)
{
  g_autoptr(GVariant) children = g_variant_get_child_value (menu, 2);
  g_autoptr(GVariant) boxed = g_variant_get_child_value (children, i);
  g_autoptr(GVariant) child = g_variant_get_variant (boxed);

  g_variant_get_child (child, 0, "i", id);
  return g_variant_get_child_value (child, 1);
}

static gsize
n_children (GVariant *menu)
{
  g_autoptr(GVariant) children = g_variant_get_child_value (menu, 2);

  return g_variant_n_children (children);
}

char *
hearth_test_panel_describe_menu (GVariant *menu)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (gsize i = 0; i < n_children (menu); i++)
    {
      int id;
      g_autoptr(GVariant) props = child_props (menu, i, &id);
      const char *label = "", *type = "standard", *toggle = "";
      gboolean enabled = TRUE;
      int state = 0;

      g_variant_lookup (props, "label", "&s", &label);
      g_variant_lookup (props, "type", "&s", &type);
      g_variant_lookup (props, "enabled", "b", &enabled);
      g_variant_lookup (props, "toggle-type", "&s", &toggle);
      g_variant_lookup (props, "toggle-state", "i", &state);
      if (out->len > 0)
        g_string_append_c (out, '|');
      if (g_str_equal (type, "separator"))
        g_string_append (out, "--");
      else if (g_str_equal (toggle, "checkmark"))
        g_string_append_printf (out, "[%c] %s", state ? 'x' : ' ', label);
      else if (!enabled)
        g_string_append_printf (out, "(%s)", label);
      else
        g_string_append (out, label);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

int
hearth_test_panel_find_item (GVariant   *menu,
                             const char *label,
                             guint       nth)
{
  for (gsize i = 0; i < n_children (menu); i++)
    {
      int id;
      g_autoptr(GVariant) props = child_props (menu, i, &id);
      const char *text;

      if (g_variant_lookup (props, "label", "&s", &text) && g_str_equal (text, label) &&
          nth-- == 0)
        return id;
    }
  g_error ("No menu item “%s”", label);
}

void
hearth_test_panel_click (const HearthTestPanel *panel,
                         int                    id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = hearth_test_panel_call (panel, MENU_PATH, MENU_IFACE, "Event",
                                  g_variant_new ("(isvu)", id, "clicked",
                                                 g_variant_new_int32 (0), 0),
                                  &error);
  g_assert_no_error (error);
}
