/* hearth-managed.h — servers Hearth starts, watches and restarts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A managed server is an entry of the user's server list (HearthServers)
 * whose process Hearth runs: Ollama (`ollama serve`), llama.cpp's
 * `llama-server` with one GGUF file, or the project's own engine
 * (tests/engine/server.mjs: the demo, and the tests' stand-in for the other
 * two, started through the same code). Everything here is called by the GUI
 * and hearth-cli alike; neither spawns a process itself.
 *
 * servers.conf keys of a managed server (beside url, api, enabled…):
 *   managed=ollama|llama-server|engine
 *   command=…        the program (and leading arguments), shell-quoted; the
 *                    default is `ollama` / `llama-server` found on PATH, and
 *                    `node <engine>/server.mjs` for the engine
 *   model-file=…     llama-server (required) and engine (optional): a .gguf
 *   models-dir=…     ollama: OLLAMA_MODELS; engine: --models; unset: the program's own
 *   keep=true        left running when Hearth quits (default false)
 *   demo=true        the demo server (engine only): see below
 * The address is always http://127.0.0.1:PORT, a free port chosen when the
 * server is added and kept while it stays free (another free port is taken,
 * and saved, when something else holds it).
 *
 * How each is started (PORT from the url; N its concurrency):
 *   ollama        COMMAND serve, with OLLAMA_HOST=127.0.0.1:PORT,
 *                 OLLAMA_NUM_PARALLEL=N, OLLAMA_MODELS=models-dir when set
 *   llama-server  COMMAND --host 127.0.0.1 --port PORT --model FILE --parallel N
 *   engine        COMMAND --port PORT [--models DIR]   (the model file, when
 *                 set, is linked into DIR under its name)
 * stdout and stderr go, line by line, to the server's log file
 * ($XDG_STATE_HOME/hearth/logs/NAME.log, the last 1 MiB kept, the older
 * half dropped when it grows past that) and to HearthServers' "log-line"
 * signal (HearthServer *server, const char *line), on the main thread. The
 * process writes the file itself (a kept one outlives the Hearth that
 * started it, and a pipe would then break); every Hearth process that looks
 * after it follows the file, so "log-line" works for an adopted one too.
 * Hearth's own lines ("[hearth] 2026-12-07 15:04:05 started …", exits,
 * restarts) are in the same file.
 *
 * Supervision (in the process that started it: the app, `hearth-cli serve`,
 * or `hearth-cli servers start` in the foreground):
 *   - started, then probed every 200 ms until it answers (at most 60 s, or
 *     until it exits): STARTING → RUNNING;
 *   - it exits on its own (a non-zero code, or a signal other than SIGTERM
 *     and SIGINT): RESTARTING, started again after 1 s, 2 s, 4 s … (at most
 *     30 s); after HEARTH_MANAGED_MAX_RESTARTS restarts within a minute it
 *     is not started again: FAILED, with the reason, and the alerts engine
 *     is told (the server_up rule of its endpoint sees it down, every 5 s
 *     while it stays failed, and up once it runs again)
 *     (HEARTH_MANAGED_BACKOFF_MS replaces the 1 s, for tests); a first
 *     start (by hand) that exits before it answers is not retried: FAILED,
 *     with the last lines of its log;
 *   - exiting with code 0 or from SIGTERM/SIGINT (`hearth-cli servers stop`
 *     from another process, a system shutdown) is a stop: STOPPED, not restarted;
 *   - a running process's pid and port are kept in
 *     $XDG_RUNTIME_DIR/hearth/managed/NAME.pid, so another Hearth process
 *     finds it (`servers stop`, `servers list`, the app started later) and
 *     does not start a second one: it adopts it (watches its pid, restarts
 *     it if it dies);
 *   - hearth_servers_shutdown_managed () stops the ones not kept (SIGTERM,
 *     SIGKILL after 5 s): the app calls it on quit, the CLI on exit.
 *
 * The demo: on a machine with no server at all, the project's engine with a
 * tiny generated model ("demo", placeholder text, nothing to download) so a
 * newcomer can try Hearth. Offered only when the engine is there
 * (hearth_servers_demo_available ()); never offered as a real model; removed
 * from the list (and stopped) as soon as another server is added.
 */
