/**
 * Reading V8 sampling heap profiles (HeapProfiler.startSampling with the
 * objects that minor and major GCs collected included): bytes allocated per
 * unit of work by frame, self and inclusive.
 */

export interface HeapProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapProfileNode[];
}

/** Sampling parameters: one sample per this many allocated bytes on average, and the collected objects kept. */
export const HEAP_SAMPLING = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as const;

/**
 * The same, without the objects a young-generation collection freed: what is
 * left is every object that survived a scavenge (copied, and most of it
 * promoted), the work a scavenge does.
 */
export const HEAP_SAMPLING_SURVIVORS = { ...HEAP_SAMPLING, includeObjectsCollectedByMinorGC: false } as const;

function frameName(n: HeapProfileNode): string {
  const f = n.callFrame;
  const file = f.url === '' ? '' : ` ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '')}:${f.lineNumber + 1}`;
  return `${f.functionName === '' ? '(anonymous)' : f.functionName}${file}`;
}

/** Total sampled bytes per unit (`units`, e.g. records), and the top frames by self and inclusive bytes per unit. */
export function topAllocations(head: HeapProfileNode, units: number, top: number): { perUnit: number; self: [string, number][]; inclusive: [string, number][] } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapProfileNode, onStack: Set<string>): number => {
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    const recursed = onStack.has(name);
    onStack.add(name);
    let sum = node.selfSize;
    for (const c of node.children) sum += walk(c, onStack);
    if (!recursed) {
      onStack.delete(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + sum);
    }
    return sum;
  };
  walk(head, new Set());
  inclusive.delete('(root)');
  const rank = (m: Map<string, number>): [string, number][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, Math.round(v / units)]);
  return { perUnit: Math.round(total / units), self: rank(self), inclusive: rank(inclusive) };
}
