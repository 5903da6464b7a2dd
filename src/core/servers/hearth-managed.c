/* hearth-managed.c — servers Hearth runs: adding them, starting, stopping,
 * the supervisors of this process
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The process side (spawn, log, pid file, restarts) is in
 * hearth-managed-process.c; the demo in hearth-managed-demo.c.
 */
#define G_LOG_DOMAIN "hearth-managed"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hearth-endpoint.h"
#include "hearth-engine.h"
#include "hearth-error.h"
#include "hearth-managed-private.h"

#define FIND_UNLISTED_TIMEOUT_MS 2000

const char *
hearth_managed_kind_to_string (HearthManagedKind kind)
{
  switch (kind)
    {
    case HEARTH_MANAGED_OLLAMA:
      return "ollama";
    case HEARTH_MANAGED_LLAMA_SERVER:
      return "llama-server";
    case HEARTH_MANAGED_ENGINE:
      return "engine";
    case HEARTH_MANAGED_NONE:
    default:
      return NULL;
    }
}

gboolean
hearth_managed_kind_from_string (const char        *name,
                                 HearthManagedKind *kind)
{
  static const HearthManagedKind kinds[] = {
    HEARTH_MANAGED_OLLAMA, HEARTH_MANAGED_LLAMA_SERVER, HEARTH_MANAGED_ENGINE,
  };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (name, hearth_managed_kind_to_string (kinds[i])))
      {
        *kind = kinds[i];
        return TRUE;
      }
  *kind = HEARTH_MANAGED_NONE;
  return FALSE;
}

const char *
hearth_process_state_to_string (HearthProcessState state)
{
  switch (state)
    {
    case HEARTH_PROCESS_STARTING:
      return "Starting";
    case HEARTH_PROCESS_RUNNING:
      return "Running";
    case HEARTH_PROCESS_RESTARTING:
      return "Restarting";
    case HEARTH_PROCESS_FAILED:
      return "Failed";
    case HEARTH_PROCESS_STOPPED:
    default:
      return "Stopped";
    }
}

char *
_hearth_managed_url (HearthManagedKind kind,
                     guint             port)
{
  if (kind == HEARTH_MANAGED_LLAMA_SERVER)
    return g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static const char *
how_to_install (HearthManagedKind kind)
{
  switch (kind)
    {
    case HEARTH_MANAGED_OLLAMA:
      return _("Ollama is not installed (there is no “ollama” on PATH): install it from "
               "https://ollama.com/download, or give the command that runs it");
    case HEARTH_MANAGED_LLAMA_SERVER:
      return _("llama.cpp's server is not installed (there is no “llama-server” on PATH): install "
               "llama.cpp (https://github.com/ggml-org/llama.cpp), or give the command that runs it");
    case HEARTH_MANAGED_ENGINE:
    case HEARTH_MANAGED_NONE:
    default:
      return _("Node.js is not installed (there is no “node” on PATH): install Node.js 20 or newer");
    }
}

/**
 * hearth_managed_find_program:
 *
 * Returns: (transfer full) (nullable): the program's path
 */
char *
hearth_managed_find_program (HearthManagedKind   kind,
                             const char         *command,
                             GError            **error)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *first;
  char *path;

  if (hearth_managed_kind_to_string (kind) == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("Hearth runs ollama, llama-server or its engine, nothing else"));
      return NULL;
    }
  if (command != NULL && *command != '\0')
    {
      if (!g_shell_parse_argv (command, NULL, &words, &parse_error))
        {
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                       _("The command “%s” cannot be read (%s): quote it as a shell would"),
                       command, parse_error->message);
          return NULL;
        }
      first = words[0];
    }
  else if (kind == HEARTH_MANAGED_ENGINE)
    {
      g_autofree char *script = _hearth_managed_engine_script ();

      if (script == NULL)
        {
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                       _("Hearth's engine is not installed here: set HEARTH_DEMO_ENGINE to its "
                         "server.mjs, or give the command that runs it"));
          return NULL;
        }
      first = "node";
    }
  else
    first = hearth_managed_kind_to_string (kind);

  if (strchr (first, '/') != NULL)
    path = g_file_test (first, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (first, G_FILE_TEST_IS_DIR)
           ? g_strdup (first) : NULL;
  else
    path = g_find_program_in_path (first);
  if (path != NULL)
    return path;
  if (command != NULL && *command != '\0')
    g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                 _("“%s” was not found%s: check the command “%s”"), first,
                 strchr (first, '/') != NULL ? "" : " on PATH", command);
  else
    g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT, how_to_install (kind));
  return NULL;
}

