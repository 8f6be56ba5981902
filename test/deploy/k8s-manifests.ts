/**
 * The Kubernetes manifests under deploy/k8s as parsed objects, and their
 * validation against the Kubernetes OpenAPI schemas, offline, through the
 * compiled validators that ship in `kubernetes-models`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';

export const K8S_DIR = resolve(__dirname, '../../deploy/k8s');
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** The fields every Kubernetes object has; the rest is checked by its schema. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** One YAML document of a manifest file. */
export interface Manifest {
  /** File name relative to the manifest directory. */
  readonly file: string;
  /** Position of the document in its file, from 0. */
  readonly index: number;
  readonly object: KubeObject;
}

/** Where a manifest came from, for problem messages: `writer.yaml#1 StatefulSet/stemedb-writer`. */
export function where(m: Manifest): string {
  return `${m.file}#${m.index} ${m.object.kind}/${m.object.metadata.name}`;
}

/** A manifest that cannot even be read as a Kubernetes object. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly file: string,
    readonly index: number,
    readonly reason: string,
  ) {
    super(`${file}#${index}: ${reason}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every non-empty document of a multi-document YAML text; throws ManifestError on bad YAML or a missing apiVersion, kind or name. */
export function parseManifests(file: string, text: string): Manifest[] {
  const out: Manifest[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) throw new ManifestError(file, index, doc.errors.map((e) => e.message).join('; '));
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isRecord(value)) throw new ManifestError(file, index, 'not a mapping');
    const meta = value.metadata;
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !isRecord(meta) || typeof meta.name !== 'string') {
      throw new ManifestError(file, index, 'needs apiVersion, kind and metadata.name');
    }
    out.push({ file, index, object: value as KubeObject });
  });
  return out;
}

/** The YAML files of a manifest directory, kustomization excluded, sorted. */
export function manifestFiles(dir = K8S_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== KUSTOMIZATION_FILE)
    .sort();
}

/** Every manifest in the directory, in file then document order. */
export function loadManifests(dir = K8S_DIR): Manifest[] {
  return manifestFiles(dir).flatMap((f) => parseManifests(f, readFileSync(join(dir, f), 'utf8')));
}

interface Validatable {
  validate(): void;
}

/**
 * The kinds the deployment may use, by `apiVersion/kind`, with their model.
 * An object of any other kind fails validation: add its model here first.
 */
const MODELS: ReadonlyMap<string, (data: KubeObject) => Validatable> = new Map<string, (data: KubeObject) => Validatable>([
  ['v1/Namespace', (d) => new Namespace(d as never)],
  ['v1/ConfigMap', (d) => new ConfigMap(d as never)],
  ['v1/Secret', (d) => new Secret(d as never)],
  ['v1/Service', (d) => new Service(d as never)],
  ['v1/ServiceAccount', (d) => new ServiceAccount(d as never)],
  ['v1/Pod', (d) => new Pod(d as never)],
  ['apps/v1/Deployment', (d) => new Deployment(d as never)],
  ['apps/v1/StatefulSet', (d) => new StatefulSet(d as never)],
  ['policy/v1/PodDisruptionBudget', (d) => new PodDisruptionBudget(d as never)],
]);

/** The schema problems of one manifest (empty when it is valid). */
export function schemaProblems(m: Manifest): string[] {
  const key = `${m.object.apiVersion}/${m.object.kind}`;
  const model = MODELS.get(key);
  if (model === undefined) return [`${where(m)}: unknown kind ${key} (known: ${[...MODELS.keys()].join(', ')})`];
  try {
    model(m.object).validate();
    return [];
  } catch (err) {
    return [`${where(m)}: ${err instanceof Error ? err.message : String(err)}`];
  }
}
