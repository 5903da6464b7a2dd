/* hearth-tuning-profiles.c — the profiles: the built-ins (following this
 * machine), the user's own over a built-in, the one chosen and the one in
 * force
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-error.h"
#include "hearth-tuning-private.h"

gboolean
_hearth_tuning_profile_exists (HearthTuning *self,
                               const char   *name)
{
  for (guint i = 0; i < self->builtin->len; i++)
    if (g_strcmp0 (((HearthProfile *) g_ptr_array_index (self->builtin, i))->name, name) == 0)
      return TRUE;
  for (guint i = 0; i < self->custom->len; i++)
    if (g_strcmp0 (((HearthProfile *) g_ptr_array_index (self->custom, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* Profiles */

const HearthProfile *
_hearth_tuning_find_profile (HearthTuning *self,
                             const char   *name)
{
  for (guint i = 0; i < self->builtin->len; i++)
    {
      const HearthProfile *profile = g_ptr_array_index (self->builtin, i);

      if (g_strcmp0 (profile->name, name) == 0)
        return profile;
    }
  for (guint i = 0; i < self->custom->len; i++)
    {
      const HearthProfile *profile = g_ptr_array_index (self->custom, i);

      if (g_strcmp0 (profile->name, name) == 0)
        return profile;
    }
  return NULL;
}

static void
set_no_profile_error (HearthTuning  *self,
                      const char    *name,
                      GError       **error)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < self->builtin->len; i++)
    g_string_append_printf (names, "%s%s", names->len ? ", " : "",
                            ((HearthProfile *) g_ptr_array_index (self->builtin, i))->name);
  for (guint i = 0; i < self->custom->len; i++)
    g_string_append_printf (names, ", %s", ((HearthProfile *) g_ptr_array_index (self->custom, i))->name);
  g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
               _("There is no profile called “%s”; the profiles are %s"), name ? name : "", names->str);
  g_string_free (names, TRUE);
}

GPtrArray *
hearth_tuning_list_profiles (HearthTuning *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_profile_free);

  g_return_val_if_fail (HEARTH_IS_TUNING (self), list);

  _hearth_tuning_sync (self);
  for (guint i = 0; i < self->builtin->len; i++)
    g_ptr_array_add (list, hearth_profile_copy (g_ptr_array_index (self->builtin, i)));
  for (guint i = 0; i < self->custom->len; i++)
    g_ptr_array_add (list, hearth_profile_copy (g_ptr_array_index (self->custom, i)));
  return list;
}

/* The profile called @name, up to date with the history; an error naming it
 * when there is none. */
static const HearthProfile *
lookup_profile (HearthTuning  *self,
                const char    *name,
                GError       **error)
{
  const HearthProfile *profile;

  _hearth_tuning_sync (self);
  profile = _hearth_tuning_find_profile (self, name);
  if (profile == NULL)
    set_no_profile_error (self, name, error);
  return profile;
}

HearthProfile *
hearth_tuning_get_profile (HearthTuning  *self,
                           const char    *name,
                           GError       **error)
{
  const HearthProfile *profile;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);

  profile = lookup_profile (self, name, error);
  return profile != NULL ? hearth_profile_copy (profile) : NULL;
}

HearthRunOptions *
_hearth_tuning_profile_options (HearthTuning        *self,
                                const HearthProfile *profile)
{
  HearthRunOptions *options = hearth_run_options_new ();
  const HearthProfile *parent = profile->parent ? _hearth_tuning_find_profile (self, profile->parent) : NULL;

  if (parent != NULL && parent->builtin)
    hearth_run_options_merge (options, parent->options);
  hearth_run_options_merge (options, profile->options);
  return options;
}

HearthRunOptions *
hearth_tuning_get_profile_options (HearthTuning  *self,
                                   const char    *name,
                                   GError       **error)
{
  const HearthProfile *profile;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);

  profile = lookup_profile (self, name, error);
  return profile != NULL ? _hearth_tuning_profile_options (self, profile) : NULL;
}

