/* hearth-test-http.h — a client program's side of HTTP in tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  SoupMessage  *msg;
  GInputStream *stream;
  GCancellable *cancellable;
  GString      *body;
  GError       *error;
  gboolean      headers;        /* the status and headers came */
  gboolean      done;           /* the body ended (or failed) */
  char          buffer[4096];
} HearthTestCall;

HearthTestCall *hearth_test_call_start          (SoupSession     *session,
                                                 const char      *url,
                                                 const char      *json);
void            hearth_test_call_free           (HearthTestCall  *call);
const char     *hearth_test_call_header         (HearthTestCall  *call,
                                                 const char      *name);
/* Fails with the status and the body when the status is not @status. */
void            hearth_test_call_assert_status  (HearthTestCall  *call,
                                                 guint            status);
/* The body's NDJSON lines as objects (kept alive by @keep). */
GPtrArray      *hearth_test_call_ndjson         (HearthTestCall  *call,
                                                 GPtrArray       *keep);
/* The body's server-sent events' data as objects; @saw_done: "[DONE]" came last. */
GPtrArray      *hearth_test_call_sse            (HearthTestCall  *call,
                                                 GPtrArray       *keep,
                                                 gboolean        *saw_done);
/* Asserts @text is a JSON object; @keep holds the node. */
JsonObject     *hearth_test_parse_object        (const char      *text,
                                                 GPtrArray       *keep);
/* Runs the main loop until *@flag; or for about 50 ms. */
void            hearth_test_wait_until          (gboolean        *flag);
void            hearth_test_spin                (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestCall, hearth_test_call_free)

G_END_DECLS
