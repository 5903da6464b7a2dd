/* hearth-tuning-private.h — what the tuning engine's files share: the seams
 * the tuner (tune-tuner) and preloading (tune-preload) use, and the tables
 * of hearth.db (schema 7) the options store reads and writes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Other parts keep their own state on the object with
 * g_object_set_data_full (G_OBJECT (tuning), "hearth-tuning-watch" /
 * "hearth-tuning-preload", state, free); the struct below is for the
 * files of hearth-tuning*.c only.
 */
#pragma once

#include <sqlite3.h>

#include "hearth-tuning.h"

G_BEGIN_DECLS

/* ---- Seams for the other parts ---- */

/* NULL without a history. */
HearthStore *_hearth_tuning_get_store              (HearthTuning             *self);
/* Why nothing can be kept (no history), or NULL. */
const char  *_hearth_tuning_get_unavailable_reason (HearthTuning             *self);
/* Writes the whole row (options, tuned_keys, tune_run_id, tuned_decode_tps,
 * previous) for this machine, refreshes the table in memory and emits
 * "changed". An empty @mo->options with no previous and no run removes it. */
gboolean     _hearth_tuning_store_model_options    (HearthTuning             *self,
                                                    const HearthModelOptions *mo,
                                                    GError                  **error);
void         _hearth_tuning_emit_changed           (HearthTuning             *self);

/* ---- Inside hearth-tuning*.c ---- */

struct _HearthTuning
{
  GObject               parent_instance;

  HearthStore          *store;
  char                 *unavailable;
  GSettings            *settings;
  gboolean              has_profile_keys;    /* the schema has run-profile* */
  char                 *chosen;              /* without settings: the profile chosen */
  char                 *machine;

  /* Read from hearth.db: "model\037digest" → HearthModelOptions; custom HearthProfile */
  GHashTable           *options;
  GPtrArray            *custom;
  gboolean              loaded;
  sqlite3_stmt         *version_stmt;
  gint64                data_version;
  GFileMonitor         *db_monitors[2];      /* hearth.db and hearth.db-wal */

  /* The machine, read once */
  int                   physical_cores;
  int                   logical_threads;
  gint64                mem_total;
  gint64                vram_total;          /* 0 until asked (fill_params) */
  GPtrArray            *builtin;             /* HearthProfile */

  /* The automatic choice */
  GPowerProfileMonitor *power;
  GMemoryMonitor       *memory;
  gboolean              power_saver;
  gboolean              on_battery;
  gboolean              memory_pressure;
  guint                 pressure_id;
  char                 *automatic_reason;
  GDBusConnection      *system_bus;
  guint                 upower_watch;
  GCancellable         *bus_cancellable;     /* the UPower watch's */
  GCancellable         *cancellable;
};

#define HEARTH_TUNING_PRESSURE_SECONDS (5 * 60)

/* Reads the options and profiles again when another connection changed
 * them (or before the worker's first read is back). */
void         _hearth_tuning_sync              (HearthTuning *self);
/* FALSE with the reason without a history. */
gboolean     _hearth_tuning_check_store       (HearthTuning  *self,
                                               GError       **error);
char        *_hearth_tuning_options_key       (const char   *model,
                                               const char   *digest);

/* hearth-tuning-store.c: @db is the store's connection (main thread) or a
 * reader's of its own (a worker). */
gint64       _hearth_tuning_db_data_version   (sqlite3      *db,
                                               sqlite3_stmt **stmt);
GHashTable  *_hearth_tuning_db_load_options   (sqlite3      *db,
                                               const char   *machine,
                                               GError      **error);
GPtrArray   *_hearth_tuning_db_load_profiles  (sqlite3      *db,
                                               GError      **error);
gboolean     _hearth_tuning_db_write_options  (HearthStore  *store,
                                               const char   *machine,
                                               const HearthModelOptions *mo,
                                               GError      **error);
gboolean     _hearth_tuning_db_delete_options (HearthStore  *store,
                                               const char   *machine,
                                               const char   *model,
                                               const char   *digest,
                                               GError      **error);
gboolean     _hearth_tuning_db_write_profile  (HearthStore  *store,
                                               const HearthProfile *profile,
                                               GError      **error);
gboolean     _hearth_tuning_db_delete_profile (HearthStore  *store,
                                               const char   *name,
                                               GError      **error);
sqlite3     *_hearth_tuning_db_open_reader    (const char   *path,
                                               GError      **error);

/* hearth-tuning-profiles.c */
gboolean     _hearth_tuning_profile_exists    (HearthTuning *self,
                                               const char   *name);
const HearthProfile *
             _hearth_tuning_find_profile      (HearthTuning *self,
                                               const char   *name);
/* Its parent's options under its own. */
HearthRunOptions *
             _hearth_tuning_profile_options   (HearthTuning        *self,
                                               const HearthProfile *profile);

/* hearth-tuning-monitors.c */
void         _hearth_tuning_monitors_start    (HearthTuning *self);
void         _hearth_tuning_monitors_stop     (HearthTuning *self);
void         _hearth_tuning_update_automatic  (HearthTuning *self);
/* On battery or in power-saver mode, with the automatic choice on. */
gboolean     _hearth_tuning_battery_in_force  (HearthTuning *self);

G_END_DECLS