#pragma once

#include <gio/gio.h>

#include "hearth-server.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_MANAGED_NONE,           /* not managed: a server the user runs */
  HEARTH_MANAGED_OLLAMA,
  HEARTH_MANAGED_LLAMA_SERVER,
  HEARTH_MANAGED_ENGINE,         /* the project's engine (demo, tests) */
} HearthManagedKind;

typedef enum
{
  HEARTH_PROCESS_STOPPED,        /* not running (never started, or stopped) */
  HEARTH_PROCESS_STARTING,       /* started, not answering yet */
  HEARTH_PROCESS_RUNNING,        /* answering */
  HEARTH_PROCESS_RESTARTING,     /* it died: waiting to start it again */
  HEARTH_PROCESS_FAILED,         /* could not start, or crashed too often: not restarted */
} HearthProcessState;

/* Restarts allowed within a minute before a crash loop is given up. */
#define HEARTH_MANAGED_MAX_RESTARTS 5

/* "ollama", "llama-server", "engine"; NULL for NONE. */
const char         *hearth_managed_kind_to_string   (HearthManagedKind   kind);
/* FALSE (and NONE) for an unknown name. */
gboolean            hearth_managed_kind_from_string (const char         *name,
                                                     HearthManagedKind  *kind);
/* "Stopped", "Starting", "Running", "Restarting", "Failed" */
const char         *hearth_process_state_to_string  (HearthProcessState  state);

/* On HearthServer. Properties (notify as they change): "managed",
 * "process-state", "pid", "restarts", "process-message". */
HearthManagedKind   hearth_server_get_managed        (HearthServer *self);
gboolean            hearth_server_get_demo           (HearthServer *self);
gboolean            hearth_server_get_keep           (HearthServer *self);
const char         *hearth_server_get_command        (HearthServer *self);  /* nullable: the default */
const char         *hearth_server_get_model_file     (HearthServer *self);  /* nullable */
const char         *hearth_server_get_models_dir     (HearthServer *self);  /* nullable */
HearthProcessState  hearth_server_get_process_state  (HearthServer *self);
int                 hearth_server_get_pid            (HearthServer *self);  /* 0: none */
/* Restarts after a crash since it was last started by hand. */
guint               hearth_server_get_restarts       (HearthServer *self);
/* One sentence for the list: "Running · pid 4242 · restarted twice",
 * "Restarting in 4 s — it exited with code 3",
 * "Crashed 5 times in a minute — not restarted; see its log",
 * "Stopped", "Not running — Start it, or turn on “Start with Hearth”". */
const char         *hearth_server_get_process_message (HearthServer *self);
/* $XDG_STATE_HOME/hearth/logs/NAME.log (may not exist yet). */
char               *hearth_server_get_log_path       (HearthServer *self);

typedef struct
{
  HearthManagedKind  kind;
  const char        *command;      /* nullable: the default for the kind */
  const char        *model_file;   /* llama-server: required */
  const char        *models_dir;   /* nullable */
  gboolean           keep;
  gboolean           force;        /* add even when one already runs (see below) */
} HearthManagedSpec;

/* Where the kind's program is: the command's first word resolved on PATH
 * (the default command when @command is NULL), or NULL with a sentence
 * that says how to install it. */
char               *hearth_managed_find_program      (HearthManagedKind   kind,
                                                      const char         *command,
                                                      GError            **error);

