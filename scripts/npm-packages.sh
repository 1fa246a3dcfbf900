# Installs the npm packages of package-lock.json into node_modules, for scripts/run.sh and
# scripts/test.sh (sourced; it defines npm_packages and changes nothing else).
#
# `npm ci` takes over a minute here, most of it compiling better-sqlite3 from source (its
# prebuilt binaries are downloaded from GitHub, which this kind of machine cannot reach). So the
# node_modules that `npm ci` made is kept, as one tar file, in the user's cache folder
# ($XDG_CACHE_HOME or ~/.cache, under faxd/node_modules), named by what decides its contents:
# the hash of package-lock.json, and Node's version, ABI and architecture. A checkout with the
# same lock file and Node then unpacks it in seconds instead; any change to the lock file or to
# Node installs afresh. The two newest tar files are kept. FAXD_NPM_CACHE=0 turns the cache off.

npm_packages() {
  if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "    node_modules is up to date"
    return 0
  fi
  if [[ ${FAXD_NPM_CACHE:-1} == 0 ]]; then
    echo "    npm ci (FAXD_NPM_CACHE=0: no cache)"
    npm ci --no-audit --no-fund
    return 0
  fi
  local folder key tarball
  folder="${XDG_CACHE_HOME:-$HOME/.cache}/faxd/node_modules"
  key="$(sha256sum package-lock.json | cut -c1-32)-$(node -p 'process.version + "-abi" + process.versions.modules + "-" + process.platform + "-" + process.arch')"
  tarball="$folder/$key.tar"
  if [[ -f $tarball ]]; then
    echo "    node_modules from the cache: $tarball"
    rm -rf node_modules
    if tar -xf "$tarball" && [[ -f node_modules/.package-lock.json ]]; then
      # Unpacked files keep their old times: mark the tree as newer than the lock file.
      touch node_modules/.package-lock.json
      return 0
    fi
    echo "    the cached node_modules could not be unpacked: removing it, and running npm ci"
    rm -f "$tarball"
  fi
  echo "    npm ci"
  rm -rf node_modules
  npm ci --no-audit --no-fund
  if mkdir -p "$folder" && tar -cf "$tarball.partial" node_modules && mv "$tarball.partial" "$tarball"; then
    echo "    node_modules kept for the next checkout: $tarball"
    # The two newest are enough: the current lock file's, and the one before it.
    ls -1t "$folder"/*.tar 2>/dev/null | tail -n +3 | xargs -r rm -f
  else
    rm -f "$tarball.partial"
    echo "    could not keep node_modules in $folder (the install itself is done)"
  fi
}
