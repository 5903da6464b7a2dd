/* test-cli-hardening.c — hearth-cli against hostile text, bad input, lost output and bad numbers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "hearth-store.h"
#include "hearth-test-server.h"
#include "hearth-test-util.h"

/* hearth-cli with each standard stream where a test wants it */

typedef enum
{
  TO_PIPE,
  TO_TERMINAL,      /* a real pseudo-terminal, in raw mode: the bytes as written */
  TO_FULL_DISK,     /* /dev/full */
  TO_CLOSED,        /* >&- */
  TO_GONE_READER,   /* a pipe whose reader has closed it */
} Sink;

typedef struct
{
  int      master;
  GString *text;
} TerminalReader;

static gpointer
read_terminal (gpointer data)
{
  TerminalReader *reader = data;
  char buffer[4096];
  ssize_t n;

  /* EIO once the last copy of the other side is closed */
  while ((n = read (reader->master, buffer, sizeof buffer)) > 0)
    g_string_append_len (reader->text, buffer, n);
  return NULL;
}

/* Returns: the other side of a new pseudo-terminal, opened; its master in *@master */
static int
open_terminal (int *master)
{
  struct termios raw;
  int other;

  *master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (*master, >=, 0);
  g_assert_cmpint (grantpt (*master), ==, 0);
  g_assert_cmpint (unlockpt (*master), ==, 0);
  other = open (ptsname (*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (other, >=, 0);
  g_assert_cmpint (tcgetattr (other, &raw), ==, 0);
  cfmakeraw (&raw);
  g_assert_cmpint (tcsetattr (other, TCSANOW, &raw), ==, 0);
  return other;
}

typedef struct
{
  Sink out;
  Sink err;
} Sinks;

static void
child_setup (gpointer data)
{
  const Sinks *sinks = data;

  /* This process ignores SIGPIPE (GSocket does): a user's shell does not. */
  signal (SIGPIPE, SIG_DFL);
  if (sinks->out == TO_CLOSED)
    close (STDOUT_FILENO);
}

static GSubprocessFlags
sink_flags (Sink      sink,
            gboolean  out)
{
  if (sink != TO_PIPE)
    return G_SUBPROCESS_FLAGS_NONE;
  return out ? G_SUBPROCESS_FLAGS_STDOUT_PIPE : G_SUBPROCESS_FLAGS_STDERR_PIPE;
}

/* Sets up @sink for standard output (@out) or error; a terminal's master in *@master. */
static void
attach_sink (GSubprocessLauncher *launcher,
             Sink                 sink,
             gboolean             out,
             int                 *master)
{
  int fd = -1;
  int fds[2];

  if (sink == TO_TERMINAL)
    fd = open_terminal (master);
  else if (sink == TO_FULL_DISK)
    fd = open ("/dev/full", O_WRONLY | O_CLOEXEC);
  else if (sink == TO_GONE_READER)
    {
      g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
      close (fds[0]);
      fd = fds[1];
    }
  if (fd < 0)
    return;
  if (out)
    g_subprocess_launcher_take_stdout_fd (launcher, fd);
  else
    g_subprocess_launcher_take_stderr_fd (launcher, fd);
}

static char *
bytes_to_text (GBytes *bytes)
{
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/**
 * run_cli:
 * @input: (nullable): standard input, any bytes
 *
 * hearth-cli as a user runs it, with standard output and error going to
 * @out and @err. What a terminal or a pipe received is in the run's out
 * and err, byte for byte.
 */
static HearthTestRun *
run_cli (Sink                out,
         Sink                err,
         GBytes             *input,
         const char * const *args)
{
  g_autofree char *cli = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "hearth-cli", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GError) error = NULL;
  TerminalReader readers[2] = { { -1, NULL }, { -1, NULL } };
  GThread *threads[2] = { NULL, NULL };
  Sinks sinks = { out, err };
  HearthTestRun *run = g_new0 (HearthTestRun, 1);

  g_ptr_array_add (argv, cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | sink_flags (out, TRUE) |
                                 sink_flags (err, FALSE));

    attach_sink (launcher, out, TRUE, &readers[0].master);
    attach_sink (launcher, err, FALSE, &readers[1].master);
    g_subprocess_launcher_set_child_setup (launcher, child_setup, &sinks, NULL);
    process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
    g_assert_no_error (error);
    /* the launcher closes its copies of the terminals' other sides as it goes */
  }
  for (guint i = 0; i < 2; i++)
    if (readers[i].master >= 0)
      {
        readers[i].text = g_string_new (NULL);
        threads[i] = g_thread_new ("terminal", read_terminal, &readers[i]);
      }
  if (input == NULL)
    input = empty = g_bytes_new_static ("", 0);
  g_subprocess_communicate (process, input, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, NULL);
  for (guint i = 0; i < 2; i++)
    if (threads[i] != NULL)
      {
        g_thread_join (threads[i]);
        close (readers[i].master);
      }
  run->out = readers[0].text ? g_string_free (readers[0].text, FALSE) : bytes_to_text (out_bytes);
  run->err = readers[1].text ? g_string_free (readers[1].text, FALSE) : bytes_to_text (err_bytes);
  run->exit_code = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : 128 + g_subprocess_get_term_sig (process);
  return run;
}

/* 11. A damaged cache is said in one line, by every command that opens it */
static void
test_damaged_cache_one_line (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("XDG_CACHE_HOME"), "hearth", NULL);
  g_autofree char *db = g_build_filename (dir, "cache.db", NULL);
  const char garbage[] = "not a cache at all, just some bytes that are long enough to matter";
  const char *ask[] = { "ask", "--endpoint", NULL, "--model", "ok", "--temperature", "0",
                        "hello cache", NULL };
  const char *stats[] = { "cache", "stats", NULL };
  const char * const *commands[] = { ask, stats };

  if (!hearth_test_require_node ())
    return;
  ask[2] = hearth_test_fault_url ();
  g_mkdir_with_parents (dir, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(HearthTestRun) run = NULL;

      g_assert_true (g_file_set_contents (db, garbage, sizeof garbage, NULL));
      run = run_cli (TO_PIPE, TO_PIPE, NULL, commands[i]);
      g_test_message ("%s: %s", commands[i][0], run->err);
      g_assert_cmpint (run->exit_code, ==, 0);
      hearth_test_assert_one_line (run->err);
      g_assert_nonnull (strstr (run->err, "damaged"));
      g_assert_nonnull (strstr (run->err, db));
    }
}

