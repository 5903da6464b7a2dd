/* hearth-application.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-application"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-application-private.h"
#include "hearth-application-tray-private.h"
#include "hearth-preferences-window.h"

#define HEARTH_WEBSITE_URL "https://github.com/hearthapp/hearth"
#define HEARTH_ISSUE_URL   "https://github.com/hearthapp/hearth/issues"
/* With no window to wait for, services start this long after start-up. */
#define SERVICES_DELAY_S   1

G_DEFINE_FINAL_TYPE (HearthApplication, hearth_application, ADW_TYPE_APPLICATION)

/* The first window of a first run opens the setup assistant; tests opt out. */
static gboolean
wants_first_run_setup (HearthApplication *self)
{
  return g_strcmp0 (g_getenv ("HEARTH_FIRST_RUN_SETUP"), "0") != 0 &&
         !g_settings_get_boolean (self->settings, "setup-done");
}

static void
open_setup_after_first_frame (GdkFrameClock *clock,
                              GtkWidget     *window)
{
  g_signal_handlers_disconnect_by_func (clock, open_setup_after_first_frame, window);
  gtk_widget_activate_action (window, "win.setup", NULL);
}

static void
hearth_application_activate (GApplication *application)
{
  GtkWindow *window;
  gboolean created = FALSE;

  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  if (window == NULL)
    {
      window = GTK_WINDOW (hearth_window_new (HEARTH_APPLICATION (application)));
      created = TRUE;
    }

  gtk_window_present (window);
  /* The assistant opens over the window once the window is on screen: the
   * main window's first frame does not wait for a second window. */
  if (created && wants_first_run_setup (HEARTH_APPLICATION (application)))
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

      if (clock != NULL)
        g_signal_connect_object (clock, "after-paint", G_CALLBACK (open_setup_after_first_frame),
                                 window, 0);
      else
        gtk_widget_activate_action (GTK_WIDGET (window), "win.setup", NULL);
    }
}

/* For actions that show something: the window there is, or a new one (the
 * app may run in the background without one, or have been started by the
 * action). */
HearthWindow *
_hearth_application_present_window (HearthApplication *self)
{
  g_application_activate (G_APPLICATION (self));
  return HEARTH_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

static void
hearth_application_new_chat (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  hearth_window_new_chat (_hearth_application_present_window (user_data));
}

/* From a notification: bring the conversation back. */
static void
hearth_application_show_conversation (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  hearth_window_show_conversation (_hearth_application_present_window (user_data),
                                   g_variant_get_int64 (parameter));
}

static void
hearth_application_preferences (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  HearthApplication *self = HEARTH_APPLICATION (user_data);
  GtkWidget *window = hearth_preferences_window_new (
    gtk_application_get_active_window (GTK_APPLICATION (self)), self->engine);

  gtk_window_present (GTK_WINDOW (window));
}

static void
hearth_application_about (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Hearth developers"), NULL };
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (application),
                        "application-name", _("Hearth"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Hearth developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "website", HEARTH_WEBSITE_URL,
                        "issue-url", HEARTH_ISSUE_URL,
                        "copyright", _("© 2026 The Hearth developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: Replace "translator-credits" with your names,
                         * one name per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

static void
hearth_application_quit (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Quit means quit, also when Hearth runs in the background. */
  _hearth_application_stop_background (HEARTH_APPLICATION (application));
  /* Closing rather than destroying lets each window save its state. */
  windows = g_list_copy (gtk_application_get_windows (application));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (application));
}

static const GActionEntry app_entries[] = {
  { "new-chat", hearth_application_new_chat },
  { "show-conversation", hearth_application_show_conversation, "x" },
  { "preferences", hearth_application_preferences },
  { "about", hearth_application_about },
  { "quit", hearth_application_quit },
};

/**
 * hearth_application_start_services:
 *
 * Starts what runs beside the windows: each enabled server is probed now,
 * then every minute (backing off while it is down), so that the server
 * list, the picker and the breakers know which are up; the servers Hearth
 * runs itself (Ollama, llama.cpp's server, the demo) start; and with
 * "preload-learned" on, the models used at set hours are loaded now when
 * it is such an hour, and shortly before the next one. Called by the first
 * window once it is on screen, else shortly after start-up; only the first
 * call does anything.
 */
void
hearth_application_start_services (HearthApplication *self)
{
  HearthProvider *provider;

  g_return_if_fail (HEARTH_IS_APPLICATION (self));

  if (self->services_started || self->engine == NULL || self->quitting)
    return;
  self->services_started = TRUE;
  g_clear_handle_id (&self->services_timeout_id, g_source_remove);
  if ((provider = hearth_engine_get_configured_provider (self->engine, NULL, NULL)) != NULL)
    hearth_tuning_start_scheduler (hearth_engine_get_tuning (self->engine), provider);
  hearth_servers_start_monitoring (hearth_engine_get_servers (self->engine));
  hearth_servers_start_managed (hearth_engine_get_servers (self->engine));
}

static gboolean
start_services_cb (gpointer user_data)
{
  HearthApplication *self = user_data;

  self->services_timeout_id = 0;
  hearth_application_start_services (self);
  return G_SOURCE_REMOVE;
}

static void
hearth_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  static const char *new_chat_accels[] = { "<Control>n", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  HearthApplication *self = HEARTH_APPLICATION (application);

  G_APPLICATION_CLASS (hearth_application_parent_class)->startup (application);

  /* The engine opens the history, the cache and the sampler, and follows
   * the settings; without its history Hearth still chats, and says why
   * nothing is kept. */
  self->settings = g_settings_new (APP_ID);
  self->engine = hearth_engine_new_for_settings (self->settings,
                                                 HEARTH_ENGINE_HISTORY | HEARTH_ENGINE_CACHE |
                                                 HEARTH_ENGINE_SAMPLER);
  if (hearth_engine_get_store_error (self->engine) != NULL)
    g_message ("History unavailable: %s", hearth_engine_get_store_error (self->engine)->message);
  /* The servers' probes, the ones Hearth runs itself and the preloading
   * of learned models wait for the first window's first frame: on a small
   * machine their threads and processes would take the cores the window
   * needs to appear (bench-startup). A start with no window (in the
   * background) starts them shortly after. */
  self->services_timeout_id = g_timeout_add_seconds (SERVICES_DELAY_S, start_services_cb, self);

  g_action_map_add_action_entries (G_ACTION_MAP (application),
                                   app_entries,
                                   G_N_ELEMENTS (app_entries),
                                   application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.new-chat",
                                         new_chat_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application),
                                         "win.show-help-overlay",
                                         help_accels);

  /* Notification actions may be what started Hearth (D-Bus activation runs
   * them right after startup): the engine and its alerts are ready here. */
  _hearth_application_setup_alerts (self);
  _hearth_application_setup_background (self);
  _hearth_application_setup_tuning (self);
  _hearth_application_setup_gateway (self);
  hearth_application_setup_tray (self);
}

/* Windows may outlive the main loop; the samples of the minute in
 * progress are written when the application stops, not when it is freed. */
static void
hearth_application_shutdown (GApplication *application)
{
  HearthApplication *self = HEARTH_APPLICATION (application);

  g_clear_handle_id (&self->services_timeout_id, g_source_remove);
  _hearth_application_stop_background (self);
  _hearth_application_stop_tuning (self);
  _hearth_application_stop_gateway (self);
  if (self->engine != NULL)
    {
      hearth_tuning_start_scheduler (hearth_engine_get_tuning (self->engine), NULL);
      hearth_servers_stop_monitoring (hearth_engine_get_servers (self->engine));
      /* Those not kept running stop with Hearth (waits a few seconds at most). */
      hearth_servers_shutdown_managed (hearth_engine_get_servers (self->engine));
      hearth_engine_shutdown (self->engine);
    }

  G_APPLICATION_CLASS (hearth_application_parent_class)->shutdown (application);
}

static void
hearth_application_dispose (GObject *object)
{
  HearthApplication *self = HEARTH_APPLICATION (object);

  g_clear_pointer (&self->alert_notifications, g_hash_table_unref);
  g_clear_object (&self->background_cancellable);
  g_clear_object (&self->gateway_cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hearth_application_parent_class)->dispose (object);
}

/* hearth --new-chat: the launcher's New Chat where it runs Exec= rather than
 * asking over D-Bus (org.freedesktop.Application.ActivateAction, which
 * reaches app.new-chat directly). A running Hearth gets the action; else
 * this one starts with it. */
static int
hearth_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  g_autoptr(GError) error = NULL;

  if (!g_variant_dict_contains (options, "new-chat"))
    return -1;
  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("hearth: %s\n", error->message);
      return 1;
    }
  g_action_group_activate_action (G_ACTION_GROUP (application), "new-chat", NULL);
  /* Here: its window is open and the application runs on. Remote: sent
   * before this process ends. */
  if (!g_application_get_is_remote (application))
    return -1;
  g_dbus_connection_flush_sync (g_application_get_dbus_connection (application), NULL, NULL);
  return 0;
}

