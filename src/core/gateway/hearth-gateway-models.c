/* hearth-gateway-models.c — the gateway's endpoints besides chat: the
 * models of every served server, one model's details, what is loaded,
 * pulling and deleting, in Ollama's and OpenAI's shapes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include "hearth-error.h"
#include "hearth-gateway-impl.h"

void
_hearth_gateway_handle_models (HearthGatewayCall *call)
{
  g_autoptr(GError) error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                                         "%s is not served yet", call->path);

  _hearth_gateway_respond_error (call, error);
}
