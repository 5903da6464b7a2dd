/* hearth-chat-request.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <string.h>

#include "hearth-chat-request.h"

HearthChatRequest *
hearth_chat_request_new (void)
{
  HearthChatRequest *request = g_new0 (HearthChatRequest, 1);

  request->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_message_free);
  request->temperature = NAN;
  request->top_p = NAN;
  request->top_k = -1;
  request->num_predict = -1;
  request->num_ctx = -1;
  request->stream = TRUE;
  return request;
}

void
hearth_chat_request_free (HearthChatRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->model);
  g_free (request->system);
  g_strfreev (request->stop);
  g_ptr_array_unref (request->messages);
  g_free (request);
}

void
hearth_chat_request_add_message (HearthChatRequest *request,
                                 const char        *role,
                                 const char        *content)
{
  g_ptr_array_add (request->messages, hearth_message_new (role, content));
}

static void
write_message (JsonBuilder *builder,
               const char  *role,
               const char  *content)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content ? content : "");
  json_builder_end_object (builder);
}

/* The "messages" member both APIs share: the system prompt first. */
void
hearth_chat_request_write_messages (const HearthChatRequest *request,
                                    JsonBuilder             *builder)
{
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (request->system != NULL && *request->system != '\0')
    write_message (builder, "system", request->system);
  for (guint i = 0; i < request->messages->len; i++)
    {
      const HearthMessage *message = g_ptr_array_index (request->messages, i);

      write_message (builder, message->role, message->content);
    }
  json_builder_end_array (builder);
}

void
hearth_model_info_free (HearthModelInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->digest);
  g_free (info->family);
  g_free (info->parameter_size);
  g_free (info->quantization);
  g_free (info);
}

/**
 * hearth_model_info_find:
 * @models: (element-type HearthModelInfo): a server's models
 * @name: a model name; "llama3.2" is "llama3.2:latest" to Ollama
 *
 * Returns: (transfer none) (nullable): the model called @name
 */
const HearthModelInfo *
hearth_model_info_find (GPtrArray  *models,
                        const char *name)
{
  g_autofree char *with_tag = strchr (name, ':') ? NULL : g_strconcat (name, ":latest", NULL);

  for (guint i = 0; i < models->len; i++)
    {
      const HearthModelInfo *info = g_ptr_array_index (models, i);

      if (g_strcmp0 (info->name, name) == 0 || g_strcmp0 (info->name, with_tag) == 0)
        return info;
    }
  return NULL;
}
