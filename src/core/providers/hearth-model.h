/* hearth-model.h — what a server says about its models
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A model's own figures, from the server's "show"; -1 or NULL when unknown. */
typedef struct
{
  char    *name;
  char    *family;
  char    *parameter_size;    /* as the server writes it: "3.2B" */
  gint64   parameter_count;
  char    *quantization;
  char    *format;            /* "gguf" */
  gint64   context_length;
  char   **capabilities;      /* "completion", "tools", "vision", …; NULL-terminated */
  char    *license;
} HearthModelDetails;

/* A model in memory: size_vram < size means part runs on the CPU. */
typedef struct
{
  char   *name;
  char   *digest;
  gint64  size;
  gint64  size_vram;
  gint64  context_length;   /* -1 unknown */
  char   *expires_at;       /* ISO 8601, or NULL */
} HearthLoadedModel;

/* Download progress summed over every layer seen so far; total is -1 until known. */
typedef void (*HearthPullProgress) (const char *status,
                                    gint64      completed,
                                    gint64      total,
                                    gpointer    user_data);

HearthModelDetails *hearth_model_details_new       (void);
void                hearth_model_details_free      (HearthModelDetails *details);
void                hearth_loaded_model_free       (HearthLoadedModel  *model);
double              hearth_loaded_model_vram_percent (const HearthLoadedModel *model);
char               *hearth_model_name_with_tag     (const char         *name);
char               *hearth_model_display_name      (const char         *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthModelDetails, hearth_model_details_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthLoadedModel, hearth_loaded_model_free)

G_END_DECLS
