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

#define OK_REPLY "Hello from the fault server."
/* fault-server.mjs's ESCAPES_TEXT and ESCAPES_MODEL */
#define ESCAPES_TEXT "Before \033]52;c;aGFja2Vk\a clip, \033]0;pwned\a title, \033[2J clear, " \
                     "\302\23331m csi, \177 del, \r return. After"
#define ESCAPES_MODEL "evil\033]0;pwned\a\302\23331m"
/* ... as a terminal shows them */
#define ESCAPED_TEXT "Before \\u001b]52;c;aGFja2Vk\\u0007 clip, \\u001b]0;pwned\\u0007 title, " \
                     "\\u001b[2J clear, \\u009b31m csi, \\u007f del, \\u000d return. After"
#define ESCAPED_MODEL "evil\\u001b]0;pwned\\u0007\\u009b31m"

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

/* The shared fault server, and one with --escapes */

static HearthTestServer *escapes_server;

static const char *
escapes_url (void)
{
  if (escapes_server == NULL)
    {
      const char *args[] = { "--escapes", NULL };

      escapes_server = hearth_test_server_start ("fault-server.mjs", args);
    }
  return hearth_test_server_get_url (escapes_server);
}

static guint
count_conversations (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(GPtrArray) list = hearth_store_list_conversations (store, NULL);

  g_assert_nonnull (list);
  return list->len;
}

static gint64
newest_conversation (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(GPtrArray) list = hearth_store_list_conversations (store, NULL);

  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, >, 0);
  return ((HearthConversation *) g_ptr_array_index (list, 0))->id;
}

/* Asks the fault server's @model; returns the new conversation's number. */
static char *
ask_fault_server (const char *model,
                  const char *prompt)
{
  const char *args[] = { "ask", "--endpoint", hearth_test_fault_url (), "--model", model,
                         "--no-cache", prompt, NULL };
  g_autoptr(HearthTestRun) run = run_cli (TO_PIPE, TO_PIPE, NULL, args);

  g_assert_cmpint (run->exit_code, ==, 0);
  return g_strdup_printf ("%" G_GINT64_FORMAT, newest_conversation ());
}

static HearthMessage *
newest_reply (void)
{
  g_autoptr(HearthStore) store = hearth_test_open_history ();
  g_autoptr(GPtrArray) messages = hearth_store_list_messages (store, newest_conversation (), 0, 0,
                                                              NULL);

  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, >=, 2);
  return g_ptr_array_steal_index (messages, messages->len - 1);
}

static gint64
fault_requests (void)
{
  g_autofree char *stats = hearth_test_server_request (hearth_test_fault_server (), "GET",
                                                       "/_stats");
  g_autoptr(JsonNode) root = hearth_test_parse_json (stats);

  return json_object_get_int_member (json_node_get_object (root), "total");
}

/* No byte a terminal would act on: C0 but newline, DEL, C1 (U+0080 to U+009F). */
static void
assert_no_control (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\t')
        continue;
      g_assert_cmpint (*p, >=, 0x20);
      g_assert_cmpint (*p, !=, 0x7f);
      if (*p == 0xc2)
        g_assert_false (p[1] >= 0x80 && p[1] <= 0x9f);
    }
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

static gboolean
has_escape (const char *text)
{
  return strchr (text, '\033') != NULL;
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

/* 1. Terminal escapes from a server or the history are shown, not obeyed */

static void
test_escapes_ask (void)
{
  const char *args[] = { "ask", "--endpoint", NULL, "--model", "escapes", "hi", NULL, NULL };
  g_autoptr(HearthTestRun) terminal = NULL, raw = NULL, piped = NULL, json = NULL;
  g_autoptr(HearthMessage) reply = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!hearth_test_require_node ())
    return;
  args[2] = hearth_test_fault_url ();
  terminal = run_cli (TO_TERMINAL, TO_PIPE, NULL, args);
  g_assert_cmpint (terminal->exit_code, ==, 0);
  g_assert_cmpstr (terminal->err, ==, "");
  assert_no_control (terminal->out);
  /* what arrived, visible; the final newline is the terminal's */
  g_assert_cmpstr (terminal->out, ==, ESCAPED_TEXT "\n");

  /* the history keeps what the server sent */
  reply = newest_reply ();
  g_assert_cmpstr (reply->content, ==, ESCAPES_TEXT);

  /* byte for byte with --raw, and always to a pipe */
  args[6] = "--raw";
  raw = run_cli (TO_TERMINAL, TO_PIPE, NULL, args);
  g_assert_cmpint (raw->exit_code, ==, 0);
  g_assert_cmpstr (raw->out, ==, ESCAPES_TEXT "\n");
  args[6] = NULL;
  piped = run_cli (TO_PIPE, TO_PIPE, NULL, args);
  g_assert_cmpstr (piped->out, ==, ESCAPES_TEXT);

  /* JSON on a terminal is still JSON, and says the same */
  args[6] = "--json";
  json = run_cli (TO_TERMINAL, TO_PIPE, NULL, args);
  g_assert_cmpint (json->exit_code, ==, 0);
  assert_no_control (json->out);
  root = hearth_test_parse_json (json->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "content"), ==,
                   ESCAPES_TEXT);
}

