/* hearth-tray.c — the tray icon: a StatusNotifierItem with a dbusmenu menu
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4 has no tray library, so the item speaks the two D-Bus protocols the
 * panels understand itself: org.kde.StatusNotifierItem (freedesktop's SNI)
 * at /StatusNotifierItem and com.canonical.dbusmenu at /MenuBar, under the
 * name org.kde.StatusNotifierItem-PID-N. It registers with
 * org.kde.StatusNotifierWatcher whenever one is on the bus (again after the
 * watcher restarts); without one it stays exported and quiet. GIO only, so
 * it runs and is tested without a display.
 */
#define G_LOG_DOMAIN "hearth-tray"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "hearth-alert-rule.h"
#include "hearth-tray-private.h"
#include "hearth-tray.h"

#define ITEM_PATH        "/StatusNotifierItem"
#define ITEM_IFACE       "org.kde.StatusNotifierItem"
#define WATCHER_NAME     "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH     "/StatusNotifierWatcher"


struct _HearthTray
{
  GObject          parent_instance;

  GDBusConnection *bus;
  char            *app_id;
  char            *icon_name;       /* the app's symbolic icon, like the panel's others */
  char            *bus_name;
  guint            item_id;
  guint            menu_id;
  guint            own_id;
  guint            watch_id;
  GCancellable    *register_cancellable;
  char            *activation_token;
  gboolean         name_owned;
  gboolean         watcher_present;
  gboolean         registered;

  /* What is shown */
  GPtrArray       *alerts;          /* HearthTrayAlert, firing, tray channel */
  gboolean         paused;
  int              next_alert_item;
  char            *status;
  char            *shown_icon;
  char            *attention_icon;
  GVariant        *tooltip;

  HearthTrayMenu   menu;
};

G_DEFINE_FINAL_TYPE (HearthTray, hearth_tray, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_APP_ID,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SHOW,
  SHOW_ALERTS,
  ACKNOWLEDGE,
  PAUSE_TOGGLED,
  QUIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char item_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierItem'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconThemePath' type='s' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='OverlayIconName' type='s' access='read'/>"
  "    <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionIconName' type='s' access='read'/>"
  "    <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionMovieName' type='s' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <method name='ContextMenu'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='Activate'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='SecondaryActivate'>"
  "      <arg name='x' type='i'/><arg name='y' type='i'/>"
  "    </method>"
  "    <method name='Scroll'>"
  "      <arg name='delta' type='i'/><arg name='orientation' type='s'/>"
  "    </method>"
  "    <method name='ProvideXdgActivationToken'><arg name='token' type='s'/></method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewAttentionIcon'/>"
  "    <signal name='NewOverlayIcon'/>"
  "    <signal name='NewMenu'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'><arg name='status' type='s'/></signal>"
  "  </interface>"
  "</node>";

static void
hearth_tray_alert_free (HearthTrayAlert *alert)
{
  g_free (alert->subject);
  g_free (alert->message);
  g_free (alert);
}

/* The one interface of @xml, parsed once into *@node */
GDBusInterfaceInfo *
hearth_tray_interface_info (GDBusNodeInfo **node,
                            const char     *xml)
{
  if (g_once_init_enter (node))
    g_once_init_leave (node, g_dbus_node_info_new_for_xml (xml, NULL));
  return (*node)->interfaces[0];
}

/* Not before the item is exported: its first state is read, not told. */
static void
emit_item_signal (HearthTray *self,
                  const char *name,
                  GVariant   *parameters)
{
  if (self->item_id == 0)
    {
      g_clear_pointer (&parameters, g_variant_unref);
      return;
    }
  g_dbus_connection_emit_signal (self->bus, NULL, ITEM_PATH, ITEM_IFACE, name, parameters, NULL);
}

static GVariant *
empty_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

static GVariant *
item_get_property (GDBusConnection  *connection,
                   const char       *sender,
                   const char       *object_path,
                   const char       *interface_name,
                   const char       *property_name,
                   GError          **error,
                   gpointer          user_data)
{
  HearthTray *self = HEARTH_TRAY (user_data);

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (self->app_id);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (_("Hearth"));
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (self->status);
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (HEARTH_TRAY_MENU_PATH);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->shown_icon);
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (self->attention_icon);
  if (g_str_equal (property_name, "ToolTip"))
    return g_variant_ref (self->tooltip);
  if (g_str_has_suffix (property_name, "Pixmap"))
    return empty_pixmaps ();
  /* IconThemePath, OverlayIconName, AttentionMovieName: none */
  return g_variant_new_string ("");
}

