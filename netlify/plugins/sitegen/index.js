// Each deploy builds from the last one: a Netlify build plugin, in the repository itself.
//
// Every deploy starts from a fresh clone of the repository, without the output folder or
// sitegen's build cache (.sitegen-cache/), so without this plugin each one renders every page
// again. Before the build, it puts back the output and the cache that the last production
// deploy left; sitegen then parses and renders only what changed, and checks each restored file
// of the output against its record by its bytes (Netlify's cache gives restored files new
// times), so nothing stale or damaged is published. After a production build, it keeps both for
// the next deploy.
//
// Deploy previews and branch deploys start from the production cache too: their pages are made
// for another address (--base-url), so sitegen renders them all again, but articles, photos and
// copied files come from the cache. They do not save theirs, which would make the next
// production deploy render everything for its own address again.
//
// The redirects from earlier URLs need the git history. Netlify clones it whole; should the clone
// be shallow, the plugin fetches the rest first, and says so plainly if it cannot: sitegen then
// still redirects every URL the cached deploys published, and warns about the rest.

'use strict'

const { rm } = require('node:fs/promises')
const { join } = require('node:path')

const CACHE = '.sitegen-cache'
// The tree the last build swapped out: a second copy of the output, which sitegen can use only
// while its files keep their times, as they do not in Netlify's cache.
const SWAPPED_OUT = join(CACHE, 'trees')

const kept = (constants) => [constants.PUBLISH_DIR, CACHE]

module.exports = {
  async onPreBuild({ constants, utils }) {
    if (await utils.cache.restore(kept(constants))) {
      console.log('sitegen: the output and the build cache of the last production deploy are back')
    } else {
      console.log('sitegen: no earlier deploy is cached: this build renders every page')
    }
    await fetchWholeHistory(utils.run)
  },

  async onPostBuild({ constants, utils }) {
    if (process.env.CONTEXT !== 'production') {
      console.log(`sitegen: a ${process.env.CONTEXT || 'local'} build: the production cache stays`)
      return
    }
    await rm(SWAPPED_OUT, { recursive: true, force: true })
    await utils.cache.save(kept(constants))
    console.log('sitegen: the output and the build cache are kept for the next deploy')
  },
}

async function fetchWholeHistory(run) {
  const shallow = await run('git', ['rev-parse', '--is-shallow-repository'],
    { stdio: 'pipe', reject: false })
  if (shallow.exitCode !== 0 || shallow.stdout.trim() !== 'true') {
    return
  }
  const fetched = await run('git', ['fetch', '--unshallow', '--quiet'],
    { stdio: 'pipe', reject: false })
  if (fetched.exitCode === 0) {
    console.log('sitegen: fetched the whole git history, for the redirects of earlier URLs')
    return
  }
  const lines = (fetched.stderr || '').trim().split('\n')
  const reason = lines.find((line) => line.startsWith('fatal:')) || lines.pop() ||
    `exit status ${fetched.exitCode}`
  console.log(`sitegen: could not fetch the whole git history of this shallow clone (${reason}): ` +
    'earlier URLs redirect where the last deploys published them; ' +
    'sitegen warns if any older ones are unknown')
}
