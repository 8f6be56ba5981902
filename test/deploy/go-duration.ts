/** Go duration strings ("30s", "1m30s", "1.5h"), the form Compose uses for times, in seconds. */

const UNIT_S: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const PART = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/y;

/** Seconds in a Go duration; undefined when the text is not one (Go's time.ParseDuration grammar, unsigned). */
export function goDurationSeconds(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * UNIT_S[match[2]!]!;
  }
  return total;
}
