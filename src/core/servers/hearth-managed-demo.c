/* hearth-managed-demo.c — the demo: Hearth's own engine with a tiny
 * generated model, for a computer with no server at all
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine is tests/engine/server.mjs (node-llama-cpp): HEARTH_DEMO_ENGINE
 * names it, else the source tree's when Hearth runs from its build folder.
 * Its model, $XDG_DATA_HOME/hearth/demo/demo.gguf (the engine serves a file
 * under its stem: "demo"), answers one placeholder sentence.
 */
#define G_LOG_DOMAIN "hearth-managed"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>

#include "hearth-error.h"
#include "hearth-managed-private.h"

#define DEMO_NAME "demo"
/* make-model.mjs: at most 63 tokens, each used once (see its header). */
#define DEMO_SENTENCE "This is the demo model's placeholder answer. For real answers, " \
                      "install Ollama or add a server in Preferences."

/**
 * _hearth_managed_engine_script:
 *
 * Returns: (transfer full) (nullable): the engine's server.mjs
 */
char *
_hearth_managed_engine_script (void)
{
  const char *env = g_getenv ("HEARTH_DEMO_ENGINE");
  g_autofree char *source = NULL;

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_REGULAR) ? g_canonicalize_filename (env, NULL) : NULL;
  source = g_build_filename (HEARTH_SOURCE_ROOT, "tests", "engine", "server.mjs", NULL);
  return g_file_test (source, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&source) : NULL;
}

/* node's major version, once: 0 when there is none. */
static guint
node_major (char **version)
{
  static gsize once;
  static guint major;
  static char *found;

  if (g_once_init_enter (&once))
    {
      g_autofree char *out = NULL;
      int status = 0;
      const char *argv[] = { "node", "--version", NULL };

      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &out, NULL, &status, NULL) &&
          g_spawn_check_wait_status (status, NULL) && out != NULL)
        {
          found = g_strdup (g_strstrip (out));
          major = g_ascii_strtoull (found[0] == 'v' ? found + 1 : found, NULL, 10);
        }
      g_once_init_leave (&once, 1);
    }
  if (version != NULL)
    *version = g_strdup (found);
  return major;
}

static gboolean
demo_check (char   **script_out,
            GError **error)
{
  g_autofree char *script = _hearth_managed_engine_script ();
  g_autofree char *dir = NULL;
  g_autofree char *modules = NULL;
  g_autofree char *version = NULL;

  if (script == NULL)
    {
      const char *env = g_getenv ("HEARTH_DEMO_ENGINE");

      if (env != NULL && *env != '\0')
        g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                     _("HEARTH_DEMO_ENGINE names %s, which is not there: point it at the "
                       "engine's server.mjs"), env);
      else
        g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                             _("The demo needs Hearth's own engine, which is not installed here "
                               "(run Hearth from its source tree, or set HEARTH_DEMO_ENGINE to "
                               "its server.mjs)"));
      return FALSE;
    }
  dir = g_path_get_dirname (script);
  modules = g_build_filename (dir, "node_modules", "node-llama-cpp", NULL);
  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                   _("The demo's engine in %s is not set up: run “npm ci” there"), dir);
      return FALSE;
    }
  if (node_major (&version) < 20)
    {
      if (version != NULL)
        g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                     _("The demo needs Node.js 20 or newer; this computer has %s"), version);
      else
        g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                             _("The demo needs Node.js 20 or newer (there is no “node” on PATH)"));
      return FALSE;
    }
  if (script_out != NULL)
    *script_out = g_steal_pointer (&script);
  return TRUE;
}

gboolean
hearth_servers_demo_available (HearthServers  *self,
                               char          **why_not)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (HEARTH_IS_SERVERS (self), FALSE);

  if (demo_check (NULL, &error))
    return TRUE;
  if (why_not != NULL)
    *why_not = g_strdup (error->message);
  return FALSE;
}

static char *
demo_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "hearth", "demo", NULL);
}

