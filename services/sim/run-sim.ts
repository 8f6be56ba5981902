/**
 * One simulated world end to end (`stemedb sim`, bench/sim.ts): a writer and
 * a reader as child processes on a temp dir, the world appended through the
 * writer, `trust learn` run against them, then every fact asked of every lens
 * over gRPC at one offset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../shared/domain/signing';
import { withSpan } from '../../shared/telemetry/tracing';
import { ChildService } from '../dev/child-service';
import { waitForReader } from '../dev/demo-load';
import { learnTrust, type LearnResult } from '../trust/learn';
import { SIM_CATCH_UP_TIMEOUT_MS } from './limits';
import { loadWorld } from './load';
import { scoreWorld, type WorldScore } from './score';
import { makeWorld, type WorldOptions } from './world';

export interface SimRun {
  readonly options: WorldOptions;
  readonly records: number;
  readonly score: WorldScore;
  readonly learn: Omit<LearnResult, 'estimates'>;
  readonly loadMs: number;
  readonly scoreMs: number;
}

export interface RunSimOptions {
  /** The `stemedb` entry point the writer and reader run from. @default the CLI next to this module in dist/ */
  readonly cliScript?: string;
}

export async function runSim(options: WorldOptions, run: RunSimOptions = {}): Promise<SimRun> {
  return withSpan('sim.run', { seed: options.seed, facts: options.facts }, async () => {
    const world = makeWorld(options);
    const dir = mkdtempSync(join(tmpdir(), 'stemedb-sim-'));
    const admin = generateKeyPair();
    const script = run.cliScript === undefined ? {} : { script: run.cliScript };
    let writer: ChildService | undefined;
    let reader: ChildService | undefined;
    try {
      writer = await ChildService.start({ service: 'writer', args: ['--wal', join(dir, 'wal'), '--listen', '127.0.0.1:0', '--admin-key', admin.publicKey.toString('hex'), '--durability', 'none'], logPath: join(dir, 'writer.log'), ...script });
      reader = await ChildService.start({ service: 'reader', args: ['--data', join(dir, 'reader'), '--writer', writer.address, '--listen', '127.0.0.1:0'], logPath: join(dir, 'reader.log'), ...script });
      const t0 = performance.now();
      const loaded = await loadWorld(world, admin, writer.address);
      await waitForReader(reader.address, loaded.headOffset, SIM_CATCH_UP_TIMEOUT_MS);
      const t1 = performance.now();
      const { estimates: _estimates, ...learn } = await learnTrust({ reader: reader.address, writer: writer.address, admin, minOffset: loaded.headOffset - 1 });
      await waitForReader(reader.address, learn.packOffset + 1, SIM_CATCH_UP_TIMEOUT_MS);
      const t2 = performance.now();
      const score = await scoreWorld(world, reader.address, loaded.oraclePackId, learn.packOffset + 1);
      return { options, records: loaded.records, score, learn, loadMs: t1 - t0, scoreMs: performance.now() - t2 };
    } finally {
      await reader?.stop();
      await writer?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