/* Supervisors */

static void
supervisor_drop (HearthSupervisor *sup)
{
  sup->servers = NULL;
  _hearth_supervisor_release (sup, TRUE);
  _hearth_supervisor_unref (sup);
}

void
_hearth_supervisor_unref (HearthSupervisor *sup)
{
  g_rc_box_release_full (sup, (GDestroyNotify) _hearth_supervisor_free_process);
}

HearthSupervisor *
_hearth_supervisor_ensure (HearthServers *servers,
                           HearthServer  *server)
{
  HearthSupervisor *sup = g_hash_table_lookup (servers->supervisors, server);

  if (sup != NULL)
    return sup;
  sup = g_rc_box_new0 (HearthSupervisor);
  sup->servers = servers;
  sup->server = g_object_ref (server);
  sup->name = g_strdup (hearth_server_get_name (server));
  sup->lock_fd = -1;
  sup->log_fd = -1;
  sup->partial = g_string_new (NULL);
  g_queue_init (&sup->tail);
  sup->restart_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_hash_table_insert (servers->supervisors, server, sup);
  return sup;
}

void
_hearth_supervisor_finish_starts (HearthSupervisor *sup,
                                  const GError     *error)
{
  GList *tasks = g_steal_pointer (&sup->start_tasks);

  for (GList *l = tasks; l != NULL; l = l->next)
    {
      if (error != NULL)
        g_task_return_error (l->data, g_error_copy (error));
      else
        g_task_return_boolean (l->data, TRUE);
    }
  g_list_free_full (tasks, g_object_unref);
}

void
_hearth_supervisor_finish_stops (HearthSupervisor *sup)
{
  GList *tasks = g_steal_pointer (&sup->stop_tasks);

  for (GList *l = tasks; l != NULL; l = l->next)
    g_task_return_boolean (l->data, TRUE);
  g_list_free_full (tasks, g_object_unref);
}

void
_hearth_servers_managed_init (HearthServers *self)
{
  self->supervisors = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) supervisor_drop);
}

void
_hearth_servers_managed_clear (HearthServers *self)
{
  g_clear_pointer (&self->supervisors, g_hash_table_unref);
}

void
_hearth_servers_managed_removed (HearthServers *self,
                                 HearthServer  *server)
{
  HearthSupervisor *sup;
  int pid;

  if (self->supervisors == NULL || hearth_server_get_managed (server) == HEARTH_MANAGED_NONE)
    return;
  sup = g_hash_table_lookup (self->supervisors, server);
  pid = sup != NULL && sup->pid > 0 ? sup->pid
                                    : _hearth_managed_read_pid_file (hearth_server_get_name (server), NULL);
  /* Out of the list, out of the way: stopped, kept or not, without waiting. */
  if (sup != NULL && sup->process != NULL)
    _hearth_server_set_keep (server, FALSE);
  else if (pid > 0)
    kill (pid, SIGTERM);
  if (sup != NULL)
    g_hash_table_remove (self->supervisors, server);
  if (pid > 0)
    {
      g_autofree char *path = _hearth_managed_runtime_path (hearth_server_get_name (server), ".pid");

      g_unlink (path);
    }
  _hearth_server_set_process (server, HEARTH_PROCESS_STOPPED, 0, "Stopped");
}

