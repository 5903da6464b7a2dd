/* test-launcher.c — the launcher's New Chat action and the keyboard shortcuts window
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * New Chat: the desktop file is D-Bus activatable, so the launcher calls
 * org.freedesktop.Application.ActivateAction ("new-chat") on Hearth's bus
 * name. The test calls it from a connection of its own on the session bus
 * while the window shows an old conversation on another page, and looks at
 * what a person would see: the Chat page, on a new empty conversation.
 * (test-sandbox starts Hearth with the same call when it is not running.)
 *
 * Shortcuts: Ctrl+? opens the shortcuts window, and each shortcut it lists
 * is one the application or its widgets really have; every accelerator the
 * application sets and every key Hearth's own widgets bind is listed.
 */
#define G_LOG_DOMAIN "hearth-test-launcher"

#include "config.h"

#include <adwaita.h>

#include "hearth-application.h"
#include "hearth-chat-page.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"
#include "hearth-window.h"

#define TEST_APP_ID   APP_ID ".LauncherTest"
#define TEST_APP_PATH "/io/github/hearthapp/Hearth/LauncherTest"

static HearthApplication *app;

static gint64
create_conversation (const char *title,
                     guint       n)
{
  HearthStore *store = hearth_engine_get_store (hearth_application_get_engine (app));
  g_autoptr(GError) error = NULL;
  gint64 id = hearth_store_create_conversation (store, title, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthMessage) m = hearth_message_new (i % 2 ? "assistant" : "user",
                                                       i % 2 ? "An old answer" : "An old question");

      m->conversation_id = id;
      m->created_ms = g_get_real_time () / 1000;
      m->state = HEARTH_MESSAGE_COMPLETE;
      hearth_store_add_message (store, m, &error);
      g_assert_no_error (error);
    }
  return id;
}

static HearthChatPage *
chat_page (HearthWindow *window)
{
  return HEARTH_CHAT_PAGE (hearth_test_find_descendant (GTK_WIDGET (window),
                                                        HEARTH_TYPE_CHAT_PAGE));
}

static const char *
visible_page (HearthWindow *window)
{
  AdwViewStack *stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window),
                                                                     ADW_TYPE_VIEW_STACK));

  return adw_view_stack_get_visible_child_name (stack);
}

static guint
n_messages (HearthWindow *window)
{
  return g_list_model_get_n_items (hearth_chat_page_get_messages (chat_page (window)));
}

static gboolean
conversation_shown (gpointer window)
{
  return n_messages (window) == 2;
}

static gboolean
new_chat_shown (gpointer window)
{
  return g_strcmp0 (visible_page (window), "chat") == 0 &&
         hearth_chat_page_get_conversation_id (chat_page (window)) <= 0 &&
         n_messages (window) == 0;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Answer;

static void
activate_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Answer *answer = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, &answer->error);

  answer->done = TRUE;
}

static gboolean
answered (gpointer data)
{
  return ((Answer *) data)->done;
}

/* The Hardware page, as its tab would show it */
static void
show_page (HearthWindow *window,
           const char   *name)
{
  AdwViewStack *stack = ADW_VIEW_STACK (hearth_test_find_descendant (GTK_WIDGET (window),
                                                                     ADW_TYPE_VIEW_STACK));

  adw_view_stack_set_visible_child_name (stack, name);
}

