/* hearth-test-clip.c — finds labels a user would see cut off
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "hearth-test-clip.h"

/* Layouts round to whole pixels: one pixel of slack. */
#define SLACK 1.0

/* Whether the user can scroll @scrollable in @orientation: there is more
 * than it shows, and its scrolled window lets them (an EXTERNAL policy
 * gives the content its width without a scrollbar: what sticks out is cut). */
static gboolean
scrolls (GtkWidget      *scrollable,
         GtkOrientation  orientation)
{
  GtkAdjustment *adjustment = orientation == GTK_ORIENTATION_HORIZONTAL
                              ? gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (scrollable))
                              : gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (scrollable));
  GtkWidget *parent = gtk_widget_get_parent (scrollable);

  if (GTK_IS_SCROLLED_WINDOW (parent))
    {
      GtkPolicyType h, v;

      gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (parent), &h, &v);
      if ((orientation == GTK_ORIENTATION_HORIZONTAL ? h : v) == GTK_POLICY_EXTERNAL)
        return FALSE;
    }
  return adjustment != NULL
         && gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_lower (adjustment)
            > gtk_adjustment_get_page_size (adjustment) + SLACK;
}

/* A short path of the label in the tree, for the report: "GtkBox > AdwClamp > GtkLabel". */
static char *
describe (GtkWidget *label)
{
  GString *path = g_string_new (NULL);
  guint depth = 0;

  for (GtkWidget *w = label; w != NULL && depth < 5; w = gtk_widget_get_parent (w), depth++)
    {
      const char *name = gtk_widget_get_name (w);

      g_string_prepend (path, G_OBJECT_TYPE_NAME (w));
      if (name != NULL && !g_str_equal (name, G_OBJECT_TYPE_NAME (w)))
        {
          g_string_insert (path, strlen (G_OBJECT_TYPE_NAME (w)), "#");
          g_string_insert (path, strlen (G_OBJECT_TYPE_NAME (w)) + 1, name);
        }
      if (gtk_widget_get_parent (w) != NULL && depth + 1 < 5)
        g_string_prepend (path, " > ");
    }
  return g_string_free (path, FALSE);
}

static void
note (GString    *report,
      GtkWidget  *label,
      const char *what)
{
  g_autofree char *where = describe (label);

  g_string_append_printf (report, "\"%s\" %s (%s)\n", gtk_label_get_text (GTK_LABEL (label)),
                          what, where);
}

/* Whether @label, at @bounds in @root's coordinates, is cut by an ancestor
 * that clips: a scrollable (viewport, list) clips only across the
 * directions it does not scroll in. */
static gboolean
check_edges (GtkWidget             *label,
             GtkWidget             *root,
             const graphene_rect_t *bounds,
             GString               *report)
{
  for (GtkWidget *a = gtk_widget_get_parent (label); a != NULL; a = gtk_widget_get_parent (a))
    {
      graphene_rect_t clip;
      gboolean h_scrolls = FALSE, v_scrolls = FALSE;
      /* a viewport, list or text view: what a scrolled window moves */
      gboolean is_scroller = GTK_IS_SCROLLABLE (a);

      if (!is_scroller && a != root && gtk_widget_get_overflow (a) != GTK_OVERFLOW_HIDDEN)
        continue;
      if (!gtk_widget_compute_bounds (a, root, &clip))
        continue;
      if (is_scroller)
        {
          h_scrolls = scrolls (a, GTK_ORIENTATION_HORIZONTAL);
          v_scrolls = scrolls (a, GTK_ORIENTATION_VERTICAL);
          /* wholly out of view, or partly at an edge it scrolls past: scrolled, not cut */
          if (!graphene_rect_intersection (bounds, &clip, NULL))
            return TRUE;
        }
      if ((!h_scrolls
           && (bounds->origin.x < clip.origin.x - SLACK
               || bounds->origin.x + bounds->size.width
                  > clip.origin.x + clip.size.width + SLACK))
          || (!v_scrolls
              && (bounds->origin.y < clip.origin.y - SLACK
                  || bounds->origin.y + bounds->size.height
                     > clip.origin.y + clip.size.height + SLACK)))
        {
          g_autofree char *what =
            g_strdup_printf ("is cut by the edge of %s (label %.0f,%.0f %.0fx%.0f, visible "
                             "%.0f,%.0f %.0fx%.0f)", G_OBJECT_TYPE_NAME (a),
                             bounds->origin.x, bounds->origin.y, bounds->size.width,
                             bounds->size.height, clip.origin.x, clip.origin.y,
                             clip.size.width, clip.size.height);

          note (report, label, what);
          return FALSE;
        }
      if (is_scroller && (h_scrolls || v_scrolls))
        {
          /* the part a scroller shows is what the user sees; nothing
           * outside it clips what it scrolls */
          if (!graphene_rect_contains_rect (&clip, bounds))
            return TRUE;
        }
      if (a == root)
        break;
    }
  return TRUE;
}

static guint
check_label (GtkWidget *widget,
             GtkWidget *root,
             GString   *report)
{
  GtkLabel *label = GTK_LABEL (widget);
  const char *text = gtk_label_get_text (label);
  PangoLayout *layout;
  PangoRectangle logical;
  graphene_rect_t bounds;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean free_width = gtk_label_get_ellipsize (label) == PANGO_ELLIPSIZE_NONE
                        && !gtk_label_get_wrap (label);

  if (text == NULL || *text == '\0' || width <= 0 || height <= 0)
    return 0;
  /* The text as laid out for the width the label got: wider than it when it
   * may not wrap or ellipsize, or higher than it, is text cut off. */
  layout = gtk_label_get_layout (label);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  if (free_width && logical.width > width + SLACK)
    {
      g_autofree char *what = g_strdup_printf ("needs %d px wide, has %d", logical.width, width);

      note (report, widget, what);
      return 1;
    }
  if (logical.height > height + SLACK)
    {
      g_autofree char *what = g_strdup_printf ("needs %d px high, has %d", logical.height, height);

      note (report, widget, what);
      return 1;
    }
  if (!gtk_widget_compute_bounds (widget, root, &bounds))
    return 0;
  return check_edges (widget, root, &bounds, report) ? 0 : 1;
}

static guint
walk (GtkWidget *widget,
      GtkWidget *root,
      GString   *report)
{
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  /* popovers and other surfaces of their own are checked from their own root */
  if (widget != root && GTK_IS_NATIVE (widget))
    return 0;
  if (GTK_IS_LABEL (widget))
    n += check_label (widget, root, report);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += walk (child, root, report);
  return n;
}

guint
hearth_test_find_clipped_labels (GtkWidget *root,
                                 GString   *report)
{
  g_return_val_if_fail (GTK_IS_WIDGET (root), 0);

  return walk (root, root, report);
}
