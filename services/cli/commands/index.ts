/** Every `stemedb` subcommand, in the order `stemedb --help` lists them. */
import type { Command } from '../command';
import { keygen } from './keygen';
import { hash } from './hash';
import { walCheck } from './wal-check';
import { walRepair } from './wal-repair';
import { ingest } from './ingest';
import { storeDump } from './store-dump';
import { snapshotCreate, snapshotVerify } from './snapshot';
import { writer } from './writer';
import { writerConsumers } from './writer-consumers';
import { reader } from './reader';
import { assert } from './assert';
import { vote } from './vote';
import { resolveCommand } from './resolve';
import { explain } from './explain';
import { status } from './status';
import { query } from './query';
import { find } from './find';
import { subjects, predicates, bySigner } from './listings';
import { trust, trustLearn } from './trust';
import { claims } from './claims';
import { sim } from './sim';
import { dev } from './dev';
import { agentGrant, agentList, agentRevoke } from './agent';
import { append } from './append';
import { get } from './get';
import { history } from './history';
import { bySource } from './by-source';
import { escalations } from './escalations';
import { subject } from './subject';
import { watch } from './watch';
import { head } from './head';
import { tail } from './tail';
import { epoch } from './epoch';
import { gold } from './gold';
import { trustPackCommand } from './trust-pack';

export const COMMANDS: readonly Command[] = [
  keygen,
  hash,
  walCheck,
  walRepair,
  ingest,
  storeDump,
  snapshotCreate,
  snapshotVerify,
  writer,
  writerConsumers,
  reader,
  assert,
  vote,
  append,
  epoch,
  gold,
  trustPackCommand,
  resolveCommand,
  explain,
  subject,
  get,
  history,
  bySource,
  escalations,
  watch,
  head,
  tail,
  status,
  query,
  find,
  subjects,
  predicates,
  bySigner,
  agentGrant,
  agentRevoke,
  agentList,
  trust,
  trustLearn,
  claims,
  sim,
  dev,
];
