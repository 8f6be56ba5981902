/** Every `stemedb` subcommand, in the order `stemedb --help` lists them. */
import type { Command } from '../command';

export const COMMANDS: readonly Command[] = [];