static void
item_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  HearthTray *self = HEARTH_TRAY (user_data);
  g_autofree char *token = NULL;

  /* On Wayland the panel hands over a token just before Activate, for the
   * window to be let to the front. */
  if (g_str_equal (method_name, "ProvideXdgActivationToken"))
    {
      g_free (self->activation_token);
      g_variant_get (parameters, "(s)", &self->activation_token);
    }
  else if (g_str_equal (method_name, "Activate") ||
           g_str_equal (method_name, "SecondaryActivate"))
    token = g_steal_pointer (&self->activation_token);

  /* ContextMenu, Scroll: the host shows the menu itself, and there is
   * nothing to scroll through. */
  g_dbus_method_invocation_return_value (invocation, NULL);
  if (g_str_has_suffix (method_name, "Activate"))
    g_signal_emit (self, signals[SHOW], 0, token);
}

static const GDBusInterfaceVTable item_vtable = {
  item_method_call,
  item_get_property,
  NULL,
};

/* Registration with the watcher */

static void
set_registered (HearthTray *self,
                gboolean    registered)
{
  if (self->registered == registered)
    return;

  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

static void
register_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HearthTray) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->register_cancellable);
  if (reply == NULL)
    {
      /* A panel that refuses the item is the panel's business: the app
       * works without it. */
      g_debug ("The status notifier watcher did not take the tray icon: %s", error->message);
      return;
    }

  g_debug ("Tray icon %s registered", self->bus_name);
  set_registered (self, TRUE);
}

static void
maybe_register (HearthTray *self)
{
  if (!self->name_owned || !self->watcher_present || self->registered ||
      self->register_cancellable != NULL)
    return;

  self->register_cancellable = g_cancellable_new ();
  g_dbus_connection_call (self->bus, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", self->bus_name),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->register_cancellable, register_done, g_object_ref (self));
}

static void
forget_registration (HearthTray *self)
{
  g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  set_registered (self, FALSE);
}

static void
watcher_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *name_owner,
                  gpointer         user_data)
{
  HearthTray *self = HEARTH_TRAY (user_data);

  g_debug ("Status notifier watcher %s appeared", name_owner);
  self->watcher_present = TRUE;
  maybe_register (self);
}

static void
watcher_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  HearthTray *self = HEARTH_TRAY (user_data);

  g_debug ("No status notifier watcher: the tray icon waits for one");
  self->watcher_present = FALSE;
  forget_registration (self);
}

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  HearthTray *self = HEARTH_TRAY (user_data);

  self->name_owned = TRUE;
  maybe_register (self);
}

/* The item goes by its connection's unique name when the usual one is
 * taken or cannot be owned (Flatpak lets an app own only the names it
 * declares): watchers take either. */
static void
use_unique_name (HearthTray *self)
{
  g_clear_handle_id (&self->own_id, g_bus_unown_name);
  g_free (self->bus_name);
  self->bus_name = g_strdup (g_dbus_connection_get_unique_name (self->bus));
  self->name_owned = TRUE;
  maybe_register (self);
}

static void
name_lost (GDBusConnection *connection,
           const char      *name,
           gpointer         user_data)
{
  HearthTray *self = HEARTH_TRAY (user_data);

  self->name_owned = FALSE;
  forget_registration (self);
  if (connection == NULL || g_dbus_connection_is_closed (connection))
    return;

  g_debug ("%s is not ours: the tray icon goes by %s", name,
           g_dbus_connection_get_unique_name (connection));
  use_unique_name (self);
}

/* What is shown */

/* The highest severity firing and not acknowledged, or -1 */
static int
worst_severity (HearthTray *self)
{
  int worst = -1;

  for (guint i = 0; i < self->alerts->len; i++)
    {
      const HearthTrayAlert *alert = g_ptr_array_index (self->alerts, i);

      if (!alert->acknowledged)
        worst = MAX (worst, (int) alert->severity);
    }
  return worst;
}

static GVariant *
build_tooltip (HearthTray *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->alerts->len; i++)
    {
      const HearthTrayAlert *alert = g_ptr_array_index (self->alerts, i);
      g_autofree char *escaped = g_markup_escape_text (alert->message, -1);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (alert->acknowledged)
        /* Translators: an alert's message in the tray icon's tooltip */
        g_string_append_printf (text, _("%s (acknowledged)"), escaped);
      else
        g_string_append (text, escaped);
    }
  if (self->paused && text->len > 0)
    g_string_prepend_c (text, '\n');
  if (self->paused)
    g_string_prepend (text, _("Monitoring is paused"));
  else if (self->alerts->len == 0)
    g_string_append (text, _("Nothing needs attention"));

  return g_variant_ref_sink (g_variant_new ("(s@a(iiay)ss)", self->app_id, empty_pixmaps (),
                                            _("Hearth"), text->str));
}

