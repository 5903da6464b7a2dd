/* test-cli-managed.c — hearth-cli and the servers Hearth runs, end to end: the
 * real hearth-cli, servers.conf, the pid and log files in a temporary XDG home,
 * the real test engine as the managed program (started by the core through the
 * same code as ollama and llama-server), kill -9 and SIGTERM as a user sends them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "hearth-servers.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

#define MODEL "tiny-fixed"
/* How long a line may take before the test gives up: a bound against a hang,
 * never a figure the test checks. */
#define LINE_WAIT_S 90

static char *engine_command;   /* node <source>/tests/engine/server.mjs */
static char *models_dir;       /* holds MODEL */

/* Node and the engine are there (else the test is skipped, loudly), and the
 * folder with MODEL is made. */
static gboolean
require_engine (void)
{
  if (!hearth_test_require_node ())
    return FALSE;
  if (models_dir == NULL)
    {
      g_autofree char *model = hearth_test_make_model ("fixed", MODEL);

      models_dir = g_path_get_dirname (model);
    }
  return TRUE;
}

static void
assert_error (HearthTestRun *run,
              int            exit_code,
              const char    *word)
{
  g_test_message ("exit %d: %s%s", run->exit_code, run->out, run->err);
  g_assert_cmpint (run->exit_code, ==, exit_code);
  g_assert_cmpstr (run->out, ==, "");
  hearth_test_assert_one_line (run->err);
  if (word != NULL)
    g_assert_nonnull (strstr (run->err, word));
}

static HearthTestRun *
run_ok (HearthTestRun *run)
{
  g_test_message ("exit %d: %s%s", run->exit_code, run->out, run->err);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_null (strstr (run->err, "CRITICAL"));
  g_assert_null (strstr (run->err, "WARNING"));
  return run;
}

static void
add_engine (const char *name,
            const char *command)
{
  g_autoptr(HearthTestRun) run =
    hearth_test_run_cli (NULL, "servers", "add", name, "--managed", "engine", "--command",
                         command, "--models-dir", models_dir, NULL);

  run_ok (run);
  g_assert_nonnull (strstr (run->out, name));
  g_assert_nonnull (strstr (run->out, "servers start"));
}

static void
remove_server (const char *name)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "remove", name, NULL);

  run_ok (run);
}

/* hearth-cli with @variable set for it alone (setenv here is not thread-safe) */
static HearthTestRun *
run_cli_env (const char *variable,
             const char *value,
             const char *first_arg,
             ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  HearthTestRun *run = g_new0 (HearthTestRun, 1);
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli",
                                           NULL));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, variable, value, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->exit_code = g_subprocess_get_exit_status (process);
  return run;
}

/* servers list --json: the server called @name (a new reference) */
static JsonObject *
list_server (const char *name)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "list", "--json", NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  run_ok (run);
  root = hearth_test_parse_json (run->out);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *server = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (server, "name"), name))
        return json_object_ref (server);
    }
  g_assert_not_reached ();
}

/* Gone: no such process, or a zombie nobody has reaped yet (it runs nothing). */
static gboolean
process_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
}

/* A process's end is not instant: look again for a while, then fail. */
static void
assert_process_gone (int pid)
{
  for (guint i = 0; i < LINE_WAIT_S * 10 && !process_gone (pid); i++)
    g_usleep (100 * 1000);
  g_assert_true (process_gone (pid));
}

static gboolean
process_alive (int pid)
{
  return pid > 0 && !process_gone (pid);
}

/* hearth-cli in the background, its output read line by line as it comes */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *lines;
  GString          *seen;
} Background;

static Background *
background_start (const char *first_arg,
                  ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Background *bg = g_new0 (Background, 1);
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli",
                                           NULL));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  bg->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  bg->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bg->process));
  bg->seen = g_string_new (NULL);
  return bg;
}

typedef struct
{
  GMainLoop *loop;
  char      *line;
  gboolean   ended;
  gboolean   timed_out;
} LineWait;

static void
line_read (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  LineWait *wait = user_data;

  wait->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, NULL);
  wait->ended = wait->line == NULL;
  g_main_loop_quit (wait->loop);
}

