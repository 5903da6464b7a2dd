/* hearth-compare-view.c — a set's answers: side by side (compare) or behind the winner (ensembles)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-compare-view"

#include <glib/gi18n.h>

#include "hearth-compare-column.h"
#include "hearth-compare-view.h"

/* Columns while each gets this much, and the view this much in all;
 * narrower, the answers stack (libadwaita 1.2 has no breakpoints: the
 * choice is made for the width the view is given, in measure and
 * allocate alike). At a 700 px window the chat is about 440 px wide. */
#define COLUMN_MIN_WIDTH 220
#define COLUMNS_MIN_WIDTH 460
#define SPACING 12

/* HearthCompareGrid: the columns, or the stack */

#define HEARTH_TYPE_COMPARE_GRID (hearth_compare_grid_get_type ())
G_DECLARE_FINAL_TYPE (HearthCompareGrid, hearth_compare_grid, HEARTH, COMPARE_GRID, GtkWidget)

struct _HearthCompareGrid
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (HearthCompareGrid, hearth_compare_grid, GTK_TYPE_WIDGET)

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_should_layout (c))
      n++;
  return n;
}

static gboolean
use_columns (GtkWidget *widget,
             int        width)
{
  guint n = count_children (widget);
  int column_width;

  if (n < 2 || width < COLUMNS_MIN_WIDTH)
    return FALSE;
  column_width = (width - SPACING * ((int) n - 1)) / (int) n;
  if (column_width < COLUMN_MIN_WIDTH)
    return FALSE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      int min = 0;

      if (!gtk_widget_should_layout (c))
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      if (min > column_width)
        return FALSE;
    }
  return TRUE;
}

static void
hearth_compare_grid_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  gboolean columns = orientation == GTK_ORIENTATION_VERTICAL && for_size >= 0 &&
                     use_columns (widget, for_size);
  guint n = count_children (widget);
  int child_width = columns ? (for_size - SPACING * ((int) n - 1)) / (int) n : for_size;
  guint i = 0;

  *minimum = *natural = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      int min = 0, nat = 0;

      if (!gtk_widget_should_layout (c))
        continue;
      gtk_widget_measure (c, orientation, orientation == GTK_ORIENTATION_VERTICAL ? child_width : -1,
                          &min, &nat, NULL, NULL);
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          /* Stacked, the widest child's minimum will do; side by side is natural. */
          *minimum = MAX (*minimum, min);
          *natural += nat + (i > 0 ? SPACING : 0);
        }
      else if (columns)
        {
          *minimum = MAX (*minimum, min);
          *natural = MAX (*natural, nat);
        }
      else
        {
          *minimum += min + (i > 0 ? SPACING : 0);
          *natural += nat + (i > 0 ? SPACING : 0);
        }
      i++;
    }
}

static void
hearth_compare_grid_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  gboolean columns = use_columns (widget, width);
  guint n = count_children (widget);
  int column_width = columns ? (width - SPACING * ((int) n - 1)) / (int) n : width;
  int x = 0, y = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      int child_height = 0;

      if (!gtk_widget_should_layout (c))
        continue;
      if (columns)
        {
          gtk_widget_size_allocate (c, &(GtkAllocation) { x, 0, column_width, height }, -1);
          x += column_width + SPACING;
          continue;
        }
      gtk_widget_measure (c, GTK_ORIENTATION_VERTICAL, width, &child_height, NULL, NULL, NULL);
      gtk_widget_size_allocate (c, &(GtkAllocation) { 0, y, width, child_height }, -1);
      y += child_height + SPACING;
    }
}

static GtkSizeRequestMode
hearth_compare_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
hearth_compare_grid_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hearth_compare_grid_parent_class)->dispose (object);
}

static void
hearth_compare_grid_class_init (HearthCompareGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_compare_grid_dispose;
  widget_class->measure = hearth_compare_grid_measure;
  widget_class->size_allocate = hearth_compare_grid_size_allocate;
  widget_class->get_request_mode = hearth_compare_grid_get_request_mode;
}

static void
hearth_compare_grid_init (HearthCompareGrid *self)
{
}