void
_hearth_servers_managed_sync (HearthServers *self)
{
  for (guint i = 0; self->supervisors != NULL && i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);
      HearthSupervisor *sup;
      int pid;

      if (hearth_server_get_managed (server) == HEARTH_MANAGED_NONE)
        continue;
      sup = g_hash_table_lookup (self->supervisors, server);
      if (sup != NULL && (sup->process != NULL || sup->adopted || sup->restart_id != 0 ||
                          sup->watch_id != 0))
        continue;
      pid = _hearth_managed_read_pid_file (hearth_server_get_name (server), NULL);
      if (pid > 0)
        _hearth_supervisor_adopt (_hearth_supervisor_ensure (self, server), pid);
    }
}

/* Adding */

static gboolean
check_gguf (const char  *path,
            GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  char magic[4] = { 0 };
  gsize read = 0;

  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("The model file %s cannot be read: %s"), path, local_error->message);
      return FALSE;
    }
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), magic, sizeof magic, &read, NULL, NULL) ||
      read != sizeof magic || memcmp (magic, "GGUF", 4) != 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("%s is not a GGUF model file: give a .gguf file (like one from Hugging Face)"),
                   path);
      return FALSE;
    }
  return TRUE;
}

/**
 * hearth_servers_add_managed:
 *
 * Returns: (transfer none) (nullable): the new server, last in the list
 */
HearthServer *
hearth_servers_add_managed (HearthServers            *self,
                            const char               *name,
                            const HearthManagedSpec  *spec,
                            GError                  **error)
{
  g_autofree char *program = NULL;
  g_autofree char *url = NULL;
  g_autofree char *model_file = NULL;
  g_autofree char *models_dir = NULL;
  HearthManagedSpec kept;
  guint port;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  if (!hearth_servers_check_name (name, error))
    return NULL;
  if ((program = hearth_managed_find_program (spec->kind, spec->command, error)) == NULL)
    return NULL;
  if (spec->kind == HEARTH_MANAGED_LLAMA_SERVER && (spec->model_file == NULL || *spec->model_file == '\0'))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("llama.cpp's server runs one model file: give a .gguf file"));
      return NULL;
    }
  if (spec->model_file != NULL && *spec->model_file != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (spec->model_file);

      model_file = g_file_get_path (file);
      if (model_file == NULL || !g_file_test (model_file, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                       _("There is no model file %s: check the path"), spec->model_file);
          return NULL;
        }
      if (!check_gguf (model_file, error))
        return NULL;
    }
  if (spec->models_dir != NULL && *spec->models_dir != '\0')
    {
      g_autoptr(GFile) dir = g_file_new_for_commandline_arg (spec->models_dir);

      models_dir = g_file_get_path (dir);
      if (models_dir == NULL ||
          (g_file_test (models_dir, G_FILE_TEST_EXISTS) && !g_file_test (models_dir, G_FILE_TEST_IS_DIR)))
        {
          g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                       _("%s is not a folder: give the folder the models are kept in"),
                       spec->models_dir);
          return NULL;
        }
    }
  if ((port = _hearth_managed_free_port ()) == 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("No free port could be found on 127.0.0.1 for it"));
      return NULL;
    }
  url = _hearth_managed_url (spec->kind, port);
  kept = *spec;
  kept.model_file = model_file;
  kept.models_dir = models_dir;
  return _hearth_servers_add_entry (self, name, url,
                                    spec->kind == HEARTH_MANAGED_LLAMA_SERVER ? HEARTH_API_OPENAI
                                                                              : HEARTH_API_OLLAMA,
                                    FALSE, NULL, &kept, FALSE, -1, error);
}

/* Already running, not in the list */

