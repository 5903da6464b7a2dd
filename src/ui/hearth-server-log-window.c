/* hearth-server-log-window.c — what a server Hearth runs has written, followed live
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The log file's tail is read once (GIO, asynchronously); the lines the
 * server writes from then on come with HearthServers' "log-line" signal.
 * The view follows the end unless the person scrolled up to read.
 */
#define G_LOG_DOMAIN "hearth-server-log"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hearth-error.h"
#include "hearth-server-log-window.h"

/* What the window keeps: the log file holds up to 1 MiB, a person reads the end. */
#define MAX_LINES 2000

struct _HearthServerLogWindow
{
  AdwWindow       parent_instance;

  HearthServers  *servers;
  HearthServer   *server;
  GCancellable   *cancellable;
  GPtrArray      *pending;     /* lines heard while the file was read; NULL once read */
  guint           n_lines;

  AdwWindowTitle *title;
  GtkStack       *stack;
  AdwStatusPage  *empty_page;
  GtkScrolledWindow *scroller;
  GtkTextView    *view;
  GtkTextBuffer  *buffer;
};

G_DEFINE_FINAL_TYPE (HearthServerLogWindow, hearth_server_log_window, ADW_TYPE_WINDOW)

static gboolean
at_end (HearthServerLogWindow *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)
         >= gtk_adjustment_get_upper (adjustment) - 24;
}

static void
scroll_to_end (HearthServerLogWindow *self)
{
  GtkTextIter end;
  GtkTextMark *mark;

  gtk_text_buffer_get_end_iter (self->buffer, &end);
  mark = gtk_text_buffer_get_mark (self->buffer, "end");
  gtk_text_buffer_move_mark (self->buffer, mark, &end);
  gtk_text_view_scroll_mark_onscreen (self->view, mark);
}

static void
drop_oldest (HearthServerLogWindow *self)
{
  GtkTextIter start, cut;

  if (self->n_lines <= MAX_LINES)
    return;
  gtk_text_buffer_get_start_iter (self->buffer, &start);
  gtk_text_buffer_get_iter_at_line (self->buffer, &cut, self->n_lines - MAX_LINES);
  gtk_text_buffer_delete (self->buffer, &start, &cut);
  self->n_lines = MAX_LINES;
}

/* @lines: whole lines, each ending with "\n" */
static void
append_text (HearthServerLogWindow *self,
             const char            *lines,
             guint                  n_lines)
{
  gboolean follow = at_end (self);
  GtkTextIter end;

  if (n_lines == 0)
    return;
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  gtk_text_buffer_insert (self->buffer, &end, lines, -1);
  self->n_lines += n_lines;
  drop_oldest (self);
  gtk_stack_set_visible_child_name (self->stack, "log");
  if (follow)
    scroll_to_end (self);
}

static void
append_line (HearthServerLogWindow *self,
             const char            *line)
{
  g_autofree char *valid = g_utf8_make_valid (line, -1);
  g_autofree char *text = g_strconcat (valid, "\n", NULL);

  append_text (self, text, 1);
}

static void
log_line_cb (HearthServerLogWindow *self,
             HearthServer          *server,
             const char            *line)
{
  if (server != self->server)
    return;
  if (self->pending != NULL)
    g_ptr_array_add (self->pending, g_strdup (line));
  else
    append_line (self, line);
}

/* The lines heard while the file was read may be in it already: the
 * longest run of them that ends the file is not shown twice. */
static guint
already_read (char     **lines,
              guint      n_lines,
              GPtrArray *pending)
{
  for (guint k = MIN (n_lines, pending->len); k > 0; k--)
    {
      gboolean same = TRUE;

      for (guint i = 0; i < k && same; i++)
        same = g_strcmp0 (lines[n_lines - k + i], g_ptr_array_index (pending, i)) == 0;
      if (same)
        return k;
    }
  return 0;
}

