/* hearth-preferences-window-managed.c — the Servers page: servers Hearth runs itself
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A managed server's row says what its process is doing, and its menu
 * starts and stops it, shows its log and keeps it running after Hearth
 * quits. Everything goes through HearthServers: no process is spawned here.
 */
#define G_LOG_DOMAIN "hearth-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-preferences-window-private.h"
#include "hearth-server-log-window.h"

static const char *
kind_title (HearthServer *server)
{
  if (hearth_server_get_demo (server))
    return _(HEARTH_DEMO_LABEL);
  switch (hearth_server_get_managed (server))
    {
    case HEARTH_MANAGED_OLLAMA:
      return _("Ollama, run by Hearth");
    case HEARTH_MANAGED_LLAMA_SERVER:
      return _("llama.cpp’s server, run by Hearth");
    case HEARTH_MANAGED_ENGINE:
      return _("Hearth’s test engine, run by Hearth");
    case HEARTH_MANAGED_NONE:
    default:
      return "";
    }
}

gboolean
_hearth_preferences_window_managed_busy (HearthServer *server)
{
  HearthProcessState state = hearth_server_get_process_state (server);

  return hearth_server_get_managed (server) != HEARTH_MANAGED_NONE
         && (state == HEARTH_PROCESS_STARTING || state == HEARTH_PROCESS_RESTARTING);
}

/* "Ollama, run by Hearth\n127.0.0.1:41234 · Running · pid 4242 — Up · 12 ms":
 * its health only matters while it runs. */
char *
_hearth_preferences_window_describe_managed (HearthServer *server,
                                             const char   *address)
{
  const char *process = hearth_server_get_process_message (server);
  const char *model_file = hearth_server_get_model_file (server);
  const char *shown = address;
  g_autofree char *title = NULL;
  g_autofree char *health = NULL;

  if (g_str_has_prefix (shown, "http://"))
    shown += strlen ("http://");
  /* llama.cpp's server serves one file: which one */
  if (model_file != NULL && hearth_server_get_managed (server) == HEARTH_MANAGED_LLAMA_SERVER)
    {
      g_autofree char *base = g_path_get_basename (model_file);

      title = g_strdup_printf ("%s · %s", kind_title (server), base);
    }
  else
    title = g_strdup (kind_title (server));
  if (hearth_server_get_process_state (server) != HEARTH_PROCESS_RUNNING)
    return g_strdup_printf ("%s\n%s · %s", title, shown, process != NULL ? process : "");
  health = hearth_server_describe_state (server);
  /* Translators: a server Hearth runs: what it is; its address, its process and its
   * health ("127.0.0.1:41234 · Running · pid 42 — Up · 12 ms") */
  return g_strdup_printf (_("%s\n%s · %s — %s"), title, shown, process != NULL ? process : "",
                          health);
}

/* The menu's section for it; the actions are the row's own ("managed."). */
GMenuModel *
_hearth_preferences_window_managed_menu (void)
{
  GMenu *section = g_menu_new ();
  const struct { const char *label, *action; gboolean hide; } items[] = {
    { N_("_Start"), "managed.start", TRUE },
    { N_("S_top"), "managed.stop", TRUE },
    { N_("Show _Log"), "managed.show-log", FALSE },
    { N_("_Keep Running After Hearth Quits"), "managed.keep", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), items[i].action);

      /* Start or Stop, whichever can be done now */
      if (items[i].hide)
        g_menu_item_set_attribute (item, "hidden-when", "s", "action-disabled");
      g_menu_append_item (section, item);
    }
  return G_MENU_MODEL (section);
}

typedef struct
{
  HearthPreferencesWindow *self;
  char                    *name;
} Pending;