static void
test_escapes_error_line (void)
{
  const char *args[] = { "ask", "--endpoint", NULL, "--model", "escapes-error", "hi", NULL };
  g_autoptr(HearthTestRun) terminal = NULL, piped = NULL;

  if (!hearth_test_require_node ())
    return;
  args[2] = hearth_test_fault_url ();
  terminal = run_cli (TO_PIPE, TO_TERMINAL, NULL, args);
  g_assert_cmpint (terminal->exit_code, ==, 5);
  hearth_test_assert_one_line (terminal->err);
  assert_no_control (terminal->err);
  g_assert_nonnull (strstr (terminal->err, "\\u001b]52;c;aGFja2Vk\\u0007 clip"));

  /* to a pipe or a log file, as it was */
  piped = run_cli (TO_PIPE, TO_PIPE, NULL, args);
  g_assert_cmpint (piped->exit_code, ==, 5);
  hearth_test_assert_one_line (piped->err);
  g_assert_true (has_escape (piped->err));
}

static void
test_escapes_models (void)
{
  const char *commands[][5] = {
    { "models", NULL },
    { "ps", NULL },
    { "show", "escapes", NULL },
    { "models", "--json", NULL },
    { "ps", "--json", NULL },
  };

  if (!hearth_test_require_node ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[8] = { 0 };
      g_autoptr(HearthTestRun) terminal = NULL, piped = NULL;
      guint n = 0;

      while (commands[i][n] != NULL)
        {
          args[n] = commands[i][n];
          n++;
        }
      args[n++] = "--endpoint";
      args[n++] = escapes_url ();
      terminal = run_cli (TO_TERMINAL, TO_PIPE, NULL, args);
      g_test_message ("%s: %s", commands[i][0], terminal->out);
      g_assert_cmpint (terminal->exit_code, ==, 0);
      assert_no_control (terminal->out);
      if (g_strv_contains (commands[i], "--json"))
        {
          g_autoptr(JsonNode) root = hearth_test_parse_json (terminal->out);
          JsonArray *array = json_node_get_array (root);
          JsonObject *last = json_array_get_object_element (array, json_array_get_length (array) - 1);

          g_assert_cmpstr (json_object_get_string_member (last, "name"), ==, ESCAPES_MODEL ":latest");
        }
      else if (!g_str_equal (commands[i][0], "show"))
        g_assert_nonnull (strstr (terminal->out, ESCAPED_MODEL));
      else
        g_assert_nonnull (strstr (terminal->out, ESCAPED_TEXT));

      piped = run_cli (TO_PIPE, TO_PIPE, NULL, args);
      g_assert_cmpint (piped->exit_code, ==, 0);
      /* JSON has its own escapes for C0; the table is as the server sent it */
      g_assert_true (g_strv_contains (commands[i], "--json") || has_escape (piped->out));
    }
}

static void
test_escapes_history (void)
{
  const char *list[] = { "history", "list", NULL };
  const char *search[] = { "history", "search", "clip", NULL };
  g_autofree char *id = NULL;
  g_autoptr(HearthTestRun) renamed = NULL;

  if (!hearth_test_require_node ())
    return;
  id = ask_fault_server ("escapes", "hi");
  {
    const char *rename[] = { "history", "rename", id, "\033]0;pwned\a title", NULL };

    renamed = run_cli (TO_PIPE, TO_PIPE, NULL, rename);
    g_assert_cmpint (renamed->exit_code, ==, 0);
  }
  {
    const char *show[] = { "history", "show", id, NULL };
    const char * const *commands[] = { list, search, show };

    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_autoptr(HearthTestRun) terminal = run_cli (TO_TERMINAL, TO_PIPE, NULL, commands[i]);
        g_autoptr(HearthTestRun) piped = run_cli (TO_PIPE, TO_PIPE, NULL, commands[i]);

        g_test_message ("history %s: %s", commands[i][1], terminal->out);
        g_assert_cmpint (terminal->exit_code, ==, 0);
        assert_no_control (terminal->out);
        g_assert_nonnull (strstr (terminal->out, "\\u001b]0;pwned\\u0007 title"));
        g_assert_true (has_escape (piped->out));
      }
  }
  /* CRLF is a line end, not a control character: CSV on a terminal is CSV */
  {
    const char *csv[] = { "metrics", "--csv", NULL };
    g_autoptr(HearthTestRun) terminal = run_cli (TO_TERMINAL, TO_PIPE, NULL, csv);

    g_assert_cmpint (terminal->exit_code, ==, 0);
    g_assert_nonnull (strstr (terminal->out, "\r\n"));
    g_assert_null (strstr (terminal->out, "\\u000d"));
  }
}

