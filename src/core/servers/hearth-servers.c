/* hearth-servers.c — the user's servers: the list and its changes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-servers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-servers-impl.h"

static void hearth_servers_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HearthServers, hearth_servers, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      hearth_servers_list_model_init))

enum {
  CHANGED,
  LOG_LINE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
hearth_servers_get_item_type (GListModel *model)
{
  return HEARTH_TYPE_SERVER;
}

static guint
hearth_servers_get_n_items (GListModel *model)
{
  return HEARTH_SERVERS (model)->servers->len;
}

static gpointer
hearth_servers_get_item (GListModel *model,
                         guint       position)
{
  HearthServers *self = HEARTH_SERVERS (model);

  if (position >= self->servers->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->servers, position));
}

static void
hearth_servers_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = hearth_servers_get_item_type;
  iface->get_n_items = hearth_servers_get_n_items;
  iface->get_item = hearth_servers_get_item;
}

static void
hearth_servers_dispose (GObject *object)
{
  HearthServers *self = (HearthServers *)object;

  g_cancellable_cancel (self->cancellable);
  _hearth_servers_managed_clear (self);
  _hearth_servers_health_clear (self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
    }
  g_clear_object (&self->monitor);
  g_clear_object (&self->settings);
  /* Servers may outlive the list (a reference in a row): the engine's
   * providers are not theirs to reach any more. */
  for (guint i = 0; self->servers != NULL && i < self->servers->len; i++)
    _hearth_server_set_engine (g_ptr_array_index (self->servers, i), NULL);
  self->engine = NULL;

  G_OBJECT_CLASS (hearth_servers_parent_class)->dispose (object);
}

static void
hearth_servers_finalize (GObject *object)
{
  HearthServers *self = (HearthServers *)object;

  g_clear_pointer (&self->servers, g_ptr_array_unref);
  g_clear_pointer (&self->fallback, g_strfreev);
  g_clear_pointer (&self->substitutes, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_free (self->path);
  g_free (self->last_contents);

  G_OBJECT_CLASS (hearth_servers_parent_class)->finalize (object);
}

static void
hearth_servers_class_init (HearthServersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_servers_dispose;
  object_class->finalize = hearth_servers_finalize;

  /**
   * HearthServers::changed:
   *
   * The list, a server's configuration, the fallback chain or the
   * substitutes changed (here or in another process).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * HearthServers::log-line:
   * @server: the managed server
   * @line: one line of its log (without the newline)
   *
   * A managed server this process looks after wrote a line (or Hearth
   * wrote one about it: those start with "[hearth]").
   */
  signals[LOG_LINE] = g_signal_new ("log-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2, HEARTH_TYPE_SERVER,
                                    G_TYPE_STRING);
}

void
_hearth_servers_emit_log_line (HearthServers *self,
                               HearthServer  *server,
                               const char    *line)
{
  g_signal_emit (self, signals[LOG_LINE], 0, server, line);
}

static void
hearth_servers_init (HearthServers *self)
{
  self->servers = g_ptr_array_new_with_free_func (g_object_unref);
  self->fallback = g_new0 (char *, 1);
  self->substitutes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
  self->path = g_build_filename (g_get_user_config_dir (), "hearth", "servers.conf", NULL);
  _hearth_servers_health_init (self);
  _hearth_servers_managed_init (self);
}

/**
 * _hearth_servers_new:
 *
 * The list in servers.conf or, before that file exists, the one server
 * the settings describe; followed as the file changes.
 */
HearthServers *
_hearth_servers_new (HearthEngine *engine,
                     GSettings    *settings)
{
  HearthServers *self = g_object_new (HEARTH_TYPE_SERVERS, NULL);
  g_autoptr(GError) error = NULL;

  self->engine = engine;
  self->settings = settings ? g_object_ref (settings) : NULL;
  if (!_hearth_servers_load (self, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("%s", error->message);
      _hearth_servers_migrate (self);
    }
  _hearth_servers_watch (self);
  return self;
}

void
_hearth_servers_emit_changed (HearthServers *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
hearth_servers_get_path (HearthServers *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);
  return self->path;
}

gboolean
hearth_servers_check_name (const char  *name,
                           GError     **error)
{
  gsize len = name != NULL ? strlen (name) : 0;
  gboolean ok = len >= 1 && len <= 32 && g_ascii_isalnum (name[0]);

  for (gsize i = 0; ok && i < len; i++)
    ok = g_ascii_islower (name[i]) || g_ascii_isdigit (name[i]) || strchr ("._-", name[i]) != NULL;
  if (!ok)
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("“%s” cannot name a server: use 1 to 32 lowercase letters, digits, "
                   "“.”, “-” or “_”, starting with a letter or digit (like laptop or big-box)"),
                 name ? name : "");
  return ok;
}

static int
index_of (HearthServers *self,
          const char    *name)
{
  for (guint i = 0; name != NULL && i < self->servers->len; i++)
    if (g_str_equal (hearth_server_get_name (g_ptr_array_index (self->servers, i)), name))
      return i;
  return -1;
}

HearthServer *
hearth_servers_lookup (HearthServers *self,
                       const char    *name)
{
  int i;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);
  i = index_of (self, name);
  return i < 0 ? NULL : g_ptr_array_index (self->servers, i);
}