static Pending *
pending_new (HearthPreferencesWindow *self,
             HearthServer            *server)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = g_object_ref (self);
  pending->name = g_strdup (hearth_server_get_name (server));
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_free (pending->name);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;

  if (hearth_servers_start_finish (HEARTH_SERVERS (object), result, &error)
      || hearth_error_is_cancelled (error))
    return;
  heading = g_strdup_printf (_("%s did not start"), pending->name);
  _hearth_preferences_window_show_error (pending->self, heading, error);
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;

  if (hearth_servers_stop_finish (HEARTH_SERVERS (object), result, &error)
      || hearth_error_is_cancelled (error))
    return;
  heading = g_strdup_printf (_("%s could not be stopped"), pending->name);
  _hearth_preferences_window_show_error (pending->self, heading, error);
}

static HearthServer *
row_server (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "hearth-managed-server");
}

static HearthPreferencesWindow *
row_window (GtkWidget *row)
{
  return HEARTH_PREFERENCES_WINDOW (gtk_widget_get_root (row));
}

static void
start_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       row)
{
  HearthPreferencesWindow *self = row_window (row);
  HearthServer *server = row_server (row);

  hearth_servers_start_async (self->servers, hearth_server_get_name (server),
                              self->servers_cancellable, started_cb, pending_new (self, server));
}

static void
stop_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       row)
{
  HearthPreferencesWindow *self = row_window (row);
  HearthServer *server = row_server (row);

  hearth_servers_stop_async (self->servers, hearth_server_get_name (server),
                             self->servers_cancellable, stopped_cb, pending_new (self, server));
}

static void
show_log_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       row)
{
  HearthPreferencesWindow *self = row_window (row);

  gtk_window_present (GTK_WINDOW (hearth_server_log_window_new (GTK_WINDOW (self), self->servers,
                                                                row_server (row))));
}

static void
keep_cb (GSimpleAction *action,
         GVariant      *state,
         gpointer       row)
{
  HearthPreferencesWindow *self = row_window (row);
  g_autoptr(GError) error = NULL;

  if (!hearth_servers_set_keep (self->servers, hearth_server_get_name (row_server (row)),
                                g_variant_get_boolean (state), &error))
    {
      _hearth_preferences_window_show_error (self, _("Could not change the server"), error);
      return;
    }
  g_simple_action_set_state (action, state);
  /* a process keeps the way it was started */
  if (hearth_server_get_process_state (row_server (row)) != HEARTH_PROCESS_STOPPED)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (g_variant_get_boolean (state)
                                                     ? _("Kept running from its next start")
                                                     : _("Stopped with Hearth from its next start")));
}

static void
update_actions (GtkWidget *row)
{
  GActionGroup *group = g_object_get_data (G_OBJECT (row), "hearth-managed-actions");
  HearthProcessState state = hearth_server_get_process_state (row_server (row));
  gboolean stopped = state == HEARTH_PROCESS_STOPPED || state == HEARTH_PROCESS_FAILED;
  GAction *start = g_action_map_lookup_action (G_ACTION_MAP (group), "start");
  GAction *stop = g_action_map_lookup_action (G_ACTION_MAP (group), "stop");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (start), stopped);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (stop), !stopped);
}

/* The row's own actions, which its ⋮ menu names. */
void
_hearth_preferences_window_bind_managed_row (HearthPreferencesWindow *self,
                                             GtkWidget               *row,
                                             HearthServer            *server)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  const GActionEntry entries[] = {
    { "start", start_cb },
    { "stop", stop_cb },
    { "show-log", show_log_cb },
    { "keep", NULL, NULL, hearth_server_get_keep (server) ? "true" : "false", keep_cb },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), row);
  g_object_set_data_full (G_OBJECT (row), "hearth-managed-server", g_object_ref (server),
                          g_object_unref);
  g_object_set_data (G_OBJECT (row), "hearth-managed-actions", group);
  gtk_widget_insert_action_group (row, "managed", G_ACTION_GROUP (group));
  g_signal_connect_object (server, "notify::process-state", G_CALLBACK (update_actions), row,
                           G_CONNECT_SWAPPED);
  update_actions (row);
}