/* Replaces *@field with @value; TRUE when it changed. */
static gboolean
update_string (char       **field,
               const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
update_item (HearthTray *self)
{
  int worst = self->paused ? -1 : worst_severity (self);
  const char *status = worst >= 0 ? "NeedsAttention" : "Active";
  const char *icon = worst >= 0 ? hearth_tray_severity_icon (worst) : self->icon_name;
  const char *attention = worst >= 0 ? hearth_tray_severity_icon (worst) : "";
  g_autoptr(GVariant) tooltip = build_tooltip (self);
  gboolean tooltip_changed = self->tooltip == NULL || !g_variant_equal (self->tooltip, tooltip);

  if (update_string (&self->status, status))
    emit_item_signal (self, "NewStatus", g_variant_new ("(s)", status));
  if (update_string (&self->shown_icon, icon))
    emit_item_signal (self, "NewIcon", NULL);
  if (update_string (&self->attention_icon, attention))
    emit_item_signal (self, "NewAttentionIcon", NULL);
  if (tooltip_changed)
    {
      g_clear_pointer (&self->tooltip, g_variant_unref);
      self->tooltip = g_steal_pointer (&tooltip);
      emit_item_signal (self, "NewToolTip", NULL);
    }
}

static void
update (HearthTray *self)
{
  update_item (self);
  hearth_tray_menu_update (&self->menu, self->alerts, self->paused);
}

/* Keeps an alert's menu items when it was already shown, so that a click
 * on a menu the panel built a moment ago still means the same alert. */
static int
alert_item_for (HearthTray      *self,
                GPtrArray       *previous,
                gint64           rule_id,
                const char      *subject)
{
  for (guint i = 0; previous != NULL && i < previous->len; i++)
    {
      const HearthTrayAlert *alert = g_ptr_array_index (previous, i);

      if (alert->rule_id == rule_id && g_strcmp0 (alert->subject, subject) == 0)
        return alert->item_id;
    }

  self->next_alert_item += HEARTH_TRAY_ITEMS_PER_ALERT;
  return self->next_alert_item - HEARTH_TRAY_ITEMS_PER_ALERT;
}

/* Menu actions, called by the menu once the click was answered */

void
hearth_tray_activate_item (HearthTray           *self,
                           HearthTrayMenuAction  action,
                           gint64                rule_id,
                           const char           *subject)
{
  switch (action)
    {
    case HEARTH_TRAY_MENU_SHOW:
      g_signal_emit (self, signals[SHOW], 0, NULL);
      break;

    case HEARTH_TRAY_MENU_SHOW_ALERTS:
      g_signal_emit (self, signals[SHOW_ALERTS], 0);
      break;

    case HEARTH_TRAY_MENU_ACKNOWLEDGE:
      g_signal_emit (self, signals[ACKNOWLEDGE], 0, rule_id, subject);
      break;

    case HEARTH_TRAY_MENU_PAUSE:
      /* The check mark follows the click at once; the application
       * confirms with the next hearth_tray_set_alerts(). */
      self->paused = !self->paused;
      update (self);
      g_signal_emit (self, signals[PAUSE_TOGGLED], 0, self->paused);
      break;

    case HEARTH_TRAY_MENU_QUIT:
      g_signal_emit (self, signals[QUIT], 0);
      break;

    case HEARTH_TRAY_MENU_NONE:
    default:
      break;
    }
}

/* GObject */

static void
hearth_tray_constructed (GObject *object)
{
  HearthTray *self = HEARTH_TRAY (object);
  static int instances;
  static GDBusNodeInfo *item_node;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (hearth_tray_parent_class)->constructed (object);

  self->bus_name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%d", (int) getpid (),
                                    g_atomic_int_add (&instances, 1) + 1);
  update_item (self);

  self->item_id = g_dbus_connection_register_object (self->bus, ITEM_PATH,
                                                     hearth_tray_interface_info (&item_node,
                                                                                 item_xml),
                                                     &item_vtable, self, NULL, &error);
  if (self->item_id == 0)
    {
      g_warning ("The tray icon cannot be shown: %s", error->message);
      return;
    }
  hearth_tray_menu_init (&self->menu, self, self->bus);
  hearth_tray_menu_update (&self->menu, self->alerts, self->paused);

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    use_unique_name (self);
  else
    self->own_id = g_bus_own_name_on_connection (self->bus, self->bus_name,
                                                 G_BUS_NAME_OWNER_FLAGS_NONE,
                                                 name_acquired, name_lost, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (self->bus, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared, watcher_vanished,
                                                   self, NULL);
}

static void
hearth_tray_dispose (GObject *object)
{
  HearthTray *self = HEARTH_TRAY (object);

  g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->own_id, g_bus_unown_name);
  hearth_tray_menu_clear (&self->menu);
  if (self->item_id != 0)
    {
      g_dbus_connection_unregister_object (self->bus, self->item_id);
      self->item_id = 0;
    }
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (hearth_tray_parent_class)->dispose (object);
}

