#!/bin/sh
# capture.sh — copy the files the hardware probe reads into a fixture tree
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/data/hardware/capture.sh [DEST]   (default: this-machine next to this script)
#
# Copies exactly what hearth_hardware_probe() and the resource sampler read
# from / so that a test can replay this machine. Two files have no kernel counterpart and are written
# here: "models-device" (the disk holding the models directory, which the
# real probe finds through stat() and /sys/dev/block) and "nvidia-smi.csv"
# (the nvidia-smi query the probe runs, when nvidia-smi is installed).
set -eu

dest=${1:-"$(dirname "$0")/this-machine"}
rm -rf "$dest"
mkdir -p "$dest"

copy () {
  [ -r "$1" ] || return 0
  mkdir -p "$dest$(dirname "$1")"
  # cat, not cp: /proc and /sys files report a size of 0 or 4096.
  cat "$1" > "$dest$1" 2>/dev/null || rm -f "$dest$1"
}

copy /proc/cpuinfo
copy /proc/meminfo
copy /proc/stat
copy /proc/sys/kernel/osrelease
copy /etc/os-release
copy /sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq
for d in /sys/devices/system/cpu/cpu0/cache/index*; do
  [ -d "$d" ] || continue
  for f in level type size; do copy "$d/$f"; done
done
for d in /sys/devices/system/cpu/cpu[0-9]*/topology; do
  [ -d "$d" ] || continue
  copy "$d/core_cpus_list"
  copy "$d/thread_siblings_list"
done

for card in /sys/class/drm/card*; do
  case "$(basename "$card")" in *-*) continue ;; esac
  [ -d "$card/device" ] || continue
  dev=/sys/class/drm/$(basename "$card")/device
  for f in vendor device product_name mem_info_vram_total mem_info_vram_used \
           gpu_busy_percent uevent; do
    copy "$dev/$f"
  done
  for h in "$dev"/hwmon/hwmon*; do
    [ -d "$h" ] || continue
    for f in temp1_input power1_average power1_input; do copy "$h/$f"; done
  done
done

# The disk under the models directory, found the way the probe finds it.
models=${OLLAMA_MODELS:-$HOME/.ollama/models}
[ -d "$models" ] || models=${XDG_DATA_HOME:-$HOME/.local/share}/hearth/models
while [ ! -e "$models" ]; do models=$(dirname "$models"); done
majmin=$(stat -c '%Hd:%Ld' "$models" 2>/dev/null || true)
if [ -n "$majmin" ] && [ -e "/sys/dev/block/$majmin" ]; then
  blk=$(readlink -f "/sys/dev/block/$majmin")
  [ -e "$blk/partition" ] && blk=$(dirname "$blk")
  disk=$(basename "$blk")
  printf '%s\n' "$disk" > "$dest/models-device"
  copy "/sys/block/$disk/queue/rotational"
fi

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version,compute_cap,utilization.gpu,temperature.gpu,power.draw \
             --format=csv,noheader,nounits > "$dest/nvidia-smi.csv" || rm -f "$dest/nvidia-smi.csv"
fi
[ -e /.flatpak-info ] && : > "$dest/.flatpak-info"
echo "Captured into $dest"
