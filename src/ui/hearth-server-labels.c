/* hearth-server-labels.c — servers as people read them: names, Cloud, health
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-server-labels"

#include <glib/gi18n.h>

#include "hearth-model.h"
#include "hearth-server-labels.h"

/* The GUI's words for the health states (hearth-server.h). */
const char *
hearth_server_state_label (HearthServerState state)
{
  switch (state)
    {
    case HEARTH_SERVER_STATE_UP:
      return _("Up");
    case HEARTH_SERVER_STATE_DEGRADED:
      return _("Slow");
    case HEARTH_SERVER_STATE_DOWN:
      return _("Down");
    case HEARTH_SERVER_STATE_UNKNOWN:
    default:
      return _("Not checked yet");
    }
}

/* "big-box", or "openai (Cloud)": a request there leaves this network. */
char *
hearth_server_label (HearthServer *server)
{
  g_return_val_if_fail (HEARTH_IS_SERVER (server), NULL);

  if (hearth_server_get_cloud (server))
    /* Translators: a server's name and that it is a cloud service */
    return g_strdup_printf (_("%s (Cloud)"), hearth_server_get_name (server));
  return g_strdup (hearth_server_get_name (server));
}

guint
hearth_servers_count_enabled (HearthServers *servers)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));
  guint enabled = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      enabled += hearth_server_get_enabled (server) ? 1 : 0;
    }
  return enabled;
}

/* "http://127.0.0.1:11434" → "127.0.0.1:11434" */
static char *
short_endpoint (const char *endpoint)
{
  g_autoptr(GUri) uri = endpoint != NULL ? g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (endpoint != NULL ? endpoint : "");
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

/* The server of the list at @endpoint by its label, or the address itself
 * for a one-off run (--endpoint) or a server since removed. @api may be
 * NULL: then any server at that address counts. */
char *
hearth_server_label_for_endpoint (HearthServers *servers,
                                  const char    *api,
                                  const char    *endpoint)
{
  HearthApiKind kind;
  guint n;

  if (servers == NULL || endpoint == NULL)
    return short_endpoint (endpoint);
  if (api != NULL && hearth_api_kind_from_string (api, &kind))
    {
      HearthServer *server = hearth_servers_find_endpoint (servers, kind, endpoint);

      return server != NULL ? hearth_server_label (server) : short_endpoint (endpoint);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (servers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);

      if (g_strcmp0 (hearth_server_get_endpoint (server), endpoint) == 0)
        return hearth_server_label (server);
    }
  return short_endpoint (endpoint);
}

/* A stored server name as it reads now: Cloud marked while the list knows it. */
char *
hearth_server_label_for_name (HearthServers *servers,
                              const char    *name)
{
  HearthServer *server = servers != NULL && name != NULL ? hearth_servers_lookup (servers, name)
                                                         : NULL;

  if (server != NULL)
    return hearth_server_label (server);
  return g_strdup (name);
}

/* The demo's model on the demo server: placeholder text, never to be taken
 * for a real model. @server may be NULL (a one-off run). */
gboolean
hearth_model_is_demo (HearthServer *server,
                      const char   *model)
{
  g_autofree char *shown = hearth_model_display_name (model);

  return server != NULL && hearth_server_get_demo (server)
         && g_strcmp0 (shown, HEARTH_DEMO_MODEL) == 0;
}

/* A model as people read it: "tiny" for "tiny:latest", and the demo's
 * model as what it is. */
char *
hearth_model_label (HearthServer *server,
                    const char   *model)
{
  if (hearth_model_is_demo (server, model))
    return g_strdup (_(HEARTH_DEMO_LABEL));
  return hearth_model_display_name (model);
}
