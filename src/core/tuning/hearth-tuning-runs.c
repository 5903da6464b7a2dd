/* hearth-tuning-runs.c — the tuner's runs: started from a model's options,
 * stored with every trial, applied and rolled back; and the watch on real
 * use afterwards
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-metrics.h"
#include "hearth-sqlite.h"
#include "hearth-store-private.h"
#include "hearth-tune-private.h"
#include "hearth-tuning-private.h"

#define WATCH_KEY "hearth-tuning-watch"

/* ---- Starting a run ---- */

static gboolean
is_speed_key (HearthRunOptionKey key)
{
  return hearth_run_option_changes_speed (key);
}

/**
 * hearth_tuning_new_tuner:
 *
 * Returns: (transfer full): a tuner that starts from the options @model
 *   runs with now (their speed keys) and this machine's cores and memory;
 *   the context it runs with now is the minimum it keeps.
 */
HearthTuner *
hearth_tuning_new_tuner (HearthTuning   *self,
                         HearthProvider *provider,
                         const char     *model,
                         const char     *digest,
                         guint           budget,
                         gboolean        include_variants,
                         HearthSampler  *sampler)
{
  g_autoptr(HearthResolvedOptions) resolved = NULL;
  g_autoptr(HearthRunOptions) start = hearth_run_options_new ();
  g_autofree char *name = NULL;
  HearthTuneParams params = { 0 };
  HearthTuner *tuner;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  g_return_val_if_fail (HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  hearth_tuning_fill_params (self, &params);
  /* Options are kept under the server's name: "llama3.2" is "llama3.2:latest". */
  name = hearth_provider_canonical_model_name (provider, model);
  resolved = hearth_tuning_resolve (self, name != NULL ? name : model, digest,
                                    hearth_provider_get_api (provider), NULL);
  for (HearthRunOptionKey key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    if (is_speed_key (key) && hearth_run_options_is_set (resolved->options, key))
      hearth_run_options_set (start, key, hearth_run_options_get (resolved->options, key), NULL);
  params.start = start;
  params.budget = budget;
  params.include_variants = include_variants;
  if (hearth_run_options_is_set (start, HEARTH_RUN_OPTION_NUM_CTX))
    params.min_ctx = (gint64) hearth_run_options_get (start, HEARTH_RUN_OPTION_NUM_CTX);
  tuner = hearth_tuner_new (provider, model, &params, sampler);
  /* Its requests wait their turn as the engine says (its queue). */
  hearth_chat_sender_copy (G_OBJECT (self), G_OBJECT (tuner));
  return tuner;
}

/* ---- Storing runs ---- */

static HearthStore *
require_store (HearthTuning  *self,
               GError       **error)
{
  HearthStore *store = _hearth_tuning_get_store (self);

  if (store == NULL)
    {
      const char *why = _hearth_tuning_get_unavailable_reason (self);

      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
                   _("Tuning runs cannot be kept: %s"),
                   why != NULL ? why : _("there is no history"));
    }
  return store;
}

static gboolean
step_done (HearthStore   *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      hearth_store_set_error (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static void
bind_options (sqlite3_stmt           *stmt,
              const char             *name,
              const HearthRunOptions *options)
{
  char *json = options != NULL ? hearth_run_options_to_json_string (options) : NULL;

  /* Not hearth_sqlite_bind_text (): the statement keeps its own copy. */
  if (json != NULL)
    sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, name), json, -1, g_free);
  else
    sqlite3_bind_null (stmt, sqlite3_bind_parameter_index (stmt, name));
}

static void
bind_figure (sqlite3_stmt *stmt,
             const char   *name,
             double        value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (value >= 0)
    sqlite3_bind_double (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_bytes (sqlite3_stmt *stmt,
            const char   *name,
            gint64        value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (value >= 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
insert_trial (HearthStore            *store,
              gint64                  run_id,
              const char             *model,
              const HearthTuneTrial  *t,
              GError                **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT INTO tune_trials (run_id, idx, model, options, state, error, decode_tps, prompt_tps,"
    " ttft_ms, peak_ram, peak_vram, size, size_vram, spilled, best)"
    " VALUES (:run, :idx, :model, :options, :state, :error, :decode, :prompt, :ttft, :peak_ram,"
    " :peak_vram, :size, :size_vram, :spilled, :best)", error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":run", run_id);
  hearth_sqlite_bind_int64 (stmt, ":idx", t->index);
  hearth_sqlite_bind_text (stmt, ":model", t->model != NULL ? t->model : model);
  bind_options (stmt, ":options", t->options);
  if (t->options == NULL)
    hearth_sqlite_bind_text (stmt, ":options", "{}");
  hearth_sqlite_bind_text (stmt, ":state", _hearth_tune_trial_state_to_string (t->state));
  hearth_sqlite_bind_text (stmt, ":error", t->error);
  bind_figure (stmt, ":decode", t->decode_tps);
  bind_figure (stmt, ":prompt", t->prompt_tps);
  bind_figure (stmt, ":ttft", t->ttft_ms);
  bind_bytes (stmt, ":peak_ram", t->peak_ram);
  bind_bytes (stmt, ":peak_vram", t->peak_vram);
  bind_bytes (stmt, ":size", t->size);
  bind_bytes (stmt, ":size_vram", t->size_vram);
  hearth_sqlite_bind_int64 (stmt, ":spilled", t->spilled);
  hearth_sqlite_bind_int64 (stmt, ":best", t->best);
  return step_done (store, stmt, error);
}

static gboolean
insert_run (HearthStore       *store,
            HearthTuneResult  *r,
            GError           **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT INTO tune_runs (model, digest, machine, method, started_ms, finished_ms, cancelled,"
    " baseline, best, best_index, baseline_decode_tps, best_decode_tps, explanation,"
    " quantization_note, applied)"
    " VALUES (:model, :digest, :machine, :method, :started, :finished, :cancelled, :baseline,"
    " :best, :best_index, :baseline_tps, :best_tps, :explanation, :note, 0)", error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":model", r->model);
  hearth_sqlite_bind_text (stmt, ":digest", r->digest != NULL ? r->digest : "");
  hearth_sqlite_bind_text (stmt, ":machine", r->machine);
  hearth_sqlite_bind_text (stmt, ":method", r->method != NULL ? r->method : "coordinate descent");
  hearth_sqlite_bind_int64 (stmt, ":started", r->started_ms);
  hearth_sqlite_bind_int64 (stmt, ":finished", r->finished_ms);
  hearth_sqlite_bind_int64 (stmt, ":cancelled", r->cancelled);
  bind_options (stmt, ":baseline", r->baseline);
  bind_options (stmt, ":best", r->best);
  hearth_sqlite_bind_int64 (stmt, ":best_index", r->best_index);
  bind_figure (stmt, ":baseline_tps", r->baseline_decode_tps);
  bind_figure (stmt, ":best_tps", r->best_decode_tps);
  hearth_sqlite_bind_text (stmt, ":explanation", r->explanation);
  hearth_sqlite_bind_text (stmt, ":note", r->quantization_note);
  if (!step_done (store, stmt, error))
    return FALSE;
  r->run_id = sqlite3_last_insert_rowid (hearth_store_get_db (store));
  return TRUE;
}

/**
 * hearth_tuning_save_result:
 *
 * Stores @result and every trial (sets result->run_id and ->machine); a
 * result stored already is left as it is.
 */
gboolean
hearth_tuning_save_result (HearthTuning      *self,
                           HearthTuneResult  *result,
                           GError           **error)
{
  HearthStore *store;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  g_return_val_if_fail (result != NULL && result->model != NULL, FALSE);

  if (result->run_id > 0)
    return TRUE;
  store = require_store (self, error);
  if (store == NULL)
    return FALSE;
  if (result->machine == NULL)
    result->machine = g_strdup (hearth_tuning_machine_key (self));
  if (!hearth_store_begin (store, error))
    return FALSE;
  if (!insert_run (store, result, error))
    goto failed;
  for (guint i = 0; i < result->trials->len; i++)
    if (!insert_trial (store, result->run_id, result->model,
                       g_ptr_array_index (result->trials, i), error))
      goto failed;
  if (!hearth_store_commit (store, error))
    goto failed;
  return TRUE;

failed:
  hearth_store_rollback (store);
  result->run_id = 0;
  return FALSE;
}

/* ---- The watch on real use ---- */

typedef struct
{
  gint64                  run_id;     /* the applied run the window is for */
  GArray                 *window;     /* double: decode tokens/s, the newest last */
  gboolean                signalled;
  HearthTuningRegression *found;
} ModelWatch;

static void
model_watch_free (ModelWatch *watch)
{
  g_clear_pointer (&watch->window, g_array_unref);
  g_clear_pointer (&watch->found, hearth_tuning_regression_free);
  g_free (watch);
}

/* model → ModelWatch */
static GHashTable *
watches (HearthTuning *self)
{
  GHashTable *table = g_object_get_data (G_OBJECT (self), WATCH_KEY);

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) model_watch_free);
      g_object_set_data_full (G_OBJECT (self), WATCH_KEY, table,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return table;
}

static void
forget_watch (HearthTuning *self,
              const char   *model)
{
  g_hash_table_remove (watches (self), model);
}

/* ---- Apply and roll back ---- */

static gboolean
mark_applied (HearthStore  *store,
              gint64        run_id,
              GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "UPDATE tune_runs SET applied = 1 WHERE id = :id", error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_int64 (stmt, ":id", run_id);
  return step_done (store, stmt, error);
}

gboolean
hearth_tuning_apply_result (HearthTuning      *self,
                            HearthTuneResult  *result,
                            GError           **error)
{
  g_autoptr(HearthModelOptions) current = NULL;
  g_autoptr(HearthModelOptions) mo = NULL;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  if (result->best == NULL)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("Nothing to apply: no trial of %s was measured"),
                   result->model != NULL ? result->model : "the model");
      return FALSE;
    }
  if (require_store (self, error) == NULL)
    return FALSE;
  if (!hearth_tuning_save_result (self, result, error))
    return FALSE;

  current = hearth_tuning_get_model_options (self, result->model, result->digest);
  mo = g_new0 (HearthModelOptions, 1);
  /* The row the model's options are in now (set by its name alone, say),
   * so that there is one. */
  mo->model = g_strdup (current != NULL ? current->model : result->model);
  mo->digest = g_strdup (current != NULL ? current->digest : result->digest);
  mo->options = current != NULL ? hearth_run_options_copy (current->options) : hearth_run_options_new ();
  /* What the model ran with before, for Rollback (an empty set: nothing). */
  mo->previous = current != NULL ? hearth_run_options_copy (current->options) : hearth_run_options_new ();
  for (HearthRunOptionKey key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    if (is_speed_key (key) && hearth_run_options_is_set (result->best, key))
      {
        hearth_run_options_set (mo->options, key, hearth_run_options_get (result->best, key), NULL);
        mo->tuned_keys |= (guint64) 1 << key;
      }
  mo->tune_run_id = result->run_id;
  mo->tuned_decode_tps = result->best_decode_tps;
  mo->updated_ms = g_get_real_time () / 1000;
  if (!_hearth_tuning_store_model_options (self, mo, error))
    return FALSE;
  forget_watch (self, result->model);
  if (!mark_applied (_hearth_tuning_get_store (self), result->run_id, error))
    return FALSE;
  return TRUE;
}

gboolean
hearth_tuning_rollback (HearthTuning  *self,
                        const char    *model,
                        const char    *digest,
                        GError       **error)
{
  g_autoptr(HearthModelOptions) current = NULL;
  g_autoptr(HearthModelOptions) mo = NULL;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  current = hearth_tuning_get_model_options (self, model, digest);
  if (current == NULL || current->previous == NULL || current->tune_run_id == 0)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("There is nothing to roll back for %s: no tuning was applied to it on this machine"),
                   model);
      return FALSE;
    }
  mo = g_new0 (HearthModelOptions, 1);
  mo->model = g_strdup (current->model);
  mo->digest = g_strdup (current->digest);
  mo->options = hearth_run_options_copy (current->previous);
  mo->tuned_decode_tps = -1;
  mo->updated_ms = g_get_real_time () / 1000;
  if (!_hearth_tuning_store_model_options (self, mo, error))
    return FALSE;
  forget_watch (self, current->model);
  return TRUE;
}

/* ---- Reading runs back ---- */

static HearthRunOptions *
column_options (sqlite3_stmt *stmt,
                int           column)
{
  const char *json = (const char *) sqlite3_column_text (stmt, column);

  return json != NULL ? hearth_run_options_from_json_string (json, NULL) : NULL;
}

static double
column_figure (sqlite3_stmt *stmt,
               int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? -1 : sqlite3_column_double (stmt, column);
}

static gint64
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, column);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
load_trials (sqlite3           *db,
             HearthTuneResult  *r,
             GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT idx, model, options, state, error, decode_tps, prompt_tps, ttft_ms,"
                           " peak_ram, peak_vram, size, size_vram, spilled, best"
                           " FROM tune_trials WHERE run_id = ?1 ORDER BY idx",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, r->run_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthTuneTrial *t = _hearth_tune_trial_new ();

      t->index = sqlite3_column_int (stmt, 0);
      t->model = column_text (stmt, 1);
      t->options = column_options (stmt, 2);
      t->state = _hearth_tune_trial_state_from_string ((const char *) sqlite3_column_text (stmt, 3));
      t->error = column_text (stmt, 4);
      t->decode_tps = column_figure (stmt, 5);
      t->prompt_tps = column_figure (stmt, 6);
      t->ttft_ms = column_figure (stmt, 7);
      t->peak_ram = column_bytes (stmt, 8);
      t->peak_vram = column_bytes (stmt, 9);
      t->size = column_bytes (stmt, 10);
      t->size_vram = column_bytes (stmt, 11);
      t->spilled = sqlite3_column_int (stmt, 12) != 0;
      t->best = sqlite3_column_int (stmt, 13) != 0;
      g_ptr_array_add (r->trials, t);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  sqlite3_finalize (stmt);
  return TRUE;

failed:
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
               _("The tuning runs in the history cannot be read: %s"), hearth_sqlite_describe (db, rc));
  sqlite3_finalize (stmt);
  return FALSE;
}

