/* fuzz-endpoint.c — a server address as a person or OLLAMA_HOST writes it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the API; the rest is the address. A normalised
 * address is a valid URI that normalises to itself under the Ollama API (the
 * OpenAI API drops one trailing /v1 per pass, on purpose), and the loopback
 * questions answer it without complaint.
 */
#include <gio/gio.h>

#include "hearth-endpoint.h"
#include "hearth-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hearth_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *input = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  HearthApiKind api;
  guint port;

  if (size == 0)
    return 0;
  api = data[0] & 1 ? HEARTH_API_OPENAI : HEARTH_API_OLLAMA;
  input = hearth_fuzz_strndup (data + 1, size - 1);

  url = hearth_endpoint_normalize (input, api, &error);
  g_assert ((url == NULL) == (error != NULL));
  if (url == NULL)
    return 0;
  g_assert_true (g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL));
  if (api == HEARTH_API_OLLAMA)
    {
      g_autofree char *again = hearth_endpoint_normalize (url, api, NULL);

      g_assert_cmpstr (again, ==, url);
    }
  port = hearth_endpoint_local_port (url);
  g_assert (port == 0 || hearth_endpoint_is_loopback (url));
  g_assert_cmpuint (port, <=, 65535);
  return 0;
}
