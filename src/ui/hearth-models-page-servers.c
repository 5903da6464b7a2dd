/* hearth-models-page-servers.c — which server the Models page shows
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-models-page"

#include <glib/gi18n.h>

#include "hearth-models-page-private.h"
#include "hearth-server-labels.h"

/* The enabled servers, in the user's order; the default one first. */
static GPtrArray *
enabled_servers (HearthModelsPage *self)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  GPtrArray *enabled = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  for (guint i = 0; i < n; i++)
    {
      HearthServer *server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      if (hearth_server_get_enabled (server))
        g_ptr_array_add (enabled, server);
      else
        g_object_unref (server);
    }
  return enabled;
}

/* The server the person chose, or the default one: the list, pull, delete
 * and options all act on it. */
HearthProvider *
_hearth_models_page_get_provider (HearthModelsPage  *self,
                                  GError           **error)
{
  /* The default through the settings too: they name it until the list is saved. */
  if (self->server_name == NULL)
    return hearth_engine_get_configured_provider (self->engine, self->settings, error);
  return hearth_engine_resolve_server (self->engine, self->server_name, NULL, NULL, error);
}

/* Transfer none: the server of the list the page shows, or NULL (a one-off
 * address from the settings). */
HearthServer *
_hearth_models_page_get_server (HearthModelsPage *self)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  for (guint i = 0; self->provider != NULL && i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      if (hearth_server_get_provider (server) == self->provider)
        return hearth_servers_lookup (servers, hearth_server_get_name (server));
    }
  return NULL;
}

static void
on_server_selected (GtkDropDown      *dropdown,
                    GParamSpec       *pspec,
                    HearthModelsPage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  g_autoptr(GPtrArray) enabled = NULL;

  if (self->filling_servers || selected == GTK_INVALID_LIST_POSITION)
    return;
  enabled = enabled_servers (self);
  if (selected >= enabled->len)
    return;
  hearth_set_str (&self->server_name,
                  hearth_server_get_name (g_ptr_array_index (enabled, selected)));
  hearth_models_page_refresh (self);
}

/* The selector is there only when there is a choice; a chosen server that
 * is gone or disabled gives way to the default. */
static void
fill_servers (HearthModelsPage *self)
{
  g_autoptr(GPtrArray) enabled = enabled_servers (self);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; i < enabled->len; i++)
    {
      HearthServer *server = g_ptr_array_index (enabled, i);
      g_autofree char *label = hearth_server_label (server);

      gtk_string_list_append (labels, label);
      if (g_strcmp0 (hearth_server_get_name (server), self->server_name) == 0)
        selected = i;
    }
  if (selected == 0)
    g_clear_pointer (&self->server_name, g_free);
  self->filling_servers = TRUE;
  gtk_drop_down_set_model (self->server_dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->server_dropdown, enabled->len > 0 ? selected
                                                                      : GTK_INVALID_LIST_POSITION);
  self->filling_servers = FALSE;
  gtk_widget_set_visible (self->server_bar, enabled->len > 1);
}

static void
on_servers_changed (HearthServers    *servers,
                    HearthModelsPage *self)
{
  g_autofree char *before = g_strdup (self->server_name);

  fill_servers (self);
  /* The page follows the list: a removed server's models are not left shown. */
  if (g_strcmp0 (before, self->server_name) != 0)
    hearth_models_page_refresh (self);
}

void
_hearth_models_page_watch_servers (HearthModelsPage *self)
{
  g_signal_connect_object (hearth_engine_get_servers (self->engine), "changed",
                           G_CALLBACK (on_servers_changed), self, 0);
  g_signal_connect_object (self->server_dropdown, "notify::selected",
                           G_CALLBACK (on_server_selected), self, 0);
  fill_servers (self);
}
