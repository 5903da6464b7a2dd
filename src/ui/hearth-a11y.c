/* hearth-a11y.c — what every widget needs for assistive technologies
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-a11y"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-a11y.h"

/* GTK 4.8 names a button whose label has a mnemonic ("_Retry") by that
 * label as written, underscore and all, and by its label widget too: a
 * screen reader says "underscore Retry Retry". The label widget alone
 * names it as GTK does for any other button. */
static gboolean
on_map (GSignalInvocationHint *hint,
        guint                  n_values,
        const GValue          *values,
        gpointer               data)
{
  GObject *object = g_value_get_object (&values[0]);

  /* GTK 4.8's spin buttons leave their − and + buttons unnamed (later
   * GTK names them so): a screen reader says "button", twice. */
  if (GTK_IS_BUTTON (object) && GTK_IS_SPIN_BUTTON (gtk_widget_get_parent (GTK_WIDGET (object)))
      && !gtk_test_accessible_has_property (GTK_ACCESSIBLE (object), GTK_ACCESSIBLE_PROPERTY_LABEL))
    {
      const char *icon = gtk_button_get_icon_name (GTK_BUTTON (object));

      if (g_strcmp0 (icon, "value-decrease-symbolic") == 0)
        /* Translators: a spin button's − button, read by a screen reader */
        gtk_accessible_update_property (GTK_ACCESSIBLE (object), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Decrease"), -1);
      else if (g_strcmp0 (icon, "value-increase-symbolic") == 0)
        /* Translators: a spin button's + button, read by a screen reader */
        gtk_accessible_update_property (GTK_ACCESSIBLE (object), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Increase"), -1);
    }

  if (GTK_IS_BUTTON (object) && gtk_button_get_use_underline (GTK_BUTTON (object))
      && gtk_button_get_label (GTK_BUTTON (object)) != NULL
      && gtk_test_accessible_has_relation (GTK_ACCESSIBLE (object),
                                           GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    {
      g_autofree char *differs =
        gtk_test_accessible_check_property (GTK_ACCESSIBLE (object), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                            gtk_button_get_label (GTK_BUTTON (object)));

      /* only the label GTK set: a name of our own stays */
      if (differs == NULL)
        gtk_accessible_reset_property (GTK_ACCESSIBLE (object), GTK_ACCESSIBLE_PROPERTY_LABEL);
    }
  return TRUE;
}

/* Once, before the first window. */
void
hearth_a11y_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0, on_map, NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}
