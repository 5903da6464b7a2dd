/* hearth-cli-private.h — what the hearth-cli commands share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n.h>

#include "hearth-alert-rule.h"
#include "hearth-bench.h"
#include "hearth-engine.h"
#include "hearth-json.h"

G_BEGIN_DECLS

/* Every code hearth-cli returns. hearth-cli --help and README.md list each
 * one, and tests/test-cli-hardening.c checks that they do. 3 to 8 come from
 * hearth_error_exit_code(). */
#define EXIT_FAILED        1    /* anything else; the error line says what */
#define EXIT_USAGE         2    /* a bad command line or input text */
#define EXIT_UNREACHABLE   3    /* the server: refused, DNS, timeout, TLS */
#define EXIT_NOT_FOUND     4    /* no such model, or no such conversation */
#define EXIT_SERVER        5    /* a server error or a broken stream */
#define EXIT_UNAUTHORIZED  6
#define EXIT_RATE_LIMITED  7    /* still, after the retries */
#define EXIT_NOT_SUPPORTED 8    /* the server's API has no such operation */
#define EXIT_DATABASE      9    /* the history or the cache cannot be read or written,
                                   or a printed reply could not be saved */
#define EXIT_OUTPUT        10   /* standard output cannot be written */
#define EXIT_INTERRUPTED   130

typedef struct
{
  GMainLoop   *loop;
  HearthReply *reply;
  GCancellable *cancellable;
  gboolean     interrupted;
  gboolean     json;
  gboolean     wrote_text;
  gboolean     ended_with_newline;
  int          exit_code;
  /* pull */
  gint64       pull_started_us;
  gint64       last_report_us;
  gint64       last_completed;
  char        *last_status;
  /* bench */
  HearthBenchResult *bench_result;
  GError      *error;
  /* an engine call's answer, for its _finish once the loop is back */
  GAsyncResult *result;
  /* ps: the engine, for why a model is loaded (borrowed) */
  HearthEngine *engine;
  /* compare, ask --ensemble: the set Ctrl+C cancels (borrowed) */
  HearthAnswerSet *set;
} Cli;

/* Options more than one command takes. */
extern char     *opt_model;
extern gboolean  opt_json;

/* hearth-cli-output.c: all text goes through output_write(); g_print() and
 * g_printerr() are routed to it. */
typedef enum
{
  OUTPUT_STDOUT,
  OUTPUT_STDERR,
} OutputStream;

void            output_init                   (void);
void            output_set_raw                (gboolean             raw);
gboolean        output_is_terminal            (OutputStream         stream);
void            output_write                  (OutputStream         stream,
                                               const char          *text,
                                               gssize               len);
void            output_control                (OutputStream         stream,
                                               const char          *sequence);
gboolean        output_failed                 (void);
gboolean        output_alert_logged_to_journal (void);
int             output_finish                 (int                  exit_code);

int             fail                          (const GError        *error);
int             exit_code_for_error           (const GError        *error);
int             usage_error                   (const char          *command,
                                               const char          *message);
gboolean        check_text                    (const char          *what,
                                               const char          *text,
                                               gsize                len,
                                               int                 *exit_code);
gboolean        parse_whole_number            (const char          *option,
                                               const char          *value,
                                               gint64               min,
                                               gint64               max,
                                               gint64              *number,
                                               GError             **error);
gboolean        parse_decimal_number          (const char          *option,
                                               const char          *value,
                                               double               min,
                                               double               max,
                                               double              *number,
                                               GError             **error);
gboolean        parse_options                 (const char          *command,
                                               const char          *parameter,
                                               const GOptionEntry  *entries,
                                               gboolean             server,
                                               int                 *argc,
                                               char              ***argv,
                                               int                 *exit_code);
gboolean        resolve_server                (GSettings           *settings,
                                               HearthApiKind       *api,
                                               char               **endpoint,
                                               GError             **error);
const char     *get_opt_server                (void);
const char     *get_opt_endpoint              (void);
const char     *get_opt_api                   (void);
HearthEngine   *open_engine                   (GSettings           *settings,
                                               HearthEngineFlags    flags,
                                               GError             **error);
HearthProvider *open_provider                 (GSettings           *settings,
                                               HearthEngineFlags    flags,
                                               HearthEngine       **engine,
                                               GError             **error);
HearthProvider *open_provider_maybe_history   (GSettings           *settings,
                                               HearthEngine       **engine,
                                               GError             **error);