/* The runs of @model (every model when NULL) on @machine, newest first;
 * @limit 0: all. */
static GPtrArray *
load_runs (sqlite3     *db,
           const char  *machine,
           const char  *model,
           guint        limit,
           GError     **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_tune_result_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT id, model, digest, machine, method, started_ms, finished_ms, cancelled,"
                           " baseline, best, best_index, baseline_decode_tps, best_decode_tps,"
                           " explanation, quantization_note"
                           " FROM tune_runs WHERE machine = ?1 AND (?2 IS NULL OR model = ?2)"
                           " ORDER BY started_ms DESC, id DESC LIMIT ?3",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto failed;
  sqlite3_bind_text (stmt, 1, machine, -1, SQLITE_TRANSIENT);
  if (model != NULL)
    sqlite3_bind_text (stmt, 2, model, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthTuneResult *r = _hearth_tune_result_new ();
      const char *digest = (const char *) sqlite3_column_text (stmt, 2);

      r->run_id = sqlite3_column_int64 (stmt, 0);
      r->model = column_text (stmt, 1);
      r->digest = digest != NULL && *digest != '\0' ? g_strdup (digest) : NULL;
      r->machine = column_text (stmt, 3);
      r->method = column_text (stmt, 4);
      r->started_ms = sqlite3_column_int64 (stmt, 5);
      r->finished_ms = sqlite3_column_int64 (stmt, 6);
      r->cancelled = sqlite3_column_int (stmt, 7) != 0;
      r->baseline = column_options (stmt, 8);
      r->best = column_options (stmt, 9);
      r->best_index = sqlite3_column_int (stmt, 10);
      r->baseline_decode_tps = column_figure (stmt, 11);
      r->best_decode_tps = column_figure (stmt, 12);
      r->explanation = column_text (stmt, 13);
      r->quantization_note = column_text (stmt, 14);
      g_ptr_array_add (runs, r);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  sqlite3_finalize (stmt);
  for (guint i = 0; i < runs->len; i++)
    if (!load_trials (db, g_ptr_array_index (runs, i), error))
      return NULL;
  return g_steal_pointer (&runs);

failed:
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
               _("The tuning runs in the history cannot be read: %s"), hearth_sqlite_describe (db, rc));
  sqlite3_finalize (stmt);
  return NULL;
}