/* In a worker: the model, made once. */
static void
make_model_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  const char *script = data;
  g_autofree char *engine_dir = g_path_get_dirname (script);
  g_autofree char *maker = g_build_filename (engine_dir, "make-model.mjs", NULL);
  g_autofree char *dir = demo_dir ();
  g_autofree char *model = g_build_filename (dir, DEMO_NAME ".gguf", NULL);
  g_autofree char *partial = g_build_filename (dir, DEMO_NAME ".gguf.part", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test (model, G_FILE_TEST_IS_REGULAR))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("The demo's folder %s could not be made: %s"), dir,
                               g_strerror (saved_errno));
      return;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, "node", maker, "--mode", "fixed", "--sentence", DEMO_SENTENCE,
                              partial, NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, cancellable, NULL, &err, &error))
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("The demo's model could not be made: %s"), error->message);
      return;
    }
  /* Whole or not at all: the engine never sees half a file. */
  if (!g_subprocess_get_successful (process) || g_rename (partial, model) != 0)
    {
      g_unlink (partial);
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("The demo's model could not be made: %s"),
                               err && *err ? g_strstrip (err) : "make-model.mjs failed");
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Only a Hearth without servers gets the demo: the one entry the
 * settings make before the list is first saved does not count. */
static gboolean
check_no_servers (HearthServers  *self,
                  GError        **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  if (!self->saved)
    return TRUE;
  for (guint i = 0; i < self->servers->len; i++)
    {
      HearthServer *server = g_ptr_array_index (self->servers, i);

      if (!hearth_server_get_demo (server))
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                                hearth_server_get_name (server));
    }
  if (names->len == 0)
    return TRUE;
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("The demo is for a Hearth without servers, and this one has %s: use them, "
                 "or remove them first"), names->str);
  return FALSE;
}

static void
model_made_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthServers *self = HEARTH_SERVERS (object);
  g_autofree char *dir = demo_dir ();
  g_autofree char *url = NULL;
  g_autofree char *quoted = g_shell_quote (g_task_get_task_data (G_TASK (result)));
  /* Kept in servers.conf: the demo starts next time without HEARTH_DEMO_ENGINE. */
  g_autofree char *command = g_strconcat ("node ", quoted, NULL);
  HearthManagedSpec spec = { .kind = HEARTH_MANAGED_ENGINE, .command = command, .models_dir = dir };
  GError *error = NULL;
  HearthServer *server;
  guint port;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if ((server = hearth_servers_lookup (self, DEMO_NAME)) != NULL && hearth_server_get_demo (server))
    {
      g_task_return_pointer (task, g_object_ref (server), g_object_unref);
      return;
    }
  if (!check_no_servers (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if ((port = _hearth_managed_free_port ()) == 0)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                               _("No free port could be found on 127.0.0.1 for the demo"));
      return;
    }
  /* Before the list is saved, its one entry is the settings' guess at
   * an Ollama that did not answer: the demo takes its place. */
  if (!self->saved && self->servers->len > 0)
    {
      guint n = self->servers->len;

      for (guint i = 0; i < n; i++)
        _hearth_servers_forget_server (self, g_ptr_array_index (self->servers, i));
      g_ptr_array_set_size (self->servers, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
    }
  url = _hearth_managed_url (HEARTH_MANAGED_ENGINE, port);
  server = _hearth_servers_add_entry (self, DEMO_NAME, url, HEARTH_API_OLLAMA, FALSE, NULL,
                                      &spec, TRUE, 0, &error);
  if (server == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (server), g_object_unref);
}

void
hearth_servers_add_demo_async (HearthServers       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;

  g_return_if_fail (HEARTH_IS_SERVERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_servers_add_demo_async);
  if (!demo_check (&script, &error) || !check_no_servers (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  worker = g_task_new (self, cancellable, model_made_cb, task);
  g_task_set_task_data (worker, g_steal_pointer (&script), g_free);
  g_task_run_in_thread (worker, make_model_thread);
}

/**
 * hearth_servers_add_demo_finish:
 *
 * Returns: (transfer full) (nullable): the "demo" server, first in the list
 */
HearthServer *
hearth_servers_add_demo_finish (HearthServers  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
