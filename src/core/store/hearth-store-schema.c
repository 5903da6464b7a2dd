/* hearth-store-schema.c — the schema and its migrations, and opening the file
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <unistd.h>

#include "hearth-store-private.h"

#define BUSY_TIMEOUT_MS   2000

/* Migrations */

typedef struct
{
  int         version;
  const char *sql;
} Migration;

static const Migration migrations[] = {
  {
    1,
    "CREATE TABLE conversations ("
    "  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  title       TEXT NOT NULL DEFAULT '',"
    "  created_ms  INTEGER NOT NULL,"
    "  updated_ms  INTEGER NOT NULL"
    ");"
    "CREATE INDEX conversations_by_update ON conversations (updated_ms);"
    "CREATE TABLE messages ("
    "  id                   INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  conversation_id      INTEGER NOT NULL"
    "                       REFERENCES conversations (id) ON DELETE CASCADE,"
    "  role                 TEXT NOT NULL,"
    "  content              TEXT NOT NULL DEFAULT '',"
    "  thinking             TEXT,"
    "  model                TEXT,"
    "  endpoint             TEXT,"
    "  api                  TEXT,"
    "  state                TEXT NOT NULL DEFAULT 'complete'"
    "                       CHECK (state IN ('complete', 'partial', 'failed', 'cancelled')),"
    "  error                TEXT,"
    "  done_reason          TEXT,"
    "  created_ms           INTEGER NOT NULL,"
    "  tokens_in            INTEGER,"
    "  tokens_out           INTEGER,"
    "  ttft_ms              REAL,"
    "  total_ms             REAL,"
    "  load_ms              REAL,"
    "  prompt_tokens_per_s  REAL,"
    "  tokens_per_s         REAL,"
    "  figures_from_server  INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX messages_by_conversation ON messages (conversation_id, id);"
    /* prefix = '3': "the"* as you type would otherwise merge every term
     * that starts with it (50 ms and more over 100,000 messages). */
    "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
    "  content, content = 'messages', content_rowid = 'id',"
    "  tokenize = 'unicode61 remove_diacritics 2', prefix = '3'"
    ");"
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);"
    "END;"
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    "  INSERT INTO messages_fts (messages_fts, rowid, content)"
    "    VALUES ('delete', old.id, old.content);"
    "END;"
    /* A streaming reply is saved every few seconds; skip the reindex when
     * only its figures or state changed. */
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages"
    "  WHEN old.content IS NOT new.content BEGIN"
    "  INSERT INTO messages_fts (messages_fts, rowid, content)"
    "    VALUES ('delete', old.id, old.content);"
    "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);"
    "END;"
    /* In the same statement as the insert, so the two cannot disagree. */
    "CREATE TRIGGER messages_touch_conversation AFTER INSERT ON messages BEGIN"
    "  UPDATE conversations SET updated_ms = max (updated_ms, new.created_ms)"
    "    WHERE id = new.conversation_id;"
    "END;"
  },
  {
    2,
    /* Request metrics over a time window read the replies by time. */
    "CREATE INDEX messages_requests_by_time ON messages (created_ms)"
    "  WHERE role = 'assistant';"
    /* What kind of failure a failed reply met, as hearth_error_get_class ()
     * names it: the outcome the metrics count. */
    "ALTER TABLE messages ADD COLUMN error_class TEXT;"
    /* The resource sampler's history: minutes (resolution_s = 60) and
     * hours (3600), averaged; *_peak keep the highest sample. */
    "CREATE TABLE resource_samples ("
    "  resolution_s        INTEGER NOT NULL,"
    "  time_ms             INTEGER NOT NULL,"
    "  n_samples           INTEGER NOT NULL,"
    "  cpu_percent         REAL,"
    "  cpu_peak            REAL,"
    "  mem_total           INTEGER,"
    "  mem_used            INTEGER,"
    "  swap_used           INTEGER,"
    "  gpu_percent         REAL,"
    "  vram_total          INTEGER,"
    "  vram_used           INTEGER,"
    "  gpu_temperature_c   REAL,"
    "  gpu_power_w         REAL,"
    "  server_cpu_percent  REAL,"
    "  server_rss          INTEGER,"
    "  PRIMARY KEY (resolution_s, time_ms)"
    ") WITHOUT ROWID;"
    /* Model benchmarks: one row per run of the prompt set. */
    "CREATE TABLE bench_runs ("
    "  id                  INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  created_ms          INTEGER NOT NULL,"
    "  model               TEXT NOT NULL,"
    "  digest              TEXT,"
    "  endpoint            TEXT NOT NULL,"
    "  api                 TEXT NOT NULL,"
    "  options             TEXT NOT NULL,"
    "  hardware            TEXT NOT NULL,"
    "  runs                INTEGER NOT NULL,"
    "  state               TEXT NOT NULL"
    "                      CHECK (state IN ('complete', 'cancelled', 'failed')),"
    "  error               TEXT,"
    "  load_ms             REAL,"
    "  ttft_p50_ms         REAL,"
    "  ttft_p95_ms         REAL,"
    "  prompt_tps_median   REAL,"
    "  prompt_tps_min      REAL,"
    "  prompt_tps_max      REAL,"
    "  decode_tps_median   REAL,"
    "  decode_tps_min      REAL,"
    "  decode_tps_max      REAL,"
    "  peak_cpu_percent    REAL,"
    "  peak_mem_used       INTEGER,"
    "  peak_vram_used      INTEGER,"
    "  previous_id         INTEGER,"
    "  change_percent      REAL,"
    "  regression          INTEGER NOT NULL DEFAULT 0,"
    "  already_loaded      INTEGER NOT NULL DEFAULT 0,"
    "  figures_from        TEXT"
    ");"
    "CREATE INDEX bench_runs_by_key ON bench_runs"
    "  (model, digest, options, hardware, created_ms);"
    /* The figures of whole past days, per model and endpoint, packed as
     * arrays of doubles (known values only): exact percentiles over months
     * of requests without reading every row again. Filled by
     * hearth-metrics-days.c on first use; a change to a reply of that day
     * forgets the day. Days are UTC days since the epoch. */
    "CREATE TABLE request_figures_days ("
    "  day           INTEGER NOT NULL,"
    "  model         TEXT,"
    "  endpoint      TEXT,"
    "  count         INTEGER NOT NULL,"
    "  successes     INTEGER NOT NULL,"
    "  failures      INTEGER NOT NULL,"
    "  ttft          BLOB,"
    "  total         BLOB,"
    "  speed         BLOB,"
    "  prompt_speed  BLOB,"
    "  load          BLOB"
    ");"
    "CREATE INDEX request_figures_days_by_day ON request_figures_days (day);"
    "CREATE TABLE request_figures_days_done (day INTEGER PRIMARY KEY);"
    "CREATE TRIGGER request_figures_forget_insert AFTER INSERT ON messages"
    "  WHEN new.role = 'assistant' BEGIN"
    "  DELETE FROM request_figures_days_done WHERE day = new.created_ms / 86400000;"
    "  DELETE FROM request_figures_days WHERE day = new.created_ms / 86400000;"
    "END;"
    "CREATE TRIGGER request_figures_forget_update AFTER UPDATE ON messages"
    "  WHEN old.role = 'assistant' OR new.role = 'assistant' BEGIN"
    "  DELETE FROM request_figures_days_done"
    "    WHERE day IN (old.created_ms / 86400000, new.created_ms / 86400000);"
    "  DELETE FROM request_figures_days"
    "    WHERE day IN (old.created_ms / 86400000, new.created_ms / 86400000);"
    "END;"
    "CREATE TRIGGER request_figures_forget_delete AFTER DELETE ON messages"
    "  WHEN old.role = 'assistant' BEGIN"
    "  DELETE FROM request_figures_days_done WHERE day = old.created_ms / 86400000;"
    "  DELETE FROM request_figures_days WHERE day = old.created_ms / 86400000;"
    "END;"
  },
  {
    3,
    /* A streaming reply is saved as the text that arrived since its last
     * save, one row a save; the message's row gets its whole text, and the
     * index its words, once, when the reply ends. A reader appends the
     * rows of a reply still streaming (or cut short by a crash) in order. */
    "CREATE TABLE message_chunks ("
    "  id          INTEGER PRIMARY KEY,"
    "  message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
    "  content     TEXT NOT NULL DEFAULT '',"
    "  thinking    TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX message_chunks_by_message ON message_chunks (message_id, id);"
  },
  {
    4,
    /* A reply answered from the response cache: its figures are the
     * cache's own time, and the metrics count it as a cache hit, never
     * as a request to the model. The packed days are made again with
     * their cache hits. */
    "ALTER TABLE messages ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE request_figures_days ADD COLUMN cache_hits INTEGER NOT NULL DEFAULT 0;"
    "DELETE FROM request_figures_days;"
    "DELETE FROM request_figures_days_done;"
  },
  {
    5,
    /* Prefix indexes of 4 and 5 characters too: a short common word typed
     * whole ("they"*, "world"*) otherwise merges the list of every message
     * that has it, at each search (3 times the time of the search over
     * 100,000 messages; bench-history). Longer words are rarer, and cheap.
     * FTS5 cannot change the option in place: the index is built again
     * from the messages, once: 25 s for the 100,000 replies of 50 to 400 words
     * of bench-history, measured with the sqlite3 shell on a busy 2-core machine. */
    "DROP TABLE messages_fts;"
    "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
    "  content, content = 'messages', content_rowid = 'id',"
    "  tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5'"
    ");"
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');"
  },
  {
    6,
    /* Alerts (src/core/alerts): the rules, the state of each rule for each
     * subject (a model, a server, or '' for the machine), and every
     * transition, kept like the resource history. Shared by every process
     * that opens the file: an acknowledgement by hearth-cli silences the
     * app's alert. alert_meta says, once, that the default rules were
     * given, so a removed default stays removed. */
    "CREATE TABLE alert_rules ("
    "  id                  INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name                TEXT NOT NULL,"
    "  metric              TEXT NOT NULL,"
    "  condition           TEXT NOT NULL,"
    "  threshold           REAL NOT NULL,"
    "  min_change_percent  REAL NOT NULL DEFAULT 0,"
    "  for_ms              INTEGER NOT NULL DEFAULT 0,"
    "  subject             TEXT,"
    "  severity            TEXT NOT NULL,"
    "  escalate_after_ms   INTEGER NOT NULL DEFAULT 0,"
    "  cooldown_ms         INTEGER NOT NULL DEFAULT 0,"
    "  channels            INTEGER NOT NULL DEFAULT 0,"
    "  webhook_url         TEXT,"
    "  enabled             INTEGER NOT NULL DEFAULT 1,"
    "  is_default          INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE alert_state ("
    "  rule_id             INTEGER NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,"
    "  subject             TEXT NOT NULL DEFAULT '',"
    "  state               TEXT NOT NULL,"
    "  severity            TEXT NOT NULL,"
    "  since_ms            INTEGER NOT NULL,"
    "  firing_since_ms     INTEGER NOT NULL DEFAULT 0,"
    "  acknowledged        INTEGER NOT NULL DEFAULT 0,"
    "  last_delivered_ms   INTEGER NOT NULL DEFAULT 0,"
    "  delivered           INTEGER NOT NULL DEFAULT 0,"
    "  value               REAL,"
    "  event_id            INTEGER,"
    "  PRIMARY KEY (rule_id, subject)"
    ");"
    "CREATE TABLE alert_events ("
    "  id                  INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  rule_id             INTEGER NOT NULL,"
    "  rule_name           TEXT NOT NULL,"
    "  metric              TEXT NOT NULL,"
    "  subject             TEXT,"
    "  state               TEXT NOT NULL,"
    "  severity            TEXT NOT NULL,"
    "  value               REAL,"
    "  threshold           REAL,"
    "  time_ms             INTEGER NOT NULL,"
    "  since_ms            INTEGER NOT NULL,"
    "  acknowledged        INTEGER NOT NULL DEFAULT 0,"
    "  deliver             INTEGER NOT NULL DEFAULT 0,"
    "  escalation          INTEGER NOT NULL DEFAULT 0,"
    "  firing_ms           INTEGER NOT NULL DEFAULT 0,"
    "  message             TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX alert_events_by_time ON alert_events (time_ms);"
    "CREATE INDEX alert_events_by_rule ON alert_events (rule_id, state);"
    "CREATE TABLE alert_meta ("
    "  key                 TEXT PRIMARY KEY,"
    "  value               TEXT"
    ");"
  },
  {
    7,
    /* Tuning (src/core/tuning): the run options each message was sent
     * with; each model's options on each machine (by digest where the
     * server gives one, '' otherwise); the user's own profiles; the
     * tuner's runs and their trials; and why Hearth preloaded a model. */
    "ALTER TABLE messages ADD COLUMN options TEXT;"
    "CREATE TABLE model_options ("
    "  model TEXT NOT NULL, digest TEXT NOT NULL DEFAULT '', machine TEXT NOT NULL,"
    "  options TEXT NOT NULL, tuned_keys INTEGER NOT NULL DEFAULT 0,"
    "  tune_run_id INTEGER NOT NULL DEFAULT 0, tuned_decode_tps REAL NOT NULL DEFAULT -1,"
    "  previous TEXT, updated_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (model, digest, machine));"
    "CREATE TABLE run_profiles ("
    "  name TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',"
    "  parent TEXT NOT NULL, options TEXT NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE tune_runs ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, digest TEXT NOT NULL DEFAULT '',"
    "  machine TEXT NOT NULL, method TEXT NOT NULL, started_ms INTEGER NOT NULL,"
    "  finished_ms INTEGER NOT NULL, cancelled INTEGER NOT NULL DEFAULT 0, baseline TEXT, best TEXT,"
    "  best_index INTEGER NOT NULL DEFAULT 0, baseline_decode_tps REAL, best_decode_tps REAL,"
    "  explanation TEXT, quantization_note TEXT, applied INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX tune_runs_by_model ON tune_runs (model, started_ms);"
    "CREATE TABLE tune_trials ("
    "  run_id INTEGER NOT NULL REFERENCES tune_runs (id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
    "  model TEXT NOT NULL, options TEXT NOT NULL, state TEXT NOT NULL, error TEXT,"
    "  decode_tps REAL, prompt_tps REAL, ttft_ms REAL, peak_ram INTEGER, peak_vram INTEGER,"
    "  size INTEGER, size_vram INTEGER, spilled INTEGER NOT NULL DEFAULT 0, best INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (run_id, idx));"
    "CREATE TABLE preloads ("
    "  model TEXT PRIMARY KEY, reason TEXT NOT NULL, keep_alive_s REAL, loaded_ms INTEGER NOT NULL);"
  },
  {
    8,
    /* Several servers (src/core/servers): which server of the user's list
     * answered each message (its name; NULL for a one-off address), the
     * server it fell back from and why, the routing rule that chose its
     * model; and the server each benchmark ran on. */
    "ALTER TABLE messages ADD COLUMN server TEXT;"
    "ALTER TABLE messages ADD COLUMN fallback_from TEXT;"
    "ALTER TABLE messages ADD COLUMN fallback_reason TEXT;"
    "ALTER TABLE messages ADD COLUMN route_rule TEXT;"
    "ALTER TABLE bench_runs ADD COLUMN server TEXT;"
  },
  {
    9,
    /* The local API gateway (src/core/gateway): a conversation's kind
     * ('api' for the one hidden conversation that holds other programs'
     * requests, never listed or searched) and the program that asked
     * (its User-Agent; NULL for Hearth's own chat). */
    "ALTER TABLE conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat';"
    "ALTER TABLE messages ADD COLUMN client TEXT;"
  },
  {
    10,
    /* Compare, ensembles and feedback (src/core/feedback): an answer that
     * is one of a set names its question, the set's method (and ensemble),
     * its role (a candidate or the judge's verdict), whether it is kept
     * (NULL outside a set; 0 not kept, 1 by the method, 2 by the user) and
     * why it won; a rating (thumbs up or down, a note) per reply, counted
     * under its question's kind. */
    "ALTER TABLE messages ADD COLUMN set_question INTEGER;"
    "ALTER TABLE messages ADD COLUMN set_method TEXT;"
    "ALTER TABLE messages ADD COLUMN set_name TEXT;"
    "ALTER TABLE messages ADD COLUMN set_role TEXT;"
    "ALTER TABLE messages ADD COLUMN pick INTEGER;"
    "ALTER TABLE messages ADD COLUMN set_reason TEXT;"
    "CREATE INDEX messages_by_set ON messages (set_question)"
    " WHERE set_question IS NOT NULL;"
    "CREATE TABLE feedback ("
    "  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,"
    "  rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),"
    "  note        TEXT,"
    "  kind        TEXT NOT NULL DEFAULT 'default',"
    "  created_ms  INTEGER NOT NULL"
    ");"
  },
};

