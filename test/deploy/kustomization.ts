/**
 * Consistency of deploy/k8s/kustomization.yaml with the manifest files next to
 * it: `kubectl apply -k` must apply every manifest, once, into one namespace.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import { where, type Manifest } from './k8s-manifests';
import { imageName, workloads } from './k8s-workloads';

/** The Kustomization fields this deployment uses or may reasonably grow into. */
export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  labels?: unknown[];
  images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
  [field: string]: unknown;
}

export const KUSTOMIZE_API_VERSION = 'kustomize.config.k8s.io/v1beta1';

/** Known top-level Kustomization fields; anything else is a typo kubectl would reject. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'resources',
  'components',
  'labels',
  'commonLabels',
  'commonAnnotations',
  'images',
  'replicas',
  'patches',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
]);

/** Kinds that are not namespaced. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PersistentVolume']);

function allImages(manifests: readonly Manifest[]): string[] {
  return workloads(manifests).flatMap((w) => [...(w.pod.initContainers ?? []), ...w.pod.containers].map((c: IContainer) => c.image ?? ''));
}

/** What is wrong with the kustomization against the files present (`files`, kustomization excluded) and their manifests. */
export function kustomizationProblems(k: Kustomization, files: readonly string[], manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const field of Object.keys(k)) if (!KNOWN_FIELDS.has(field)) problems.push(`unknown field '${field}'`);
  if (k.apiVersion !== KUSTOMIZE_API_VERSION) problems.push(`apiVersion must be ${KUSTOMIZE_API_VERSION}`);
  if (k.kind !== 'Kustomization') problems.push('kind must be Kustomization');

  const listed = k.resources ?? [];
  for (const f of new Set(listed)) {
    const times = listed.filter((x) => x === f).length;
    if (times > 1) problems.push(`${f} is listed ${times} times`);
    if (!files.includes(f)) problems.push(`${f} is listed but does not exist`);
  }
  for (const f of files) if (!listed.includes(f)) problems.push(`${f} is not listed in resources`);

  if (k.namespace !== undefined) {
    if (!manifests.some((m) => m.object.kind === 'Namespace' && m.object.metadata.name === k.namespace)) problems.push(`no Namespace manifest for '${k.namespace}'`);
    for (const m of manifests) {
      const ns = CLUSTER_SCOPED.has(m.object.kind) ? (m.object.kind === 'Namespace' ? m.object.metadata.name : undefined) : m.object.metadata.namespace;
      if (ns !== undefined && ns !== k.namespace) problems.push(`${where(m)}: namespace '${ns}' is not '${k.namespace}'`);
    }
  }

  const used = new Set(allImages(manifests).map(imageName));
  for (const image of k.images ?? []) if (!used.has(image.name)) problems.push(`images: '${image.name}' is used by no container`);
  return problems;
}
