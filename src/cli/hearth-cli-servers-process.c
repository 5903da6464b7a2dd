/* hearth-cli-servers-process.c — how the processes of the servers Hearth runs are shown
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line per change of a process's state ("demo: running at URL (pid N)"),
 * for servers start in the foreground and serve; the table and the JSON
 * members servers list adds for them.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"

/* "Crashed 5 times…" → "crashed 5 times…": the sentence after "NAME: " */
char *
lower_first (const char *text)
{
  gunichar first = g_utf8_get_char (text);
  char buffer[8] = { 0 };

  g_unichar_to_utf8 (g_unichar_tolower (first), buffer);
  return g_strconcat (buffer, g_utf8_next_char (text), NULL);
}

/* A process's state, as a cell of the table under servers list */
static const char *
process_state_text (HearthProcessState state)
{
  switch (state)
    {
    case HEARTH_PROCESS_STARTING:
      return C_("process state", "Starting");
    case HEARTH_PROCESS_RUNNING:
      return C_("process state", "Running");
    case HEARTH_PROCESS_RESTARTING:
      return C_("process state", "Restarting");
    case HEARTH_PROCESS_FAILED:
      return C_("process state", "Failed");
    case HEARTH_PROCESS_STOPPED:
    default:
      return C_("process state", "Stopped");
    }
}

/* The process's own sentence, as a line "NAME: …"; its log named by the
 * command that prints it. */
char *
managed_state_line (HearthServer *server)
{
  const char *name = hearth_server_get_name (server);
  const char *message = hearth_server_get_process_message (server);
  HearthProcessState state = hearth_server_get_process_state (server);
  int pid = hearth_server_get_pid (server);
  g_autoptr(GString) line = g_string_new (NULL);

  /* Translators: hearth-cli's lines as the process of a server Hearth
   * runs changes state; the first %s is the server's name */
  switch (state)
    {
    case HEARTH_PROCESS_STARTING:
      if (pid > 0)
        g_string_printf (line, _("%s: starting (pid %d)"), name, pid);
      else
        g_string_printf (line, _("%s: starting"), name);
      break;
    case HEARTH_PROCESS_RUNNING:
      if (pid > 0)
        g_string_printf (line, _("%s: running at %s (pid %d)"), name,
                         hearth_server_get_url (server), pid);
      else
        g_string_printf (line, _("%s: running at %s"), name, hearth_server_get_url (server));
      break;
    case HEARTH_PROCESS_STOPPED:
      g_string_printf (line, _("%s: stopped"), name);
      break;
    case HEARTH_PROCESS_RESTARTING:
    case HEARTH_PROCESS_FAILED:
    default:
      {
        g_autofree char *lowered = lower_first (message != NULL && *message != '\0'
                                                ? message
                                                : process_state_text (state));
        g_autoptr(GString) text = g_string_new (lowered);
        g_autofree char *logs = g_strdup_printf (_("see hearth-cli servers logs %s"), name);

        while (text->len > 0 && text->str[text->len - 1] == '.')
          g_string_truncate (text, text->len - 1);
        /* Translators: the same words as in "Crashed %u times in a minute — not restarted;
         * see its log (last: %s)", which this replaces with the command that shows it */
        g_string_replace (text, _("see its log"), logs, 0);
        if (state == HEARTH_PROCESS_FAILED && strstr (text->str, logs) == NULL)
          g_string_append_printf (text, "; %s", logs);
        g_string_printf (line, "%s: %s", name, text->str);
      }
      break;
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Watching: one line per change of a managed server's process state. */

struct _ManagedWatch
{
  HearthServers *servers;
  GHashTable    *last;        /* HearthServer → last state printed + 1 */
  GPtrArray     *watched;     /* HearthServer, each with a handler */
  gboolean       to_stderr;
  GFunc          changed;     /* after each printed line */
  gpointer       changed_data;
};

static void
on_process_state (HearthServer *server,
                  GParamSpec   *pspec,
                  ManagedWatch *watch)
{
  HearthProcessState state = hearth_server_get_process_state (server);
  gpointer last = g_hash_table_lookup (watch->last, server);
  g_autofree char *line = NULL;

  if (last != NULL && GPOINTER_TO_INT (last) == (int) state + 1)
    return;
  g_hash_table_insert (watch->last, server, GINT_TO_POINTER ((int) state + 1));
  line = managed_state_line (server);
  if (watch->to_stderr)
    /* Translators: an error message (a whole sentence) after the program's name */
    g_printerr (_("hearth-cli: %s\n"), line);
  else
    g_print ("%s\n", line);
  if (watch->changed != NULL)
    watch->changed (server, watch->changed_data);
}

/**
 * managed_watch_new:
 * @server: (nullable): the one to watch; NULL: every managed server
 * @changed: (nullable): called after each line
 *
 * Prints "NAME: running at URL (pid N)" and the like as the states change
 * (to standard error with @to_stderr, for serve --json).
 */
ManagedWatch *
managed_watch_new (HearthServers *servers,
                   HearthServer  *server,
                   gboolean       to_stderr,
                   GFunc          changed,
                   gpointer       changed_data)
{
  ManagedWatch *watch = g_new0 (ManagedWatch, 1);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  watch->servers = servers;
  watch->last = g_hash_table_new (NULL, NULL);
  watch->watched = g_ptr_array_new_with_free_func (g_object_unref);
  watch->to_stderr = to_stderr;
  watch->changed = changed;
  watch->changed_data = changed_data;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) item = g_list_model_get_item (G_LIST_MODEL (servers), i);

      if ((server != NULL && item != server) ||
          hearth_server_get_managed (item) == HEARTH_MANAGED_NONE)
        continue;
      /* what it is now counts as printed: only changes are news */
      g_hash_table_insert (watch->last, item,
                           GINT_TO_POINTER ((int) hearth_server_get_process_state (item) + 1));
      g_signal_connect (item, "notify::process-state", G_CALLBACK (on_process_state), watch);
      g_ptr_array_add (watch->watched, g_object_ref (item));
    }
  return watch;
}

