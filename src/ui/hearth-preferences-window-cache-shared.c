/* hearth-preferences-window-cache-shared.c — Preferences: the cache tier several computers share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-ui"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "hearth-cache.h"
#include "hearth-engine.h"
#include "hearth-preferences-window-private.h"

/* While the window is open, the status is asked for this often. */
#define SHARED_REFRESH_S 10

/* What the statistics and the last answer of the server say, measured. */
static void
show_shared_status (HearthPreferencesWindow *self,
                    gboolean                 pinging)
{
  HearthCache *cache = hearth_engine_get_cache (self->engine);
  g_autofree char *setting = g_settings_get_string (self->settings, "cache-shared-url");
  const char *warning = hearth_engine_get_cache_warning (self->engine);
  HearthCacheStats stats;
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->cache_shared_status_row), "error");
  if (cache == NULL)
    {
      adw_action_row_set_subtitle (self->cache_shared_status_row, _("The cache is off"));
      return;
    }
  hearth_cache_get_stats (cache, &stats);
  if (*g_strstrip (setting) == '\0')
    {
      adw_action_row_set_subtitle (self->cache_shared_status_row,
                                   _("None: answers stay on this computer. Enter a Redis or "
                                     "Valkey server as redis://HOST:PORT/DB to share them with "
                                     "the computers that use it."));
      return;
    }
  if (stats.shared_connected)
    text = g_strdup_printf (_("Connected · %" PRIu64 " answers found there, %"
                              PRIu64 " not found, %" PRIu64 " failed"),
                            stats.shared_hits, stats.shared_misses, stats.shared_errors);
  else if (hearth_cache_get_shared_url (cache) == NULL && warning != NULL)
    text = g_strdup (warning);      /* the setting holds an address that cannot be used */
  else if (pinging || warning == NULL)
    text = g_strdup (_("Connecting…"));
  else if (stats.shared_errors > 0)
    text = g_strdup_printf (_("%s. %" PRIu64 " lookups or stores failed so far."),
                            warning, stats.shared_errors);
  else
    text = g_strdup_printf ("%s.", warning);
  if (!stats.shared_connected && !pinging && warning != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->cache_shared_status_row), "error");
  adw_action_row_set_subtitle (self->cache_shared_status_row, text);
}

static void
pinged_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HearthPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  hearth_cache_ping_shared_finish (HEARTH_CACHE (object), result, &error);
  /* Cancelled means the window may be gone: dispose cancels. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_shared_status (self, FALSE);
}

/* One round trip to the server, in the cache's worker: never a wait here. */
static void
ping_shared (HearthPreferencesWindow *self)
{
  HearthCache *cache = hearth_engine_get_cache (self->engine);

  if (cache == NULL || hearth_cache_get_shared_url (cache) == NULL)
    {
      show_shared_status (self, FALSE);
      return;
    }
  show_shared_status (self, TRUE);
  hearth_cache_ping_shared_async (cache, self->shared_cancellable, pinged_cb, self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  HearthPreferencesWindow *self = user_data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ping_shared (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
ping_idle_cb (gpointer user_data)
{
  HearthPreferencesWindow *self = user_data;

  if (self->shared_cancellable != NULL)
    ping_shared (self);
  return G_SOURCE_REMOVE;
}

/* The engine follows the setting (hearth-engine.c); an address it cannot
 * use is said here and not saved. */
static void
shared_apply_cb (HearthPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (
                                       GTK_EDITABLE (self->cache_shared_row))));
  g_autoptr(GError) error = NULL;

  if (!hearth_cache_check_shared_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->cache_shared_row), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->cache_shared_status_row), "error");
      adw_action_row_set_subtitle (self->cache_shared_status_row, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->cache_shared_row), "error");
  g_settings_set_string (self->settings, "cache-shared-url", url);
  /* the same address again: asked again */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, ping_idle_cb, g_object_ref (self), g_object_unref);
}

/* The engine follows the same change: asked once it has. */
static void
cache_setting_changed_cb (HearthPreferencesWindow *self)
{
  g_autofree char *url = g_settings_get_string (self->settings, "cache-shared-url");

  if (g_strcmp0 (url, gtk_editable_get_text (GTK_EDITABLE (self->cache_shared_row))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->cache_shared_row), url);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, ping_idle_cb, g_object_ref (self), g_object_unref);
}

void
_hearth_preferences_window_bind_cache_shared (HearthPreferencesWindow *self)
{
  g_autofree char *url = g_settings_get_string (self->settings, "cache-shared-url");

  self->shared_cancellable = g_cancellable_new ();
  gtk_editable_set_text (GTK_EDITABLE (self->cache_shared_row), url);
  g_signal_connect_object (self->cache_shared_row, "apply", G_CALLBACK (shared_apply_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::cache-shared-url",
                           G_CALLBACK (cache_setting_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::cache-enabled",
                           G_CALLBACK (cache_setting_changed_cb), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "cache-enabled", self->cache_shared_row, "sensitive",
                   G_SETTINGS_BIND_GET);
  self->shared_refresh_id = g_timeout_add_seconds (SHARED_REFRESH_S, refresh_cb, self);
  ping_shared (self);
}

void
_hearth_preferences_window_dispose_cache_shared (HearthPreferencesWindow *self)
{
  g_cancellable_cancel (self->shared_cancellable);
  g_clear_object (&self->shared_cancellable);
  g_clear_handle_id (&self->shared_refresh_id, g_source_remove);
}
