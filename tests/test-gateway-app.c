/* test-gateway-app.c — the app's "Serve the API to other programs on this
 * machine": the Preferences switch starts and stops the app's gateway (a
 * client gets an answer, then the port is free again), the status counts
 * the requests, a port in use is shown with what to do and Try Again
 * works once it is free, a bad address is refused, an address other than
 * loopback shows the warning and the token can be copied; the Performance
 * page names the program behind each request
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-gateway-app"

#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "hearth-application.h"
#include "hearth-performance-page.h"
#include "hearth-preferences-window.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define AGENT "gateway-app-test/2.0"
#define MODEL "tiny-fixed"

static GSettings *settings;

/* A loopback port nothing listens on (bound, then let go). */
static guint16
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static gboolean
port_is_free (guint16 port)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", port);

  return g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL);
}

static gboolean
match_name (GtkWidget *widget,
            gpointer   name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static GtkWidget *
named (GtkWidget  *window,
       const char *name)
{
  GtkWidget *widget = hearth_test_find_widget (window, match_name, (gpointer) name);

  g_assert_nonnull (widget);
  return widget;
}

typedef struct
{
  GtkWidget  *row;
  const char *needle;
} Said;

static gboolean
subtitle_has (gpointer data)
{
  Said *said = data;
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (said->row));

  return subtitle != NULL && strstr (subtitle, said->needle) != NULL;
}

static void
wait_subtitle (GtkWidget  *row,
               const char *needle)
{
  Said said = { row, needle };

  if (!hearth_test_spin_until (subtitle_has, &said, 20000))
    g_error ("the row “%s” says “%s”, not “%s”",
             adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
             adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), needle);
}

static void
assert_address_setting (const char *expected)
{
  g_autofree char *address = g_settings_get_string (settings, "serve-address");

  g_assert_cmpstr (address, ==, expected);
}

static gboolean
gateway_running (gpointer gateway)
{
  return hearth_gateway_get_running (gateway);
}

static gboolean
gateway_stopped (gpointer gateway)
{
  return !hearth_gateway_get_running (gateway);
}

static gboolean
widget_visible (gpointer widget)
{
  return gtk_widget_get_visible (widget);
}

/* A client of the gateway: on this main loop, which serves it too. */
typedef struct
{
  GBytes *body;
  guint   status;
  GError *error;
  gboolean done;
} Reply;

static void
reply_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &reply->error);
  reply->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source),
                                                                                 result));
  reply->done = TRUE;
}

static gboolean
reply_done (gpointer reply)
{
  return ((Reply *) reply)->done;
}

static guint
request (const char *method,
         const char *url,
         const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("user-agent", AGENT, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Reply reply = { 0 };

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, reply_cb, &reply);
  g_assert_true (hearth_test_spin_until (reply_done, &reply, 120000));
  g_assert_no_error (reply.error);
  g_test_message ("%s %s → %u %.*s", method, url, reply.status,
                  (int) MIN (g_bytes_get_size (reply.body), 200),
                  (const char *) g_bytes_get_data (reply.body, NULL));
  g_bytes_unref (reply.body);
  return reply.status;
}

/* The group is the Servers page's last: scrolled to, at both widths. */
static void
save_group (GtkWidget  *window,
            const char *stem)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (named (window, "serve-api"),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  const int widths[] = { 1280, 380 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d.png", stem, widths[i]);
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

      gtk_window_set_default_size (GTK_WINDOW (window), widths[i], 800);
      hearth_test_wait_drawn (window, 500);
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      hearth_test_wait_drawn (window, 300);
      g_free (hearth_test_save_screenshot (window, name));
    }
}

typedef struct
{
  HearthApplication *app;
  HearthEngine      *engine;
  HearthGateway     *gateway;
  GtkWidget         *window;
} Fixture;

static gboolean
window_gone (gpointer data)
{
  return *(GtkWidget **) data == NULL;
}

