/* hearth-profile.c — the built-in profiles, which follow this machine's
 * hardware, and the user's own, each over a built-in
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-profile.h"

#define MAX_NAME_LENGTH 40

static const char * const builtin_names[] = {
  HEARTH_PROFILE_FAST, HEARTH_PROFILE_BALANCED, HEARTH_PROFILE_QUALITY, HEARTH_PROFILE_BATTERY,
};

static char *
title_from_name (const char *name)
{
  char *title = g_strdup (name);

  for (char *p = title; *p != '\0'; p++)
    if (*p == '-')
      *p = ' ';
  title[0] = g_ascii_toupper (title[0]);
  return title;
}

HearthProfile *
hearth_profile_new (const char *name,
                    const char *parent)
{
  HearthProfile *profile = g_new0 (HearthProfile, 1);

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  profile->name = g_strdup (name);
  profile->title = title_from_name (name);
  profile->description = g_strdup ("");
  profile->parent = g_strdup (parent);
  profile->options = hearth_run_options_new ();
  return profile;
}

HearthProfile *
hearth_profile_copy (const HearthProfile *profile)
{
  HearthProfile *copy;

  if (profile == NULL)
    return NULL;
  copy = g_new0 (HearthProfile, 1);
  copy->name = g_strdup (profile->name);
  copy->title = g_strdup (profile->title);
  copy->description = g_strdup (profile->description);
  copy->parent = g_strdup (profile->parent);
  copy->builtin = profile->builtin;
  copy->options = profile->options ? hearth_run_options_copy (profile->options) : hearth_run_options_new ();
  return copy;
}

void
hearth_profile_free (HearthProfile *profile)
{
  if (profile == NULL)
    return;
  g_free (profile->name);
  g_free (profile->title);
  g_free (profile->description);
  g_free (profile->parent);
  hearth_run_options_free (profile->options);
  g_free (profile);
}

/**
 * hearth_profile_to_json:
 * @effective: (nullable): its options with its parent's under them
 *
 * {"name", "title", "description", "parent", "builtin", "options"
 * (its own), "effective"}.
 */
JsonNode *
hearth_profile_to_json (const HearthProfile    *profile,
                        const HearthRunOptions *effective)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (profile != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, profile->name);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, profile->title);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, profile->description ? profile->description : "");
  json_builder_set_member_name (builder, "parent");
  if (profile->parent != NULL)
    json_builder_add_string_value (builder, profile->parent);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "builtin");
  json_builder_add_boolean_value (builder, profile->builtin);
  json_builder_set_member_name (builder, "options");
  json_builder_add_value (builder, hearth_run_options_to_json (profile->options));
  json_builder_set_member_name (builder, "effective");
  json_builder_add_value (builder, hearth_run_options_to_json (effective ? effective : profile->options));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static HearthProfile *
builtin (const char *name,
         const char *title,
         const char *description)
{
  HearthProfile *profile = hearth_profile_new (name, NULL);

  g_free (profile->title);
  profile->title = g_strdup (title);
  g_free (profile->description);
  profile->description = g_strdup (description);
  profile->builtin = TRUE;
  return profile;
}

static void
set (HearthProfile      *profile,
     HearthRunOptionKey  key,
     double              value)
{
  g_autoptr(GError) error = NULL;

  if (!hearth_run_options_set (profile->options, key, value, &error))
    g_warning ("Built-in profile %s: %s", profile->name, error->message);
}

GPtrArray *
hearth_profile_list_builtin (int physical_cores)
{
  GPtrArray *profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_profile_free);
  HearthProfile *profile;

  /* Fast: less to read for each reply, and every core at work. */
  profile = builtin (HEARTH_PROFILE_FAST, _("Fast"),
                     physical_cores > 0
                     ? _("Quicker replies: the model reads the last 2,048 tokens of the conversation and uses every processor core")
                     : _("Quicker replies: the model reads the last 2,048 tokens of the conversation"));
  set (profile, HEARTH_RUN_OPTION_NUM_CTX, 2048);
  set (profile, HEARTH_RUN_OPTION_NUM_BATCH, 512);
  if (physical_cores > 0)
    set (profile, HEARTH_RUN_OPTION_NUM_THREAD, physical_cores);
  g_ptr_array_add (profiles, profile);

  /* Balanced sets nothing: the server's own defaults (and OLLAMA_CONTEXT_LENGTH
   * and the like that the user gave it) stay in force, and Hearth's requests do
   * not make Ollama reload a model another program loaded with its defaults. */
  profile = builtin (HEARTH_PROFILE_BALANCED, _("Balanced"),
                     _("For everyday use: the server's own settings, with what you set or "
                       "tuned for each model"));
  g_ptr_array_add (profiles, profile);

  /* Quality: long conversations and pasted documents stay in view; the
   * words are picked a little less freely than Ollama's default 0.8. */
  profile = builtin (HEARTH_PROFILE_QUALITY, _("Quality"),
                     _("For long conversations and documents: the model reads the last 8,192 "
                       "tokens "
                       "and picks its words a little more carefully; slower, and uses more memory"));
  set (profile, HEARTH_RUN_OPTION_NUM_CTX, 8192);
  set (profile, HEARTH_RUN_OPTION_TEMPERATURE, 0.7);
  g_ptr_array_add (profiles, profile);

  /* Battery: half the cores, smaller steps, and the model leaves memory
   * a minute after a reply. */
  profile = builtin (HEARTH_PROFILE_BATTERY, _("Battery"),
                     physical_cores > 0
                     ? _("Saves power: half the processor cores, a 2,048-token context, smaller steps, "
                         "and the model leaves memory a minute after each reply")
                     : _("Saves power: a 2,048-token context, smaller steps, "
                         "and the model leaves memory a minute after each reply"));
  set (profile, HEARTH_RUN_OPTION_NUM_CTX, 2048);
  set (profile, HEARTH_RUN_OPTION_NUM_BATCH, 128);
  if (physical_cores > 0)
    set (profile, HEARTH_RUN_OPTION_NUM_THREAD, MAX (1, physical_cores / 2));
  set (profile, HEARTH_RUN_OPTION_KEEP_ALIVE, 60);
  g_ptr_array_add (profiles, profile);

  return profiles;
}

static gboolean
is_builtin_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_names); i++)
    if (g_strcmp0 (name, builtin_names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A name for one of the user's own profiles. */
gboolean
hearth_profile_check_name (const char  *name,
                           GError     **error)
{
  gsize length = name ? strlen (name) : 0;

  if (length == 0 || length > MAX_NAME_LENGTH)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("A profile's name must have 1 to %d characters"), MAX_NAME_LENGTH);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
      {
        g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not a profile name: use lower-case letters, digits and “-” "
                       "(such as long-docs)"), name);
        return FALSE;
      }
  if (is_builtin_name (name))
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("“%s” is a built-in profile: give yours another name"), name);
      return FALSE;
    }
  return TRUE;
}