static void
test_new_chat_action (void)
{
  HearthWindow *window = hearth_window_new (app);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusConnection) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Answer answer = { FALSE, NULL };
  gint64 old;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_wait_drawn (GTK_WIDGET (window), 5000));

  /* An old conversation open, and the person on another page */
  old = create_conversation ("An old conversation", 2);
  hearth_window_show_conversation (window, old);
  g_assert_true (hearth_test_spin_until (conversation_shown, window, 5000));
  show_page (window, "hardware");
  g_assert_cmpstr (visible_page (window), ==, "hardware");

  /* The launcher: another client of the session bus */
  g_assert_nonnull (address);
  launcher = g_dbus_connection_new_for_address_sync (address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_call (launcher, TEST_APP_ID, TEST_APP_PATH, "org.freedesktop.Application",
                          "ActivateAction",
                          g_variant_new ("(sava{sv})", "new-chat", NULL, NULL),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, activate_done,
                          &answer);
  g_assert_true (hearth_test_spin_until (answered, &answer, 15000));
  g_assert_no_error (answer.error);

  g_assert_true (hearth_test_spin_until (new_chat_shown, window, 5000));
  /* the same window, not a second one */
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  hearth_test_wait_frame (GTK_WIDGET (window), 2000);
  g_free (hearth_test_save_screenshot (GTK_WIDGET (window), "launcher-new-chat.png"));

  g_dbus_connection_close_sync (launcher, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (100);
}

/* Shortcuts */

typedef struct
{
  guint           key;
  GdkModifierType mods;
} Accel;

static gboolean
accel_parse (const char *text,
             Accel      *accel)
{
  return gtk_accelerator_parse (text, &accel->key, &accel->mods) && accel->key != 0;
}

static char *
accel_name (const Accel *accel)
{
  return gtk_accelerator_name (accel->key, accel->mods);
}

/* The keyval shortcuts of a widget's controllers, as "<Control>f" names. */
static void
collect_controller_accels (GtkWidget  *widget,
                           GHashTable *names)
{
  g_autoptr(GPtrArray) shortcuts = hearth_test_keyval_shortcuts (widget);

  for (guint i = 0; i < shortcuts->len; i++)
    {
      GtkKeyvalTrigger *trigger =
        GTK_KEYVAL_TRIGGER (gtk_shortcut_get_trigger (g_ptr_array_index (shortcuts, i)));
      Accel accel = { gtk_keyval_trigger_get_keyval (trigger),
                      gtk_keyval_trigger_get_modifiers (trigger) };

      g_hash_table_add (names, accel_name (&accel));
    }
}

/* What a Hearth widget inherits from GTK or libadwaita (GtkWindow's
 * inspector keys, …): those of a plain widget of its first non-Hearth
 * ancestor type. */
static GHashTable *
inherited_accels (GType type)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWidget *plain;

  while (g_str_has_prefix (g_type_name (type), "Hearth"))
    type = g_type_parent (type);
  if (G_TYPE_IS_ABSTRACT (type))
    return names;
  plain = g_object_ref_sink (g_object_new (type, NULL));
  collect_controller_accels (plain, names);
  if (GTK_IS_WINDOW (plain))
    gtk_window_destroy (GTK_WINDOW (plain));
  g_object_unref (plain);
  return names;
}

/* The keys Hearth's own widgets bind (their class shortcuts: Ctrl+F,
 * Escape, F2, Delete, …), as "<Control>f" names. */
static void
collect_widget_accels (GtkWidget  *widget,
                       GHashTable *names)
{
  if (g_str_has_prefix (G_OBJECT_TYPE_NAME (widget), "Hearth"))
    {
      g_autoptr(GHashTable) own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GHashTable) inherited = inherited_accels (G_OBJECT_TYPE (widget));
      GHashTableIter iter;
      gpointer name;

      collect_controller_accels (widget, own);
      g_hash_table_iter_init (&iter, own);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        if (!g_hash_table_contains (inherited, name))
          g_hash_table_add (names, g_strdup (name));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widget_accels (child, names);
}

static void
collect_listed (GtkWidget *widget,
                GPtrArray *shortcuts)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    g_ptr_array_add (shortcuts, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_listed (child, shortcuts);
}

static gboolean
overlay_shown (gpointer window)
{
  GtkWindow *overlay = GTK_WINDOW (gtk_application_window_get_help_overlay (window));

  return overlay != NULL && gtk_widget_get_mapped (GTK_WIDGET (overlay));
}

