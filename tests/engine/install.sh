#!/bin/sh
# Installs the test engine's npm dependencies (node-llama-cpp CPU build + the
# ollama and openai clients)
# into tests/engine/node_modules.  Idempotent and quiet when there is nothing to do.
#   tests/engine/install.sh
set -eu
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "install.sh: node not found (Node.js >= 20 is required for the test engine)" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm not found (needed to install the test engine's dependencies)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "install.sh: Node.js >= 20 is required, found $(node --version 2>/dev/null || echo unknown)" >&2
  exit 1
fi

stamp=node_modules/.hearth-install-stamp
if [ -d node_modules ] && [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ] && [ ! package.json -nt "$stamp" ]; then
  exit 0
fi

echo "install.sh: installing test engine dependencies (npm ci --omit=optional)..." >&2
# NODE_LLAMA_CPP_SKIP_DOWNLOAD: never download/build llama.cpp; the CPU prebuilt
# @node-llama-cpp/linux-x64 is a regular dependency.  --omit=optional skips the ~725 MB of
# GPU prebuilt binaries.
if ! NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=optional --no-audit --no-fund --loglevel=error >&2; then
  echo "install.sh: npm ci failed" >&2
  exit 1
fi
touch "$stamp"