typedef struct
{
  char *path;
  char *machine;
  char *model;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->path);
  g_free (data->machine);
  g_free (data->model);
  g_free (data);
}

static void
list_runs_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ListData *data = task_data;
  GError *error = NULL;
  sqlite3 *db = _hearth_tuning_db_open_reader (data->path, &error);
  GPtrArray *runs;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  runs = load_runs (db, data->machine, data->model, 0, &error);
  sqlite3_close (db);
  if (runs == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, runs, (GDestroyNotify) g_ptr_array_unref);
}

void
hearth_tuning_list_runs_async (HearthTuning        *self,
                               const char          *model,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HearthStore *store;
  ListData *data;
  GError *error = NULL;

  g_return_if_fail (HEARTH_IS_TUNING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_tuning_list_runs_async);
  store = require_store (self, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (ListData, 1);
  data->path = g_strdup (hearth_store_get_path (store));
  data->machine = g_strdup (hearth_tuning_machine_key (self));
  data->model = g_strdup (model);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  g_task_run_in_thread (task, list_runs_thread);
}

/* Returns: (transfer full): HearthTuneResult, newest first */
GPtrArray *
hearth_tuning_list_runs_finish (HearthTuning  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- A measured effect, for the editor ---- */

static char *
value_label (HearthRunOptionKey key,
             double             value)
{
  g_autofree char *text = NULL;

  if (key == HEARTH_RUN_OPTION_NUM_THREAD)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%.0f thread", "%.0f threads",
                                         (gulong) value), value);
  if (key == HEARTH_RUN_OPTION_NUM_BATCH)
    /* Translators: a short label, the batch size in tokens: "batch 512" */
    return g_strdup_printf (_("batch %.0f"), value);
  if (key == HEARTH_RUN_OPTION_NUM_GPU)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%.0f GPU layer", "%.0f GPU layers",
                                         (gulong) value), value);
  if (key == HEARTH_RUN_OPTION_NUM_CTX)
    /* Translators: a short label, the context window in tokens: "ctx 8192" */
    return g_strdup_printf (_("ctx %.0f"), value);
  text = hearth_run_option_format_value (key, value);
  return g_strdup_printf ("%s %s", hearth_run_option_key_to_string (key), text);
}

