/* hearth-servers-store.c — servers.conf: reading, writing, following it;
 * and the migration from the single-server settings
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   [hearth]
 *   version=1
 *   fallback=big-box;openai
 *
 *   [server laptop]          one group per server, in the user's order
 *   url=                     "" = this computer's Ollama (OLLAMA_HOST, else 127.0.0.1:11434)
 *   api=ollama
 *   cloud=false
 *   enabled=true
 *   preset=ollama
 *   managed=ollama           a server Hearth runs (hearth-managed.h), with
 *   command=… model-file=…   its command, model file or folder, keep= and
 *   models-dir=… keep=true   demo=; without managed= the others are ignored
 *
 *   [substitutes]
 *   llama3.2:3b=gpt-4o-mini
 *
 * No key ever goes in it: keys are in the Secret Service.
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>

#include "hearth-endpoint.h"
#include "hearth-config-file.h"
#include "hearth-error.h"
#include "hearth-servers-impl.h"

#define SERVER_GROUP_PREFIX "server "

static HearthServer *
find_by_name (GPtrArray  *servers,
              const char *name)
{
  for (guint i = 0; i < servers->len; i++)
    if (g_str_equal (hearth_server_get_name (g_ptr_array_index (servers, i)), name))
      return g_ptr_array_index (servers, i);
  return NULL;
}

void
_hearth_servers_replace (HearthServers *self,
                         GPtrArray     *servers)
{
  g_autoptr(GPtrArray) old = self->servers;
  gboolean same = old->len == servers->len;

  for (guint i = 0; same && i < old->len; i++)
    same = g_ptr_array_index (old, i) == g_ptr_array_index (servers, i);
  for (guint i = 0; i < old->len; i++)
    if (!g_ptr_array_find (servers, g_ptr_array_index (old, i), NULL))
      {
        _hearth_servers_forget_server (self, g_ptr_array_index (old, i));
        _hearth_servers_managed_removed (self, g_ptr_array_index (old, i));
      }
  self->servers = servers;
  /* Configuration changes notify on the servers themselves; "items-changed"
   * when the list's members or order changed. */
  if (!same)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, servers->len);
}

/* The one server the single-server settings describe, named for where it
 * is: "local" on this computer, else the host's first label. */