static void
test_shortcuts_window (void)
{
  HearthWindow *window = hearth_window_new (app);
  g_auto(GStrv) on_help = NULL;
  g_auto(GStrv) actions = NULL;
  g_autoptr(GHashTable) widget_accels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);
  g_autoptr(GHashTable) listed_accels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);
  g_autoptr(GHashTable) listed_actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                NULL);
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
  GtkWidget *overlay;
  GHashTableIter iter;
  gpointer name;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_wait_drawn (GTK_WIDGET (window), 5000));
  /* The Chat page's widgets exist once it has been shown. */
  hearth_window_new_chat (window);
  hearth_test_spin_for (200);

  /* Ctrl+? is the shortcuts window's accelerator; it opens it. */
  on_help = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Control>question");
  g_assert_nonnull (on_help);
  g_assert_cmpuint (g_strv_length (on_help), ==, 1);
  g_assert_cmpstr (on_help[0], ==, "win.show-help-overlay");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_true (hearth_test_spin_until (overlay_shown, window, 5000));
  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));
  hearth_test_wait_drawn (overlay, 3000);
  g_free (hearth_test_save_screenshot (overlay, "shortcuts-window.png"));

  collect_widget_accels (GTK_WIDGET (window), widget_accels);
  collect_listed (overlay, shortcuts);
  g_assert_cmpuint (shortcuts->len, >, 0);

  /* Each listed shortcut is real */
  for (guint i = 0; i < shortcuts->len; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *action = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (shortcuts->pdata[i], "title", &title, "action-name", &action,
                    "accelerator", &accelerator, NULL);
      if (action != NULL)
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                        action);

          g_test_message ("listed: %s → %s", title, action);
          /* an action with no accelerator would show an empty row */
          if (accels == NULL || accels[0] == NULL)
            g_error ("“%s” lists %s, which has no accelerator", title, action);
          for (guint k = 0; accels[k] != NULL; k++)
            {
              Accel accel;

              g_assert_true (accel_parse (accels[k], &accel));
              g_hash_table_add (listed_accels, accel_name (&accel));
            }
          g_hash_table_add (listed_actions, g_steal_pointer (&action));
        }
      else
        {
          g_auto(GStrv) keys = g_strsplit (accelerator, " ", -1);

          g_test_message ("listed: %s → %s", title, accelerator);
          for (guint k = 0; keys[k] != NULL; k++)
            {
              Accel accel;
              g_autofree char *canonical = NULL;

              g_assert_true (accel_parse (keys[k], &accel));
              canonical = accel_name (&accel);
              /* Return and Shift+Return are read by the composer's key
               * handler (a key event, not a shortcut), tested in test-chat. */
              if (accel.key != GDK_KEY_Return &&
                  !g_hash_table_contains (widget_accels, canonical))
                g_error ("“%s” lists %s, which no widget of the window binds", title, keys[k]);
              g_hash_table_add (listed_accels, g_steal_pointer (&canonical));
            }
        }
    }

  /* Every accelerator the application sets is listed */
  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                    actions[i]);

      if (accels == NULL || accels[0] == NULL)
        continue;
      if (!g_hash_table_contains (listed_actions, actions[i]))
        g_error ("%s (%s) is not in the shortcuts window", actions[i], accels[0]);
    }
  /* and every key Hearth's own widgets bind */
  g_hash_table_iter_init (&iter, widget_accels);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (listed_accels, name))
      g_error ("%s is bound in the window but not in the shortcuts window", (char *) name);
    else
      g_test_message ("bound and listed: %s", (char *) name);

  gtk_window_destroy (GTK_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (window));
  hearth_test_spin_for (100);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  /* Its own bus name, so that the launcher's call reaches this instance. */
  app = hearth_application_new ();
  g_application_set_application_id (G_APPLICATION (app), TEST_APP_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (app)));

  g_test_add_func ("/launcher/new-chat-action", test_new_chat_action);
  g_test_add_func ("/launcher/shortcuts-window", test_shortcuts_window);
  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);
  return status;
}
