/* fuzz-cache-entry.c — a reply's payload as the response cache reads it from disk
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cache.db is a file anyone can damage. The first byte picks what the rest
 * is: the stored blob itself (a zstd frame), or the payload inside it, which
 * is compressed here first so that the fuzzer reaches the payload's layout
 * (two lengths, content, thinking) past zstd's checks. An entry that decodes
 * must survive the cache's own compression unchanged.
 */
#include <zstd.h>

#include "hearth-cache-private.h"
#include "hearth-fuzz.h"

static HearthCache *cache;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hearth_fuzz_init ();
  /* Only the cache's compression contexts are used: no file is opened. */
  cache = g_object_new (HEARTH_TYPE_CACHE, NULL);
  return 0;
}

static void
check_round_trip (const HearthCacheEntry *entry)
{
  g_autoptr(GBytes) stored = _hearth_cache_payload_compress (cache, entry);
  g_autoptr(HearthCacheEntry) again = hearth_cache_entry_new ();

  g_assert_nonnull (stored);
  g_assert_true (_hearth_cache_payload_decompress (cache, g_bytes_get_data (stored, NULL),
                                                   g_bytes_get_size (stored), again));
  g_assert_cmpstr (again->content, ==, entry->content);
  g_assert_cmpstr (again->thinking, ==, entry->thinking);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(HearthCacheEntry) entry = hearth_cache_entry_new ();
  g_autofree char *frame = NULL;
  const void *blob;
  gsize blob_len;

  if (size == 0)
    return 0;
  blob = data + 1;
  blob_len = size - 1;
  if (data[0] & 1)
    {
      gsize bound = ZSTD_compressBound (blob_len);

      frame = g_malloc (bound);
      blob_len = ZSTD_compress (frame, bound, blob, blob_len, 1);
      g_assert_false (ZSTD_isError (blob_len));
      blob = frame;
    }

  if (!_hearth_cache_payload_decompress (cache, blob, blob_len, entry))
    return 0;
  g_assert_nonnull (entry->content);
  check_round_trip (entry);
  return 0;
}