static char *
unlisted_endpoint (HearthServers     *self,
                   HearthManagedKind  kind,
                   HearthApiKind     *api)
{
  g_autofree char *endpoint = NULL;

  if (kind == HEARTH_MANAGED_OLLAMA)
    {
      *api = HEARTH_API_OLLAMA;
      endpoint = hearth_endpoint_resolve (NULL, HEARTH_API_OLLAMA, NULL, NULL);
    }
  else if (kind == HEARTH_MANAGED_LLAMA_SERVER)
    {
      *api = HEARTH_API_OPENAI;
      endpoint = hearth_endpoint_normalize ("http://127.0.0.1:8080/v1", HEARTH_API_OPENAI, NULL);
    }
  /* On this computer only, and not one of the list's. */
  if (endpoint == NULL || !hearth_endpoint_is_loopback (endpoint) ||
      hearth_servers_find_endpoint (self, *api, endpoint) != NULL)
    return NULL;
  return g_steal_pointer (&endpoint);
}

typedef struct
{
  char         *endpoint;
  HearthApiKind api;
  GCancellable *cancellable;
  guint         timeout_id;
} Unlisted;

static void
unlisted_free (Unlisted *unlisted)
{
  g_clear_handle_id (&unlisted->timeout_id, g_source_remove);
  g_clear_object (&unlisted->cancellable);
  g_free (unlisted->endpoint);
  g_free (unlisted);
}

static void
unlisted_answered_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlisted *unlisted = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean answered;

  if (unlisted->api == HEARTH_API_OLLAMA)
    {
      g_autofree char *version = hearth_provider_version_finish (HEARTH_PROVIDER (object), result, &error);

      answered = version != NULL;
    }
  else
    {
      g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object),
                                                                         result, &error);

      answered = models != NULL || (error != NULL && !_hearth_server_error_is_down (error));
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, answered ? g_strdup (unlisted->endpoint) : NULL, g_free);
}

static gboolean
unlisted_timeout_cb (gpointer user_data)
{
  Unlisted *unlisted = user_data;

  unlisted->timeout_id = 0;
  g_cancellable_cancel (unlisted->cancellable);
  return G_SOURCE_REMOVE;
}

void
hearth_servers_find_unlisted_async (HearthServers       *self,
                                    HearthManagedKind    kind,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Unlisted *unlisted;
  HearthProvider *provider;
  HearthApiKind api = HEARTH_API_OLLAMA;
  g_autofree char *endpoint = NULL;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_find_unlisted_async);
  endpoint = unlisted_endpoint (self, kind, &api);
  provider = endpoint != NULL && self->engine != NULL
             ? hearth_engine_get_provider (self->engine, api, endpoint) : NULL;
  if (provider == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  unlisted = g_new0 (Unlisted, 1);
  unlisted->endpoint = g_steal_pointer (&endpoint);
  unlisted->api = api;
  /* Its own: a short wait, whatever the caller's. */
  unlisted->cancellable = g_cancellable_new ();
  unlisted->timeout_id = g_timeout_add (FIND_UNLISTED_TIMEOUT_MS, unlisted_timeout_cb, unlisted);
  g_task_set_task_data (task, unlisted, (GDestroyNotify) unlisted_free);
  if (api == HEARTH_API_OLLAMA)
    hearth_provider_version_async (provider, unlisted->cancellable, unlisted_answered_cb,
                                   g_steal_pointer (&task));
  else
    hearth_provider_list_models_async (provider, unlisted->cancellable, unlisted_answered_cb,
                                       g_steal_pointer (&task));
}

/**
 * hearth_servers_find_unlisted_finish:
 *
 * Returns: (transfer full) (nullable): the address, or NULL
 */
char *
hearth_servers_find_unlisted_finish (HearthServers  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char              *name;
  HearthManagedSpec  spec;
  char              *command;
  char              *model_file;
  char              *models_dir;
} AddManaged;

static void
add_managed_free (AddManaged *add)
{
  g_free (add->name);
  g_free (add->command);
  g_free (add->model_file);
  g_free (add->models_dir);
  g_free (add);
}