static gboolean
line_timeout (gpointer user_data)
{
  LineWait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

/* The next line that holds @needle (every line on the way is kept in
 * bg->seen); NULL when the output ends first. */
static char *
background_wait_line (Background *bg,
                      const char *needle)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LineWait wait = { loop, NULL, FALSE, FALSE };
  guint timeout = g_timeout_add_seconds (LINE_WAIT_S, line_timeout, &wait);

  for (;;)
    {
      g_clear_pointer (&wait.line, g_free);
      g_data_input_stream_read_line_async (bg->lines, G_PRIORITY_DEFAULT, cancellable,
                                           line_read, &wait);
      g_main_loop_run (loop);
      if (wait.timed_out)
        {
          g_cancellable_cancel (cancellable);
          while (!wait.ended && wait.line == NULL)
            g_main_context_iteration (NULL, TRUE);
          g_test_message ("no line with “%s” in time; so far:\n%s", needle, bg->seen->str);
          g_assert_not_reached ();
        }
      if (wait.ended)
        break;
      g_test_message ("hearth-cli: %s", wait.line);
      g_string_append_printf (bg->seen, "%s\n", wait.line);
      if (strstr (wait.line, needle) != NULL)
        break;
    }
  g_source_remove (timeout);
  return wait.line;
}

/* Reads to the end; returns the exit code. */
static int
background_finish (Background *bg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  int code;

  while ((rest = background_wait_line (bg, "\x01")) != NULL)
    g_clear_pointer (&rest, g_free);
  g_subprocess_wait (bg->process, NULL, &error);
  g_assert_no_error (error);
  code = g_subprocess_get_if_exited (bg->process) ? g_subprocess_get_exit_status (bg->process)
                                                  : 128 + g_subprocess_get_term_sig (bg->process);
  g_object_unref (bg->lines);
  g_object_unref (bg->process);
  g_test_message ("exit %d", code);
  return code;
}

static void
background_free (Background *bg)
{
  g_string_free (bg->seen, TRUE);
  g_free (bg);
}

/* "eng: running at http://127.0.0.1:43121 (pid 4242)" → 4242 */
static int
pid_of_line (const char *line)
{
  const char *pid = strstr (line, "(pid ");
  guint64 value = 0;

  g_assert_nonnull (pid);
  value = g_ascii_strtoull (pid + strlen ("(pid "), NULL, 10);
  g_assert_cmpuint (value, >, 0);
  return (int) value;
}

static void
ask_through (const char *name)
{
  g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "ask", "--server", name, "--model",
                                                      MODEL, "Say something", NULL);

  run_ok (run);
  g_assert_cmpuint (strlen (g_strstrip (run->out)), >, 0);
}

