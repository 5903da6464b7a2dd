/* hearth-cli.c — the headless Hearth: same engine, no GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"
#include "hearth-i18n.h"

typedef struct
{
  const char *name;
  int       (*run) (int    argc,
                    char **argv);
} CliCommand;

static const CliCommand commands[] = {
  { "ask",       hearth_cli_command_ask },
  { "models",    hearth_cli_command_models },
  { "pull",      hearth_cli_command_pull },
  { "show",      hearth_cli_command_show },
  { "ps",        hearth_cli_command_ps },
  { "unload",    hearth_cli_command_unload },
  { "rm",        hearth_cli_command_rm },
  { "key",       hearth_cli_command_key },
  { "history",   hearth_cli_command_history },
  { "metrics",   hearth_cli_command_metrics },
  { "cache",     hearth_cli_command_cache },
  { "hardware",  hearth_cli_command_hardware },
  { "recommend", hearth_cli_command_recommend },
  { "bench",     hearth_cli_command_bench },
  { "resources", hearth_cli_command_resources },
  { "alerts",    hearth_cli_command_alerts },
  { "monitor",   hearth_cli_command_monitor },
  { "options",   hearth_cli_command_options },
  { "profile",   hearth_cli_command_profile },
  { "tune",      hearth_cli_command_tune },
  { "preload",   hearth_cli_command_preload },
  { "servers",   hearth_cli_command_servers },
  { "routes",    hearth_cli_command_routes },
  { "serve",     hearth_cli_command_serve },
  { "compare",   hearth_cli_command_compare },
  { "ensembles", hearth_cli_command_ensembles },
  { "rate",      hearth_cli_command_rate },
  { "feedback",  hearth_cli_command_feedback },
};

/* Translators: keep the commands, options and their values as they are; translate
 * the placeholders (NAME, MODEL…) and the sentences. */
