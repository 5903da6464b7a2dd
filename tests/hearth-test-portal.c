/* hearth-test-portal.c — a Background portal of the test's own on a bus
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hearth-test-portal.h"

#define PORTAL_NAME "org.freedesktop.portal.Desktop"

static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* The request's object path, then its Response signal there (0: answered). */
static void
portal_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  HearthTestPortal *portal = user_data;
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 1);
  g_autofree char *sender_part = g_strdelimit (g_strdup (sender + 1), ".", '_');
  g_autofree char *handle = NULL;
  const char *token = "t";
  gboolean autostart = FALSE;
  GVariantBuilder results;

  g_variant_lookup (options, "handle_token", "&s", &token);
  g_variant_lookup (options, "autostart", "b", &autostart);
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender_part, token);
  g_ptr_array_add (portal->requests, g_variant_ref (options));
  g_ptr_array_add (portal->senders, g_strdup (sender));
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", handle));

  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (portal->allow));
  g_variant_builder_add (&results, "{sv}", "autostart",
                         g_variant_new_boolean (portal->allow && autostart));
  g_dbus_connection_emit_signal (connection, sender, handle, "org.freedesktop.portal.Request",
                                 "Response", g_variant_new ("(ua{sv})", 0, &results), NULL);
}

HearthTestPortal *
hearth_test_portal_new (GDBusConnection *bus,
                        gboolean         allow)
{
  static const GDBusInterfaceVTable vtable = { portal_method_call };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, NULL);
  HearthTestPortal *portal = g_new0 (HearthTestPortal, 1);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 owned = 0;

  portal->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  portal->senders = g_ptr_array_new_with_free_func (g_free);
  portal->allow = allow;
  portal->bus = g_object_ref (bus);
  portal->object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/portal/desktop",
                                                         info->interfaces[0], &vtable, portal,
                                                         NULL, &error);
  g_assert_no_error (error);
  /* Owned before this returns: what the test starts next finds it. */
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", PORTAL_NAME,
                                                      4 /* DBUS_NAME_FLAG_DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &owned);
  g_assert_cmpuint (owned, ==, 1 /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */);
  return portal;
}

void
hearth_test_portal_free (HearthTestPortal *portal)
{
  if (portal == NULL)
    return;
  g_dbus_connection_call (portal->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ReleaseName", g_variant_new ("(s)", PORTAL_NAME),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
  g_dbus_connection_unregister_object (portal->bus, portal->object_id);
  g_clear_object (&portal->bus);
  g_ptr_array_unref (portal->requests);
  g_ptr_array_unref (portal->senders);
  g_free (portal);
}