/* HearthCompareView */

struct _HearthCompareView
{
  GtkWidget          parent_instance;

  HearthMessageItem *item;

  GtkWidget         *box;
  GtkLabel          *reason_label;
  GtkWidget         *grid;
  GtkExpander       *candidates_expander;
  GtkExpander       *judge_expander;
  GtkLabel          *judge_label;
  GtkLabel          *schedule_label;
  gboolean           opened_while_asking;
};

G_DEFINE_FINAL_TYPE (HearthCompareView, hearth_compare_view, GTK_TYPE_WIDGET)

/* "Chosen by majority vote: 2 of 3 answers agree" */
static char *
describe_choice (HearthMessageItem *item)
{
  const char *method = hearth_message_item_get_set_method (item);
  const char *reason = hearth_message_item_get_set_reason (item);
  guint n = hearth_message_item_get_n_candidates (item);

  if (!hearth_message_item_set_is_done (item) && hearth_message_item_get_winner (item) < 0)
    return g_strdup_printf (g_dngettext (NULL, "Asking %u model…", "Asking %u models…", n), n);
  if (reason == NULL)
    return NULL;
  if (hearth_message_item_get_winner (item) < 0)
    return g_strdup (reason);
  /* The engine's sentence says who chose (a judge, the first good answer);
   * a vote's says only how many agree. */
  if (g_strcmp0 (method, "vote") == 0)
    {
      g_autofree char *lower = g_strdup (reason);

      if (g_str_has_prefix (lower, "No ") || g_str_has_prefix (lower, "Only "))
        lower[0] = g_ascii_tolower (lower[0]);
      /* Translators: %s is why, e.g. "2 of 3 answers agree" */
      return g_strdup_printf (_("Chosen by majority vote: %s"), lower);
    }
  return g_strdup (reason);
}

static void
refresh (HearthCompareView *self)
{
  gboolean compare = hearth_message_item_is_compare (self->item);
  HearthMessageItem *judge = hearth_message_item_get_judge (self->item);
  const char *schedule = hearth_message_item_get_schedule (self->item);
  g_autofree char *choice = compare ? NULL : describe_choice (self->item);
  guint n = hearth_message_item_get_n_candidates (self->item);
  g_autofree char *title = NULL;

  /* The answers stream in view while the ensemble asks, and step behind
   * the winner once it is chosen. */
  if (self->opened_while_asking && (hearth_message_item_get_winner (self->item) >= 0 ||
                                    hearth_message_item_set_is_done (self->item)))
    {
      self->opened_while_asking = FALSE;
      gtk_expander_set_expanded (self->candidates_expander, FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), choice != NULL);
  gtk_label_set_text (self->reason_label, choice != NULL ? choice : "");
  title = g_strdup_printf (g_dngettext (NULL, "The %u Answer", "All %u Answers", n), n);
  gtk_expander_set_label (self->candidates_expander, title);
  gtk_widget_set_visible (GTK_WIDGET (self->judge_expander), judge != NULL);
  if (judge != NULL)
    {
      const HearthMessage *m = hearth_message_item_get_message (judge);
      g_autofree char *model = hearth_message_item_dup_model_label (judge);
      g_autofree char *label = g_strdup_printf (_("The Judge’s Reasoning (%s)"),
                                                model != NULL ? model : _("judge"));

      gtk_expander_set_label (self->judge_expander, label);
      gtk_label_set_text (self->judge_label, m->state == HEARTH_MESSAGE_FAILED && m->error != NULL
                                             ? m->error : m->content);
    }
  /* Said while it matters: how the requests were sent, and why. */
  gtk_widget_set_visible (GTK_WIDGET (self->schedule_label), schedule != NULL);
  gtk_label_set_text (self->schedule_label, schedule != NULL ? schedule : "");
}

static void
on_item_changed (HearthMessageItem *item,
                 HearthCompareView *self)
{
  refresh (self);
}

static void
clear_columns (HearthCompareView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    {
      hearth_compare_column_bind (HEARTH_COMPARE_COLUMN (child), NULL, 0, FALSE);
      gtk_widget_unparent (child);
    }
}

