/* hearth-ollama-provider.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-provider.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_OLLAMA_PROVIDER (hearth_ollama_provider_get_type ())

G_DECLARE_FINAL_TYPE (HearthOllamaProvider, hearth_ollama_provider, HEARTH, OLLAMA_PROVIDER,
                      HearthProvider)

/* Download progress summed over every layer seen so far; total is -1 until known. */
typedef void (*HearthPullProgress) (const char *status,
                                    gint64      completed,
                                    gint64      total,
                                    gpointer    user_data);

void       hearth_ollama_provider_pull_async     (HearthOllamaProvider  *self,
                                                  const char            *model,
                                                  HearthPullProgress     progress,
                                                  gpointer               progress_data,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean   hearth_ollama_provider_pull_finish    (HearthOllamaProvider  *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void       hearth_ollama_provider_version_async  (HearthOllamaProvider  *self,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
char      *hearth_ollama_provider_version_finish (HearthOllamaProvider  *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void       hearth_ollama_provider_show_async     (HearthOllamaProvider  *self,
                                                  const char            *model,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
JsonObject *hearth_ollama_provider_show_finish   (HearthOllamaProvider  *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void       hearth_ollama_provider_ps_async       (HearthOllamaProvider  *self,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
GPtrArray *hearth_ollama_provider_ps_finish      (HearthOllamaProvider  *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void       hearth_ollama_provider_delete_async   (HearthOllamaProvider  *self,
                                                  const char            *model,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean   hearth_ollama_provider_delete_finish  (HearthOllamaProvider  *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
JsonNode  *hearth_ollama_build_chat_body         (const HearthChatRequest *request);

/* A model in memory, from /api/ps: size_vram < size means part runs on the CPU. */
typedef struct
{
  char   *name;
  char   *digest;
  gint64  size;
  gint64  size_vram;
  gint64  context_length;   /* -1 unknown */
  char   *expires_at;
} HearthLoadedModel;

void       hearth_loaded_model_free              (HearthLoadedModel     *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthLoadedModel, hearth_loaded_model_free)

G_END_DECLS