/* add → stopped; start --detach → running, asked through; logs; stop → gone */
static void
test_detach_and_stop (void)
{
  g_autoptr(JsonObject) added = NULL, running = NULL, stopped = NULL;
  g_autoptr(HearthTestRun) start = NULL, logs = NULL, stop = NULL, again = NULL, table = NULL;
  g_autofree char *log = NULL;
  int pid;

  if (!require_engine ())
    return;
  add_engine ("eng", engine_command);

  added = list_server ("eng");
  g_assert_cmpstr (json_object_get_string_member (added, "managed"), ==, "engine");
  g_assert_cmpstr (json_object_get_string_member (added, "process_state"), ==, "stopped");
  g_assert_cmpint (json_object_get_int_member (added, "pid"), ==, 0);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (added, "url"),
                                   "http://127.0.0.1:"));

  start = run_ok (hearth_test_run_cli (NULL, "servers", "start", "eng", "--detach", NULL));
  g_assert_nonnull (strstr (start->out, "eng: running at http://127.0.0.1:"));
  g_assert_nonnull (strstr (start->out, "hearth-cli servers stop eng"));
  pid = pid_of_line (start->out);

  /* this command has ended; the server has not */
  running = list_server ("eng");
  g_assert_cmpstr (json_object_get_string_member (running, "process_state"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (running, "pid"), ==, pid);
  g_assert_cmpstr (json_object_get_string_member (running, "state"), ==, "up");
  g_assert_true (process_alive (pid));
  g_assert_false (json_object_get_boolean_member (running, "keep"));
  ask_through ("eng");
  /* started already: not a second one */
  {
    g_autoptr(HearthTestRun) again_start = run_ok (hearth_test_run_cli (NULL, "servers", "start",
                                                                        "eng", NULL));
    g_autofree char *pid_text = g_strdup_printf ("(pid %d)", pid);

    g_assert_nonnull (strstr (again_start->out, "eng is already running"));
    g_assert_nonnull (strstr (again_start->out, pid_text));
    g_assert_true (process_alive (pid));
  }

  table = run_ok (hearth_test_run_cli (NULL, "servers", "list", NULL));
  g_assert_nonnull (strstr (table->out, "Run by Hearth:"));
  {
    g_autofree char *pid_text = g_strdup_printf (" %d ", pid);
    const char *row = strstr (table->out, "\neng ");

    g_assert_nonnull (row);
    row = strstr (row + 1, "\neng ");
    g_assert_nonnull (row);
    g_assert_nonnull (strstr (row, "engine"));
    g_assert_nonnull (strstr (row, "Running"));
    g_assert_nonnull (strstr (row, pid_text));
  }

  /* its output, as the engine printed it */
  logs = run_ok (hearth_test_run_cli (NULL, "servers", "logs", "eng", NULL));
  g_assert_nonnull (strstr (logs->out, "listening on http://127.0.0.1:"));
  log = hearth_test_build_tmp_path ("state", "hearth", "logs", "eng.log", NULL);
  g_assert_true (g_file_test (log, G_FILE_TEST_EXISTS));
  {
    g_autoptr(HearthTestRun) one = run_ok (hearth_test_run_cli (NULL, "servers", "logs", "eng",
                                                                "--lines", "1", NULL));

    g_assert_cmpuint (strlen (one->out), >, 0);
    g_assert_true (strchr (one->out, '\n') == one->out + strlen (one->out) - 1);
  }

  /* started detached by one command, stopped by another */
  stop = run_ok (hearth_test_run_cli (NULL, "servers", "stop", "eng", NULL));
  g_assert_nonnull (strstr (stop->out, "eng: stopped"));
  assert_process_gone (pid);
  stopped = list_server ("eng");
  g_assert_cmpstr (json_object_get_string_member (stopped, "process_state"), ==, "stopped");
  g_assert_cmpint (json_object_get_int_member (stopped, "pid"), ==, 0);

  again = run_ok (hearth_test_run_cli (NULL, "servers", "stop", "eng", NULL));
  g_assert_nonnull (strstr (again->out, "not running"));
  remove_server ("eng");
}

/* In the foreground: kill -9 → restarted (the lines say so); SIGTERM to
 * hearth-cli → the server, not kept, stops with it. */