static char *
name_for_endpoint (const char *endpoint)
{
  g_autoptr(GUri) uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host = NULL;
  guint n_presets;
  const HearthServerPreset *presets = hearth_server_presets (&n_presets);
  g_autoptr(GInetAddress) address = NULL;
  char *dot;

  if (hearth_endpoint_is_loopback (endpoint) || uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup ("local");
  for (guint i = 0; i < n_presets; i++)
    {
      g_autofree char *preset_endpoint = hearth_endpoint_normalize (presets[i].url, presets[i].api, NULL);

      if (presets[i].cloud && g_strcmp0 (preset_endpoint, endpoint) == 0)
        return g_strdup (presets[i].name);
    }
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  address = g_inet_address_new_from_string (host);
  if (address != NULL)
    g_strdelimit (host, ":[]", '-');
  else if ((dot = strchr (host, '.')) != NULL)
    *dot = '\0';
  g_strdelimit (host, "-", '-');
  if (!hearth_servers_check_name (host, NULL))
    return g_strdup ("server");
  return g_steal_pointer (&host);
}

static gboolean
is_cloud_endpoint (const char *endpoint)
{
  guint n_presets;
  const HearthServerPreset *presets = hearth_server_presets (&n_presets);

  for (guint i = 0; i < n_presets; i++)
    {
      g_autofree char *preset_endpoint = hearth_endpoint_normalize (presets[i].url, presets[i].api, NULL);

      if (presets[i].cloud && g_strcmp0 (preset_endpoint, endpoint) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
settings_changed_cb (GSettings     *settings,
                     const char    *key,
                     HearthServers *self)
{
  if (self->saved || !(g_str_equal (key, "endpoint") || g_str_equal (key, "api-kind")))
    return;
  _hearth_servers_migrate (self);
  _hearth_servers_emit_changed (self);
}

/**
 * _hearth_servers_migrate:
 *
 * No servers.conf: the list is the one server the settings name
 * ("endpoint", "api-kind"; OLLAMA_HOST; the default), and it follows
 * them until the first change writes the file.
 */
void
_hearth_servers_migrate (HearthServers *self)
{
  g_autofree char *url = NULL;
  g_autofree char *api_name = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  HearthApiKind api = HEARTH_API_OLLAMA;
  HearthServer *server;

  self->saved = FALSE;
  if (self->settings != NULL)
    {
      url = g_strstrip (g_settings_get_string (self->settings, "endpoint"));
      api_name = g_settings_get_string (self->settings, "api-kind");
      /* An API name Hearth does not know: hearth_resolve_api_kind () says
       * so on every request; the list shows Ollama's. */
      if (!hearth_api_kind_from_string (api_name, &api))
        api = HEARTH_API_OLLAMA;
      g_signal_handlers_disconnect_by_func (self->settings, settings_changed_cb, self);
      g_signal_connect (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);
    }
  server = self->servers->len > 0 ? g_object_ref (g_ptr_array_index (self->servers, 0))
                                  : _hearth_server_new (self->engine, "local");
  _hearth_server_configure (server, url, api, FALSE, TRUE,
                            api == HEARTH_API_OLLAMA ? "ollama" : NULL, self->settings);
  name = name_for_endpoint (hearth_server_get_endpoint (server));
  _hearth_server_set_name (server, name);
  if (is_cloud_endpoint (hearth_server_get_endpoint (server)))
    _hearth_server_configure (server, url, api, TRUE, TRUE, NULL, self->settings);
  g_ptr_array_add (servers, server);
  g_strfreev (self->fallback);
  self->fallback = g_new0 (char *, 1);
  g_hash_table_remove_all (self->substitutes);
  _hearth_servers_replace (self, g_steal_pointer (&servers));
}

static char *
read_contents (const char  *path,
               GError     **error)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return contents;
}

/* Concurrency= or QueueBound=: 0 (the default) when absent or not a
 * whole number above 0. */
static guint
read_limit (HearthServers *self,
            GKeyFile      *file,
            const char    *group,
            const char    *key)
{
  g_autoptr(GError) error = NULL;
  gint64 value;

  if (!g_key_file_has_key (file, group, key, NULL))
    return 0;
  value = g_key_file_get_int64 (file, group, key, &error);
  if (error != NULL || value < 1 || value > 100000)
    {
      g_message ("%s: [%s] %s= is not a whole number from 1 to 100000: the default is used",
                 self->path, group, key);
      return 0;
    }
  return (guint) value;
}

/* managed= and its keys. A kind this Hearth does not know leaves the
 * entry a server the user runs (nothing of the list is lost). */
static void
read_managed (HearthServers *self,
              GKeyFile      *file,
              const char    *group,
              HearthServer  *server)
{
  g_autofree char *managed = g_key_file_get_string (file, group, "managed", NULL);
  g_autofree char *command = NULL;
  g_autofree char *model_file = NULL;
  g_autofree char *models_dir = NULL;
  HearthManagedKind kind = HEARTH_MANAGED_NONE;

  if (managed != NULL)
    g_strstrip (managed);
  if (managed != NULL && *managed != '\0' && !hearth_managed_kind_from_string (managed, &kind))
    g_message ("%s: [%s] managed=%s is not a kind of server Hearth can run (ollama, "
               "llama-server or engine): it is kept as a server you run yourself",
               self->path, group, managed);
  if (kind != HEARTH_MANAGED_NONE)
    {
      command = g_key_file_get_string (file, group, "command", NULL);
      model_file = g_key_file_get_string (file, group, "model-file", NULL);
      models_dir = g_key_file_get_string (file, group, "models-dir", NULL);
    }
  _hearth_server_configure_managed (server, kind, command, model_file, models_dir,
                                    kind != HEARTH_MANAGED_NONE &&
                                    g_key_file_get_boolean (file, group, "keep", NULL),
                                    kind == HEARTH_MANAGED_ENGINE &&
                                    g_key_file_get_boolean (file, group, "demo", NULL));
}

static HearthServer *
server_from_group (HearthServers  *self,
                   GKeyFile       *file,
                   const char     *group,
                   GPtrArray      *taken)
{
  const char *name = group + strlen (SERVER_GROUP_PREFIX);
  g_autofree char *url = g_key_file_get_string (file, group, "url", NULL);
  g_autofree char *api_name = g_key_file_get_string (file, group, "api", NULL);
  g_autofree char *preset = g_key_file_get_string (file, group, "preset", NULL);
  g_autofree char *normalized = NULL;   /* only to check the address */
  g_autoptr(GError) error = NULL;
  HearthApiKind api = HEARTH_API_OLLAMA;
  gboolean cloud = g_key_file_get_boolean (file, group, "cloud", NULL);
  gboolean enabled = TRUE;
  HearthServer *server;

  if (g_key_file_has_key (file, group, "enabled", NULL))
    enabled = g_key_file_get_boolean (file, group, "enabled", NULL);
  if (!hearth_servers_check_name (name, &error) ||
      (api_name != NULL && !hearth_api_kind_from_string (api_name, &api)) ||
      find_by_name (taken, name) != NULL)
    {
      g_message ("%s: [%s] is left out: %s", self->path, group,
                 error ? error->message : "a repeated name or an API Hearth does not speak");
      return NULL;
    }
  url = g_strstrip (url ? url : g_strdup (""));
  if (url[0] != '\0' && (normalized = hearth_endpoint_normalize (url, api, &error)) == NULL)
    {
      g_message ("%s: [%s] is left out: %s", self->path, group, error->message);
      return NULL;
    }
  server = find_by_name (self->servers, name);
  server = server ? g_object_ref (server) : _hearth_server_new (self->engine, name);
  _hearth_server_configure (server, url, api, cloud, enabled, preset, NULL);
  _hearth_server_set_queue_limits (server, read_limit (self, file, group, "Concurrency"),
                                   read_limit (self, file, group, "QueueBound"));
  read_managed (self, file, group, server);
  return server;
}

static gboolean
load_contents (HearthServers  *self,
               const char     *contents,
               GError        **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) fallback = NULL;
  g_auto(GStrv) models = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_data (file, contents, -1, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("%s could not be read (%s): the servers from the settings are used "
                     "until it is fixed or the list is changed (the old file is then kept as "
                     "servers.conf.bak)"), self->path, local_error->message);
      return FALSE;
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], SERVER_GROUP_PREFIX))
      {
        HearthServer *server = server_from_group (self, file, groups[i], servers);

        if (server != NULL)
          g_ptr_array_add (servers, server);
      }
  fallback = g_key_file_get_string_list (file, "hearth", "fallback", NULL, NULL);
  g_strfreev (self->fallback);
  self->fallback = g_new0 (char *, 1);
  if (fallback != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; fallback[i] != NULL; i++)
        if (find_by_name (servers, fallback[i]) != NULL)
          g_strv_builder_add (builder, fallback[i]);
      g_strfreev (self->fallback);
      self->fallback = g_strv_builder_end (builder);
    }
  g_hash_table_remove_all (self->substitutes);
  models = g_key_file_get_keys (file, "substitutes", NULL, NULL);
  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    {
      char *substitute = g_key_file_get_string (file, "substitutes", models[i], NULL);

      if (substitute != NULL && *substitute != '\0')
        g_hash_table_replace (self->substitutes, g_strdup (models[i]), substitute);
      else
        g_free (substitute);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_func (self->settings, settings_changed_cb, self);
  self->saved = TRUE;
  _hearth_servers_replace (self, g_steal_pointer (&servers));
  _hearth_servers_managed_sync (self);
  return TRUE;
}

