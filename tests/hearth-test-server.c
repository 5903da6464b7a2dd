/* hearth-test-server.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "hearth-test-server.h"
#include "hearth-test-util.h"

struct _HearthTestServer
{
  GSubprocess *process;
  char        *url;
  char        *log_path;
};

static const char *
source_dir (void)
{
  const char *dir = g_getenv ("HEARTH_SOURCE_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static char *
engine_path (const char *name)
{
  return g_build_filename (source_dir (), "tests", "engine", name, NULL);
}

/* Loud, and counted as a skip: never a silent pass. */
static gboolean
skip_loudly (const char *reason)
{
  g_printerr ("\n*** SKIPPED: %s ***\n\n", reason);
  g_test_skip (reason);
  return FALSE;
}

gboolean
hearth_test_require_node (void)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *modules = engine_path ("node_modules/node-llama-cpp/package.json");
  g_autofree char *out = NULL;
  int status = 0;
  guint64 major = 0;

  if (node == NULL)
    return skip_loudly ("the test engine needs Node.js ≥ 20, and node is not on PATH "
                        "(build-aux/test installs it)");
  if (!g_spawn_command_line_sync ("node -p process.versions.node", &out, NULL, &status, NULL) ||
      !g_ascii_string_to_unsigned (g_strstrip (out), 10, 0, G_MAXUINT, &major, NULL) ||
      major < 20)
    {
      /* "20.1.0" does not parse whole; take the part before the first dot. */
      char *dot = out ? strchr (out, '.') : NULL;

      if (dot != NULL)
        *dot = '\0';
      if (out == NULL || !g_ascii_string_to_unsigned (out, 10, 0, G_MAXUINT, &major, NULL) ||
          major < 20)
        return skip_loudly ("the test engine needs Node.js ≥ 20");
    }
  if (!g_file_test (modules, G_FILE_TEST_EXISTS))
    return skip_loudly ("tests/engine/node_modules is missing: run tests/engine/install.sh "
                        "(build-aux/test does)");
  return TRUE;
}

/* Returns: the path of a freshly generated tiny GGUF model in the test
 * tmpdir, trained (so its metadata says) for @context tokens; 0 for the
 * generator's default. */
char *
hearth_test_make_model_with_context (const char *mode,
                                     const char *name,
                                     guint       context)
{
  g_autofree char *script = engine_path ("make-model.mjs");
  g_autofree char *dir = hearth_test_build_tmp_path ("models", NULL);
  g_autofree char *file = g_strconcat (name, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  g_mkdir_with_parents (dir, 0700);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&path);
  if (context > 0)
    {
      g_autofree char *size = g_strdup_printf ("%u", context);

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "node", script,
                                  "--mode", mode, "--context", size, path, NULL);
    }
  else
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                "node", script, "--mode", mode, path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

char *
hearth_test_make_model (const char *mode,
                        const char *name)
{
  return hearth_test_make_model_with_context (mode, name, 0);
}

/* Returns: the path of a `fixed` model @name that answers @sentence to any
 * prompt, in the folder the test engine serves: make it before the engine
 * starts (hearth_test_engine_server ()). */
char *
hearth_test_make_fixed_model (const char *name,
                              const char *sentence)
{
  g_autofree char *script = engine_path ("make-model.mjs");
  g_autofree char *dir = hearth_test_build_tmp_path ("models", NULL);
  g_autofree char *file = g_strconcat (name, ".gguf", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  g_mkdir_with_parents (dir, 0700);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "node", script,
                              "--mode", "fixed", "--sentence", sentence, path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* A server never outlives the test that started it, even one that crashed. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

HearthTestServer *
hearth_test_server_start (const char         *script,
                          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  HearthTestServer *server = g_new0 (HearthTestServer, 1);
  static guint counter;

  g_autofree char *log_name = g_strdup_printf ("server-%u.log", ++counter);

  server->log_path = hearth_test_build_tmp_path (log_name, NULL);

  g_ptr_array_add (argv, g_strdup ("node"));
  g_ptr_array_add (argv, engine_path (script));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup ("0"));
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (server->log_path));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    g_error ("%s did not start: %s", script, line ? line : "(no output)");
  server->url = g_strdup (line + strlen ("listening on "));
  g_strstrip (server->url);
  return server;
}

/* The server's process, for what it costs (bench-gateway reads its CPU time). */
GPid
hearth_test_server_get_pid (HearthTestServer *server)
{
  const char *id = g_subprocess_get_identifier (server->process);

  return id != NULL ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}