static void
test_foreground_restart (void)
{
  g_autofree char *first = NULL, *restarting = NULL, *second = NULL;
  g_autoptr(JsonObject) seen = NULL;
  Background *bg;
  int pid, new_pid;

  if (!require_engine ())
    return;
  add_engine ("fg", engine_command);
  bg = background_start ("servers", "start", "fg", NULL);
  first = background_wait_line (bg, "fg: running at");
  g_assert_nonnull (first);
  pid = pid_of_line (first);
  g_assert_true (process_alive (pid));

  /* another hearth-cli sees it running, with that pid */
  seen = list_server ("fg");
  g_assert_cmpstr (json_object_get_string_member (seen, "process_state"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (seen, "pid"), ==, pid);

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  restarting = background_wait_line (bg, "fg: restarting");
  g_assert_nonnull (restarting);
  second = background_wait_line (bg, "fg: running at");
  g_assert_nonnull (second);
  new_pid = pid_of_line (second);
  g_assert_cmpint (new_pid, !=, pid);
  g_assert_true (process_alive (new_pid));
  ask_through ("fg");

  g_subprocess_send_signal (bg->process, SIGTERM);
  g_assert_cmpint (background_finish (bg), ==, 0);
  g_assert_nonnull (strstr (bg->seen->str, "fg: stopped"));
  assert_process_gone (new_pid);
  background_free (bg);
  remove_server ("fg");
}

/* --keep: left running when the foreground start ends, until stopped */
static void
test_kept (void)
{
  g_autofree char *line = NULL;
  g_autoptr(JsonObject) kept = NULL;
  Background *bg;
  int pid;

  if (!require_engine ())
    return;
  {
    g_autoptr(HearthTestRun) run =
      run_ok (hearth_test_run_cli (NULL, "servers", "add", "kept", "--managed", "engine",
                                   "--command", engine_command, "--models-dir", models_dir,
                                   "--keep", NULL));

    g_assert_nonnull (strstr (run->out, "keeps running when Hearth quits"));
  }
  bg = background_start ("servers", "start", "kept", NULL);
  line = background_wait_line (bg, "kept: running at");
  g_assert_nonnull (line);
  pid = pid_of_line (line);
  g_subprocess_send_signal (bg->process, SIGTERM);
  g_assert_cmpint (background_finish (bg), ==, 0);
  g_assert_nonnull (strstr (bg->seen->str, "kept: left running"));
  g_assert_null (strstr (bg->seen->str, "kept: stopped"));
  background_free (bg);

  g_assert_true (process_alive (pid));
  kept = list_server ("kept");
  g_assert_true (json_object_get_boolean_member (kept, "keep"));
  g_assert_cmpint (json_object_get_int_member (kept, "pid"), ==, pid);
  ask_through ("kept");
  {
    g_autoptr(HearthTestRun) stop = run_ok (hearth_test_run_cli (NULL, "servers", "stop", "kept",
                                                                 NULL));
  }
  assert_process_gone (pid);
  remove_server ("kept");
}

/* The engine the first time, then a program that exits at once, again and
 * again: given up, said, exit 1. */
static void
test_crash_loop (void)
{
  g_autofree char *marker = hearth_test_build_tmp_path ("crashy-ran", NULL);
  g_autofree char *command = NULL;
  g_autofree char *first = NULL, *line = NULL;
  Background *bg;

  if (!require_engine ())
    return;
  command = g_strdup_printf ("sh -c 'if [ -e %s ]; then echo crashing; exit 3; fi; touch %s; "
                             "exec %s \"$@\"' sh", marker, marker, engine_command);
  add_engine ("crashy", command);
  bg = background_start ("servers", "start", "crashy", NULL);
  first = background_wait_line (bg, "crashy: running at");
  g_assert_nonnull (first);
  g_assert_cmpint (kill (pid_of_line (first), SIGKILL), ==, 0);
  line = background_wait_line (bg, "not restarted");
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "crashy: crashed "));
  g_assert_nonnull (strstr (line, "hearth-cli servers logs crashy"));
  g_assert_cmpint (background_finish (bg), ==, 1);
  g_assert_nonnull (strstr (bg->seen->str, "crashy: restarting"));
  background_free (bg);

  {
    g_autoptr(HearthTestRun) logs = run_ok (hearth_test_run_cli (NULL, "servers", "logs",
                                                                 "crashy", NULL));

    g_assert_nonnull (strstr (logs->out, "crashing"));
  }
  remove_server ("crashy");
}

/* Ctrl+C while it has not answered yet: stopped, exit 130 */
static void
test_interrupted_start (void)
{
  g_autofree char *line = NULL;
  Background *bg;
  int pid;

  if (!require_engine ())
    return;
  add_engine ("slow", "sh -c 'echo waiting; exec sleep 600'");
  bg = background_start ("servers", "start", "slow", NULL);
  line = background_wait_line (bg, "slow: starting (pid");
  g_assert_nonnull (line);
  pid = pid_of_line (line);
  g_subprocess_send_signal (bg->process, SIGINT);
  g_assert_cmpint (background_finish (bg), ==, 130);
  g_assert_nonnull (strstr (bg->seen->str, "Interrupted before slow answered"));
  assert_process_gone (pid);
  background_free (bg);
  remove_server ("slow");
}