static const char *const usage =
  N_("Usage:\n"
     "  hearth-cli ask [--server NAME | --endpoint URL] [--model NAME|auto] [--system TEXT]\n"
     "                 [--conversation ID] [--temperature T] [--seed N] [--no-cache] [--json]\n"
     "                 [PROMPT | -]\n"
     "  hearth-cli ask (--ensemble NAME | --ensemble-models A,B[,C,D]\n"
     "                 --method vote|judge|first-good [--judge MODEL]) [--conversation ID]\n"
     "                 [--json] [PROMPT | -]\n"
     "  hearth-cli compare --models A,B[,C,D] [--conversation ID] [--system TEXT] [--no-cache]\n"
     "                     [--json] [PROMPT | -]\n"
     "  hearth-cli compare --pick MESSAGE_ID\n"
     "  hearth-cli ensembles list [--json] | remove NAME\n"
     "  hearth-cli ensembles add NAME --models A,B[,C,D] --method vote|judge|first-good\n"
     "                     [--judge MODEL] [--replace]\n"
     "  hearth-cli rate MESSAGE_ID up|down|clear [--note TEXT]\n"
     "  hearth-cli feedback stats [--since 30d] [--json] | routing [on|off] [--json]\n"
     "  hearth-cli feedback export --format pairs|ratings [--since 30d] [--output FILE]\n"
     "  hearth-cli models [--server NAME | --endpoint URL --api KIND] [--json]\n"
     "  hearth-cli pull MODEL [--endpoint URL]\n"
     "  hearth-cli show MODEL [--server NAME | --endpoint URL --api KIND] [--json]\n"
     "  hearth-cli ps [--server NAME | --endpoint URL --api KIND] [--json]\n"
     "  hearth-cli unload MODEL [--server NAME | --endpoint URL --api KIND]\n"
     "  hearth-cli rm MODEL [--server NAME | --endpoint URL --api KIND]\n"
     "  hearth-cli key set | delete | status [--server NAME | --endpoint URL --api KIND]\n"
     "  hearth-cli history list [--json] | show ID [--json] | search TEXT [--json]\n"
     "                     | rename ID TITLE | delete ID\n"
     "  hearth-cli metrics [--since 1h] [--model NAME] [--csv | --json]\n"
     "                     [--summary [--by model|endpoint|client]]\n"
     "  hearth-cli resources [--since 1h] [--json] | resources --now [--json]\n"
     "  hearth-cli cache stats [--redis URL] [--json] | clear\n"
     "  hearth-cli hardware [--json]\n"
     "  hearth-cli recommend [--use chat|code|reasoning] [--json]\n"
     "  hearth-cli bench [--model NAME] [--runs N] [--server NAME | --endpoint URL] [--json]\n"
     "  hearth-cli bench list [--model NAME] [--json] | bench show RUN [--json]\n"
     "  hearth-cli alerts rules [--json] | list [--json] | history [--since 24h] [--json]\n"
     "  hearth-cli alerts add --metric M (--above X | --below X | --anomaly Z | --trend SLOPE)\n"
     "                    [--for 30s] [--model NAME] [--severity warning|critical]\n"
     "                    [--cooldown 10m] [--channel notification|tray|log|webhook:URL]...\n"
     "                    [--name TEXT] [--percent P] [--escalate-after D] [--json]\n"
     "  hearth-cli alerts remove ID | enable ID | disable ID | ack ID | test ID\n"
     "  hearth-cli monitor [--interval SECONDS] [--json]\n"
     "  hearth-cli options MODEL [--set KEY=VALUE]... [--unset KEY]... [--reset] [--json]\n"
     "  hearth-cli profile list | show NAME | use NAME [--json]\n"
     "  hearth-cli profile add NAME --from fast|balanced|quality|battery [--set KEY=VALUE]...\n"
     "                     [--title TEXT] [--description TEXT] | remove NAME\n"
     "  hearth-cli tune MODEL [--budget TRIALS] [--variants] [--apply] [--json]\n"
     "  hearth-cli tune MODEL --apply-run RUN | --rollback\n"
     "  hearth-cli preload MODEL [--keep-alive 30m] [--json]\n"
     "  hearth-cli servers list [--json] | presets [--json] | test NAME [--json]\n"
     "  hearth-cli servers add NAME (URL | --url URL | --preset ID)\n"
     "                     [--api ollama|openai|anthropic] [--cloud] [--key-stdin]\n"
     "  hearth-cli servers remove NAME | enable NAME | disable NAME | default NAME\n"
     "  hearth-cli servers fallback [NAME... | --off] [--json]\n"
     "  hearth-cli servers substitute MODEL (SUBSTITUTE | --off) | substitutes [--json]\n"
     "  hearth-cli servers limits NAME [--concurrency N] [--queue-bound N]\n"
     "  hearth-cli servers add NAME --managed ollama|llama-server|engine [--model-file FILE.gguf]\n"
     "                     [--models-dir DIR] [--command CMD] [--keep] [--force]\n"
     "  hearth-cli servers start NAME [--detach] | stop NAME | logs NAME [--follow] [--lines N]\n"
     "  hearth-cli servers demo [--detach]\n"
     "  hearth-cli routes list [--json] | remove ID | reset\n"
     "  hearth-cli routes add --kind code|long-prompt|short-prompt|long-conversation|keyword\n"
     "                    [--value N|WORD] --model MODEL|@fast|@capable [--server NAME]\n"
     "                    [--position N]\n"
     "  hearth-cli serve [--listen 127.0.0.1:11435] [--server NAME]... [--redis URL]\n"
     "                   [--print-token] [--json]\n"
     "\n"
     "Run “hearth-cli COMMAND --help” for a command's options.\n"
     "\n"
     "Every command that talks to a server takes --server NAME (a server of your list,\n"
     "hearth-cli servers list) or --endpoint URL [--api ollama|openai|anthropic]; without\n"
     "either it uses the default server, the first enabled one of the list.\n"
     "\n"
     "On a terminal, control characters in what servers and the history hold (all but\n"
     "newline, tab and CRLF) are shown as \\u00XX (ESC is \\u001b) and bytes that are not\n"
     "UTF-8 as \\xHH; --raw prints them as they are, as a pipe or a file always gets them.\n"
     "\n"
     "Exit codes:\n"
     "    0  done\n"
     "    1  any other failure (the keyring, reading standard input, the hardware,\n"
     "       serve: an address it cannot listen on, such as a port in use…; servers start:\n"
     "       it could not start, or crashed too often; servers add --managed: one already runs)\n"
     "    2  usage: a bad command, option, number or text (not UTF-8, a NUL byte); servers\n"
     "       start, stop or logs of a server Hearth does not run\n"
     "    3  the server is unreachable (refused, DNS, timeout, TLS); servers test: it is down\n"
     "    4  not found: the model, the conversation, the alert rule, the profile,\n"
     "       the tuning or benchmark run, the server, the routing rule, the ensemble\n"
     "       or the message to rate or keep\n"
     "    5  a server error or a broken stream\n"
     "    6  authentication failed\n"
     "    7  still rate limited after retries\n"
     "    8  the server's API cannot do that\n"
     "    9  the history or the response cache cannot be read or written; for ask,\n"
     "       the reply was printed but could not be saved\n"
     "   10  standard output cannot be written (without a line when a pipe's reader left)\n"
     "  130  interrupted\n");

static int
run_command (int    argc,
             char **argv)
{
  const char *command;

  if (argc < 2)
    {
      g_printerr ("%s", _(usage));
      return EXIT_USAGE;
    }
  command = argv[1];
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (command, commands[i].name))
      return commands[i].run (argc, argv);
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      g_print ("%s", _(usage));
      return 0;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("hearth-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_printerr (_("hearth-cli: “%s” is not a command. Run hearth-cli --help for the commands.\n"),
              command);
  return EXIT_USAGE;
}

int
main (int    argc,
      char **argv)
{
  hearth_i18n_init ();
  g_set_prgname ("hearth-cli");
  output_init ();

  return output_finish (run_command (argc, argv));
}