static void
add_managed_checked_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthServers *self = HEARTH_SERVERS (object);
  AddManaged *add = g_task_get_task_data (task);
  g_autofree char *running = hearth_servers_find_unlisted_finish (self, result, NULL);
  GError *error = NULL;
  HearthServer *server;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (running != NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING,
                               _("%s is already running at %s; add it as an existing server instead"),
                               add->spec.kind == HEARTH_MANAGED_OLLAMA ? _("An Ollama server")
                                                                       : _("A llama.cpp server"),
                               running);
      return;
    }
  server = hearth_servers_add_managed (self, add->name, &add->spec, &error);
  if (server == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (server), g_object_unref);
}

void
hearth_servers_add_managed_async (HearthServers           *self,
                                  const char              *name,
                                  const HearthManagedSpec *spec,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  GTask *task;
  AddManaged *add;

  g_return_if_fail (HEARTH_IS_SERVERS (self));
  g_return_if_fail (spec != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_add_managed_async);
  add = g_new0 (AddManaged, 1);
  add->name = g_strdup (name);
  add->spec = *spec;
  add->spec.command = add->command = g_strdup (spec->command);
  add->spec.model_file = add->model_file = g_strdup (spec->model_file);
  add->spec.models_dir = add->models_dir = g_strdup (spec->models_dir);
  g_task_set_task_data (task, add, (GDestroyNotify) add_managed_free);
  if (spec->force || spec->kind == HEARTH_MANAGED_ENGINE)
    {
      GError *error = NULL;
      HearthServer *server = hearth_servers_add_managed (self, name, spec, &error);

      if (server == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_object_ref (server), g_object_unref);
      g_object_unref (task);
      return;
    }
  hearth_servers_find_unlisted_async (self, spec->kind, cancellable, add_managed_checked_cb, task);
}

/**
 * hearth_servers_add_managed_finish:
 *
 * Returns: (transfer full) (nullable): the new server
 */
HearthServer *
hearth_servers_add_managed_finish (HearthServers  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Starting and stopping */

static HearthServer *
lookup_managed (HearthServers  *self,
                const char     *name,
                GError        **error)
{
  HearthServer *server = hearth_servers_lookup (self, name);

  if (server == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("There is no server called “%s”"), name ? name : "");
      return NULL;
    }
  if (hearth_server_get_managed (server) == HEARTH_MANAGED_NONE)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("“%s” is a server you run yourself: Hearth does not start or stop it"), name);
      return NULL;
    }
  return server;
}