/* A program that exits before it answers: it could not start, exit 1. */
static void
test_could_not_start (void)
{
  if (!require_engine ())
    return;
  add_engine ("broken", "sh -c 'echo no model here; exit 3'");
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "start", "broken",
                                                        NULL);

    g_test_message ("exit %d: %s%s", run->exit_code, run->out, run->err);
    g_assert_cmpint (run->exit_code, ==, 1);
    g_assert_nonnull (strstr (run->out, "broken: it could not start"));
    g_assert_nonnull (strstr (run->out, "no model here"));
    g_assert_nonnull (strstr (run->out, "hearth-cli servers logs broken"));
  }
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "start", "broken",
                                                        "--detach", NULL);

    assert_error (run, 1, "no model here");
  }
  remove_server ("broken");
}

static guint
count (const char *text,
       const char *needle)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

static void
append_log (const char *path,
            guint       from,
            guint       to)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *old = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &old, NULL, NULL);
  g_string_append (text, old != NULL ? old : "");
  for (guint i = from; i <= to; i++)
    g_string_append_printf (text, "line %u\n", i);
  g_file_set_contents (path, text->str, -1, &error);
  g_assert_no_error (error);
}

/* logs: the last lines, --lines, --follow as lines are written and across the
 * rotation that keeps the newer half (the test writes the file, as a server
 * run by another process would) */
static void
test_logs (void)
{
  g_autofree char *dir = hearth_test_build_tmp_path ("state", "hearth", "logs", NULL);
  g_autofree char *path = g_build_filename (dir, "logger.log", NULL);
  g_autofree char *line = NULL;
  Background *bg;

  if (!require_engine ())
    return;
  add_engine ("logger", engine_command);
  {
    g_autoptr(HearthTestRun) run = run_ok (hearth_test_run_cli (NULL, "servers", "logs",
                                                                "logger", NULL));

    g_assert_cmpstr (run->out, ==, "");
    g_assert_nonnull (strstr (run->err, "has no log yet"));
    g_assert_nonnull (strstr (run->err, "hearth-cli servers start logger"));
  }
  g_mkdir_with_parents (dir, 0700);
  append_log (path, 1, 60);
  {
    g_autoptr(HearthTestRun) all = run_ok (hearth_test_run_cli (NULL, "servers", "logs",
                                                                "logger", NULL));
    g_autoptr(HearthTestRun) three = run_ok (hearth_test_run_cli (NULL, "servers", "logs",
                                                                  "logger", "--lines", "3",
                                                                  NULL));

    /* 50 by default: 11 to 60 */
    g_assert_cmpuint (count (all->out, "\n"), ==, 50);
    g_assert_true (g_str_has_prefix (all->out, "line 11\n"));
    g_assert_true (g_str_has_suffix (all->out, "line 60\n"));
    g_assert_cmpstr (three->out, ==, "line 58\nline 59\nline 60\n");
  }

  bg = background_start ("servers", "logs", "logger", "--follow", "--lines", "2", NULL);
  g_free (background_wait_line (bg, "line 60"));
  append_log (path, 61, 61);
  g_free (background_wait_line (bg, "line 61"));
  /* rotated: the newer half, then a new line */
  {
    g_autoptr(GString) half = g_string_new (NULL);

    for (guint i = 31; i <= 62; i++)
      g_string_append_printf (half, "line %u\n", i);
    g_assert_true (g_file_set_contents (path, half->str, -1, NULL));
  }
  line = background_wait_line (bg, "line 62");
  g_assert_nonnull (line);
  g_subprocess_send_signal (bg->process, SIGTERM);
  g_assert_cmpint (background_finish (bg), ==, 0);
  /* each line once, nothing from before the last two */
  g_assert_cmpuint (count (bg->seen->str, "line 61\n"), ==, 1);
  g_assert_cmpuint (count (bg->seen->str, "line 59\n"), ==, 1);
  g_assert_cmpuint (count (bg->seen->str, "line 58\n"), ==, 0);
  g_assert_cmpuint (count (bg->seen->str, "line 31\n"), ==, 0);
  background_free (bg);
  remove_server ("logger");
}

