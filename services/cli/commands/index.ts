/** Every `stemedb` subcommand, in the order `stemedb --help` lists them. */
import type { Command } from '../command';
import { keygen } from './keygen';
import { hash } from './hash';
import { walCheck } from './wal-check';
import { walRepair } from './wal-repair';

export const COMMANDS: readonly Command[] = [
  keygen,
  hash,
  walCheck,
  walRepair,
];
