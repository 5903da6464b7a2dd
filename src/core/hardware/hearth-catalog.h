/* hearth-catalog.h — which models exist, and which of them this machine runs well
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-hardware.h"
#include "hearth-store.h"

G_BEGIN_DECLS

#define HEARTH_CATALOG_ERROR (hearth_catalog_error_quark ())

typedef enum
{
  HEARTH_CATALOG_ERROR_INVALID,     /* the catalog file is not what it should be */
} HearthCatalogError;

typedef struct
{
  char     *name;                   /* "Q4_K_M" */
  gint64    size;                   /* bytes of the download */
  char     *tag;                    /* "llama3.2:3b-instruct-q4_K_M" */
  gboolean  is_default;             /* what `ollama pull <model>` gets */
} HearthCatalogQuant;

typedef struct
{
  char      *name;                  /* "llama3.2:3b" */
  char      *family;
  double     parameters;
  int        layers;
  int        kv_heads;
  int        head_dim;
  gint64     context_length;        /* the largest the model supports */
  GPtrArray *quantizations;         /* of HearthCatalogQuant */
  char     **capabilities;          /* of: chat code vision tools thinking embedding */
  char      *license;
  char      *checked;               /* "YYYY-MM-DD" the figures were last checked, or NULL */
} HearthCatalogModel;

typedef enum
{
  HEARTH_PLACEMENT_RUNS_ON_GPU,
  HEARTH_PLACEMENT_PARTLY_ON_GPU,
  HEARTH_PLACEMENT_CPU_ONLY,        /* also an integrated GPU: it shares system memory */
  HEARTH_PLACEMENT_TOO_LARGE,
} HearthPlacement;

typedef struct
{
  HearthPlacement  placement;
  gint64           context;          /* the context the fit was computed for */
  gint64           memory_needed;    /* bytes: weights + KV cache + runtime overhead */
  double           gpu_fraction;     /* 0..1, the share of layers in VRAM */
  gint64           best_context;     /* 0 when not even 2048 tokens fit */
  double           tokens_per_s;     /* decode; -1 when there is no basis for a figure */
  gboolean         measured;         /* TRUE once a measured figure replaced the estimate */
  char            *estimate_basis;   /* how tokens_per_s was obtained, for people */
} HearthFit;

typedef struct
{
  int   points;                      /* signed */
  char *text;                        /* "+28 for 24 GiB of VRAM on …" */
} HearthScoreReason;

typedef struct
{
  int        score;                  /* 0..100, the sum of the reasons' points */
  GPtrArray *reasons;                /* of HearthScoreReason */
} HearthScore;

typedef enum
{
  HEARTH_USE_CHAT,
  HEARTH_USE_CODE,
  HEARTH_USE_REASONING,
} HearthUse;

typedef enum
{
  HEARTH_TIER_FAST,
  HEARTH_TIER_BALANCED,
  HEARTH_TIER_MOST_CAPABLE,
} HearthTier;

typedef struct
{
  HearthTier                 tier;
  const HearthCatalogModel  *model;  /* owned by the catalog, which must outlive this */
  const HearthCatalogQuant  *quant;  /* likewise */
  HearthFit                 *fit;
  char                      *note;   /* why this tier repeats another's model, or NULL */
} HearthRecommendation;

GQuark                    hearth_catalog_error_quark          (void);

GPtrArray                *hearth_catalog_load                 (GError                    **error);
GPtrArray                *hearth_catalog_load_from_file       (const char                 *path,
                                                               GError                    **error);
GPtrArray                *hearth_catalog_load_from_bytes      (GBytes                     *bytes,
                                                               GError                    **error);
const HearthCatalogModel *hearth_catalog_lookup               (GPtrArray                  *catalog,
                                                               const char                 *name);

const HearthCatalogQuant *hearth_catalog_model_get_default_quant (const HearthCatalogModel *model);
gboolean                  hearth_catalog_model_has_capability (const HearthCatalogModel   *model,
                                                               const char                 *capability);
gint64                    hearth_catalog_model_kv_cache_bytes (const HearthCatalogModel   *model,
                                                               gint64                      context);
void                      hearth_catalog_model_free           (HearthCatalogModel         *model);
void                      hearth_catalog_quant_free           (HearthCatalogQuant         *quant);

HearthFit                *hearth_catalog_fit                  (const HearthCatalogModel   *model,
                                                               const HearthCatalogQuant   *quant,
                                                               const HearthHardware       *hardware,
                                                               gint64                      context);
void                      hearth_fit_set_measured             (HearthFit                  *fit,
                                                               double                      tokens_per_s);
const char               *hearth_placement_to_string          (HearthPlacement             placement);
void                      hearth_fit_free                     (HearthFit                  *fit);

HearthScore              *hearth_hardware_score               (const HearthHardware       *hardware);
void                      hearth_score_free                   (HearthScore                *score);

GPtrArray                *hearth_catalog_recommend            (GPtrArray                  *catalog,
                                                               const HearthHardware       *hardware,
                                                               HearthUse                   use);
const char               *hearth_tier_to_string               (HearthTier                  tier);
void                      hearth_catalog_apply_measurements   (GPtrArray                  *recommendations,
                                                               HearthStore                *store);
void                      hearth_recommendation_free          (HearthRecommendation       *recommendation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthCatalogQuant, hearth_catalog_quant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthCatalogModel, hearth_catalog_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthFit, hearth_fit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthScore, hearth_score_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthRecommendation, hearth_recommendation_free)

G_END_DECLS
