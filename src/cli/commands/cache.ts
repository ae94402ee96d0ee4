import type { Command } from 'commander';
import { action } from '../subcommand';
import { exitCodeOf } from '../exit-codes';

interface CacheFlags {
  file?: string;
}

function cacheFileOf(flags: CacheFlags): string {
  // Loaded lazily: `--help` must not pay for the resolver.
  const { locateCacheFile } = require('../../resolve/cache-file') as typeof import('../../resolve/cache-file');
  return locateCacheFile({ explicit: flags.file });
}

function commands(): typeof import('../../resolve/cache-commands') {
  return require('../../resolve/cache-commands') as typeof import('../../resolve/cache-commands');
}

/**
 * `access-advisor cache list | refresh [KEY] | reset KEY | clear`: manage the committed synth-time cache
 * (`access-advisor.context.json` beside cdktf.json), like `cdk context`.
 */
export function register(program: Command): void {
  const cache = program
    .command('cache')
    .description('manage the synth-time report cache (access-advisor.context.json beside cdktf.json)');
  const fileOption = (command: Command): Command =>
    command.option(
      '--file <path>',
      'the cache file (default: ACCESS_ADVISOR_CACHE_FILE, else access-advisor.context.json beside the nearest cdktf.json)',
    );

  fileOption(cache.command('list').description('print every entry: number, key, age, request')).action(
    action<CacheFlags>(async (ctx, flags) => {
      const file = cacheFileOf(flags);
      const { formatAge } = require('../../resolve/duration') as typeof import('../../resolve/duration');
      const listing = commands().listCacheEntries(file);
      if (ctx.output === 'json') {
        process.stdout.write(`${JSON.stringify({ file, entries: listing }, null, 2)}\n`);
        return 0;
      }
      if (listing.length === 0) {
        ctx.log(`${file}: no entries`);
        return 0;
      }
      for (const entry of listing) {
        process.stdout.write(`${entry.index}\t${formatAge(entry.ageMs)}\t${entry.key}${entry.problem ? `\tUNTRUSTED: ${entry.problem}` : ''}\n`);
      }
      ctx.log(`${listing.length} entries in ${file}`);
      return 0;
    }),
  );

  fileOption(
    cache
      .command('refresh [key]')
      .description('re-run every entry (or one: its key or number from "cache list") with the entry\'s own connection'),
  ).action(
    action<CacheFlags>(async (ctx, flags, command) => {
      const file = cacheFileOf(flags);
      const keyArg = command.args[0] as string | undefined;
      const ops = commands();
      const keys = keyArg === undefined ? undefined : [ops.findCacheKey(file, keyArg)];
      const outcomes = await ops.refreshCacheEntries(file, keys, {
        ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      let worst = 0;
      for (const outcome of outcomes) {
        if (outcome.ok) {
          ctx.log(`refreshed ${outcome.key}`);
        } else {
          ctx.log(`failed ${outcome.key}: ${outcome.message}`);
          const code = exitCodeOf(outcome.error);
          worst = Math.max(worst, code);
        }
      }
      ctx.log(`${outcomes.filter((o) => o.ok).length} of ${outcomes.length} entries refreshed in ${file}`);
      return worst;
    }),
  );

  fileOption(cache.command('reset <key>').description('remove one entry (its key or number from "cache list")')).action(
    action<CacheFlags>(async (ctx, flags, command) => {
      const file = cacheFileOf(flags);
      const key = commands().resetCacheEntry(file, command.args[0] as string);
      ctx.log(`removed ${key} from ${file}`);
      return 0;
    }),
  );

  fileOption(cache.command('clear').description('remove every entry')).action(
    action<CacheFlags>(async (ctx, flags) => {
      const file = cacheFileOf(flags);
      const removed = commands().clearCache(file);
      ctx.log(`removed ${removed} entries from ${file}`);
      return 0;
    }),
  );
}