void            run_loop                      (Cli                 *cli);
void            keep_result                   (GObject             *object,
                                               GAsyncResult        *result,
                                               gpointer             user_data);
void            print_json                    (JsonNode            *root);
void            print_json_text               (const char          *text);
void            print_json_list               (GPtrArray           *items,
                                               HearthJsonAddFunc    add_item);
void            print_json_object             (gpointer             item,
                                               HearthJsonAddFunc    add_item);
char           *format_time                   (gint64               ms);
char           *format_figure                 (double               value);

int             hearth_cli_command_ask        (int                  argc,
                                               char               **argv);
int             hearth_cli_command_models     (int                  argc,
                                               char               **argv);
int             hearth_cli_command_pull       (int                  argc,
                                               char               **argv);
int             hearth_cli_command_show       (int                  argc,
                                               char               **argv);
int             hearth_cli_command_ps         (int                  argc,
                                               char               **argv);
int             hearth_cli_command_unload     (int                  argc,
                                               char               **argv);
int             hearth_cli_command_rm         (int                  argc,
                                               char               **argv);
int             hearth_cli_command_key        (int                  argc,
                                               char               **argv);
int             hearth_cli_command_history    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_metrics    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_resources  (int                  argc,
                                               char               **argv);
int             hearth_cli_command_cache      (int                  argc,
                                               char               **argv);
int             hearth_cli_command_hardware   (int                  argc,
                                               char               **argv);
int             hearth_cli_command_recommend  (int                  argc,
                                               char               **argv);
int             hearth_cli_command_bench      (int                  argc,
                                               char               **argv);
int             hearth_cli_command_alerts     (int                  argc,
                                               char               **argv);
int             hearth_cli_command_monitor    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_options    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_profile    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_tune       (int                  argc,
                                               char               **argv);
int             hearth_cli_command_preload    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_servers    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_routes     (int                  argc,
                                               char               **argv);
int             hearth_cli_command_serve      (int                  argc,
                                               char               **argv);
int             hearth_cli_command_compare    (int                  argc,
                                               char               **argv);
int             hearth_cli_command_ensembles  (int                  argc,
                                               char               **argv);
int             hearth_cli_command_rate       (int                  argc,
                                               char               **argv);
int             hearth_cli_command_feedback   (int                  argc,
                                               char               **argv);

/* hearth-cli-ask.c: the prompt of ask and compare (PROMPT... or - for stdin) */
char           *read_prompt                   (int                  argc,
                                               char               **argv,
                                               int                 *exit_code);
gboolean        prompt_is_blank               (const char          *prompt);

/* hearth-cli-compare.c: what compare and ask --ensemble share */
typedef enum
{
  SET_QUIET,    /* nothing while it runs (ask --ensemble prints the winner after) */
  SET_LINES,    /* a terminal: each answer's lines as they come, after its model */
  SET_BLOCKS,   /* a pipe or a file: each answer whole as it finishes */
} SetOutput;

char          **parse_model_list              (const char          *command,
                                               const char          *option,
                                               const char          *value,
                                               int                 *exit_code);
void            run_answer_set                (Cli                 *cli,
                                               HearthAnswerSet     *set,
                                               SetOutput            output);
void            add_candidate_json            (JsonBuilder         *builder,
                                               HearthAnswerSet     *set,
                                               guint                index);
void            add_reply_figures_json        (JsonBuilder         *builder,
                                               HearthReply         *reply);
char           *describe_candidate            (HearthAnswerSet     *set,
                                               guint                index);
const char     *reply_state_nick              (HearthReply         *reply);
int             finish_answer_set             (Cli                 *cli,
                                               HearthAnswerSet     *set,
                                               gboolean             need_winner);

/* hearth-cli-ensembles.c: ask --ensemble NAME | --ensemble-models A,B --method M
 * [--judge MODEL]; @request: (transfer full) */
typedef struct
{
  const char *name;       /* --ensemble */
  const char *models;     /* --ensemble-models */
  const char *method;     /* --method */
  const char *judge;      /* --judge */
} EnsembleOptions;

gboolean        ensemble_options_given        (const EnsembleOptions *options);
int             ask_ensemble                  (HearthEngine        *engine,
                                               HearthChatRequest   *request,
                                               gint64               conversation_id,
                                               const EnsembleOptions *options);

/* hearth-cli-key.c: an API key from standard input (never argv); free it
 * with hearth_secrets_free() */
char           *read_api_key                  (GError             **error);

