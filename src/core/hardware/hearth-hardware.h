/* hearth-hardware.h — what this machine has, read from /proc and /sys
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  HEARTH_GPU_VENDOR_UNKNOWN,
  HEARTH_GPU_VENDOR_NVIDIA,
  HEARTH_GPU_VENDOR_AMD,
  HEARTH_GPU_VENDOR_INTEL,
  HEARTH_GPU_VENDOR_APPLE_OR_ARM,
} HearthGpuVendor;

typedef enum
{
  HEARTH_STORAGE_UNKNOWN,
  HEARTH_STORAGE_NVME,
  HEARTH_STORAGE_SSD,
  HEARTH_STORAGE_HDD,
} HearthStorageKind;

/* Every number is read or measured; -1 (or NULL) when it could not be. */
typedef struct
{
  char             *name;
  HearthGpuVendor   vendor;
  gboolean          integrated;       /* shares system memory */
  gint64            vram_total;       /* bytes */
  gint64            vram_used;        /* bytes */
  char             *driver;
  char             *compute_capability;
  int               utilization;      /* percent */
  double            temperature_c;
  double            power_w;          /* drawn now */
  char             *source;           /* "nvml", "nvidia-smi", "sysfs" */
} HearthGpu;

typedef struct
{
  /* CPU */
  char             *cpu_model;
  char             *cpu_vendor;
  int               cpu_cores;        /* physical */
  int               cpu_threads;
  double            cpu_max_mhz;
  gint64            cache_l2;         /* bytes, per core where reported */
  gint64            cache_l3;         /* bytes */
  char            **cpu_features;     /* of: sse4_2 avx avx2 avx512f fma f16c neon */
  char             *arch;             /* "x86_64", "aarch64" */
  /* Memory */
  gint64            mem_total;        /* bytes */
  gint64            mem_available;
  gint64            swap_total;
  gint64            swap_free;
  double            mem_bandwidth_gbs; /* measured; -1 when not measured (fixtures) */
  /* GPUs */
  GPtrArray        *gpus;             /* of HearthGpu */
  /* Storage for models */
  char             *models_dir;
  gint64            models_free;      /* bytes free on its file system */
  HearthStorageKind storage_kind;
  /* System */
  char             *os_name;          /* PRETTY_NAME */
  char             *kernel;
  gboolean          flatpak;
} HearthHardware;

HearthHardware  *hearth_hardware_probe           (const char       *root,
                                                  gboolean          measure_bandwidth,
                                                  GError          **error);
HearthHardware  *hearth_hardware_probe_fresh     (GError          **error);
void             hearth_hardware_reprobe_async   (GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
void             hearth_hardware_probe_async     (GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
HearthHardware  *hearth_hardware_probe_finish    (GAsyncResult     *result,
                                                  GError          **error);
double           hearth_hardware_measure_bandwidth (void);
JsonNode        *hearth_hardware_to_json         (const HearthHardware *hardware);
char            *hearth_hardware_to_markdown     (const HearthHardware *hardware);
gint64           hearth_hardware_best_vram       (const HearthHardware *hardware);
void             hearth_hardware_free            (HearthHardware   *hardware);
void             hearth_gpu_free                 (HearthGpu        *gpu);
const char      *hearth_gpu_vendor_to_string     (HearthGpuVendor   vendor);
const char      *hearth_storage_kind_to_string   (HearthStorageKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthHardware, hearth_hardware_free)

/* The GPUs' figures read again and again (NVML kept loaded, cards found
 * once); what hearth_hardware_probe() uses for its GPUs too. */
typedef struct _HearthGpuReader HearthGpuReader;

HearthGpuReader *hearth_gpu_reader_new           (const char       *root);
GPtrArray       *hearth_gpu_reader_read          (HearthGpuReader  *reader);
void             hearth_gpu_reader_free          (HearthGpuReader  *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthGpuReader, hearth_gpu_reader_free)

G_END_DECLS