/* The grid sits in the view (compare) or in the expander (ensembles). */
static void
place_grid (HearthCompareView *self,
            gboolean           compare)
{
  GtkWidget *parent = gtk_widget_get_parent (self->grid);
  GtkWidget *want = compare ? self->box : GTK_WIDGET (self->candidates_expander);

  if (parent == want)
    return;
  g_object_ref (self->grid);
  if (parent == self->box)
    gtk_box_remove (GTK_BOX (self->box), self->grid);
  else
    gtk_expander_set_child (self->candidates_expander, NULL);
  if (compare)
    gtk_box_insert_child_after (GTK_BOX (self->box), self->grid,
                                GTK_WIDGET (self->reason_label));
  else
    gtk_expander_set_child (self->candidates_expander, self->grid);
  g_object_unref (self->grid);
}

void
hearth_compare_view_set_item (HearthCompareView *self,
                              HearthMessageItem *item)
{
  gboolean compare;

  g_return_if_fail (HEARTH_IS_COMPARE_VIEW (self));
  g_return_if_fail (item == NULL || hearth_message_item_is_set (item));

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  clear_columns (self);
  g_set_object (&self->item, item);
  if (item == NULL)
    return;
  compare = hearth_message_item_is_compare (item);
  place_grid (self, compare);
  gtk_widget_set_visible (GTK_WIDGET (self->candidates_expander), !compare);
  self->opened_while_asking = !compare && !hearth_message_item_set_is_done (item) &&
                              hearth_message_item_get_winner (item) < 0;
  gtk_expander_set_expanded (self->candidates_expander, self->opened_while_asking);
  gtk_expander_set_expanded (self->judge_expander, FALSE);
  for (guint i = 0; i < hearth_message_item_get_n_candidates (item); i++)
    {
      GtkWidget *column = hearth_compare_column_new ();

      gtk_widget_set_parent (column, self->grid);
      hearth_compare_column_bind (HEARTH_COMPARE_COLUMN (column), item, i, compare);
    }
  g_signal_connect (item, "changed", G_CALLBACK (on_item_changed), self);
  refresh (self);
}

static GtkWidget *
wrapped_label (gboolean dim)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (dim)
    {
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
    }
  return label;
}

static void
hearth_compare_view_dispose (GObject *object)
{
  HearthCompareView *self = HEARTH_COMPARE_VIEW (object);

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  if (self->grid != NULL)
    clear_columns (self);
  g_clear_object (&self->item);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->grid);

  G_OBJECT_CLASS (hearth_compare_view_parent_class)->dispose (object);
}

static void
hearth_compare_view_class_init (HearthCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_compare_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "compareview");
}

static void
hearth_compare_view_init (HearthCompareView *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 9);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  self->reason_label = GTK_LABEL (wrapped_label (FALSE));
  gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "set-reason");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->reason_label));
  /* Kept by the view: it moves between the view and the expander. */
  self->grid = g_object_ref_sink (g_object_new (HEARTH_TYPE_COMPARE_GRID, NULL));
  gtk_widget_add_css_class (self->grid, "set-columns");
  self->candidates_expander = GTK_EXPANDER (gtk_expander_new (NULL));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->candidates_expander));
  gtk_box_insert_child_after (GTK_BOX (self->box), self->grid, GTK_WIDGET (self->reason_label));
  self->judge_expander = GTK_EXPANDER (gtk_expander_new (NULL));
  self->judge_label = GTK_LABEL (wrapped_label (FALSE));
  gtk_label_set_selectable (self->judge_label, TRUE);
  gtk_widget_set_margin_top (GTK_WIDGET (self->judge_label), 6);
  gtk_expander_set_child (self->judge_expander, GTK_WIDGET (self->judge_label));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->judge_expander));
  self->schedule_label = GTK_LABEL (wrapped_label (TRUE));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->schedule_label));
}

GtkWidget *
hearth_compare_view_new (void)
{
  return g_object_new (HEARTH_TYPE_COMPARE_VIEW, NULL);
}