static void
hearth_tray_finalize (GObject *object)
{
  HearthTray *self = HEARTH_TRAY (object);

  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  g_clear_pointer (&self->tooltip, g_variant_unref);
  g_free (self->activation_token);
  g_free (self->app_id);
  g_free (self->icon_name);
  g_free (self->bus_name);
  g_free (self->status);
  g_free (self->shown_icon);
  g_free (self->attention_icon);

  G_OBJECT_CLASS (hearth_tray_parent_class)->finalize (object);
}

static void
hearth_tray_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HearthTray *self = HEARTH_TRAY (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->bus);
      break;

    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;

    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_tray_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HearthTray *self = HEARTH_TRAY (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->bus = g_value_dup_object (value);
      break;

    case PROP_APP_ID:
      self->app_id = g_value_dup_string (value);
      self->icon_name = g_strconcat (self->app_id, "-symbolic", NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_tray_class_init (HearthTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = hearth_tray_constructed;
  object_class->dispose = hearth_tray_dispose;
  object_class->finalize = hearth_tray_finalize;
  object_class->get_property = hearth_tray_get_property;
  object_class->set_property = hearth_tray_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SHOW] = g_signal_new ("show", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* An alert's line in the menu: the window on its Alerts view */
  signals[SHOW_ALERTS] = g_signal_new ("show-alerts", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[ACKNOWLEDGE] = g_signal_new ("acknowledge", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_INT64, G_TYPE_STRING);
  signals[PAUSE_TOGGLED] = g_signal_new ("pause-toggled", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[QUIT] = g_signal_new ("quit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hearth_tray_init (HearthTray *self)
{
  self->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tray_alert_free);
  self->next_alert_item = HEARTH_TRAY_FIRST_ALERT_ITEM;
}

/* @app_id: the item's Id; its icon is the app's symbolic icon
 * (@app_id-symbolic) */
HearthTray *
hearth_tray_new (GDBusConnection *bus,
                 const char      *app_id)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  return g_object_new (HEARTH_TYPE_TRAY, "connection", bus, "app-id", app_id, NULL);
}

void
hearth_tray_set_alerts (HearthTray *self,
                        GPtrArray  *active,
                        gboolean    paused)
{
  g_autoptr(GPtrArray) previous = NULL;

  g_return_if_fail (HEARTH_IS_TRAY (self));

  previous = g_steal_pointer (&self->alerts);
  self->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tray_alert_free);
  self->paused = paused;

  for (guint i = 0; active != NULL && i < active->len; i++)
    {
      const HearthAlertEvent *event = g_ptr_array_index (active, i);
      HearthTrayAlert *alert;

      if (event->state != HEARTH_ALERT_STATE_FIRING ||
          !(event->channels & HEARTH_ALERT_CHANNEL_TRAY))
        continue;

      alert = g_new0 (HearthTrayAlert, 1);
      alert->rule_id = event->rule_id;
      alert->subject = g_strdup (event->subject);
      alert->message = g_strdup (event->message != NULL ? event->message : event->rule_name);
      if (alert->message == NULL)
        alert->message = g_strdup (_("An alert is firing"));
      alert->severity = event->severity;
      alert->acknowledged = event->acknowledged;
      alert->item_id = alert_item_for (self, previous, alert->rule_id, alert->subject);
      g_ptr_array_add (self->alerts, alert);
    }

  update (self);
}

gboolean
hearth_tray_is_registered (HearthTray *self)
{
  g_return_val_if_fail (HEARTH_IS_TRAY (self), FALSE);

  return self->registered;
}

const char *
hearth_tray_get_bus_name (HearthTray *self)
{
  g_return_val_if_fail (HEARTH_IS_TRAY (self), NULL);

  return self->bus_name;
}
