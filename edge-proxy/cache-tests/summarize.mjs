// Summarises a results file of the HTTP caching tests (npm package http-cache-tests) by test kind, the
// way cache-tests.fyi counts them: node summarize.mjs SUITE_DIR RESULTS_JSON
import fs from 'fs'
import path from 'path'
import { pathToFileURL } from 'url'

const [suiteDir, resultsFile] = process.argv.slice(2)
const load = async (p) => (await import(pathToFileURL(path.join(suiteDir, p)).href)).default
const { determineTestResult } = await import(pathToFileURL(path.join(suiteDir, 'lib/display.mjs')).href)
const suites = await load('tests/index.mjs')
suites.push(await load('tests/surrogate-control.mjs'))
const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'))

const counts = {}
const failures = { required: [], optimal: [] }
for (const suite of suites) {
  for (const test of suite.tests) {
    if (test.browser_only === true) continue // for browser caches; the suite's own report skips them for others
    const kind = test.kind || 'required'
    const verdict = determineTestResult(suites, test.id, results)
    const label = verdict[2] || String(verdict)
    counts[kind] = counts[kind] || {}
    counts[kind][label] = (counts[kind][label] || 0) + 1
    const passed = label === '✅' || label === 'Y'
    if (!passed && (kind === 'required' || kind === 'optimal')) {
      failures[kind].push(test.id)
    }
  }
}
const total = (kind) => Object.values(counts[kind] || {}).reduce((a, b) => a + b, 0)
const passed = (kind) => (failures[kind] ? total(kind) - failures[kind].length : 0)
console.log(`required: ${passed('required')} of ${total('required')} passed (✅)`)
console.log(`optimal: ${passed('optimal')} of ${total('optimal')} passed (✅)`)
console.log(`check (informational): ${total('check')}`)
console.log(JSON.stringify({ counts, failures }, null, 2))
