#!/usr/bin/env bash
# The one CI script: `.ci/run` calls it, and so does the users' workflow in .github/workflows.
# It installs from the lockfile, lints, runs the README's test command (`npm test`) and the integration tests,
# checks that `npm run synth` leaves dist/ and gitops/ unchanged, and runs the gate over dist/.
# It always ends with the line "N passed, N failed" (totals of every jest run).
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
status=0
step() {
  echo
  echo "== $*"
}
totals() {
  node -e '
    const fs = require("fs"), path = require("path");
    let passed = 0, failed = 0;
    for (const f of fs.readdirSync(process.argv[1])) {
      try {
        const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
        passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
      } catch (e) { failed += 1; console.error("ci: unreadable test results " + f); }
    }
    console.log(`${passed} passed, ${failed} failed`);
  ' "$results"
  rm -rf "$results"
}
trap 'totals; exit $status' EXIT

fail() {
  echo "ci: FAILED: $*" >&2
  status=1
}

step "npm ci"
npm ci --no-audit --no-fund || { fail "npm ci"; exit; }

step "npm run lint"
npm run lint || fail "lint"

step "npm test (the README's test command)"
npm test -- --ci --json --outputFile="$results/unit.json" || fail "unit tests"

step "npm run test:integration"
npm run test:integration -- --ci --json --outputFile="$results/integration.json" || fail "integration tests"

step "npm run synth leaves dist/ and gitops/ unchanged"
if npm run synth; then
  changed="$(git status --porcelain -- dist gitops)"
  if [ -n "$changed" ]; then
    echo "$changed" | head -50
    fail "npm run synth changed dist/ or gitops/: regenerate and commit them"
  fi
else
  fail "npm run synth"
fi

step "npm run check -- dist"
npm run check -- dist >/dev/null || { npm run check -- dist | tail -40; fail "gate over dist/"; }
