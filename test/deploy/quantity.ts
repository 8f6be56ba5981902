/** Kubernetes resource quantities ("500m", "2", "512Mi", "1G") as plain numbers. */

const SUFFIX: Readonly<Record<string, number>> = {
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity in base units (cores, bytes); throws on anything Kubernetes would not accept. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q);
  if (match === null) throw new Error(`not a Kubernetes quantity: '${q}'`);
  return Number(match[1]) * SUFFIX[match[2] ?? '']!;
}