static void
hearth_application_class_init (HearthApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = hearth_application_dispose;

  app_class->activate = hearth_application_activate;
  app_class->startup = hearth_application_startup;
  app_class->shutdown = hearth_application_shutdown;
  app_class->handle_local_options = hearth_application_handle_local_options;
}

static void
hearth_application_init (HearthApplication *self)
{
  g_application_add_main_option (G_APPLICATION (self), "new-chat", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_NONE, _("Open the window on a new chat"), NULL);
}

HearthApplication *
hearth_application_new (void)
{
  return g_object_new (HEARTH_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

/* Returns: (transfer none): the engine every window shares */
HearthEngine *
hearth_application_get_engine (HearthApplication *self)
{
  g_return_val_if_fail (HEARTH_IS_APPLICATION (self), NULL);
  return self->engine;
}

/* Returns: (nullable): why the history could not be opened */
const GError *
hearth_application_get_store_error (HearthApplication *self)
{
  g_return_val_if_fail (HEARTH_IS_APPLICATION (self), NULL);
  return self->engine ? hearth_engine_get_store_error (self->engine) : NULL;
}

/* Returns: (nullable): said once, when a damaged cache was set aside */
const char *
hearth_application_get_cache_warning (HearthApplication *self)
{
  g_return_val_if_fail (HEARTH_IS_APPLICATION (self), NULL);
  return self->engine ? hearth_engine_get_cache_warning (self->engine) : NULL;
}

/* Returns: (transfer none): the resource sampler every window shares */
HearthSampler *
hearth_application_get_sampler (HearthApplication *self)
{
  g_return_val_if_fail (HEARTH_IS_APPLICATION (self), NULL);

  return self->engine ? hearth_engine_get_sampler (self->engine) : NULL;
}

/* Returns: (transfer none) (nullable): the minutes and hours of samples,
 *   %NULL without a history database */
HearthResourceHistory *
hearth_application_get_resource_history (HearthApplication *self)
{
  g_return_val_if_fail (HEARTH_IS_APPLICATION (self), NULL);

  return self->engine ? hearth_engine_get_resource_history (self->engine) : NULL;
}