static void
start_full (HearthServers       *self,
            const char          *name,
            gboolean             detached,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  HearthServer *server;
  HearthSupervisor *sup;
  HearthProcessState state;
  int pid;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_start_async);
  if ((server = lookup_managed (self, name, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sup = _hearth_supervisor_ensure (self, server);
  state = hearth_server_get_process_state (server);
  if (sup->kill_deadline_us != 0 || (sup->stopping && sup->process != NULL))
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING,
                               _("%s is being stopped: start it again once it has stopped"), name);
      return;
    }
  if (sup->process != NULL || sup->adopted || sup->restart_id != 0)
    {
      if (state == HEARTH_PROCESS_STARTING || state == HEARTH_PROCESS_RESTARTING)
        sup->start_tasks = g_list_append (sup->start_tasks, g_steal_pointer (&task));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  /* Running already, started by another Hearth process. */
  if ((pid = _hearth_managed_read_pid_file (sup->name, NULL)) > 0)
    {
      _hearth_supervisor_adopt (sup, pid);
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* By hand: a new count. */
  _hearth_server_set_restarts (server, 0);
  g_array_set_size (sup->restart_times, 0);
  sup->restarting = FALSE;
  sup->stopping = FALSE;
  sup->detached = detached;
  if (!_hearth_supervisor_spawn (sup, &error))
    {
      if (!g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING))
        _hearth_supervisor_set_state (sup, HEARTH_PROCESS_FAILED, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sup->start_tasks = g_list_append (sup->start_tasks, g_steal_pointer (&task));
}

void
hearth_servers_start_async (HearthServers       *self,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_full (self, name, FALSE, cancellable, callback, user_data);
}

/* hearth-cli servers start --detach: it outlives this process, whatever
 * its keep setting (which stays as the user set it). */
void
hearth_servers_start_detached_async (HearthServers       *self,
                                     const char          *name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  start_full (self, name, TRUE, cancellable, callback, user_data);
}

gboolean
hearth_servers_start_finish (HearthServers  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hearth_servers_stop_async (HearthServers       *self,
                           const char          *name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  HearthServer *server;
  HearthSupervisor *sup;
  int pid;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_stop_async);
  if ((server = lookup_managed (self, name, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sup = _hearth_supervisor_ensure (self, server);
  /* Started elsewhere and not looked at yet: stopped from here. */
  if (sup->process == NULL && sup->pid == 0 &&
      (pid = _hearth_managed_read_pid_file (sup->name, NULL)) > 0)
    _hearth_supervisor_adopt (sup, pid);
  sup->stop_tasks = g_list_append (sup->stop_tasks, g_steal_pointer (&task));
  _hearth_supervisor_stop (sup);
}

gboolean
hearth_servers_stop_finish (HearthServers  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hearth_servers_start_managed (HearthServers *self)
{
  g_return_if_fail (HEARTH_IS_SERVERS (self));

  for (guint i = 0; i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);
      HearthProcessState state = hearth_server_get_process_state (server);

      if (hearth_server_get_managed (server) == HEARTH_MANAGED_NONE ||
          !hearth_server_get_enabled (server) ||
          state == HEARTH_PROCESS_RUNNING || state == HEARTH_PROCESS_STARTING ||
          state == HEARTH_PROCESS_RESTARTING)
        continue;
      hearth_servers_start_async (self, hearth_server_get_name (server), NULL, NULL, NULL);
    }
}

void
hearth_servers_shutdown_managed (HearthServers *self)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  gint64 deadline = g_get_monotonic_time () + HEARTH_MANAGED_STOP_WAIT_MS * 1000;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  g_hash_table_iter_init (&iter, self->supervisors);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HearthSupervisor *sup = value;
      int pid = sup->pid;

      if (sup->process != NULL && !hearth_server_get_keep (sup->server) && !sup->detached)
        g_array_append_val (pids, pid);
      _hearth_supervisor_release (sup, TRUE);
    }
  /* At most 5 s in all, then SIGKILL. */
  for (guint i = 0; i < pids->len; i++)
    {
      HearthSupervisor probe = { .pid = g_array_index (pids, int, i) };

      if (!_hearth_supervisor_wait_gone (&probe, deadline))
        {
          g_message ("pid %d did not stop within %d s: killed", probe.pid,
                     HEARTH_MANAGED_STOP_WAIT_MS / 1000);
          kill (probe.pid, SIGKILL);
        }
    }
}

gboolean
hearth_servers_set_keep (HearthServers  *self,
                         const char     *name,
                         gboolean        keep,
                         GError        **error)
{
  HearthServer *server;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if ((server = lookup_managed (self, name, error)) == NULL)
    return FALSE;
  if (hearth_server_get_keep (server) == !!keep)
    return TRUE;
  _hearth_server_set_keep (server, keep);
  if (!_hearth_servers_commit (self, error))
    {
      _hearth_server_set_keep (server, !keep);
      return FALSE;
    }
  return TRUE;
}

/* The demo goes once another server is there. */
void
_hearth_servers_drop_demo (HearthServers *self)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);
      g_autoptr(GError) error = NULL;

      if (!hearth_server_get_demo (server))
        continue;
      g_debug ("Another server was added: the demo goes");
      if (!hearth_servers_remove (self, hearth_server_get_name (server), &error))
        g_message ("The demo server could not be removed: %s", error->message);
      return;
    }
}
