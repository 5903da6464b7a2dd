/* hearth-gateway-chat-pending.c — a placeholder for the chat endpoints,
 * built only while hearth-gateway-chat.c is not in the tree (see
 * src/core/meson.build): they answer 501 in the client's protocol
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-gateway"

#include "config.h"

#include "hearth-error.h"
#include "hearth-gateway-private.h"

void
_hearth_gateway_handle_chat (HearthGatewayCall *call)
{
  g_autoptr(GError) error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED,
                                         "%s is not served by this build of Hearth",
                                         call->path);

  _hearth_gateway_respond_error (call, error);
}
