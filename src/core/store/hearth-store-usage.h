/* hearth-store-usage.h — when each model is used, and why Hearth loaded
 * one: the reads behind usage patterns and the preloads table
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-store.h"

G_BEGIN_DECLS

/* Replies of one model in one quarter of an hour (a quarter so that every
 * time zone's hours, +5:30 or +5:45 too, are whole quarters). */
typedef struct
{
  char   *model;
  gint64  slot_ms;     /* the quarter's start, unix time in milliseconds */
  guint   n_replies;
} HearthReplySlot;

/* Why Hearth loaded a model, as the preloads table keeps it. */
typedef struct
{
  char   *model;
  char   *reason;
  double  keep_alive_s;  /* NAN: the server's default; negative: for ever */
  gint64  loaded_ms;
} HearthPreloadRow;

void       hearth_reply_slot_free      (HearthReplySlot  *slot);
void       hearth_preload_row_free     (HearthPreloadRow *row);

/* The assistant replies (not failed ones) since @since_ms, counted per
 * model and quarter of an hour. */
GPtrArray *hearth_store_list_reply_slots (HearthStore   *self,
                                          gint64         since_ms,
                                          GError       **error);
/* Replaces @model's row. */
gboolean   hearth_store_save_preload     (HearthStore   *self,
                                          const char    *model,
                                          const char    *reason,
                                          double         keep_alive_s,
                                          gint64         loaded_ms,
                                          GError       **error);
/* HearthPreloadRow: every row. */
GPtrArray *hearth_store_list_preloads    (HearthStore   *self,
                                          GError       **error);

G_END_DECLS