HearthServer *
hearth_servers_get_default (HearthServers *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);

  for (guint i = 0; i < self->servers->len; i++)
    if (hearth_server_get_enabled (g_ptr_array_index (self->servers, i)))
      return g_ptr_array_index (self->servers, i);
  return NULL;
}

HearthServer *
hearth_servers_find_endpoint (HearthServers *self,
                              HearthApiKind  api,
                              const char    *endpoint)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);

  for (guint i = 0; endpoint != NULL && i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);

      if (hearth_server_get_api (server) == api &&
          g_str_equal (hearth_server_get_endpoint (server), endpoint))
        return server;
    }
  return NULL;
}

static gboolean
no_such_server (HearthServers  *self,
                const char     *name,
                GError        **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < self->servers->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            hearth_server_get_name (g_ptr_array_index (self->servers, i)));
  if (names->len == 0)
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("There is no server called “%s”: no server is set up yet "
                   "(add one with hearth-cli servers add, or in Preferences → Servers)"),
                 name ? name : "");
  else
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("There is no server called “%s”: the servers are %s"),
                 name ? name : "", names->str);
  return FALSE;
}

/* Saves the list as it is now. Migrating, the first change writes the
 * file: the server the settings made keeps its address, and stops
 * following the settings. When the file cannot be written, the list goes
 * back to what it was (the file, or the settings). */
static gboolean
commit (HearthServers  *self,
        GError        **error)
{
  gboolean was_saved = self->saved;

  if (!was_saved)
    {
      if (self->settings != NULL)
        g_signal_handlers_disconnect_by_data (self->settings, self);
      for (guint i = 0; i < self->servers->len; i++)
        {
          HearthServer *server = g_ptr_array_index (self->servers, i);

          _hearth_server_configure (server, hearth_server_get_url (server),
                                    hearth_server_get_api (server),
                                    hearth_server_get_cloud (server),
                                    hearth_server_get_enabled (server),
                                    hearth_server_get_preset (server), NULL);
        }
      self->saved = TRUE;
    }
  if (!_hearth_servers_save (self, error))
    {
      g_autoptr(GError) reload_error = NULL;

      self->saved = FALSE;
      if (!was_saved || !_hearth_servers_load (self, &reload_error))
        _hearth_servers_migrate (self);
      _hearth_servers_emit_changed (self);
      return FALSE;
    }
  _hearth_servers_emit_changed (self);
  return TRUE;
}

gboolean
_hearth_servers_commit (HearthServers  *self,
                        GError        **error)
{
  return commit (self, error);
}

/* The URL as kept: trimmed; "" only for this computer's Ollama. */
static gboolean
check_url (const char     *url,
           HearthApiKind   api,
           char          **kept,
           GError        **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (url ? url : ""));
  g_autofree char *endpoint = NULL;

  if (trimmed[0] == '\0' && api != HEARTH_API_OLLAMA)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("A %s server needs its address (like http://127.0.0.1:8080/v1)"),
                   api == HEARTH_API_ANTHROPIC ? "Anthropic" : "OpenAI-compatible");
      return FALSE;
    }
  if (trimmed[0] != '\0' && (endpoint = hearth_endpoint_normalize (trimmed, api, error)) == NULL)
    return FALSE;
  *kept = g_steal_pointer (&trimmed);
  return TRUE;
}

static gboolean
check_free_name (HearthServers  *self,
                 const char     *name,
                 GError        **error)
{
  if (!hearth_servers_check_name (name, error))
    return FALSE;
  if (index_of (self, name) >= 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("There is already a server called “%s”: choose another name"), name);
      return FALSE;
    }
  return TRUE;
}

/**
 * _hearth_servers_add_entry:
 * @spec: (nullable): a server Hearth runs (its checks are the caller's)
 * @position: where it goes; -1: last
 *
 * Returns: (transfer none) (nullable): the new server
 */
