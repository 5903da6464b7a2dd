/* hearth-gateway-models.h — what the gateway's endpoints besides chat
 * share (hearth-gateway-models.c: the listings, show, delete;
 * hearth-gateway-running.c: ps, version, pull)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-gateway-impl.h"

G_BEGIN_DECLS

/* One request to a models endpoint while the servers answer. */
typedef struct _ModelsOp ModelsOp;
typedef void (*FoundFunc) (ModelsOp *op);

struct _ModelsOp
{
  HearthGatewayCall *call;
  FoundFunc          found;      /* what to do once the model's server is known */
  char              *asked;      /* the model as the client named it */
  char              *name;       /* its name on the server */
  HearthServer      *server;
  gboolean           stream;     /* /api/pull */
  gboolean           began;      /* the stream's headers are out */
  char              *last_status;
  GPtrArray         *loaded;     /* /api/ps: ServerLoaded */
  guint              pending;
};

typedef struct
{
  HearthServer *server;
  GPtrArray    *models;          /* HearthLoadedModel, or NULL */
} ServerLoaded;

void       _hearth_gateway_server_loaded_free (ServerLoaded      *entry);
ModelsOp  *_hearth_gateway_op_new             (HearthGatewayCall *call);
void       _hearth_gateway_op_free            (ModelsOp          *op);
/* TRUE when the gateway went away meanwhile: the call and @op are freed. */
gboolean   _hearth_gateway_op_orphaned        (ModelsOp          *op);
/* Each answers and frees @op. */
void       _hearth_gateway_op_error           (ModelsOp          *op,
                                               const GError      *error);
void       _hearth_gateway_op_json            (ModelsOp          *op,
                                               JsonNode          *body);
/* TRUE when @op's server can do @feature (HEARTH_PROVIDER_CAN_SHOW, _DELETE
 * or _PULL); else answers 501 saying so and frees @op. */
gboolean   _hearth_gateway_require_feature    (ModelsOp               *op,
                                               HearthProviderFeatures  feature);
/* Ollama's "details" object, from what the list says (@info nullable). */
void       _hearth_gateway_add_details        (JsonBuilder           *builder,
                                               const HearthModelInfo *info);

/* hearth-gateway-running.c */
void       _hearth_gateway_handle_ps          (HearthGatewayCall *call);
void       _hearth_gateway_handle_version     (HearthGatewayCall *call);
void       _hearth_gateway_handle_pull        (HearthGatewayCall *call);

G_END_DECLS
