/* hearth-secrets.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* API keys in the Secret Service, one item per endpoint (normalized URL).
 * Keys are returned as plain strings: free them with hearth_secrets_free(). */
void         hearth_secrets_store_async    (const char           *endpoint,
                                            const char           *key,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean     hearth_secrets_store_finish   (GAsyncResult         *result,
                                            GError              **error);
void         hearth_secrets_lookup_async   (const char           *endpoint,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char        *hearth_secrets_lookup_finish  (GAsyncResult         *result,
                                            GError              **error);
void         hearth_secrets_delete_async   (const char           *endpoint,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean     hearth_secrets_delete_finish  (GAsyncResult         *result,
                                            GError              **error);

gboolean     hearth_secrets_store_sync     (const char           *endpoint,
                                            const char           *key,
                                            GCancellable         *cancellable,
                                            GError              **error);
char        *hearth_secrets_lookup_sync    (const char           *endpoint,
                                            GCancellable         *cancellable,
                                            GError              **error);
gboolean     hearth_secrets_delete_sync    (const char           *endpoint,
                                            GCancellable         *cancellable,
                                            GError              **error);
void         hearth_secrets_free           (char                 *key);
gboolean     hearth_secrets_check_key      (const char           *key,
                                            const char           *origin,
                                            GError              **error);

G_END_DECLS