/* 7. Output that cannot be written is an error, said once */

/* @args: room for every argument and the final NULL */
static void
fill (const char **args,
      const char  *first,
      ...)
{
  va_list ap;
  guint n = 0;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    args[n++] = arg;
  va_end (ap);
  args[n] = NULL;
}

/* The fault server's slow reply, stopped as Ctrl+C stops it, what arrived kept:
 * it does not go on for 10 s writing to nobody. */
static void
assert_stopped_early (void)
{
  g_autoptr(HearthMessage) reply = newest_reply ();

  g_assert_cmpint (reply->state, ==, HEARTH_MESSAGE_CANCELLED);
  g_assert_true (g_str_has_prefix (reply->content, "t0 "));
  g_assert_null (strstr (reply->content, "t199 "));
}

static void
test_output_full_or_closed (void)
{
  const char *args[12];
  const Sink sinks[] = { TO_FULL_DISK, TO_CLOSED };
  const char *reasons[] = { "No space left on device", "Bad file descriptor" };
  g_autofree char *id = NULL;

  if (!hearth_test_require_node ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (sinks); i++)
    {
      g_autoptr(HearthTestRun) run = NULL;

      fill (args, "ask", "--endpoint", hearth_test_fault_url (), "--model", "slow",
            "where does it go?", NULL);
      run = run_cli (sinks[i], TO_PIPE, NULL, args);
      g_assert_cmpint (run->exit_code, ==, 10);
      hearth_test_assert_one_line (run->err);
      g_assert_nonnull (strstr (run->err, reasons[i]));
      assert_stopped_early ();
    }

  id = g_strdup_printf ("%" G_GINT64_FORMAT, newest_conversation ());
  {
    const char *commands[][6] = {
      { "history", "list", NULL },
      { "history", "show", id, NULL },
      { "history", "list", "--json", NULL },
      { "models", "--endpoint", hearth_test_fault_url (), NULL },
      { "cache", "stats", NULL },
      { "metrics", "--csv", NULL },
      { "--help", NULL },
      { "ask", "--help", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_autoptr(HearthTestRun) run = run_cli (TO_FULL_DISK, TO_PIPE, NULL, commands[i]);

        g_test_message ("%s %s: exit %d, %s", commands[i][0], commands[i][1], run->exit_code,
                        run->err);
        g_assert_cmpint (run->exit_code, ==, 10);
        hearth_test_assert_one_line (run->err);
        g_assert_nonnull (strstr (run->err, "Cannot write the output: No space left on device"));
      }
  }
}

/* | head -1: the reader left, which is no news to whoever closed it */
static void
test_output_reader_gone (void)
{
  const char *args[12];

  if (!hearth_test_require_node ())
    return;
  fill (args, "ask", "--endpoint", hearth_test_fault_url (), "--model", "slow", "who reads this?",
        NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HearthTestRun) run = run_cli (TO_GONE_READER, TO_PIPE, NULL, args);

      g_test_message ("%s: exit %d, %s", args[0], run->exit_code, run->err);
      g_assert_cmpint (run->exit_code, ==, 10);
      g_assert_cmpstr (run->err, ==, "");
      if (i == 0)
        assert_stopped_early ();
      fill (args, "history", "list", NULL);
    }
}

/* 2 and 6. Text that is not UTF-8, or holds a NUL, is refused before
 * anything is sent or stored; JSON is UTF-8 whatever the history holds */

typedef struct
{
  const char *input;       /* on standard input, with its length */
  gsize       input_len;
  const char *args[8];
  const char *words[3];    /* in the one-line error */
} BadText;