#define LATEST_SCHEMA_VERSION (migrations[G_N_ELEMENTS (migrations) - 1].version)

/* Opening and migrating */

static gboolean
store_read_user_version (HearthStore  *self,
                         int          *version,
                         GError      **error)
{
  g_autoptr(HearthSqliteStatement) stmt = _hearth_store_statement (self, STMT_USER_VERSION, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
store_check_not_too_new (HearthStore  *self,
                         int           version,
                         GError      **error)
{
  if (version <= LATEST_SCHEMA_VERSION)
    return TRUE;
  g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_TOO_NEW,
               _("The history database %s was written by a newer version of Hearth "
                 "(schema %d, this version knows up to %d): update Hearth to open it"),
               self->path, version, LATEST_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
store_apply_migrations (HearthStore  *self,
                        int           from_version,
                        GError      **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *set_version = NULL;

      if (migrations[i].version <= from_version)
        continue;
      if (!hearth_store_exec (self, migrations[i].sql, error))
        return FALSE;
      set_version = g_strdup_printf ("PRAGMA user_version = %d", migrations[i].version);
      if (!hearth_store_exec (self, set_version, error))
        return FALSE;
    }
  return TRUE;
}

/* Another process may migrate at the same moment: the version is read again
 * inside the write transaction, which only one of them holds. */
static gboolean
store_migrate (HearthStore  *self,
               GError      **error)
{
  int version = 0;

  if (self->schema_version == LATEST_SCHEMA_VERSION)
    return TRUE;
  if (!hearth_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!store_read_user_version (self, &version, error) ||
      !store_check_not_too_new (self, version, error) ||
      !store_apply_migrations (self, version, error) ||
      !hearth_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  self->schema_version = LATEST_SCHEMA_VERSION;
  return TRUE;
}

static gboolean
store_make_parent (HearthStore  *self,
                   GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  int saved_errno;

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;

  saved_errno = errno;
  if (saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS)
    g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_READ_ONLY,
                 _("The folder of the history database %s cannot be created (%s): "
                   "check the permissions of %s"), self->path, g_strerror (saved_errno), dir);
  else
    g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                 _("The folder of the history database %s cannot be created (%s): "
                   "check the disk and try again"), self->path, g_strerror (saved_errno));
  return FALSE;
}

/* An existing history in a folder or file this user cannot write is still
 * read: the list, the conversations and search work, and a write says why
 * it cannot happen. */
static gboolean
store_is_writable (HearthStore *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  if (access (self->path, F_OK) != 0)
    return TRUE;
  return access (self->path, W_OK) == 0 && access (dir, W_OK) == 0;
}

static gboolean
store_check_current (HearthStore  *self,
                     GError      **error)
{
  if (!self->read_only || self->schema_version == LATEST_SCHEMA_VERSION)
    return TRUE;
  g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_READ_ONLY,
               _("The history database %s needs an upgrade to this version of Hearth but "
                 "cannot be written: check the permissions of %s and of its folder"),
               self->path, self->path);
  return FALSE;
}