/* hearth-cli-servers.c: what servers and routes share */
char           *list_server_names             (HearthServers       *servers);
int             fail_unknown_server           (HearthServers       *servers,
                                               const char          *name);

/* hearth-cli-table.c: tables for people, measured in characters */
typedef struct _CliTable CliTable;
CliTable       *cli_table_new                 (guint                n_columns,
                                               guint32              right,
                                               const char          *first_header,
                                               ...);
void            cli_table_add                 (CliTable            *table,
                                               const char          *first_cell,
                                               ...);
void            cli_table_print               (CliTable            *table);
void            cli_table_free                (CliTable            *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliTable, cli_table_free)
const char     *yes_no                        (gboolean             value);
char           *pad_text                      (const char          *text,
                                               guint                width);
char           *pad_text_start                (const char          *text,
                                               guint                width);
guint           column_width                  (const char          *header,
                                               guint                width);

/* hearth-cli-servers-chain.c: servers fallback, substitute, substitutes, presets */
int             servers_fallback              (HearthServers       *servers,
                                               gboolean             off,
                                               int                  argc,
                                               char               **argv);
int             servers_substitute            (HearthServers       *servers,
                                               gboolean             off,
                                               int                  argc,
                                               char               **argv);
int             servers_substitutes           (HearthServers       *servers);
int             servers_presets               (void);

/* hearth-cli-servers-managed.c: servers Hearth runs (add --managed, start, stop,
 * logs, demo) */
typedef struct _ManagedWatch ManagedWatch;

extern const GOptionEntry servers_managed_entries[];
gboolean        servers_managed_add_wanted    (void);
gboolean        servers_managed_options_fit   (const char          *sub,
                                               int                 *exit_code);
int             servers_add_managed           (HearthServers       *servers,
                                               const char          *name);
int             servers_start                 (HearthServers       *servers,
                                               const char          *name);
int             servers_stop                  (HearthServers       *servers,
                                               const char          *name);
int             servers_logs                  (HearthServers       *servers,
                                               const char          *name);
int             servers_demo                  (HearthServers       *servers);

/* hearth-cli-servers-process.c: the processes' states as lines, list's table and JSON */
char           *lower_first                   (const char          *text);
char           *managed_state_line            (HearthServer        *server);
void            servers_add_managed_json      (JsonBuilder         *builder,
                                               HearthServer        *server);
void            servers_print_managed         (HearthServers       *servers);
ManagedWatch   *managed_watch_new             (HearthServers       *servers,
                                               HearthServer        *server,
                                               gboolean             to_stderr,
                                               GFunc                changed,
                                               gpointer             changed_data);
void            managed_watch_free            (ManagedWatch        *watch);

/* hearth-cli-servers-log.c: servers logs NAME [--follow] */
int             servers_print_log             (HearthServer        *server,
                                               guint                lines,
                                               gboolean             follow);

/* hearth-cli-bench.c: the sampler that measures a run's peaks */
HearthSampler  *start_sampler                 (HearthProvider      *provider);

/* hearth-cli-options.c: what options, tune and preload share */
HearthModelInfo *find_server_model            (Cli                 *cli,
                                               HearthProvider      *provider,
                                               const char          *name,
                                               GError             **error);
gboolean        parse_assignments             (const char          *command,
                                               char               **assignments,
                                               HearthRunOptions    *options,
                                               int                 *exit_code);
char           *format_speed_options          (const HearthRunOptions *options);

/* hearth-cli-alerts-options.c: the options of alerts, a rule made of them */
extern const GOptionEntry alerts_entries[];
gboolean        alerts_options_fit            (const char          *sub,
                                               int                 *exit_code);
HearthAlertRule *alerts_rule_from_options     (GSettings           *settings,
                                               int                 *exit_code);
gint64          alerts_get_since_ms           (void);

/* hearth-cli-alerts.c: a transition as alerts list, history and monitor print it */
void            alerts_print_event_line       (const HearthAlertEvent *event,
                                               gboolean             with_rule_id);
void            alerts_add_event_json         (JsonBuilder         *builder,
                                               HearthAlertEvent    *event);
/* How long a command about to exit waits for the alerts' webhooks */
#define ALERTS_EXIT_WAIT_S 15
void            alerts_wait_until_idle        (HearthAlerts        *alerts,
                                               guint                max_seconds);

gboolean  hearth_cli_has_session_bus (void);
gboolean  hearth_cli_app_is_running  (void);

G_END_DECLS