static void
show_file (HearthServerLogWindow *self,
           const char            *contents,
           gsize                  length)
{
  g_autofree char *valid = g_utf8_make_valid (contents, length);
  g_auto(GStrv) lines = g_strsplit (valid, "\n", -1);
  guint n = g_strv_length (lines);
  guint first;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);

  /* the text after the last newline is a line still being written */
  if (n > 0 && *lines[n - 1] == '\0')
    n--;
  first = n > MAX_LINES ? n - MAX_LINES : 0;
  for (guint i = first; i < n; i++)
    g_string_append_printf (text, "%s\n", lines[i]);
  append_text (self, text->str, n - first);
  for (guint i = already_read (lines, n, pending); i < pending->len; i++)
    append_line (self, g_ptr_array_index (pending, i));
  scroll_to_end (self);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HearthServerLogWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      if (hearth_error_is_cancelled (error) || self->server == NULL)
        return;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        adw_status_page_set_description (self->empty_page, error->message);
    }
  if (self->server != NULL)
    show_file (self, contents != NULL ? contents : "", length);
}

static void
update_title (HearthServerLogWindow *self)
{
  g_autofree char *title = g_strdup_printf (_("Log of %s"), hearth_server_get_name (self->server));

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->title, title);
  adw_window_title_set_subtitle (self->title, hearth_server_get_process_message (self->server));
}

static GtkWidget *
build_log_view (HearthServerLogWindow *self)
{
  GtkTextIter end;

  self->view = GTK_TEXT_VIEW (gtk_text_view_new ());
  self->buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_view_set_editable (self->view, FALSE);
  gtk_text_view_set_cursor_visible (self->view, FALSE);
  gtk_text_view_set_monospace (self->view, TRUE);
  gtk_text_view_set_wrap_mode (self->view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (self->view, 12);
  gtk_text_view_set_right_margin (self->view, 12);
  gtk_text_view_set_top_margin (self->view, 12);
  gtk_text_view_set_bottom_margin (self->view, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Server log"), -1);
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  gtk_text_buffer_create_mark (self->buffer, "end", &end, FALSE);
  self->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (self->scroller, GTK_WIDGET (self->view));
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  return GTK_WIDGET (self->scroller);
}

static void
hearth_server_log_window_dispose (GObject *object)
{
  HearthServerLogWindow *self = HEARTH_SERVER_LOG_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->servers);
  g_clear_object (&self->server);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_server_log_window_parent_class)->dispose (object);
}

static void
hearth_server_log_window_class_init (HearthServerLogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_server_log_window_dispose;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hearth_server_log_window_init (HearthServerLogWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  self->title = ADW_WINDOW_TITLE (adw_window_title_new ("", NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty_page, "text-x-generic-symbolic");
  adw_status_page_set_title (self->empty_page, _("Nothing Logged Yet"));
  adw_status_page_set_description (self->empty_page,
                                   _("What the server writes shows here once it is started."));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty_page), "empty");
  gtk_stack_add_named (self->stack, build_log_view (self), "log");
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_size (GTK_WINDOW (self), 760, 520);
  gtk_widget_set_size_request (GTK_WIDGET (self), 360, 240);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
  self->cancellable = g_cancellable_new ();
  self->pending = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
hearth_server_log_window_new (GtkWindow     *parent,
                              HearthServers *servers,
                              HearthServer  *server)
{
  HearthServerLogWindow *self;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEARTH_IS_SERVERS (servers), NULL);
  g_return_val_if_fail (HEARTH_IS_SERVER (server), NULL);

  self = g_object_new (HEARTH_TYPE_SERVER_LOG_WINDOW, "transient-for", parent, NULL);
  self->servers = g_object_ref (servers);
  self->server = g_object_ref (server);
  update_title (self);
  g_signal_connect_object (server, "notify::process-message", G_CALLBACK (update_title), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (servers, "log-line", G_CALLBACK (log_line_cb), self,
                           G_CONNECT_SWAPPED);
  path = hearth_server_get_log_path (server);
  file = g_file_new_for_path (path);
  g_file_load_contents_async (file, self->cancellable, loaded_cb, g_object_ref (self));
  return GTK_WIDGET (self);
}

guint
hearth_server_log_window_get_n_lines (HearthServerLogWindow *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER_LOG_WINDOW (self), 0);

  return self->n_lines;
}

gboolean
hearth_server_log_window_is_loaded (HearthServerLogWindow *self)
{
  g_return_val_if_fail (HEARTH_IS_SERVER_LOG_WINDOW (self), FALSE);

  return self->pending == NULL;
}