/* Adds a managed server on a free loopback port (api: Ollama's for ollama
 * and the engine, OpenAI's for llama-server). Refused with a sentence when
 * the program cannot be found, the model file is missing or not a GGUF
 * file. It asks no server anything (it never waits on the network): use
 * hearth_servers_add_managed_async (), which first refuses — unless
 * spec->force — when a server of that kind already answers on this
 * computer and is not in the list (HEARTH_ERROR_ALREADY_RUNNING, its
 * address in the message: "An Ollama server is already running at
 * http://127.0.0.1:11434; add it as an existing server instead"). The GUI
 * and the CLI both add through the async call. Adding any server that is
 * not the demo removes the demo (and stops it). */
HearthServer       *hearth_servers_add_managed       (HearthServers      *self,
                                                      const char         *name,
                                                      const HearthManagedSpec *spec,
                                                      GError            **error);
/* The same, after the "already running" check (find_unlisted below;
 * skipped with spec->force, and for the engine). Finish: transfer full. */
void                hearth_servers_add_managed_async  (HearthServers      *self,
                                                       const char         *name,
                                                       const HearthManagedSpec *spec,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
HearthServer       *hearth_servers_add_managed_finish (HearthServers      *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);

/* The address of a server of @kind that already answers on this computer
 * and is not in the list (Ollama: OLLAMA_HOST, else 127.0.0.1:11434;
 * llama-server: 127.0.0.1:8080), or NULL. */
void                hearth_servers_find_unlisted_async  (HearthServers      *self,
                                                         HearthManagedKind   kind,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
char               *hearth_servers_find_unlisted_finish (HearthServers      *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);

/* Starts @name (a managed server) and supervises it from this process;
 * finishes once it answers (TRUE), or when it could not be started or
 * exited before answering (FALSE, with the last lines of its log in the
 * message). Already running (here or in another process): TRUE at once. */
void                hearth_servers_start_async       (HearthServers      *self,
                                                      const char         *name,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean            hearth_servers_start_finish      (HearthServers      *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
/* Stops @name wherever it was started (SIGTERM, SIGKILL after 5 s);
 * finishes when the process is gone. Not running: TRUE. */
void                hearth_servers_stop_async        (HearthServers      *self,
                                                      const char         *name,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean            hearth_servers_stop_finish       (HearthServers      *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
/* Starts every enabled managed server that is not running (the app at
 * start-up; `hearth-cli serve`), without waiting. */
void                hearth_servers_start_managed     (HearthServers      *self);
/* Stops, and waits at most 5 s for, every server this process started and
 * that is not kept; the kept ones are left running (and adopted by the
 * next Hearth process). */
void                hearth_servers_shutdown_managed  (HearthServers      *self);
/* keep=true|false, saved. A process already running keeps the way it was
 * started (dies with Hearth, or not) until it is next started. */
gboolean            hearth_servers_set_keep          (HearthServers      *self,
                                                      const char         *name,
                                                      gboolean            keep,
                                                      GError            **error);

/* The demo: whether it can be offered here (the project's engine and node
 * are installed: HEARTH_DEMO_ENGINE names server.mjs, else the source
 * tree's tests/engine/server.mjs when Hearth runs from its build folder),
 * and adding it (the server "demo", its model generated into
 * $XDG_DATA_HOME/hearth/demo — a few seconds, in a worker). */
gboolean            hearth_servers_demo_available    (HearthServers      *self,
                                                      char              **why_not);
void                hearth_servers_add_demo_async    (HearthServers      *self,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
/* Transfer full. Refused (with why) when the list has servers other than
 * the demo; before the list is first saved, the one entry the settings
 * make (an Ollama that did not answer) gives way to it. Not started:
 * hearth_servers_start_async (self, "demo", …). */
HearthServer       *hearth_servers_add_demo_finish   (HearthServers      *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
/* The model name the demo serves, and how every surface labels it. */
#define HEARTH_DEMO_MODEL "demo"
#define HEARTH_DEMO_LABEL "Demo model — placeholder text, for trying Hearth without a server"

G_END_DECLS
