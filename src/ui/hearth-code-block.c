/* hearth-code-block.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-markdown"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "hearth-code-block.h"
#include "hearth-markdown-view.h"

#define COPIED_FEEDBACK_MS 1500
#define WARM_UP_PRIORITY   (G_PRIORITY_LOW)

struct _HearthCodeBlock
{
  GtkWidget          parent_instance;

  GtkLabel          *language_label;
  AdwButtonContent  *copy_content;
  GtkSourceView     *source_view;

  char              *language;
  GString           *code;
  guint              copied_id;
};

G_DEFINE_FINAL_TYPE (HearthCodeBlock, hearth_code_block, GTK_TYPE_WIDGET)

/* Fence tags models use that are neither a GtkSourceView id nor a file extension. */
static const struct {
  const char *tag;
  const char *id;
} language_aliases[] = {
  { "bash", "sh" },
  { "shell", "sh" },
  { "zsh", "sh" },
  { "console", "sh" },
  { "py", "python3" },
  { "python", "python3" },
  { "javascript", "js" },
  { "node", "js" },
  { "ts", "typescript" },
  { "c++", "cpp" },
  { "rs", "rust" },
  { "golang", "go" },
  { "yml", "yaml" },
  { "md", "markdown" },
  { "html", "html" },
  { "jsonc", "json" },
};

static GtkSourceLanguage *
lookup_language (const char *tag)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  g_autofree char *lower = NULL;
  g_autofree char *filename = NULL;
  GtkSourceLanguage *language;

  if (tag == NULL || *tag == '\0')
    return NULL;

  lower = g_ascii_strdown (tag, -1);
  for (guint i = 0; i < G_N_ELEMENTS (language_aliases); i++)
    {
      if (g_str_equal (lower, language_aliases[i].tag))
        {
          language = gtk_source_language_manager_get_language (manager, language_aliases[i].id);
          if (language != NULL)
            return language;
        }
    }

  /* A hidden language ("def", the definitions other languages include)
   * is no language to highlight with: GtkSourceView crashes on it. */
  if ((language = gtk_source_language_manager_get_language (manager, lower)) &&
      !gtk_source_language_get_hidden (language))
    return language;

  /* Most other tags are file extensions: "rb", "kt", "toml"… */
  filename = g_strconcat ("snippet.", lower, NULL);
  language = gtk_source_language_manager_guess_language (manager, filename, NULL);
  return language != NULL && !gtk_source_language_get_hidden (language) ? language : NULL;
}

static void
update_style_scheme (HearthCodeBlock *self)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer), scheme);
}

static void
hearth_code_block_dispose (GObject *object)
{
  HearthCodeBlock *self = HEARTH_CODE_BLOCK (object);
  GtkWidget *child;

  g_clear_handle_id (&self->copied_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEARTH_TYPE_CODE_BLOCK);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hearth_code_block_parent_class)->dispose (object);
}

static void
hearth_code_block_finalize (GObject *object)
{
  HearthCodeBlock *self = HEARTH_CODE_BLOCK (object);

  g_clear_pointer (&self->language, g_free);
  g_string_free (self->code, TRUE);

  G_OBJECT_CLASS (hearth_code_block_parent_class)->finalize (object);
}

static void
hearth_code_block_class_init (HearthCodeBlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_code_block_dispose;
  object_class->finalize = hearth_code_block_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-code-block.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthCodeBlock, language_label);
  gtk_widget_class_bind_template_child (widget_class, HearthCodeBlock, copy_content);
  gtk_widget_class_bind_template_child (widget_class, HearthCodeBlock, source_view);
  gtk_widget_class_bind_template_callback (widget_class, hearth_code_block_copy);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "codeblock");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (ADW_TYPE_BUTTON_CONTENT);
}

static void
hearth_code_block_init (HearthCodeBlock *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);

  self->code = g_string_new (NULL);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  update_style_scheme (self);
}

static void
hearth_code_block_set_language (HearthCodeBlock *self,
                                const char      *tag)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  GtkSourceLanguage *language = lookup_language (tag);
  g_autofree char *shown = NULL;

  self->language = g_strdup (tag != NULL && *tag != '\0' ? tag : NULL);
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), language);

  /* The tag is model text: it goes through the same filter as the labels. */
  if (language != NULL)
    shown = g_strdup (gtk_source_language_get_name (language));
  else if (self->language != NULL)
    shown = hearth_markdown_view_sanitize (self->language, -1);
  else
    shown = g_strdup (_("Code"));
  gtk_label_set_text (self->language_label, shown);
  {
    /* Translators: a code block's name for a screen reader; %s is its
     * language ("Python") */
    g_autofree char *name = language != NULL || self->language != NULL
                            ? g_strdup_printf (_("%s code"), shown) : g_strdup (shown);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                    -1);
  }
}

GtkWidget *
hearth_code_block_new (const char *language)
{
  HearthCodeBlock *self = g_object_new (HEARTH_TYPE_CODE_BLOCK, NULL);

  hearth_code_block_set_language (self, language);
  return GTK_WIDGET (self);
}