static void
test_bad_text (void)
{
  const char *url;
  const BadText cases[] = {
    { "bad \xff\xfe", 6, { "ask", "--model", "ok", "-" }, { "prompt on standard input", "UTF-8", "byte 5" } },
    { "before\0after", 12, { "ask", "--model", "ok", "-" }, { "standard input", "NUL", "byte 7" } },
    { NULL, 0, { "ask", "--model", "ok", "bad \xff\xfe" }, { "The prompt is", "UTF-8", "byte 5" } },
    { NULL, 0, { "ask", "--model", "ok", "bad", "\xc3" }, { "The prompt is", "UTF-8", "byte 5" } },
    { NULL, 0, { "ask", "--model", "ok", "--system", "sys\xe9me", "hi" }, { "--system", "UTF-8", "byte 4" } },
    { NULL, 0, { "ask", "--model", "o\xffk", "hi" }, { "--model", "UTF-8", "byte 2" } },
  };
  guint conversations;
  gint64 requests;

  if (!hearth_test_require_node ())
    return;
  url = hearth_test_fault_url ();
  conversations = count_conversations ();
  requests = fault_requests ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[12] = { 0 };
      g_autoptr(GBytes) input = cases[i].input ? g_bytes_new_static (cases[i].input, cases[i].input_len)
                                               : NULL;
      g_autoptr(HearthTestRun) run = NULL;
      guint n = 0;

      for (; cases[i].args[n] != NULL; n++)
        args[n] = cases[i].args[n];
      args[n++] = "--endpoint";
      args[n++] = url;
      run = run_cli (TO_PIPE, TO_PIPE, input, args);
      g_test_message ("case %u: %s", i, run->err);
      g_assert_cmpint (run->exit_code, ==, 2);
      hearth_test_assert_one_line (run->err);
      for (guint w = 0; w < G_N_ELEMENTS (cases[i].words); w++)
        g_assert_nonnull (strstr (run->err, cases[i].words[w]));
      g_assert_cmpstr (run->out, ==, "");
    }
  /* nothing was sent, nothing was stored */
  g_assert_cmpint (fault_requests (), ==, requests);
  g_assert_cmpuint (count_conversations (), ==, conversations);
}

static void
test_bad_title (void)
{
  g_autoptr(HearthTestRun) renamed = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthConversation) conversation = NULL;
  g_autofree char *id = NULL;

  if (!hearth_test_require_node ())
    return;
  id = ask_fault_server ("ok", "keep my title");
  {
    const char *rename[] = { "history", "rename", id, "new", "\xff title", NULL };

    renamed = run_cli (TO_PIPE, TO_PIPE, NULL, rename);
  }
  g_assert_cmpint (renamed->exit_code, ==, 2);
  hearth_test_assert_one_line (renamed->err);
  g_assert_nonnull (strstr (renamed->err, "The title is not valid UTF-8 (byte 5)"));
  store = hearth_test_open_history ();
  conversation = hearth_store_get_conversation (store, g_ascii_strtoll (id, NULL, 10), NULL);
  g_assert_cmpstr (conversation->title, ==, "keep my title");
}

static void
assert_utf8_json (const char * const *args)
{
  g_autoptr(HearthTestRun) run = run_cli (TO_PIPE, TO_PIPE, NULL, args);
  g_autoptr(JsonNode) root = NULL;

  g_test_message ("%s %s: %s", args[0], args[1], run->out);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_true (g_utf8_validate (run->out, -1, NULL));
  root = hearth_test_parse_json (run->out);
  /* each bad byte became U+FFFD */
  g_assert_nonnull (strstr (run->out, "\xef\xbf\xbd\xef\xbf\xbd"));
}

static void
test_json_is_utf8 (void)
{
  g_autofree char *db = hearth_store_default_path ();
  g_autofree char *id = NULL;
  g_autofree char *sql = NULL;

  if (!hearth_test_require_node ())
    return;
  id = ask_fault_server ("ok", "zebra");
  /* what an old version, another program or a damaged disk left behind */
  sql = g_strdup_printf ("UPDATE conversations SET title = CAST(x'7a656272612080ff' AS TEXT) "
                         "WHERE id = %s;"
                         "UPDATE messages SET content = CAST(x'7a6562726120c0af2073747269706573' AS TEXT),"
                         " model = CAST(x'6f6bfeff' AS TEXT) WHERE conversation_id = %s;", id, id);
  hearth_test_sqlite_run (db, sql);
  {
    const char *list[] = { "history", "list", "--json", NULL };
    const char *show[] = { "history", "show", id, "--json", NULL };
    const char *search[] = { "history", "search", "zebra", "--json", NULL };
    const char *metrics[] = { "metrics", "--json", NULL };
    const char *summary[] = { "metrics", "--summary", "--json", NULL };

    assert_utf8_json (list);
    assert_utf8_json (show);
    assert_utf8_json (search);
    assert_utf8_json (metrics);
    assert_utf8_json (summary);
  }
}

