/* hearth-cli-cache.c — hearth-cli cache: how the answer cache does, and emptying it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <inttypes.h>

#include "hearth-cli-private.h"
#include "hearth-endpoint.h"

static char *opt_redis;

static const GOptionEntry cache_entries[] = {
  { "redis", 0, 0, G_OPTION_ARG_FILENAME, &opt_redis,
    N_("The shared cache tier, redis://HOST[:PORT][/DB] (password from REDISCLI_AUTH); "
       "by default the one in Hearth's settings"), N_("URL") },
  { NULL }
};

static void
pinged_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  hearth_cache_ping_shared_finish (HEARTH_CACHE (object), result, NULL);
  *done = TRUE;
}

/* The shared tier as it is now: one round trip to its server. */
static void
ping_shared (HearthCache *cache)
{
  gboolean done = FALSE;

  if (hearth_cache_get_shared_url (cache) == NULL)
    return;
  hearth_cache_ping_shared_async (cache, NULL, pinged_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
print_shared (const HearthCacheStats *stats,
              const char             *url,
              const char             *warning)
{
  guint64 lookups = stats->shared_hits + stats->shared_misses;

  if (url == NULL)
    g_print (_("Shared:      none (set one with --redis redis://HOST:PORT/DB or in Hearth's "
               "Preferences)\n"));
  else
    g_print (_("Shared:      %s, %s\n"), url,
             stats->shared_connected ? _("connected") : _("not reachable"));
  if (url != NULL && !stats->shared_connected && warning != NULL)
    g_print ("             %s\n", warning);
  if (lookups > 0 || stats->shared_errors > 0)
    g_print (_("             %'" PRIu64 " hits, %'" PRIu64 " misses, %'"
             PRIu64 " errors (lookups and stores it failed)\n"),
             stats->shared_hits, stats->shared_misses, stats->shared_errors);
}

static int
cache_stats (HearthCache *cache)
{
  HearthCacheStats stats;
  guint64 hits, lookups;
  g_autofree char *on_disk = NULL;
  g_autofree char *served = NULL;
  const char *url = hearth_cache_get_shared_url (cache);

  ping_shared (cache);
  hearth_cache_get_stats (cache, &stats);
  /* A shared lookup happens only after a disk miss. */
  hits = stats.memory_hits + stats.disk_hits + stats.shared_hits;
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
      hearth_json_add_string (builder, "shared_url", url);
      json_builder_set_member_name (builder, "shared_connected");
      json_builder_add_boolean_value (builder, stats.shared_connected);
      hearth_json_add_int (builder, "shared_hits", stats.shared_hits);
      hearth_json_add_int (builder, "shared_misses", stats.shared_misses);
      hearth_json_add_int (builder, "shared_errors", stats.shared_errors);
      hearth_json_add_string (builder, "warning", hearth_cache_get_warning (cache));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }
  /* counts a person reads: grouped the locale's way ("12.345" in German) with %' */
  on_disk = g_format_size (stats.bytes_on_disk);
  served = g_format_size (stats.bytes_served);
  g_print (_("Entries:     %'" PRIu64 " (%s compressed)\n"), stats.entries, on_disk);
  if (lookups > 0)
    g_print (_("Hit rate:    %.1f %% (%'" PRIu64 " of %'" PRIu64 " lookups)\n"),
             100.0 * hits / lookups, hits, lookups);
  else
    g_print (_("Hit rate:    no lookups yet\n"));
  g_print (_("Hits:        %'" PRIu64 " from memory, %'" PRIu64 " from disk, %'"
           PRIu64 " from the shared tier\n"),
           stats.memory_hits, stats.disk_hits, stats.shared_hits);
  g_print (_("Served:      %s of answers, %.1f s of generation saved\n"), served,
           stats.time_saved_ms / 1000);
  print_shared (&stats, url, hearth_cache_get_warning (cache));
  return 0;
}

int
hearth_cli_command_cache (int    argc,
                          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthCache) cache = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *path = NULL;
  g_autofree char *shared_url = NULL;
  const char *sub;
  int exit_code = 0;

  if (!parse_options ("cache", N_("stats | clear"), cache_entries, FALSE, &argc, &argv, &exit_code))
    return exit_code;
  sub = argc > 2 ? argv[2] : "stats";
  if (argc > 3 || (!g_str_equal (sub, "stats") && !g_str_equal (sub, "clear")))
    return usage_error ("cache", _("Use cache stats or cache clear"));

  /* The shared tier: --redis, else the one the app uses. */
  if (opt_redis != NULL)
    shared_url = g_strdup (opt_redis);
  else if ((settings = hearth_settings_try_new ()) != NULL)
    shared_url = g_settings_get_string (settings, "cache-shared-url");
  if (!hearth_cache_check_shared_url (shared_url, &error))
    return usage_error ("cache", error->message);

  path = hearth_cache_default_path ();
  if ((cache = hearth_cache_open (path, G_MAXUINT64, 0, 0, &error)) == NULL)
    return fail (error);
  if (g_str_equal (sub, "stats") && !hearth_cache_set_shared (cache, shared_url, &error))
    return fail (error);
  if (hearth_cache_get_warning (cache) != NULL)
    /* Translators: an error message (a whole sentence) after the program's name */
    g_printerr (_("hearth-cli: %s\n"), hearth_cache_get_warning (cache));
  if (g_str_equal (sub, "clear"))
    return hearth_cache_clear (cache, &error) ? 0 : fail (error);
  return cache_stats (cache);
}