const char *
hearth_code_block_get_language (HearthCodeBlock *self)
{
  g_return_val_if_fail (HEARTH_IS_CODE_BLOCK (self), NULL);

  return self->language;
}

const char *
hearth_code_block_get_code (HearthCodeBlock *self)
{
  g_return_val_if_fail (HEARTH_IS_CODE_BLOCK (self), NULL);

  return self->code->str;
}

/* While a fence streams in, each update usually only adds text at the end:
 * appending keeps the highlighting and the scroll position instead of redoing both. */
void
hearth_code_block_set_code (HearthCodeBlock *self,
                            const char      *code)
{
  GtkTextBuffer *buffer;
  g_autofree char *shown = NULL;
  GtkTextIter end;

  g_return_if_fail (HEARTH_IS_CODE_BLOCK (self));
  g_return_if_fail (code != NULL);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  if (g_str_has_prefix (code, self->code->str) && g_utf8_validate (self->code->str, -1, NULL))
    {
      shown = hearth_markdown_view_sanitize (code + self->code->len, -1);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, shown, -1);
    }
  else
    {
      shown = hearth_markdown_view_sanitize (code, -1);
      gtk_text_buffer_set_text (buffer, shown, -1);
    }
  g_string_assign (self->code, code);
}

gsize
hearth_code_block_get_code_length (HearthCodeBlock *self)
{
  g_return_val_if_fail (HEARTH_IS_CODE_BLOCK (self), 0);

  return self->code->len;
}

/* Adds @len bytes of @code at the end: only the new lines are laid out and highlighted. */
void
hearth_code_block_append_code (HearthCodeBlock *self,
                               const char      *code,
                               gsize            len)
{
  GtkTextBuffer *buffer;
  g_autofree char *shown = NULL;
  GtkTextIter end;

  g_return_if_fail (HEARTH_IS_CODE_BLOCK (self));
  g_return_if_fail (code != NULL || len == 0);

  if (len == 0)
    return;
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  shown = hearth_markdown_view_sanitize (code, len);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, shown, -1);
  g_string_append_len (self->code, code, len);
}

static gboolean
copied_timeout_cb (gpointer user_data)
{
  HearthCodeBlock *self = user_data;

  self->copied_id = 0;
  adw_button_content_set_icon_name (self->copy_content, "edit-copy-symbolic");
  adw_button_content_set_label (self->copy_content, _("Copy"));
  return G_SOURCE_REMOVE;
}

void
hearth_code_block_copy (HearthCodeBlock *self)
{
  GdkClipboard *clipboard;
  g_autofree char *text = NULL;

  g_return_if_fail (HEARTH_IS_CODE_BLOCK (self));

  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  text = g_utf8_make_valid (self->code->str, self->code->len);
  gdk_clipboard_set_text (clipboard, text);

  adw_button_content_set_icon_name (self->copy_content, "object-select-symbolic");
  adw_button_content_set_label (self->copy_content, _("Copied"));
  g_clear_handle_id (&self->copied_id, g_source_remove);
  self->copied_id = g_timeout_add (COPIED_FEEDBACK_MS, copied_timeout_cb, self);
}

/* The first code block in a process paid for loading GtkSourceView's language
 * list and style schemes, the copy icon and the template: 50 to 100 ms in the
 * frame that showed it, mid-reply. Done beforehand, while idle, one step at a
 * time so that no step holds a frame up. */
static gboolean
warm_up_step_cb (gpointer user_data)
{
  static guint step;

  switch (step++)
    {
    case 0:
      gtk_source_init ();
      gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (), "c");
      return G_SOURCE_CONTINUE;
    case 1:
      gtk_source_style_scheme_manager_get_scheme (gtk_source_style_scheme_manager_get_default (),
                                                  "Adwaita");
      gtk_source_style_scheme_manager_get_scheme (gtk_source_style_scheme_manager_get_default (),
                                                  "Adwaita-dark");
      return G_SOURCE_CONTINUE;
    case 2:
      if (gdk_display_get_default () != NULL)
        {
          GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
          static const char * const icons[] = { "edit-copy-symbolic", "object-select-symbolic" };

          for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
            g_object_unref (gtk_icon_theme_lookup_icon (theme, icons[i], NULL, 16, 1,
                                                        GTK_TEXT_DIR_NONE, 0));
        }
      return G_SOURCE_CONTINUE;
    default:
      g_object_unref (g_object_ref_sink (hearth_code_block_new ("c")));
      return G_SOURCE_REMOVE;
    }
}

/* Once per process, in idle time: see warm_up_step_cb(). */
void
hearth_code_block_warm_up (void)
{
  static gboolean scheduled;

  if (scheduled)
    return;
  scheduled = TRUE;
  g_idle_add_full (WARM_UP_PRIORITY, warm_up_step_cb, NULL, NULL);
}