/* One application for every test: its D-Bus name is registered once. */
static HearthApplication *app;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (app == NULL)
    {
      app = hearth_application_new ();
      g_application_set_application_id (G_APPLICATION (app), APP_ID ".GatewayTest");
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }
  fixture->app = app;
  fixture->engine = hearth_application_get_engine (app);
  fixture->gateway = hearth_engine_get_gateway (fixture->engine);
  /* off until the person turns it on */
  g_assert_false (hearth_gateway_get_running (fixture->gateway));

  fixture->window = hearth_preferences_window_new (NULL, fixture->engine);
  gtk_window_set_application (GTK_WINDOW (fixture->window), GTK_APPLICATION (app));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (fixture->window),
                                                "servers");
  gtk_window_present (GTK_WINDOW (fixture->window));
  hearth_test_wait_drawn (fixture->window, 500);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_settings_reset (settings, "serve-api");
  g_assert_true (hearth_test_spin_until (gateway_stopped, fixture->gateway, 5000));
  g_settings_reset (settings, "serve-address");
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  /* nothing keeps the window: its rows would follow the servers after it is gone */
  g_assert_true (hearth_test_spin_until (window_gone, &fixture->window, 5000));
}

static void
test_switch (Fixture       *fixture,
             gconstpointer  data)
{
  guint16 port = free_port ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree char *version = g_strdup_printf ("%s/api/version", url);
  g_autofree char *serving = g_strdup_printf ("Serving at %s", url);
  GtkWidget *row = named (fixture->window, "serve-api");
  GtkWidget *entry = named (fixture->window, "serve-address");

  /* the address typed, then the switch */
  gtk_editable_set_text (GTK_EDITABLE (entry), address);
  g_signal_emit_by_name (entry, "apply");
  assert_address_setting (address);
  g_assert_false (hearth_gateway_get_running (fixture->gateway));
  g_assert_true (GTK_IS_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))));
  gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))),
                         TRUE);
  g_assert_true (g_settings_get_boolean (settings, "serve-api"));
  g_assert_true (hearth_test_spin_until (gateway_running, fixture->gateway, 10000));
  g_assert_cmpstr (hearth_gateway_get_url (fixture->gateway), ==, url);

  /* a client is answered, and the status counts it */
  g_assert_cmpuint (request ("GET", version, NULL), ==, 200);
  wait_subtitle (row, serving);
  wait_subtitle (row, "1 request");
  g_assert_true (gtk_widget_get_visible (named (fixture->window, "serve-clients")));
  g_assert_false (gtk_widget_get_visible (named (fixture->window, "serve-error")));
  save_group (fixture->window, "gateway-serving");

  /* off: nothing listens there any more */
  gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))),
                         FALSE);
  g_assert_true (hearth_test_spin_until (gateway_stopped, fixture->gateway, 5000));
  g_assert_true (port_is_free (port));
  wait_subtitle (row, "Off");
}

static void
test_port_in_use (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocketListener) other = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *port_text = NULL;
  GtkWidget *error_row = named (fixture->window, "serve-error");
  GtkWidget *entry = named (fixture->window, "serve-address");
  guint16 port;

  /* another program on the port */
  port = g_socket_listener_add_any_inet_port (other, NULL, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u", port);
  port_text = g_strdup_printf ("port %u", port);
  g_settings_set_string (settings, "serve-address", address);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, address);
  g_settings_set_boolean (settings, "serve-api", TRUE);

  g_assert_true (hearth_test_spin_until (widget_visible, error_row, 10000));
  g_assert_false (hearth_gateway_get_running (fixture->gateway));
  wait_subtitle (error_row, port_text);
  wait_subtitle (named (fixture->window, "serve-api"), "Not serving");
  save_group (fixture->window, "gateway-port-in-use");

  /* the other program leaves; Try Again serves */
  g_socket_listener_close (other);
  g_assert_true (gtk_widget_activate_action (fixture->window, "gateway.try-again", NULL));
  g_assert_true (hearth_test_spin_until (gateway_running, fixture->gateway, 10000));
  g_assert_false (gtk_widget_get_visible (error_row));

  /* a bad address is refused where it is typed; the gateway keeps serving */
  gtk_editable_set_text (GTK_EDITABLE (entry), "127.0.0.1:99999");
  g_signal_emit_by_name (entry, "apply");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  assert_address_setting (address);
  g_assert_true (hearth_gateway_get_running (fixture->gateway));
}