/* Whether @a and @b differ in no speed key but @key. */
static gboolean
differ_only_in (const HearthRunOptions *a,
                const HearthRunOptions *b,
                HearthRunOptionKey      key)
{
  for (HearthRunOptionKey k = 0; k < HEARTH_N_RUN_OPTIONS; k++)
    {
      if (k == key || !is_speed_key (k))
        continue;
      if (hearth_run_options_is_set (a, k) != hearth_run_options_is_set (b, k) ||
          (hearth_run_options_is_set (a, k) &&
           hearth_run_options_get (a, k) != hearth_run_options_get (b, k)))
        return FALSE;
    }
  return hearth_run_options_is_set (a, key);
}

/**
 * hearth_tuning_describe_effect:
 *
 * From the newest run of @model on this machine: the decoding speed of each
 * value of @key it tried with the winner's other options, fastest first
 * ("2 threads: 38 tok/s · 1 thread: 21 tok/s, measured 3 Dec").
 */
char *
hearth_tuning_describe_effect (HearthTuning       *self,
                               const char         *model,
                               HearthRunOptionKey  key)
{
  HearthStore *store;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  const HearthTuneResult *run;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  store = _hearth_tuning_get_store (self);
  if (store == NULL || !is_speed_key (key))
    return NULL;
  runs = load_runs (hearth_store_get_db (store), hearth_tuning_machine_key (self), model, 1, NULL);
  if (runs == NULL || runs->len == 0)
    return NULL;
  run = g_ptr_array_index (runs, 0);
  if (run->best == NULL)
    return NULL;
  /* The fastest trial of each value, against the winner's other options. */
  shown = g_ptr_array_new ();
  for (guint i = 0; i < run->trials->len; i++)
    {
      HearthTuneTrial *t = g_ptr_array_index (run->trials, i);
      gboolean replaced = FALSE;

      if (t->state != HEARTH_TUNE_TRIAL_MEASURED || g_strcmp0 (t->model, run->model) != 0 ||
          t->options == NULL || !differ_only_in (t->options, run->best, key))
        continue;
      for (guint k = 0; k < shown->len && !replaced; k++)
        {
          HearthTuneTrial *s = g_ptr_array_index (shown, k);

          if (hearth_run_options_get (s->options, key) == hearth_run_options_get (t->options, key))
            {
              if (t->decode_tps > s->decode_tps)
                g_ptr_array_index (shown, k) = t;
              replaced = TRUE;
            }
        }
      if (!replaced)
        g_ptr_array_add (shown, t);
    }
  if (shown->len < 2)
    return NULL;
  for (guint i = 1; i < shown->len; i++)
    for (guint k = i; k > 0; k--)
      {
        HearthTuneTrial *a = g_ptr_array_index (shown, k - 1), *b = g_ptr_array_index (shown, k);

        if (b->decode_tps > a->decode_tps)
          {
            g_ptr_array_index (shown, k - 1) = b;
            g_ptr_array_index (shown, k) = a;
          }
      }
  text = g_string_new (NULL);
  for (guint i = 0; i < shown->len && i < 3; i++)
    {
      HearthTuneTrial *t = g_ptr_array_index (shown, i);
      g_autofree char *label = value_label (key, hearth_run_options_get (t->options, key));

      g_string_append_printf (text, "%s%s: %.0f tok/s", i == 0 ? "" : " · ", label, t->decode_tps);
    }
  when = g_date_time_new_from_unix_local (run->started_ms / 1000);
  /* Translators: a short date, "7 Dec", see g_date_time_format() */
  date = when != NULL ? g_date_time_format (when, _("%-d %b")) : NULL;
  if (date != NULL)
    g_string_append_printf (text, _(", measured %s"), date);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- The watch ---- */

/* Whether @options went out with the tuned values of @mo. */
static gboolean
sent_tuned (const HearthModelOptions *mo,
            const HearthRunOptions   *options)
{
  if (options == NULL || mo->tuned_keys == 0)
    return FALSE;
  for (HearthRunOptionKey key = 0; key < HEARTH_N_RUN_OPTIONS; key++)
    {
      if (!(mo->tuned_keys & ((guint64) 1 << key)))
        continue;
      if (!hearth_run_options_is_set (options, key) ||
          hearth_run_options_get (options, key) != hearth_run_options_get (mo->options, key))
        return FALSE;
    }
  return TRUE;
}

static gboolean
auto_rollback (HearthTuning *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (self->settings == NULL)
    return FALSE;
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, "tuning-auto-rollback") &&
         g_settings_get_boolean (self->settings, "tuning-auto-rollback");
}

