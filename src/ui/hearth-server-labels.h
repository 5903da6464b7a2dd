/* hearth-server-labels.h — servers as people read them: names, Cloud, health
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-servers.h"

G_BEGIN_DECLS

const char *hearth_server_state_label         (HearthServerState  state);
char       *hearth_server_label               (HearthServer      *server);
guint       hearth_servers_count_enabled      (HearthServers     *servers);
char       *hearth_server_label_for_endpoint  (HearthServers     *servers,
                                               const char        *api,
                                               const char        *endpoint);
char       *hearth_server_label_for_name      (HearthServers     *servers,
                                               const char        *name);
gboolean    hearth_model_is_demo              (HearthServer      *server,
                                               const char        *model);
char       *hearth_model_label                (HearthServer      *server,
                                               const char        *model);

G_END_DECLS
