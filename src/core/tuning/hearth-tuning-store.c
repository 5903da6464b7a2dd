/* hearth-tuning-store.c — each model's run options and the user's own
 * profiles in hearth.db (schema 7)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-sqlite.h"
#include "hearth-store-private.h"
#include "hearth-tuning-private.h"

#define BUSY_TIMEOUT_MS 5000

char *
_hearth_tuning_options_key (const char *model,
                            const char *digest)
{
  return g_strdup_printf ("%s\037%s", model ? model : "", digest ? digest : "");
}

static void
set_db_error (sqlite3     *db,
              int          rc,
              GError     **error)
{
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_FAILED,
               _("The run options in the history cannot be read: %s"),
               hearth_sqlite_describe (db, rc));
}

/* Changes when another connection committed. */
gint64
_hearth_tuning_db_data_version (sqlite3       *db,
                                sqlite3_stmt **stmt)
{
  gint64 version = -1;

  if (*stmt == NULL && sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (*stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (*stmt, 0);
  sqlite3_reset (*stmt);
  return version;
}

/* A row that cannot be read (written by hand, or by a newer Hearth) is
 * left out with a message; the rest still load. */
static HearthRunOptions *
column_options (sqlite3_stmt *stmt,
                int           column,
                const char   *what)
{
  const char *json = (const char *) sqlite3_column_text (stmt, column);
  g_autoptr(GError) error = NULL;
  HearthRunOptions *options;

  if (json == NULL)
    return NULL;
  options = hearth_run_options_from_json_string (json, &error);
  if (options == NULL)
    g_message ("Run options of %s not read: %s", what, error->message);
  return options;
}

GHashTable *
_hearth_tuning_db_load_options (sqlite3     *db,
                                const char  *machine,
                                GError     **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) hearth_model_options_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT model, digest, options, tuned_keys, tune_run_id, tuned_decode_tps,"
                           " previous, updated_ms FROM model_options WHERE machine = ?1",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, machine, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthModelOptions *mo = g_new0 (HearthModelOptions, 1);
      const char *digest = (const char *) sqlite3_column_text (stmt, 1);

      mo->model = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      mo->digest = digest != NULL && *digest != '\0' ? g_strdup (digest) : NULL;
      mo->options = column_options (stmt, 2, mo->model);
      if (mo->options == NULL)
        {
          hearth_model_options_free (mo);
          continue;
        }
      mo->tuned_keys = (guint64) sqlite3_column_int64 (stmt, 3);
      mo->tune_run_id = sqlite3_column_int64 (stmt, 4);
      mo->tuned_decode_tps = sqlite3_column_double (stmt, 5);
      mo->previous = column_options (stmt, 6, mo->model);
      mo->updated_ms = sqlite3_column_int64 (stmt, 7);
      g_hash_table_replace (table, _hearth_tuning_options_key (mo->model, mo->digest), mo);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&table);
}

GPtrArray *
_hearth_tuning_db_load_profiles (sqlite3     *db,
                                 GError     **error)
{
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_profile_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT name, title, description, parent, options FROM run_profiles"
                           " ORDER BY name",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      HearthProfile *profile = hearth_profile_new (name, (const char *) sqlite3_column_text (stmt, 3));
      HearthRunOptions *options = column_options (stmt, 4, name);

      if (options == NULL)
        {
          hearth_profile_free (profile);
          continue;
        }
      g_free (profile->title);
      profile->title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_free (profile->description);
      profile->description = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      hearth_run_options_free (profile->options);
      profile->options = options;
      g_ptr_array_add (profiles, profile);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&profiles);
}

static gboolean
step_done (HearthStore   *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  hearth_store_set_error (store, rc, error);
  return FALSE;
}

gboolean
_hearth_tuning_db_write_options (HearthStore               *store,
                                 const char                *machine,
                                 const HearthModelOptions  *mo,
                                 GError                   **error)
{
  g_autofree char *options = hearth_run_options_to_json_string (mo->options);
  g_autofree char *previous = mo->previous ? hearth_run_options_to_json_string (mo->previous) : NULL;
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT OR REPLACE INTO model_options (model, digest, machine, options, tuned_keys,"
    " tune_run_id, tuned_decode_tps, previous, updated_ms)"
    " VALUES (:model, :digest, :machine, :options, :tuned_keys, :run, :tps, :previous, :updated)",
    error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":model", mo->model);
  hearth_sqlite_bind_text (stmt, ":digest", mo->digest ? mo->digest : "");
  hearth_sqlite_bind_text (stmt, ":machine", machine);
  hearth_sqlite_bind_text (stmt, ":options", options);
  hearth_sqlite_bind_int64 (stmt, ":tuned_keys", (gint64) mo->tuned_keys);
  hearth_sqlite_bind_int64 (stmt, ":run", mo->tune_run_id);
  hearth_sqlite_bind_double (stmt, ":tps", mo->tuned_decode_tps);
  hearth_sqlite_bind_text (stmt, ":previous", previous);
  hearth_sqlite_bind_int64 (stmt, ":updated", mo->updated_ms);
  return step_done (store, stmt, error);
}

gboolean
_hearth_tuning_db_delete_options (HearthStore  *store,
                                  const char   *machine,
                                  const char   *model,
                                  const char   *digest,
                                  GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "DELETE FROM model_options WHERE model = :model AND digest = :digest AND machine = :machine",
    error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":model", model);
  hearth_sqlite_bind_text (stmt, ":digest", digest ? digest : "");
  hearth_sqlite_bind_text (stmt, ":machine", machine);
  return step_done (store, stmt, error);
}

gboolean
_hearth_tuning_db_write_profile (HearthStore          *store,
                                 const HearthProfile  *profile,
                                 GError              **error)
{
  g_autofree char *options = hearth_run_options_to_json_string (profile->options);
  sqlite3_stmt *stmt = hearth_store_prepare (store,
    "INSERT OR REPLACE INTO run_profiles (name, title, description, parent, options, updated_ms)"
    " VALUES (:name, :title, :description, :parent, :options, :updated)",
    error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":name", profile->name);
  hearth_sqlite_bind_text (stmt, ":title", profile->title ? profile->title : profile->name);
  hearth_sqlite_bind_text (stmt, ":description", profile->description ? profile->description : "");
  hearth_sqlite_bind_text (stmt, ":parent", profile->parent);
  hearth_sqlite_bind_text (stmt, ":options", options);
  hearth_sqlite_bind_int64 (stmt, ":updated", g_get_real_time () / 1000);
  return step_done (store, stmt, error);
}

gboolean
_hearth_tuning_db_delete_profile (HearthStore  *store,
                                  const char   *name,
                                  GError      **error)
{
  sqlite3_stmt *stmt = hearth_store_prepare (store, "DELETE FROM run_profiles WHERE name = :name", error);

  if (stmt == NULL)
    return FALSE;
  hearth_sqlite_bind_text (stmt, ":name", name);
  return step_done (store, stmt, error);
}

sqlite3 *
_hearth_tuning_db_open_reader (const char  *path,
                               GError     **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return db;
}