HearthServer *
_hearth_servers_add_entry (HearthServers           *self,
                           const char              *name,
                           const char              *url,
                           HearthApiKind            api,
                           gboolean                 cloud,
                           const char              *preset,
                           const HearthManagedSpec *spec,
                           gboolean                 demo,
                           int                      position,
                           GError                 **error)
{
  g_autofree char *kept = NULL;
  HearthServer *server;

  if (!check_free_name (self, name, error) || !check_url (url, api, &kept, error))
    return NULL;
  if (preset != NULL && *preset != '\0' && hearth_server_preset_find (preset) == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a preset Hearth knows"), preset);
      return NULL;
    }
  server = _hearth_server_new (self->engine, name);
  _hearth_server_configure (server, kept, api, cloud, TRUE, preset, NULL);
  if (spec != NULL)
    _hearth_server_configure_managed (server, spec->kind, spec->command, spec->model_file,
                                      spec->models_dir, spec->keep, demo);
  if (position < 0 || (guint) position > self->servers->len)
    position = self->servers->len;
  g_ptr_array_insert (self->servers, position, server);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  if (!commit (self, error))
    return NULL;
  if (!demo)
    _hearth_servers_drop_demo (self);
  return server;
}

/**
 * hearth_servers_add:
 *
 * Returns: (transfer none) (nullable): the new server, last in the list
 */
HearthServer *
hearth_servers_add (HearthServers  *self,
                    const char     *name,
                    const char     *url,
                    HearthApiKind   api,
                    gboolean        cloud,
                    const char     *preset,
                    GError        **error)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);
  return _hearth_servers_add_entry (self, name, url, api, cloud, preset, NULL, FALSE, -1, error);
}

static void
rename_in_fallback (HearthServers *self,
                    const char    *name,
                    const char    *new_name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->fallback[i] != NULL; i++)
    if (!g_str_equal (self->fallback[i], name))
      g_strv_builder_add (builder, self->fallback[i]);
    else if (new_name != NULL)
      g_strv_builder_add (builder, new_name);
  g_strfreev (self->fallback);
  self->fallback = g_strv_builder_end (builder);
}

gboolean
hearth_servers_edit (HearthServers  *self,
                     const char     *name,
                     const char     *new_name,
                     const char     *url,
                     HearthApiKind   api,
                     gboolean        cloud,
                     GError        **error)
{
  g_autofree char *kept = NULL;
  g_autofree char *old_endpoint = NULL;
  HearthServer *server;
  int i;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if ((i = index_of (self, name)) < 0)
    return no_such_server (self, name, error);
  server = g_ptr_array_index (self->servers, i);
  old_endpoint = g_strdup (hearth_server_get_endpoint (server));
  if (new_name != NULL && !g_str_equal (new_name, name) && !check_free_name (self, new_name, error))
    return FALSE;
  /* Its pid file, lock and log go by its name. */
  if (new_name != NULL && !g_str_equal (new_name, name) &&
      hearth_server_get_managed (server) != HEARTH_MANAGED_NONE &&
      hearth_server_get_process_state (server) != HEARTH_PROCESS_STOPPED &&
      hearth_server_get_process_state (server) != HEARTH_PROCESS_FAILED)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("%s is running: stop it before you rename it"), name);
      return FALSE;
    }
  if (!check_url (url, api, &kept, error))
    return FALSE;
  if (new_name != NULL && !g_str_equal (new_name, name))
    {
      rename_in_fallback (self, name, new_name);
      _hearth_server_set_name (server, new_name);
    }
  _hearth_server_configure (server, kept, api, cloud, hearth_server_get_enabled (server),
                            hearth_server_get_preset (server), NULL);
  g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 1);
  if (!commit (self, error))
    return FALSE;
  _hearth_servers_move_key (self, server, old_endpoint, hearth_server_get_endpoint (server));
  return TRUE;
}

gboolean
hearth_servers_remove (HearthServers  *self,
                       const char     *name,
                       GError        **error)
{
  int i;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if ((i = index_of (self, name)) < 0)
    return no_such_server (self, name, error);
  rename_in_fallback (self, name, NULL);
  _hearth_servers_forget_server (self, g_ptr_array_index (self->servers, i));
  _hearth_servers_managed_removed (self, g_ptr_array_index (self->servers, i));
  g_ptr_array_remove_index (self->servers, i);
  g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
  return commit (self, error);
}

gboolean
hearth_servers_set_enabled (HearthServers  *self,
                            const char     *name,
                            gboolean        enabled,
                            GError        **error)
{
  HearthServer *server;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if ((server = hearth_servers_lookup (self, name)) == NULL)
    return no_such_server (self, name, error);
  if (hearth_server_get_enabled (server) == !!enabled)
    return TRUE;
  _hearth_server_set_enabled (server, enabled);
  if (!enabled)
    _hearth_servers_forget_server (self, server);
  return commit (self, error);
}

