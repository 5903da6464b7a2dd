/* hearth-cli-cache.c — hearth-cli cache: how the answer cache does, and emptying it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"

static int
cache_stats (HearthCache *cache)
{
  HearthCacheStats stats;
  guint64 hits, lookups;
  g_autofree char *on_disk = NULL;
  g_autofree char *served = NULL;

  hearth_cache_get_stats (cache, &stats);
  hits = stats.memory_hits + stats.disk_hits;
  /* A disk lookup happens only after a memory miss. */
  lookups = hits + stats.disk_misses;
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "entries", stats.entries);
      hearth_json_add_int (builder, "bytes_on_disk", stats.bytes_on_disk);
      hearth_json_add_int (builder, "memory_hits", stats.memory_hits);
      hearth_json_add_int (builder, "memory_misses", stats.memory_misses);
      hearth_json_add_int (builder, "disk_hits", stats.disk_hits);
      hearth_json_add_int (builder, "disk_misses", stats.disk_misses);
      hearth_json_add_double (builder, "hit_rate", lookups ? (double) hits / lookups : -1);
      hearth_json_add_int (builder, "bytes_served", stats.bytes_served);
      hearth_json_add_double (builder, "time_saved_ms", stats.time_saved_ms);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  on_disk = g_format_size (stats.bytes_on_disk);
  served = g_format_size (stats.bytes_served);
  g_print ("Entries:     %" G_GUINT64_FORMAT " (%s compressed)\n", stats.entries, on_disk);
  if (lookups > 0)
    g_print ("Hit rate:    %.1f %% (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " lookups)\n",
             100.0 * hits / lookups, hits, lookups);
  else
    g_print ("Hit rate:    no lookups yet\n");
  g_print ("Hits:        %" G_GUINT64_FORMAT " from memory, %" G_GUINT64_FORMAT " from disk\n",
           stats.memory_hits, stats.disk_hits);
  g_print ("Served:      %s of answers, %.1f s of generation saved\n", served,
           stats.time_saved_ms / 1000);
  return 0;
}

int
hearth_cli_command_cache (int    argc,
                          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;
  g_autofree char *path = NULL;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("cache", "stats | clear", NULL, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "stats";
  if (argc > 3 || (!g_str_equal (sub, "stats") && !g_str_equal (sub, "clear")))
    return usage_error ("cache", "Use cache stats or cache clear");

  path = hearth_cache_default_path ();
  if ((cache = hearth_cache_open (path, G_MAXUINT64, 0, 0, &error)) == NULL)
    return fail (error);
  if (hearth_cache_get_warning (cache) != NULL)
    g_printerr ("hearth-cli: %s\n", hearth_cache_get_warning (cache));
  if (g_str_equal (sub, "clear"))
    return hearth_cache_clear (cache, &error) ? 0 : fail (error);
  return cache_stats (cache);
}
