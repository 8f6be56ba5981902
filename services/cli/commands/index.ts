/** Every `stemedb` subcommand, in the order `stemedb --help` lists them. */
import type { Command } from '../command';
import { keygen } from './keygen';
import { hash } from './hash';
import { walCheck } from './wal-check';
import { walRepair } from './wal-repair';
import { ingest } from './ingest';
import { storeDump } from './store-dump';
import { writer } from './writer';
import { assert } from './assert';
import { vote } from './vote';
import { status } from './status';
import { dev } from './dev';

export const COMMANDS: readonly Command[] = [
  keygen,
  hash,
  walCheck,
  walRepair,
  ingest,
  storeDump,
  writer,
  assert,
  vote,
  status,
  dev,
];