void
hearth_tuning_observe_reply (HearthTuning           *self,
                             const char             *model,
                             const char             *digest,
                             const HearthRunOptions *options,
                             double                  decode_tps)
{
  g_autoptr(HearthModelOptions) mo = NULL;
  g_autoptr(HearthTuningRegression) regression = NULL;
  g_autoptr(GArray) window = NULL;
  ModelWatch *watch;
  double median;

  g_return_if_fail (HEARTH_IS_TUNING (self));

  if (model == NULL || !(decode_tps > 0))
    return;
  mo = hearth_tuning_get_model_options (self, model, digest);
  if (mo == NULL || mo->tune_run_id == 0 || !(mo->tuned_decode_tps > 0) || !sent_tuned (mo, options))
    return;

  watch = g_hash_table_lookup (watches (self), mo->model);
  if (watch == NULL || watch->run_id != mo->tune_run_id)
    {
      watch = g_new0 (ModelWatch, 1);
      watch->run_id = mo->tune_run_id;
      watch->window = g_array_new (FALSE, FALSE, sizeof (double));
      g_hash_table_replace (watches (self), g_strdup (mo->model), watch);
    }
  g_array_append_val (watch->window, decode_tps);
  if (watch->window->len > HEARTH_TUNING_WATCH_REPLIES)
    g_array_remove_index (watch->window, 0);
  if (watch->window->len < HEARTH_TUNING_WATCH_REPLIES || watch->signalled)
    return;

  /* The lower middle of the 20 (the percentile reorders what it is given). */
  window = g_array_copy (watch->window);
  median = hearth_metrics_percentile (window, 50);
  if (!(median < mo->tuned_decode_tps * (1 - HEARTH_TUNING_WATCH_DROP_PERCENT / 100)))
    return;

  /* Once per run applied. */
  watch->signalled = TRUE;
  regression = g_new0 (HearthTuningRegression, 1);
  regression->model = g_strdup (mo->model);
  regression->tuned_decode_tps = mo->tuned_decode_tps;
  regression->median_decode_tps = median;
  regression->n_replies = watch->window->len;
  regression->drop_percent = (mo->tuned_decode_tps - median) / mo->tuned_decode_tps * 100;
  g_clear_pointer (&watch->found, hearth_tuning_regression_free);
  watch->found = g_memdup2 (regression, sizeof *regression);
  watch->found->model = g_strdup (regression->model);
  if (auto_rollback (self))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup (mo->model);

      if (hearth_tuning_rollback (self, mo->model, mo->digest, &error))
        {
          regression->rolled_back = TRUE;
          /* The rollback forgot the watch: what it found stays to be asked. */
          watch = g_new0 (ModelWatch, 1);
          watch->run_id = 0;
          watch->window = g_array_new (FALSE, FALSE, sizeof (double));
          watch->signalled = TRUE;
          watch->found = g_memdup2 (regression, sizeof *regression);
          watch->found->model = g_strdup (regression->model);
          g_hash_table_replace (watches (self), g_steal_pointer (&name), watch);
        }
      else
        g_message ("The tuning of %s was not rolled back: %s", mo->model, error->message);
    }
  g_signal_emit_by_name (self, "regression", regression);
}

/* Returns: (transfer full) (nullable) */
HearthTuningRegression *
hearth_tuning_get_regression (HearthTuning *self,
                              const char   *model)
{
  ModelWatch *watch;
  HearthTuningRegression *copy;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  watch = g_hash_table_lookup (watches (self), model);
  /* "llama3.2" is "llama3.2:latest", as servers name it. */
  if (watch == NULL && strchr (model, ':') == NULL)
    {
      g_autofree char *tagged = g_strconcat (model, ":latest", NULL);

      watch = g_hash_table_lookup (watches (self), tagged);
    }
  if (watch == NULL || watch->found == NULL)
    return NULL;
  copy = g_memdup2 (watch->found, sizeof *copy);
  copy->model = g_strdup (watch->found->model);
  return copy;
}