/* serve starts the enabled servers Hearth runs, and stops them as it ends */
static void
test_serve (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *listen = NULL;
  g_autofree char *line = NULL;
  Background *bg;
  guint16 port;
  int pid;

  if (!require_engine ())
    return;
  add_engine ("served", engine_command);
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  listen = g_strdup_printf ("127.0.0.1:%u", port);
  bg = background_start ("serve", "--listen", listen, NULL);
  line = background_wait_line (bg, "served: running at");
  g_assert_nonnull (line);
  pid = pid_of_line (line);
  g_assert_true (process_alive (pid));
  ask_through ("served");
  g_subprocess_send_signal (bg->process, SIGTERM);
  g_assert_cmpint (background_finish (bg), ==, 0);
  assert_process_gone (pid);
  background_free (bg);
  remove_server ("served");
}

/* The demo, on a Hearth with no server: clearly placeholder text, asked
 * through; not offered when its engine is missing, nor once a real server
 * is there */
static void
test_demo (void)
{
  g_autofree char *source_engine = NULL;
  int pid;

  if (!require_engine ())
    return;
  {
    g_autoptr(HearthTestRun) run = run_cli_env ("HEARTH_DEMO_ENGINE", "/nonexistent/server.mjs",
                                                "servers", "demo", NULL);

    assert_error (run, 1, "The demo cannot run here");
    g_assert_nonnull (strstr (run->err, "/nonexistent/server.mjs"));
    g_assert_nonnull (strstr (run->err, "hearth-cli servers add NAME --managed ollama"));
  }
  source_engine = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), "tests", "engine",
                                    "server.mjs", NULL);
  {
    g_autoptr(HearthTestRun) run = run_cli_env ("HEARTH_DEMO_ENGINE", source_engine, "servers",
                                                "demo", "--detach", NULL);
    g_autoptr(JsonObject) demo = NULL;

    run_ok (run);
    g_assert_nonnull (strstr (run->out, "placeholder text"));
    g_assert_nonnull (strstr (run->out, HEARTH_DEMO_LABEL));
    g_assert_nonnull (strstr (run->out, "demo: running at"));
    pid = pid_of_line (strstr (run->out, "demo: running at"));
    demo = list_server ("demo");
    g_assert_true (json_object_get_boolean_member (demo, "demo"));
    g_assert_cmpstr (json_object_get_string_member (demo, "process_state"), ==, "running");
  }
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "ask", "--server", "demo",
                                                        "--model", HEARTH_DEMO_MODEL, "Hello",
                                                        NULL);

    run_ok (run);
    g_assert_nonnull (strstr (run->out, "placeholder"));
  }
  {
    g_autoptr(HearthTestRun) table = run_ok (hearth_test_run_cli (NULL, "servers", "list",
                                                                  NULL));

    g_assert_nonnull (strstr (table->out, HEARTH_DEMO_LABEL));
  }
  /* a real server: the demo goes (and stops), and is not offered again */
  {
    g_autoptr(HearthTestRun) added = run_ok (hearth_test_run_cli (NULL, "servers", "add",
                                                                  "laptop", "--url",
                                                                  "http://127.0.0.1:9", NULL));
    g_autoptr(HearthTestRun) again = run_cli_env ("HEARTH_DEMO_ENGINE", source_engine,
                                                  "servers", "demo", NULL);

    assert_process_gone (pid);
    assert_error (again, 2, "laptop");
  }
  remove_server ("laptop");
}