/**
 * _hearth_servers_load:
 *
 * Reads servers.conf into the list; FALSE (the list unchanged) when it
 * does not exist (G_FILE_ERROR_NOENT) or cannot be read.
 */
gboolean
_hearth_servers_load (HearthServers  *self,
                      GError        **error)
{
  g_autofree char *contents = read_contents (self->path, error);

  if (contents == NULL)
    return FALSE;
  if (!load_contents (self, contents, error))
    return FALSE;
  g_free (self->last_contents);
  self->last_contents = g_steal_pointer (&contents);
  return TRUE;
}

static char *
to_data (HearthServers *self)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GPtrArray) substitutes = hearth_servers_list_substitutes (self);

  g_key_file_set_integer (file, "hearth", "version", 1);
  g_key_file_set_string_list (file, "hearth", "fallback", (const char * const *) self->fallback,
                              g_strv_length (self->fallback));
  for (guint i = 0; i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);
      g_autofree char *group = g_strconcat (SERVER_GROUP_PREFIX, hearth_server_get_name (server), NULL);
      guint concurrency, bound;

      g_key_file_set_string (file, group, "url", hearth_server_get_url (server));
      g_key_file_set_string (file, group, "api", hearth_api_kind_to_string (hearth_server_get_api (server)));
      g_key_file_set_boolean (file, group, "cloud", hearth_server_get_cloud (server));
      g_key_file_set_boolean (file, group, "enabled", hearth_server_get_enabled (server));
      if (hearth_server_get_preset (server) != NULL)
        g_key_file_set_string (file, group, "preset", hearth_server_get_preset (server));
      if (hearth_server_get_managed (server) != HEARTH_MANAGED_NONE)
        {
          g_key_file_set_string (file, group, "managed",
                                 hearth_managed_kind_to_string (hearth_server_get_managed (server)));
          if (hearth_server_get_command (server) != NULL)
            g_key_file_set_string (file, group, "command", hearth_server_get_command (server));
          if (hearth_server_get_model_file (server) != NULL)
            g_key_file_set_string (file, group, "model-file", hearth_server_get_model_file (server));
          if (hearth_server_get_models_dir (server) != NULL)
            g_key_file_set_string (file, group, "models-dir", hearth_server_get_models_dir (server));
          if (hearth_server_get_keep (server))
            g_key_file_set_boolean (file, group, "keep", TRUE);
          if (hearth_server_get_demo (server))
            g_key_file_set_boolean (file, group, "demo", TRUE);
        }
      _hearth_server_get_queue_limits (server, &concurrency, &bound);
      if (concurrency > 0)
        g_key_file_set_uint64 (file, group, "Concurrency", concurrency);
      if (bound > 0)
        g_key_file_set_uint64 (file, group, "QueueBound", bound);
    }
  for (guint i = 0; i < substitutes->len; i++)
    {
      HearthSubstitute *substitute = g_ptr_array_index (substitutes, i);

      g_key_file_set_string (file, "substitutes", substitute->model, substitute->substitute);
    }
  return g_key_file_to_data (file, NULL, NULL);
}

