#!/usr/bin/env node
// Builds the front-end assets into static/dist, which static.go embeds:
//
//   dist/app.css                       src/app.scss compiled with GOV.UK Frontend
//   dist/statement.css                 src/statement.scss: inlined into the published
//                                      statement, so it refers to no other file
//   dist/app.mjs                       src/app.mjs (calls initAll)
//   dist/govuk-frontend.min.js         GOV.UK Frontend's ES module bundle
//   dist/govuk/assets/images/favicon.* the favicons, and no other GOV.UK asset
//
// Deliberately NOT copied: the GDS Transport fonts and the crown/crest images,
// which are only for services on GOV.UK; axe-core, which is only for tests
// (they load it from node_modules via S106_AXE_PATH).
//
// Usage: node build.mjs [--force]
// Without --force it does nothing when every output is newer than every input.
// The output is deterministic, and files whose content is unchanged are only
// touched, so running it twice is harmless.

import * as sass from 'sass'
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.dirname(fileURLToPath(import.meta.url))
const dist = path.join(root, 'dist')
const govuk = path.join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const assetsPath = '/static/govuk/assets/'

// [source, destination in dist, optional transform]
const copies = [
  [path.join(govuk, 'govuk-frontend.min.js'), 'govuk-frontend.min.js', checkGovukModule],
  [path.join(root, 'src', 'app.mjs'), 'app.mjs'],
  [path.join(govuk, 'assets', 'images', 'favicon.ico'), 'govuk/assets/images/favicon.ico'],
  [path.join(govuk, 'assets', 'images', 'favicon.svg'), 'govuk/assets/images/favicon.svg']
]
const outputs = ['app.css', 'statement.css', ...copies.map(([, dest]) => dest)]
const keep = new Set([...outputs, '.gitkeep'])

async function main () {
  const force = process.argv.includes('--force')
  const start = Date.now()

  try {
    await stat(govuk)
  } catch {
    fail(`${path.relative(process.cwd(), govuk)} is missing: run npm ci in static/ (or make static)`)
  }

  const inputs = [
    fileURLToPath(import.meta.url),
    path.join(root, 'node_modules', 'govuk-frontend', 'package.json'),
    path.join(root, 'node_modules', 'sass', 'package.json'),
    ...(await listFiles(path.join(root, 'src'))),
    ...copies.map(([src]) => src)
  ]
  if (!force && (await upToDate(inputs))) {
    console.log('static: dist is up to date')
    return
  }

  await mkdir(dist, { recursive: true })

  const css = compileCSS()
  await put('app.css', css)
  await put('statement.css', compileStatementCSS())
  for (const [src, dest, transform] of copies) {
    let content = await readFile(src)
    if (transform) content = transform(content.toString('utf8'))
    await put(dest, content)
  }
  await removeStale(dist)

  console.log(`static: built dist (app.css ${(css.length / 1024).toFixed(1)} kB) in ${Date.now() - start} ms`)
}

function compileCSS () {
  const css = compileSCSS('app.scss')
  // Guard against the restricted font sneaking back in (for example if the
  // $govuk-font-family override stops working after an upgrade).
  if (css.includes('GDS Transport') || css.includes('@font-face')) {
    fail('app.css contains "GDS Transport" or @font-face: the $govuk-font-family override did not work')
  }
  for (const [, url] of css.matchAll(/url\(["']?([^"')]+)/g)) {
    if (!url.startsWith(assetsPath) && !url.startsWith('data:')) {
      fail(`app.css refers to ${url}, outside ${assetsPath}`)
    }
  }
  return css + '\n'
}

function compileSCSS (name) {
  return sass.compile(path.join(root, 'src', name), {
    style: 'compressed',
    importers: [new sass.NodePackageImporter(root)],
    quietDeps: true
  }).css
}

// The statement's stylesheet travels inside the statement: it may load
// nothing (no url(), no @import) and must not end its <style> element.
function compileStatementCSS () {
  const css = compileSCSS('statement.scss')
  if (/url\(|@import|@font-face|<\//i.test(css)) {
    fail('statement.css refers to another file or contains "</": it must stand alone inside <style>')
  }
  return css + '\n'
}

// The bundle must be an ES module exporting initAll, which app.mjs imports.
// Its source map is not shipped, so drop the comment pointing to it.
function checkGovukModule (js) {
  if (!/export\s*\{[^}]*\binitAll\b[^}]*\}/.test(js)) {
    fail('govuk-frontend.min.js is not an ES module exporting initAll')
  }
  return js.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')
}

// put writes dist/name if its content changed, and otherwise just updates its
// modification time, so make sees the target as fresh.
async function put (name, content) {
  const file = path.join(dist, name)
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')
  let old = null
  try {
    old = await readFile(file)
  } catch {}
  if (old && old.equals(buf)) {
    const now = new Date()
    await utimes(file, now, now)
    return
  }
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, buf)
}

async function upToDate (inputs) {
  let newestInput = 0
  for (const f of inputs) {
    try {
      newestInput = Math.max(newestInput, (await stat(f)).mtimeMs)
    } catch {
      return false
    }
  }
  for (const name of outputs) {
    try {
      if ((await stat(path.join(dist, name))).mtimeMs < newestInput) return false
    } catch {
      return false
    }
  }
  return true
}

// removeStale deletes anything in dist that this script does not produce, so
// that nothing unexpected (fonts, crown images, old files) gets embedded.
async function removeStale (dir, prefix = '') {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      await removeStale(full, rel + '/')
      if ((await readdir(full)).length === 0) await rm(full, { recursive: true })
    } else if (!keep.has(rel)) {
      console.log(`static: removing stale dist/${rel}`)
      await rm(full)
    }
  }
}

async function listFiles (dir) {
  const files = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath ?? entry.path, entry.name))
  }
  return files
}

function fail (msg) {
  console.error(`static: ${msg}`)
  process.exit(1)
}

await main()
