#!/bin/sh
# `npm start` on a fresh clone: installs what is missing, then starts the local system and keeps
# it up until Ctrl-C. Plain sh, because nothing from node_modules exists before the install.
set -eu
cd "$(dirname "$0")/../.."

missing=""
command -v java >/dev/null 2>&1 || missing="$missing Java 17 (e.g. apt-get install openjdk-17-jre-headless)"
command -v mvn >/dev/null 2>&1 || missing="$missing, Maven (e.g. apt-get install maven)"
if [ -n "$missing" ]; then
  echo "Tongban needs$missing to run Kafka and Zipkin locally." >&2
  exit 1
fi

# Install when node_modules is absent or older than the lock file.
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi

# Generated code (contracts, Prisma clients) and the console's web app; cached by Nx after the
# first start.
node_modules/.bin/nx run-many -t generate build-web --output-style=static >/dev/null || {
  echo "Generating code or building the console's web app failed; run: npx nx run-many -t generate build-web" >&2
  exit 1
}

# Node 24 from node_modules (see README), whatever node is first on PATH.
TSX_TSCONFIG_PATH="$(pwd)/tsconfig.base.json" exec node_modules/.bin/node node_modules/tsx/dist/cli.mjs infra/src/cli/dev-stack.ts "$@"