void
managed_watch_free (ManagedWatch *watch)
{
  if (watch == NULL)
    return;
  for (guint i = 0; i < watch->watched->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (watch->watched, i), watch);
  g_ptr_array_unref (watch->watched);
  g_hash_table_unref (watch->last);
  g_free (watch);
}

/* list */

void
servers_add_managed_json (JsonBuilder  *builder,
                          HearthServer *server)
{
  HearthManagedKind kind = hearth_server_get_managed (server);
  g_autofree char *log = NULL;
  g_autofree char *state = NULL;

  hearth_json_add_string (builder, "managed", hearth_managed_kind_to_string (kind));
  if (kind == HEARTH_MANAGED_NONE)
    return;
  log = hearth_server_get_log_path (server);
  /* lower case, as "state" is */
  state = g_ascii_strdown (hearth_process_state_to_string (hearth_server_get_process_state (server)),
                           -1);
  hearth_json_add_string (builder, "process_state", state);
  hearth_json_add_int (builder, "pid", hearth_server_get_pid (server));
  hearth_json_add_int (builder, "restarts", hearth_server_get_restarts (server));
  hearth_json_add_string (builder, "process_message", hearth_server_get_process_message (server));
  json_builder_set_member_name (builder, "keep");
  json_builder_add_boolean_value (builder, hearth_server_get_keep (server));
  json_builder_set_member_name (builder, "demo");
  json_builder_add_boolean_value (builder, hearth_server_get_demo (server));
  hearth_json_add_string (builder, "command", hearth_server_get_command (server));
  hearth_json_add_string (builder, "model_file", hearth_server_get_model_file (server));
  hearth_json_add_string (builder, "models_dir", hearth_server_get_models_dir (server));
  hearth_json_add_string (builder, "log", log);
}

static char *
format_pid (HearthServer *server)
{
  return hearth_server_get_pid (server) > 0 ? g_strdup_printf ("%d", hearth_server_get_pid (server))
                                            : g_strdup ("—");
}

/* The servers Hearth runs, under the list: kind, process state, pid,
 * restarts; then what is wrong with the ones that are not running. */
void
servers_print_managed (HearthServers *servers)
{
  GListModel *list = G_LIST_MODEL (servers);
  guint n = g_list_model_get_n_items (list);
  g_autoptr(CliTable) table = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      g_autofree char *pid = NULL;
      g_autofree char *restarts = NULL;

      if (hearth_server_get_managed (server) == HEARTH_MANAGED_NONE)
        continue;
      if (table == NULL)
        /* Translators: column headers of the table of the servers Hearth
         * runs, under hearth-cli servers list: the server's name, which
         * program it is, the state of its process, its process id, how
         * often it was restarted, whether Hearth keeps it running */
        table = cli_table_new (6, 1 << 3 | 1 << 4, C_("column header", "NAME"),
                               C_("column header", "KIND"), C_("column header", "PROCESS"),
                               C_("column header", "PID"), C_("column header", "RESTARTS"),
                               C_("column header", "KEEP"));
      pid = format_pid (server);
      restarts = g_strdup_printf ("%u", hearth_server_get_restarts (server));
      cli_table_add (table, hearth_server_get_name (server),
                     hearth_managed_kind_to_string (hearth_server_get_managed (server)),
                     process_state_text (hearth_server_get_process_state (server)), pid,
                     restarts, yes_no (hearth_server_get_keep (server)));
    }
  if (table == NULL)
    return;
  g_print ("\n%s\n", _("Run by Hearth:"));
  cli_table_print (table);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (list, i);
      HearthProcessState state = hearth_server_get_process_state (server);
      g_autofree char *line = NULL;

      if (hearth_server_get_managed (server) == HEARTH_MANAGED_NONE)
        continue;
      if (hearth_server_get_demo (server))
        g_print ("%s: %s\n", hearth_server_get_name (server), HEARTH_DEMO_LABEL);
      if (state == HEARTH_PROCESS_RESTARTING || state == HEARTH_PROCESS_FAILED)
        {
          line = managed_state_line (server);
          g_print ("%s\n", line);
        }
    }
  g_print (_("Start one with hearth-cli servers start NAME, stop it with hearth-cli servers stop "
             "NAME, read its log with hearth-cli servers logs NAME.\n"));
}
