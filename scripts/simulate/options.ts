/**
 * `npm run simulate -- [--leads 2000] [--days 180] [--scenario file] [--compare variant] [--seed N] [--out dir]
 *                      [--clock auto|discrete|scaled] [--time-scale N] [--bench]`
 * A bad flag is an error naming it.
 */
import path from 'node:path';
import type { ClockKind } from './sim-stack.js';

export interface CliOptions {
  leads: number;
  days: number;
  scenario?: string;
  compare?: string;
  seed: number;
  out: string;
  clock: ClockKind;
  timeScale: number;
  bench: boolean;
  help: boolean;
}

export const USAGE = `npm run simulate -- [options]
  --leads N          leads in the cohort (default 2000)
  --days N           length of the period in virtual days (default 180)
  --scenario FILE    scenario JSON (default scripts/simulate/scenarios/default.json)
  --compare PATH     also run the same cohort on a programme variant (a module exporting programmes, or a directory)
  --seed N           seed of the behaviour model (default 1): the same seed gives the same figures
  --out DIR          where report.html and report.json go (default .sim/<scenario>-<leads>x<days>-seed<N>)
  --clock KIND       auto (discrete when the local runtime has it), discrete or scaled (default auto)
  --time-scale N     virtual seconds per real second for the scaled clock (default 86400)
  --bench            print simulated lead-days per wall-clock second and what limits it`;

export class OptionError extends Error {
  override name = 'OptionError';
}

const whole = (flag: string, raw: string | undefined, min: number, max: number) => {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min || n > max) throw new OptionError(`${flag} must be a whole number from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  return n;
};

export function parseOptions(argv: string[]): CliOptions {
  const o: Omit<CliOptions, 'out'> & { out?: string } = { leads: 2000, days: 180, seed: 1, clock: 'auto', timeScale: 86_400, bench: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new OptionError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--leads':
        o.leads = whole(flag, value(), 1, 100_000);
        break;
      case '--days':
        o.days = whole(flag, value(), 1, 730);
        break;
      case '--seed':
        o.seed = whole(flag, value(), 0, 2 ** 31 - 1);
        break;
      case '--time-scale':
        o.timeScale = whole(flag, value(), 1, 100_000_000);
        break;
      case '--scenario':
        o.scenario = value();
        break;
      case '--compare':
        o.compare = value();
        break;
      case '--out':
        o.out = value();
        break;
      case '--clock': {
        const v = value();
        if (!['auto', 'discrete', 'scaled'].includes(v)) throw new OptionError(`--clock must be auto, discrete or scaled, got ${v}`);
        o.clock = v as ClockKind;
        break;
      }
      case '--bench':
        o.bench = true;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new OptionError(`unknown option ${flag}\n${USAGE}`);
    }
  }
  const name = o.scenario ? path.basename(o.scenario).replace(/\.json$/, '') : 'default';
  return { ...o, out: o.out ?? path.join('.sim', `${name}-${o.leads}x${o.days}-seed${o.seed}${o.compare ? '-compare' : ''}`) };
}
