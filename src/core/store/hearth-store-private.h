/* hearth-store-private.h — for modules that keep their own tables in the
 * history database (resource samples, benchmark runs)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "hearth-store.h"

G_BEGIN_DECLS

/* The store's connection; main thread only, like the store itself. */
sqlite3  *hearth_store_get_db    (HearthStore  *self);
/* Words a failed SQLite call as the store does, in HEARTH_STORE_ERROR. */
void      hearth_store_set_error (HearthStore  *self,
                                  int           rc,
                                  GError      **error);

/* A statement prepared for one call, to sqlite3_finalize () after; NULL
 * with @error set as the store words it. */
sqlite3_stmt *hearth_store_prepare  (HearthStore  *self,
                                     const char   *sql,
                                     GError      **error);
/* Runs @sql (no rows); FALSE with @error set. */
gboolean  hearth_store_exec         (HearthStore  *self,
                                     const char   *sql,
                                     GError      **error);

G_END_DECLS