typedef struct
{
  char    *text;
  gboolean done;
} Clip;

static void
clip_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Clip *clip = user_data;

  clip->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  clip->done = TRUE;
}

static gboolean
clip_done (gpointer clip)
{
  return ((Clip *) clip)->done;
}

static gboolean
toast_shown (gpointer window)
{
  g_autofree char *text = hearth_test_visible_text (window);

  return strstr (text, "Token copied") != NULL;
}

static void
test_not_loopback (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *token_row = named (fixture->window, "serve-token");
  Clip clip = { 0 };

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("No session bus with a keyring: run under build-aux/test-session");
      return;
    }
  g_assert_false (gtk_widget_get_visible (token_row));
  g_settings_set_string (settings, "serve-address", "0.0.0.0:0");
  g_assert_true (gtk_widget_get_visible (token_row));
  g_settings_set_boolean (settings, "serve-api", TRUE);
  /* the token comes from the keyring first */
  g_assert_true (hearth_test_spin_until (gateway_running, fixture->gateway, 20000));
  g_assert_false (hearth_gateway_get_loopback (fixture->gateway));

  g_assert_true (gtk_widget_activate_action (fixture->window, "gateway.copy-token", NULL));
  g_assert_true (hearth_test_spin_until (toast_shown, fixture->window, 10000));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (fixture->window), NULL, clip_cb, &clip);
  g_assert_true (hearth_test_spin_until (clip_done, &clip, 5000));
  g_assert_nonnull (clip.text);
  g_assert_cmpuint (strlen (clip.text), >=, 32);
  save_group (fixture->window, "gateway-not-loopback");
  g_free (clip.text);
}

/* A request through the gateway shows on the Performance page with the
 * program that sent it. */
static gboolean
page_names_client (gpointer page)
{
  g_autofree char *text = NULL;

  hearth_performance_page_refresh (page);
  hearth_test_spin_for (300);
  text = hearth_test_visible_text (page);
  return strstr (text, AGENT) != NULL;
}

static void
test_performance_client (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *conf = NULL;
  g_autofree char *chat = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *page;
  guint16 port = free_port ();

  if (!hearth_test_require_node ())
    return;
  if (!hearth_engine_has_history (fixture->engine))
    {
      g_test_fail_printf ("no history: %s", hearth_engine_get_store_error (fixture->engine)->message);
      return;
    }
  /* the engine's server for the chat */
  hearth_servers_add (hearth_engine_get_servers (fixture->engine), "engine",
                      hearth_test_engine_url (), HEARTH_API_OLLAMA, FALSE, NULL, &error);
  g_assert_no_error (error);
  conf = g_strdup_printf ("127.0.0.1:%u", port);
  g_settings_set_string (settings, "serve-address", conf);
  g_settings_set_boolean (settings, "serve-api", TRUE);
  g_assert_true (hearth_test_spin_until (gateway_running, fixture->gateway, 10000));
  chat = g_strdup_printf ("http://%s/api/chat", conf);
  g_assert_cmpuint (request ("POST", chat, "{\"model\":\"" MODEL "@engine\",\"stream\":false,"
                             "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), ==, 200);

  window = gtk_window_new ();
  page = g_object_new (HEARTH_TYPE_PERFORMANCE_PAGE, NULL);
  hearth_performance_page_set_engine (HEARTH_PERFORMANCE_PAGE (page), fixture->engine);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (hearth_test_spin_until (page_names_client, page, 20000));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "gateway-performance", TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hearth_test_init (&argc, &argv);
  adw_init ();
  settings = g_settings_new (APP_ID);

  g_test_add ("/gateway-app/switch", Fixture, NULL, fixture_set_up, test_switch,
              fixture_tear_down);
  g_test_add ("/gateway-app/port-in-use", Fixture, NULL, fixture_set_up, test_port_in_use,
              fixture_tear_down);
  g_test_add ("/gateway-app/not-loopback", Fixture, NULL, fixture_set_up, test_not_loopback,
              fixture_tear_down);
  g_test_add ("/gateway-app/performance-client", Fixture, NULL, fixture_set_up,
              test_performance_client, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  g_clear_object (&settings);
  return ret;
}