gboolean
hearth_servers_set_queue_limits (HearthServers  *self,
                                 const char     *name,
                                 guint           concurrency,
                                 guint           bound,
                                 GError        **error)
{
  HearthServer *server;
  guint old_concurrency, old_bound;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if ((server = hearth_servers_lookup (self, name)) == NULL)
    return no_such_server (self, name, error);
  if (concurrency > 100000 || bound > 100000)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("%u is too many: give a number from 1 to 100000 (0 keeps the default)"),
                   MAX (concurrency, bound));
      return FALSE;
    }
  _hearth_server_get_queue_limits (server, &old_concurrency, &old_bound);
  if (old_concurrency == concurrency && old_bound == bound)
    return TRUE;
  _hearth_server_set_queue_limits (server, concurrency, bound);
  return commit (self, error);
}

gboolean
hearth_servers_move (HearthServers  *self,
                     const char     *name,
                     guint           position,
                     GError        **error)
{
  HearthServer *server;
  int i;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if ((i = index_of (self, name)) < 0)
    return no_such_server (self, name, error);
  if (position >= self->servers->len)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("There is no place %u in a list of %u servers: give 1 to %u"),
                   position + 1, self->servers->len, self->servers->len);
      return FALSE;
    }
  if ((guint) i == position)
    return TRUE;
  server = g_ptr_array_steal_index (self->servers, i);
  g_ptr_array_insert (self->servers, position, server);
  g_list_model_items_changed (G_LIST_MODEL (self), MIN ((guint) i, position),
                              ABS ((int) position - i) + 1, ABS ((int) position - i) + 1);
  return commit (self, error);
}

/* The fallback chain */

/**
 * hearth_servers_get_fallback:
 *
 * Returns: (transfer full): the chain's server names, in order
 */
char **
hearth_servers_get_fallback (HearthServers *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);
  return g_strdupv (self->fallback);
}

gboolean
hearth_servers_set_fallback (HearthServers       *self,
                             const char * const  *names,
                             GError             **error)
{
  g_auto(GStrv) old = NULL;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      if (index_of (self, names[i]) < 0)
        return no_such_server (self, names[i], error);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (names[i], names[j]))
          {
            g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                         _("“%s” is in the fallback chain twice: name each server once"),
                         names[i]);
            return FALSE;
          }
    }
  old = g_steal_pointer (&self->fallback);
  self->fallback = names != NULL ? g_strdupv ((char **) names) : g_new0 (char *, 1);
  return commit (self, error);
}

/* Substitutes */

void
hearth_substitute_free (HearthSubstitute *substitute)
{
  if (substitute == NULL)
    return;
  g_free (substitute->model);
  g_free (substitute->substitute);
  g_free (substitute);
}

static int
compare_substitutes (gconstpointer a,
                     gconstpointer b)
{
  const HearthSubstitute *sa = *(HearthSubstitute **) a;
  const HearthSubstitute *sb = *(HearthSubstitute **) b;

  return g_strcmp0 (sa->model, sb->model);
}

/**
 * hearth_servers_list_substitutes:
 *
 * Returns: (transfer full) (element-type HearthSubstitute): sorted by model
 */
GPtrArray *
hearth_servers_list_substitutes (HearthServers *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_substitute_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), list);

  g_hash_table_iter_init (&iter, self->substitutes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      HearthSubstitute *substitute = g_new0 (HearthSubstitute, 1);

      substitute->model = g_strdup (key);
      substitute->substitute = g_strdup (value);
      g_ptr_array_add (list, substitute);
    }
  g_ptr_array_sort (list, compare_substitutes);
  return list;
}

const char *
hearth_servers_get_substitute (HearthServers *self,
                               const char    *model)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);
  return model != NULL ? g_hash_table_lookup (self->substitutes, model) : NULL;
}

/* A model name as servers.conf can keep it as a key. */
static gboolean
check_model_name (const char  *model,
                  GError     **error)
{
  gboolean ok = model != NULL && *model != '\0' && strlen (model) <= 200;

  for (const char *c = model; ok && *c != '\0'; c++)
    ok = (guchar) *c > ' ' && *c != '\x7f' && strchr ("=[]#", *c) == NULL;
  if (!ok)
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a model name: give it as the server lists it (like llama3.2:3b)"),
                 model ? model : "");
  return ok;
}

gboolean
hearth_servers_set_substitute (HearthServers  *self,
                               const char     *model,
                               const char     *substitute,
                               GError        **error)
{
  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if (!check_model_name (model, error))
    return FALSE;
  if (substitute == NULL || *substitute == '\0')
    {
      if (!g_hash_table_remove (self->substitutes, model))
        return TRUE;
    }
  else
    {
      if (!check_model_name (substitute, error))
        return FALSE;
      if (g_strcmp0 (g_hash_table_lookup (self->substitutes, model), substitute) == 0)
        return TRUE;
      g_hash_table_replace (self->substitutes, g_strdup (model), g_strdup (substitute));
    }
  return commit (self, error);
}