/* 10. Every exit code has a meaning in --help and in the README */

static char *
source_file (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("HEARTH_SOURCE_DIR"), name, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static void
test_exit_codes_documented (void)
{
  const char *args[] = { "--help", NULL };
  g_autofree char *header = source_file ("src/cli/hearth-cli-private.h");
  g_autofree char *readme = source_file ("README.md");
  g_autoptr(GRegex) defines = g_regex_new ("^#define EXIT_[A-Z_]+ +([0-9]+)", G_REGEX_MULTILINE,
                                           0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(HearthTestRun) help = run_cli (TO_PIPE, TO_PIPE, NULL, args);
  const char *cli_section = strstr (readme, "## hearth-cli");
  guint n = 0;

  g_assert_cmpint (help->exit_code, ==, 0);
  g_assert_nonnull (cli_section);
  for (g_regex_match (defines, header, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *code = g_match_info_fetch (match, 1);
      g_autofree char *help_line = g_strdup_printf ("\n%*s  ", 5, code);
      g_autofree char *readme_row = g_strdup_printf ("\n| %s | ", code);

      g_test_message ("exit code %s", code);
      g_assert_nonnull (strstr (help->out, help_line));
      g_assert_nonnull (strstr (cli_section, readme_row));
      n++;
    }
  /* 0 is "done" and needs no name in the source */
  g_assert_nonnull (strstr (help->out, "\n    0  "));
  g_assert_nonnull (strstr (cli_section, "\n| 0 | "));
  g_assert_cmpuint (n, >=, 10);
}

/* "No conversation N" is "not found", like a model */
static void
test_conversation_not_found (void)
{
  const char *commands[][8] = {
    { "history", "show", "999999", NULL },
    { "history", "delete", "999999", NULL },
    { "history", "rename", "999999", "a", "title", NULL },
    { "ask", "--conversation", "999999", "--model", "ok", "--endpoint", NULL, "hi" },
  };

  if (!hearth_test_require_node ())
    return;
  commands[3][6] = hearth_test_fault_url ();
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[9] = { 0 };
      g_autoptr(HearthTestRun) run = NULL;

      memcpy (args, commands[i], sizeof commands[i]);
      run = run_cli (TO_PIPE, TO_PIPE, NULL, args);
      g_test_message ("%s %s: %s", args[0], args[1], run->err);
      g_assert_cmpint (run->exit_code, ==, 4);
      hearth_test_assert_one_line (run->err);
      g_assert_nonnull (strstr (run->err, "999999"));
    }
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/cli-hardening/damaged-cache-one-line", test_damaged_cache_one_line);
  g_test_add_func ("/cli-hardening/exit-codes-documented", test_exit_codes_documented);
  g_test_add_func ("/cli-hardening/conversation-not-found", test_conversation_not_found);

  return g_test_run ();
}
