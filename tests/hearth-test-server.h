/* hearth-test-server.h — the test engine and the fault server, as subprocesses
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hearth-store.h"

G_BEGIN_DECLS

typedef struct _HearthTestServer HearthTestServer;

gboolean           hearth_test_require_node        (void);
char              *hearth_test_make_model          (const char        *mode,
                                                    const char        *name);
char              *hearth_test_make_model_with_context (const char    *mode,
                                                        const char    *name,
                                                        guint          context);
char              *hearth_test_make_fixed_model    (const char        *name,
                                                    const char        *sentence);
HearthTestServer  *hearth_test_server_start        (const char        *script,
                                                    const char * const *args);
const char        *hearth_test_server_get_url      (HearthTestServer  *server);
GPid               hearth_test_server_get_pid      (HearthTestServer  *server);
char              *hearth_test_server_request      (HearthTestServer  *server,
                                                    const char        *method,
                                                    const char        *path);
char              *hearth_test_server_read_log     (HearthTestServer  *server);
void               hearth_test_server_stop         (HearthTestServer  *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestServer, hearth_test_server_stop)

HearthTestServer  *hearth_test_engine_server       (const char * const *extra_args);
const char        *hearth_test_engine_url          (void);
HearthTestServer  *hearth_test_engine_with_pull_source (void);
HearthTestServer  *hearth_test_fault_server        (void);
const char        *hearth_test_fault_url           (void);

typedef struct
{
  int    exit_code;
  char  *out;
  char  *err;
} HearthTestRun;

HearthTestRun     *hearth_test_run_cli             (const char        *stdin_text,
                                                    const char        *first_arg,
                                                    ...) G_GNUC_NULL_TERMINATED;
HearthTestRun     *hearth_test_run_cliv            (const char        *stdin_text,
                                                    const char * const *argv);
void               hearth_test_run_free            (HearthTestRun     *run);
void               hearth_test_assert_one_line     (const char        *err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestRun, hearth_test_run_free)

/* The history database hearth-cli uses under the test's XDG_DATA_HOME. */
HearthStore       *hearth_test_open_history        (void);

G_END_DECLS
