/* fuzz-provider-answers.c — what a server answers besides a chat stream
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the answer, the rest is its body, read by the same
 * functions the providers use once the HTTP exchange is over:
 *   0  Ollama's /api/tags       (the model list)
 *   1  OpenAI's /v1/models      (the model list)
 *   2  Ollama's /api/show       (a model's details)
 *   3  Ollama's /api/ps         (the loaded models)
 *   4  Ollama's /api/pull       (NDJSON progress lines)
 *   5  an HTTP error's body     (the second byte picks the status)
 *   6  a Retry-After header
 */
#include <math.h>

#include "hearth-error.h"
#include "hearth-fuzz.h"
#include "hearth-http.h"
#include "hearth-ollama-provider-private.h"

#define ENDPOINT "http://127.0.0.1:11434"

static HearthProvider *providers[2];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(SoupSession) session = NULL;

  hearth_fuzz_init ();
  session = soup_session_new ();
  providers[HEARTH_API_OLLAMA] = hearth_provider_new (HEARTH_API_OLLAMA, ENDPOINT, session);
  providers[HEARTH_API_OPENAI] = hearth_provider_new (HEARTH_API_OPENAI, ENDPOINT, session);
  return 0;
}

static JsonNode *
parse_body (const uint8_t *data,
            size_t         size)
{
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  JsonNode *root = hearth_http_parse_json (body, ENDPOINT, &error);

  g_assert ((root == NULL) == (error != NULL));
  return root;
}

static void
models (HearthApiKind  api,
        JsonNode      *root)
{
  HearthProvider *provider = providers[api];
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = HEARTH_PROVIDER_GET_CLASS (provider)->parse_models (provider, root,
                                                                                 &error);

  g_assert ((list == NULL) == (error != NULL));
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      HearthModelInfo *info = g_ptr_array_index (list, i);
      g_autofree char *name = hearth_provider_canonical_model_name (provider, info->name);

      g_assert_nonnull (info->name);
      g_assert_nonnull (name);
    }
}

static void
show (JsonNode *root)
{
  g_autoptr(HearthModelDetails) details = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  details = _hearth_ollama_parse_show (json_node_get_object (root), "tiny:latest");
  g_assert_cmpstr (details->name, ==, "tiny:latest");
  g_assert (details->license == NULL || *details->license != '\0');
}

static void
loaded (JsonNode *root)
{
  g_autoptr(GPtrArray) list = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  list = _hearth_ollama_parse_loaded (json_node_get_object (root));
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      HearthLoadedModel *model = g_ptr_array_index (list, i);
      double percent = hearth_loaded_model_vram_percent (model);

      g_assert_nonnull (model->name);
      g_assert_true (isnan (percent) || (percent >= 0 && percent <= 100));
    }
}

static void
progress_cb (const char *status,
             gint64      completed,
             gint64      total,
             gpointer    user_data)
{
  g_assert_nonnull (status);
  g_assert_true (total == -1 || total > 0);
}

/* Lines as pull_read_line_cb () reads them: any newline, UTF-8 or the end. */
static void
pull (const uint8_t *data,
      size_t         size)
{
  HearthOllamaPull *state = _hearth_ollama_pull_new ("tiny", progress_cb, NULL);
  g_autofree char *text = hearth_fuzz_strndup (data, size);
  char *line = text;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char *end = line + strcspn (line, "\r\n");
      char *next = *end == '\r' && end[1] == '\n' ? end + 2 : *end != '\0' ? end + 1 : NULL;

      *end = '\0';
      if (!g_utf8_validate (line, -1, NULL))
        break;
      g_strchomp (line);
      if (!_hearth_ollama_pull_line (state, line, &error))
        {
          g_assert_nonnull (error);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          break;
        }
      if (next == NULL)
        break;
      line = next;
    }
  _hearth_ollama_pull_free (state);
}

static void
http_error (const uint8_t *data,
            size_t         size)
{
  static const guint statuses[] = { 400, 401, 403, 404, 429, 500, 502, 503 };
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;

  if (size == 0)
    return;
  body = hearth_fuzz_strndup (data + 1, size - 1);
  error = hearth_error_from_http (statuses[data[0] % G_N_ELEMENTS (statuses)], body,
                                  ENDPOINT, data[0] & 0x80 ? "tiny:latest" : NULL);
  g_assert_error (error, HEARTH_ERROR, error->code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  described = hearth_error_describe (error);
  g_assert_true (g_utf8_validate (described, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) root = NULL;
  guint which;

  if (size == 0)
    return 0;
  which = data[0] % 7;
  data++, size--;
  if (which == 4)
    pull (data, size);
  else if (which == 5)
    http_error (data, size);
  else if (which == 6)
    {
      g_autofree char *value = hearth_fuzz_strndup (data, size);

      hearth_http_parse_retry_after (value);
    }
  else if ((root = parse_body (data, size)) == NULL)
    return 0;
  else if (which == 0 || which == 1)
    models (which == 0 ? HEARTH_API_OLLAMA : HEARTH_API_OPENAI, root);
  else if (which == 2)
    show (root);
  else
    loaded (root);
  return 0;
}