static gboolean
store_configure (HearthStore  *self,
                 GError      **error)
{
  /* The journal mode is kept in the file: a read-only open leaves it be. */
  if (!self->read_only && !hearth_store_exec (self, "PRAGMA journal_mode = WAL;", error))
    return FALSE;
  return hearth_store_exec (self,
                            "PRAGMA synchronous = NORMAL;"
                            "PRAGMA foreign_keys = ON;"
                            /* Reads map the file instead of copying every page
                             * through read (): a tenth of the time of months of
                             * metrics. Only this user's own file is mapped. */
                            "PRAGMA mmap_size = 268435456;", error);
}

/* SQLite reads a WAL database read-only only when its -wal and -shm files
 * exist or can be created. In a folder nobody can write, and with no -wal
 * left behind, nothing can be writing the file either: it is opened as
 * immutable, which needs neither. */
static gboolean
store_needs_immutable (HearthStore *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);

  return self->read_only && access (dir, W_OK) != 0 && access (wal, F_OK) != 0;
}

static int
store_open_connection (HearthStore *self,
                       int          flags)
{
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;

  if (!store_needs_immutable (self))
    return sqlite3_open_v2 (self->path, &self->db, flags, NULL);
  escaped = g_uri_escape_string (self->path, "/", FALSE);
  uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);
  return sqlite3_open_v2 (uri, &self->db, flags | SQLITE_OPEN_URI, NULL);
}

gboolean
_hearth_store_open_db (HearthStore  *self,
                       GError      **error)
{
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc;

  if (!store_make_parent (self, error))
    return FALSE;

  self->read_only = !store_is_writable (self);
  flags |= self->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  rc = store_open_connection (self, flags);
  if (rc != SQLITE_OK)
    {
      hearth_store_set_error (self, rc, error);
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Reading the version is the first read of the file: a file that is not a
   * database fails here, at open time, not at the first write. */
  return store_read_user_version (self, &self->schema_version, error) &&
         store_check_not_too_new (self, self->schema_version, error) &&
         store_check_current (self, error) &&
         store_configure (self, error) &&
         _hearth_store_add_snippet_function (self, error) &&
         store_migrate (self, error);
}