/* What a user gets wrong, each one line and a code */
static void
test_errors (void)
{
  g_autofree char *missing = hearth_test_build_tmp_path ("no-such-model.gguf", NULL);

  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "add", "x", "--managed", "vllm", NULL);

    assert_error (run, 2, "vllm");
  }
  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "add", "x", "--managed", "llama-server", NULL);

    assert_error (run, 2, "--model-file");
  }
  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "add", "x", "--managed", "llama-server",
                           "--model-file", missing, NULL);

    assert_error (run, 2, missing);
  }
  {
    g_autofree char *text = hearth_test_build_tmp_path ("not-a-model.gguf", NULL);
    g_autoptr(HearthTestRun) run = NULL;

    g_assert_true (g_file_set_contents (text, "not a model\n", -1, NULL));
    run = hearth_test_run_cli (NULL, "servers", "add", "x", "--managed", "llama-server",
                               "--model-file", text, "--command", "true", NULL);
    assert_error (run, 2, "not a GGUF model file");
  }
  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "add", "x", "--managed", "engine", "--url",
                           "http://127.0.0.1:9", NULL);

    assert_error (run, 2, "--managed");
  }
  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "add", "x", "--url", "http://127.0.0.1:9", "--keep",
                           NULL);

    assert_error (run, 2, "--keep");
  }
  {
    g_autoptr(HearthTestRun) added =
      hearth_test_run_cli (NULL, "servers", "add", "laptop", "--url", "http://127.0.0.1:9", NULL);
    g_autoptr(HearthTestRun) start =
      hearth_test_run_cli (NULL, "servers", "start", "laptop", NULL);
    g_autoptr(HearthTestRun) stop = hearth_test_run_cli (NULL, "servers", "stop", "laptop", NULL);
    g_autoptr(HearthTestRun) logs = hearth_test_run_cli (NULL, "servers", "logs", "laptop", NULL);

    run_ok (added);
    assert_error (start, 2, "laptop is not run by Hearth; start it on its own computer");
    assert_error (stop, 2, "not run by Hearth");
    assert_error (logs, 2, "not run by Hearth");
  }
  {
    g_autoptr(HearthTestRun) run = hearth_test_run_cli (NULL, "servers", "start", "nobody", NULL);

    assert_error (run, 4, "nobody");
  }
  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "stop", "laptop", "--detach", NULL);

    assert_error (run, 2, "--detach");
  }
  {
    g_autoptr(HearthTestRun) run =
      hearth_test_run_cli (NULL, "servers", "logs", "laptop", "--lines", "0", NULL);

    assert_error (run, 2, "--lines");
  }
  remove_server ("laptop");
}

/* An Ollama already answering, not in the list: the command to add it instead. */
static void
test_already_running (void)
{
  g_autofree char *expected = NULL;
  const char *url;

  if (!require_engine ())
    return;
  url = hearth_test_engine_url ();   /* it speaks Ollama's API */
  expected = g_strdup_printf ("hearth-cli servers add here --url %s", url);
  /* "local" is this computer's Ollama, OLLAMA_HOST's: then it is in the list */
  remove_server ("local");
  {
    g_autoptr(HearthTestRun) run = run_cli_env ("OLLAMA_HOST", url, "servers", "add", "here",
                                                "--managed", "ollama", "--command",
                                                engine_command, NULL);

    assert_error (run, 1, expected);
  }
  {
    g_autoptr(HearthTestRun) run = run_cli_env ("OLLAMA_HOST", url, "servers", "add", "here",
                                                "--managed", "ollama", "--command",
                                                engine_command, "--force", NULL);

    run_ok (run);
  }
  remove_server ("here");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *runtime = NULL;

  hearth_test_init (&argc, &argv);
  /* the pid files, away from the session's */
  runtime = hearth_test_build_tmp_path ("runtime", NULL);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  /* restarts after 50 ms, 100 ms, 200 ms…: a crash loop in seconds */
  g_setenv ("HEARTH_MANAGED_BACKOFF_MS", "50", TRUE);
  engine_command = g_strdup_printf ("node %s/tests/engine/server.mjs",
                                    g_getenv ("HEARTH_SOURCE_DIR"));

  g_test_add_func ("/cli-managed/errors", test_errors);
  g_test_add_func ("/cli-managed/detach-stop", test_detach_and_stop);
  g_test_add_func ("/cli-managed/foreground-restart", test_foreground_restart);
  g_test_add_func ("/cli-managed/kept", test_kept);
  g_test_add_func ("/cli-managed/crash-loop", test_crash_loop);
  g_test_add_func ("/cli-managed/could-not-start", test_could_not_start);
  g_test_add_func ("/cli-managed/interrupted-start", test_interrupted_start);
  g_test_add_func ("/cli-managed/already-running", test_already_running);
  g_test_add_func ("/cli-managed/logs", test_logs);
  g_test_add_func ("/cli-managed/serve", test_serve);
  /* last: from a list with no server left */
  g_test_add_func ("/cli-managed/demo", test_demo);
  return g_test_run ();
}