/* 9. Numbers out of range, or not numbers, are refused with the range */

static void
test_number_options (void)
{
  const char *cases[][6] = {
    { "ask", "--temperature", "nan", "0 to 2" },
    { "ask", "--temperature", "-5", "0 to 2" },
    { "ask", "--temperature", "2.5", "0 to 2" },
    { "ask", "--temperature", "inf", "0 to 2" },
    { "ask", "--temperature", "", "0 to 2" },
    { "ask", "--temperature", "0.5x", "0 to 2" },
    { "ask", "--conversation", "-1", "1 or more" },
    { "ask", "--conversation", "0", "1 or more" },
    { "ask", "--conversation", "two", "1 or more" },
    { "ask", "--seed", "-1", "0 to 2147483647" },
    { "ask", "--seed", "2147483648", "0 to 2147483647" },
    { "ask", "--timeout", "0", "1 to 86400" },
    { "ask", "--timeout", "86401", "1 to 86400" },
    { "bench", "--runs", "0", "1 to 100" },
    { "bench", "--runs", "101", "1 to 100" },
    { "history", "show", "0", "1 or more" },
    { "history", "delete", "1x", "1 or more" },
    { "history", "rename", "0", "1 or more" },
  };
  guint conversations = count_conversations ();
  gint64 requests = 0;

  if (!hearth_test_require_node ())
    return;
  requests = fault_requests ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[12];
      g_autoptr(HearthTestRun) run = NULL;

      fill (args, cases[i][0], cases[i][1], cases[i][2], "--endpoint", hearth_test_fault_url (),
            "--model", "ok", "hi", NULL);
      if (g_str_equal (cases[i][0], "history"))
        fill (args, cases[i][0], cases[i][1], cases[i][2],
              g_str_equal (cases[i][1], "rename") ? "title" : NULL, NULL);
      run = run_cli (TO_PIPE, TO_PIPE, NULL, args);
      g_test_message ("%s %s %s: %s", cases[i][0], cases[i][1], cases[i][2], run->err);
      g_assert_cmpint (run->exit_code, ==, 2);
      hearth_test_assert_one_line (run->err);
      g_assert_nonnull (strstr (run->err, cases[i][3]));
      if (g_str_has_prefix (cases[i][1], "--"))
        g_assert_nonnull (strstr (run->err, cases[i][1]));
    }
  g_assert_cmpint (fault_requests (), ==, requests);
  g_assert_cmpuint (count_conversations (), ==, conversations);

  /* the ends of a range are in it */
  {
    const char *edges[][3] = { { "--temperature", "0" }, { "--temperature", "2" },
                               { "--seed", "0" }, { "--seed", "2147483647" },
                               { "--timeout", "86400" } };

    for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
      {
        const char *args[12];
        g_autoptr(HearthTestRun) run = NULL;

        fill (args, "ask", edges[i][0], edges[i][1], "--endpoint", hearth_test_fault_url (),
              "--model", "ok", "--no-cache", "hi", NULL);
        run = run_cli (TO_PIPE, TO_PIPE, NULL, args);
        g_assert_cmpint (run->exit_code, ==, 0);
        g_assert_cmpstr (run->out, ==, OK_REPLY);
      }
  }
}

int
main (int    argc,
      char **argv)
{
  int result;

  hearth_test_init (&argc, &argv);

  g_test_add_func ("/cli-hardening/damaged-cache-one-line", test_damaged_cache_one_line);
  g_test_add_func ("/cli-hardening/exit-codes-documented", test_exit_codes_documented);
  g_test_add_func ("/cli-hardening/conversation-not-found", test_conversation_not_found);
  g_test_add_func ("/cli-hardening/escapes/ask", test_escapes_ask);
  g_test_add_func ("/cli-hardening/escapes/error-line", test_escapes_error_line);
  g_test_add_func ("/cli-hardening/escapes/models", test_escapes_models);
  g_test_add_func ("/cli-hardening/escapes/history", test_escapes_history);
  g_test_add_func ("/cli-hardening/output/full-or-closed", test_output_full_or_closed);
  g_test_add_func ("/cli-hardening/output/reader-gone", test_output_reader_gone);
  g_test_add_func ("/cli-hardening/bad-text", test_bad_text);
  g_test_add_func ("/cli-hardening/bad-title", test_bad_title);
  g_test_add_func ("/cli-hardening/json-is-utf8", test_json_is_utf8);
  g_test_add_func ("/cli-hardening/number-options", test_number_options);

  result = g_test_run ();
  g_clear_pointer (&escapes_server, hearth_test_server_stop);
  return result;
}