/* Written whole to a new file, then renamed over the old one: a reader
 * (another hearth-cli, the app's monitor) sees the old list or the new. */
gboolean
_hearth_servers_save (HearthServers  *self,
                      GError        **error)
{
  g_autofree char *data = to_data (self);
  /* A file that did not read (nothing was read of it) is kept, not written over. */
  gboolean unreadable = self->last_contents == NULL && g_file_test (self->path, G_FILE_TEST_EXISTS);

  if (!hearth_config_file_write (self->path, data, 0600, "The server list", &unreadable, error))
    return FALSE;
  g_free (self->last_contents);
  self->last_contents = g_steal_pointer (&data);
  return TRUE;
}

/* Another process (hearth-cli, a second window) changed the file. */
static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 HearthServers     *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_DELETED && event != G_FILE_MONITOR_EVENT_MOVED_IN &&
      event != G_FILE_MONITOR_EVENT_MOVED_OUT && event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  contents = read_contents (self->path, &error);
  if (contents == NULL)
    {
      /* Removed: the settings' server again, as before the first change. */
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) && self->saved)
        {
          g_clear_pointer (&self->last_contents, g_free);
          _hearth_servers_migrate (self);
          _hearth_servers_emit_changed (self);
        }
      return;
    }
  if (g_strcmp0 (contents, self->last_contents) == 0)
    return;
  g_debug ("%s changed: reading it again", self->path);
  if (!load_contents (self, contents, &error))
    {
      g_message ("%s", error->message);
      return;
    }
  g_free (self->last_contents);
  self->last_contents = g_steal_pointer (&contents);
  _hearth_servers_emit_changed (self);
}

void
_hearth_servers_watch (HearthServers *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GError) error = NULL;

  /* The folder first, so the file's creation is seen at once. */
  g_mkdir_with_parents (dir, 0700);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_debug ("Changes to %s by other programs are not followed: %s", self->path, error->message);
      return;
    }
  g_file_monitor_set_rate_limit (self->monitor, 100);
  g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed_cb), self);
}