const char *
hearth_test_server_get_url (HearthTestServer *server)
{
  return server->url;
}

char *
hearth_test_server_request (HearthTestServer *server,
                            const char       *method,
                            const char       *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (server->url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read (session, message, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

char *
hearth_test_server_read_log (HearthTestServer *server)
{
  char *contents = NULL;

  if (!g_file_get_contents (server->log_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

void
hearth_test_server_stop (HearthTestServer *server)
{
  if (server == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  g_free (server->url);
  g_free (server->log_path);
  g_free (server);
}

/* One engine and one fault server per test program, started when first asked for. */
static HearthTestServer *engine_server;
static HearthTestServer *fault_server;

static void
stop_shared_servers (void)
{
  g_clear_pointer (&engine_server, hearth_test_server_stop);
  g_clear_pointer (&fault_server, hearth_test_server_stop);
}

static void
stop_at_exit (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      atexit (stop_shared_servers);
      g_once_init_leave (&registered, 1);
    }
}

/* The test engine serving the tiny models (tiny-fixed, and any other model made
 * before it starts); @extra_args go after --models and count only on the first call.
 *
 * Returns: (transfer none) */
HearthTestServer *
hearth_test_engine_server (const char * const *extra_args)
{
  if (engine_server == NULL)
    {
      g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
      g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (args, g_strdup ("--models"));
      g_ptr_array_add (args, g_path_get_dirname (fixed));
      for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
        g_ptr_array_add (args, g_strdup (extra_args[i]));
      g_ptr_array_add (args, NULL);
      stop_at_exit ();
      engine_server = hearth_test_server_start ("server.mjs", (const char * const *) args->pdata);
    }
  return engine_server;
}

const char *
hearth_test_engine_url (void)
{
  return hearth_test_server_get_url (hearth_test_engine_server (NULL));
}

/* The test engine, able to pull "tiny-pulled" (a copy of tiny-fixed) from a
 * --pull-source folder of its own; models made before it starts are served too.
 *
 * Returns: (transfer none) */
HearthTestServer *
hearth_test_engine_with_pull_source (void)
{
  g_autofree char *fixed = hearth_test_make_model ("fixed", "tiny-fixed");
  g_autofree char *pull_dir = hearth_test_build_tmp_path ("pull-source", NULL);
  g_autofree char *pullable = g_build_filename (pull_dir, "tiny-pulled.gguf", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  const char *args[] = { "--pull-source", pull_dir, NULL };

  g_mkdir_with_parents (pull_dir, 0700);
  g_assert_true (g_file_get_contents (fixed, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (pullable, contents, len, NULL));
  return hearth_test_engine_server (args);
}

/* Returns: (transfer none) */
HearthTestServer *
hearth_test_fault_server (void)
{
  if (fault_server == NULL)
    {
      stop_at_exit ();
      fault_server = hearth_test_server_start ("fault-server.mjs", NULL);
    }
  return fault_server;
}

const char *
hearth_test_fault_url (void)
{
  return hearth_test_server_get_url (hearth_test_fault_server ());
}

/* hearth-cli as a user runs it: a subprocess with its exit code and both streams. */

HearthTestRun *
hearth_test_run_cliv (const char         *stdin_text,
                      const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  HearthTestRun *run = g_new0 (HearthTestRun, 1);

  g_ptr_array_add (argv, cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->exit_code = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : 128 + g_subprocess_get_term_sig (process);
  return run;
}

HearthTestRun *
hearth_test_run_cli (const char *stdin_text,
                     const char *first_arg,
                     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return hearth_test_run_cliv (stdin_text, (const char * const *) args->pdata);
}

void
hearth_test_run_free (HearthTestRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

/* The error contract: exactly one line, "hearth-cli: <what>. <what to do>." */
void
hearth_test_assert_one_line (const char *err)
{
  g_assert_nonnull (err);
  g_assert_true (g_str_has_prefix (err, "hearth-cli: "));
  g_assert_true (g_str_has_suffix (err, ".\n"));
  /* The first line break is the last character: one line. */
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_null (strstr (err, "WARNING"));
}

/* Returns: (transfer full): the history database hearth-cli uses under the
 * test's XDG_DATA_HOME */
HearthStore *
hearth_test_open_history (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hearth_store_default_path ();
  HearthStore *store = hearth_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}