gboolean
hearth_tuning_save_profile (HearthTuning         *self,
                            const HearthProfile  *profile,
                            GError              **error)
{
  const HearthProfile *parent;
  g_autoptr(HearthProfile) copy = NULL;
  guint i;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);

  if (!hearth_profile_check_name (profile->name, error))
    return FALSE;
  parent = profile->parent ? _hearth_tuning_find_profile (self, profile->parent) : NULL;
  if (parent == NULL || !parent->builtin)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("A profile of your own starts from a built-in one: fast, balanced, quality "
                     "or battery%s%s%s"), profile->parent ? " (not “" : "",
                   profile->parent ? profile->parent : "", profile->parent ? "”)" : "");
      return FALSE;
    }
  if (!_hearth_tuning_check_store (self, error))
    return FALSE;
  _hearth_tuning_sync (self);
  copy = hearth_profile_copy (profile);
  copy->builtin = FALSE;
  if (copy->title == NULL || *copy->title == '\0')
    {
      g_autoptr(HearthProfile) named = hearth_profile_new (copy->name, NULL);

      g_free (copy->title);
      copy->title = g_strdup (named->title);
    }
  if (!_hearth_tuning_db_write_profile (self->store, copy, error))
    return FALSE;
  for (i = 0; i < self->custom->len; i++)
    if (g_strcmp0 (((HearthProfile *) g_ptr_array_index (self->custom, i))->name, copy->name) == 0)
      break;
  if (i < self->custom->len)
    g_ptr_array_remove_index (self->custom, i);
  g_ptr_array_add (self->custom, g_steal_pointer (&copy));
  _hearth_tuning_emit_changed (self);
  return TRUE;
}

gboolean
hearth_tuning_remove_profile (HearthTuning  *self,
                              const char    *name,
                              GError       **error)
{
  const HearthProfile *profile;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);

  _hearth_tuning_sync (self);
  profile = _hearth_tuning_find_profile (self, name);
  if (profile == NULL)
    {
      set_no_profile_error (self, name, error);
      return FALSE;
    }
  if (profile->builtin)
    {
      g_set_error (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                   _("“%s” is a built-in profile and cannot be removed"), name);
      return FALSE;
    }
  if (!_hearth_tuning_check_store (self, error)
      || !_hearth_tuning_db_delete_profile (self->store, name, error))
    return FALSE;
  g_ptr_array_remove (self->custom, (gpointer) profile);
  /* The profile in use is gone: back to Balanced. */
  if (g_strcmp0 (self->chosen, name) == 0)
    hearth_tuning_use_profile (self, HEARTH_PROFILE_BALANCED, NULL);
  _hearth_tuning_emit_changed (self);
  return TRUE;
}

const char *
hearth_tuning_get_chosen_profile (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);

  _hearth_tuning_sync (self);
  if (!_hearth_tuning_profile_exists (self, self->chosen))
    return HEARTH_PROFILE_BALANCED;
  return self->chosen;
}

gboolean
hearth_tuning_use_profile (HearthTuning  *self,
                           const char    *name,
                           GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);

  _hearth_tuning_sync (self);
  if (!_hearth_tuning_profile_exists (self, name))
    {
      set_no_profile_error (self, name, error);
      return FALSE;
    }
  if (g_strcmp0 (self->chosen, name) == 0)
    return TRUE;
  if (self->settings != NULL)
    {
      /* The settings' "changed" tells every view, this object too. */
      g_settings_set_string (self->settings, "run-profile", name);
      if (g_strcmp0 (self->chosen, name) == 0)
        return TRUE;
    }
  g_free (self->chosen);
  self->chosen = g_strdup (name);
  _hearth_tuning_emit_changed (self);
  return TRUE;
}

const char *
hearth_tuning_get_active_profile (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);

  if (_hearth_tuning_battery_in_force (self))
    return HEARTH_PROFILE_BATTERY;
  return hearth_tuning_get_chosen_profile (self);
}

