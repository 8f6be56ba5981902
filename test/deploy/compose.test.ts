import { composeProblems, composeSchemaProblems, loadCompose, mountsOf, type ComposeFile } from './compose-file';
import { goDurationSeconds } from './go-duration';

const compose = loadCompose();

function edited(edit: (doc: any) => void): ComposeFile {
  const doc = structuredClone(compose);
  edit(doc);
  return doc;
}

describe('deploy/compose.yaml', () => {
  test('is valid against the Compose specification schema', () => {
    expect(composeSchemaProblems(compose)).toEqual([]);
  });

  test('runs one writer, two readers on their own volumes tailing it, and Jaeger, with traces wired', () => {
    expect(composeProblems(compose)).toEqual([]);
    expect(Object.keys(compose.services).sort()).toEqual(['jaeger', 'reader-1', 'reader-2', 'writer']);
  });

  test('the reader store volumes are distinct named volumes', () => {
    const stores = ['reader-1', 'reader-2'].map((r) => mountsOf(compose.services[r]!).find((m) => m.target === '/var/lib/stemedb/store')?.source);
    expect(stores).toEqual(['reader-1-store', 'reader-2-store']);
  });
});

describe('the compose checks catch what they guard against', () => {
  test('an unknown service field fails the schema', () => {
    expect(composeSchemaProblems(edited((d) => (d.services.writer.restart_policy = 'always')))).toEqual([expect.stringMatching(/\/services\/writer: must NOT have additional properties/)]);
  });

  test('a malformed duration or port fails the schema', () => {
    expect(composeSchemaProblems(edited((d) => (d.services.writer.stop_grace_period = '30 seconds')))).toEqual([expect.stringMatching(/stop_grace_period: must match format "duration"/)]);
    expect(composeSchemaProblems(edited((d) => (d.services.writer.ports = ['70:70:70:70'])))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/services\/writer\/ports\/0: must match format "ports"/)]),
    );
  });

  test('two readers sharing a store volume are refused', () => {
    const doc = edited((d) => (d.services['reader-2'].volumes = ['reader-1-store:/var/lib/stemedb/store']));
    expect(composeProblems(doc)).toEqual(expect.arrayContaining([expect.stringMatching(/reader-1: the store volume 'reader-1-store' is shared with reader-2/)]));
  });

  test('a store on an anonymous volume is refused', () => {
    const doc = edited((d) => (d.services['reader-1'].volumes = ['/var/lib/stemedb/store']));
    expect(composeProblems(doc)).toEqual([expect.stringMatching(/reader-1: the store directory \/var\/lib\/stemedb\/store must be a named volume/)]);
  });

  test('a reader without its young generation size is refused', () => {
    const doc = edited((d) => delete d.services['reader-2'].environment.NODE_OPTIONS);
    expect(composeProblems(doc)).toEqual([expect.stringMatching(/reader-2: needs NODE_OPTIONS with --max-semi-space-size=64/)]);
  });

  test('a single reader is refused', () => {
    const doc = edited((d) => delete d.services['reader-2']);
    expect(composeProblems(doc)).toEqual([expect.stringMatching(/at least 2 reader services, found 1/)]);
  });

  test('a second writer is refused', () => {
    const doc = edited((d) => (d.services['writer-2'] = { ...d.services.writer, ports: [], volumes: ['wal-2:/var/lib/stemedb/wal'] }));
    expect(composeProblems(doc)).toEqual(expect.arrayContaining([expect.stringMatching(/exactly one writer service, found 2/)]));
  });

  test('a reader tailing the wrong address is refused', () => {
    const doc = edited((d) => (d.services['reader-1'].command[4] = 'writer:7071'));
    expect(composeProblems(doc)).toEqual([expect.stringMatching(/reader-1: must tail the writer at writer:7070, found writer:7071/)]);
  });

  test('a missing OTLP endpoint is refused', () => {
    const doc = edited((d) => delete d.services.writer.environment.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(composeProblems(doc)).toEqual([expect.stringMatching(/writer: OTEL_EXPORTER_OTLP_ENDPOINT must be a URL of a service/)]);
  });

  test('a stop grace period equal to the drain is refused', () => {
    const doc = edited((d) => (d.services['reader-2'].stop_grace_period = '10s'));
    expect(composeProblems(doc)).toEqual([expect.stringMatching(/reader-2: stop_grace_period must be above the 10 s drain, found 10s/)]);
    expect(composeProblems(edited((d) => (d.services['reader-2'].stop_grace_period = '11s')))).toEqual([]);
  });

  test('a StemeDB service without the build section is refused', () => {
    expect(composeProblems(edited((d) => delete d.services['reader-1'].build))).toEqual([expect.stringMatching(/reader-1: runs the locally built image, so it needs the build section/)]);
  });

  test('an unpinned image or a doubly published host port is refused', () => {
    expect(composeProblems(edited((d) => (d.services.jaeger.image = 'jaegertracing/all-in-one:latest')))).toEqual([expect.stringMatching(/jaeger: image .* must be pinned/)]);
    expect(composeProblems(edited((d) => (d.services['reader-2'].ports = ['7071:7071'])))).toEqual([expect.stringMatching(/reader-2: host port 7071 is already published by reader-1/)]);
  });
});

describe('Go durations', () => {
  test.each([
    ['30s', 30],
    ['1m30s', 90],
    ['1.5h', 5400],
    ['500ms', 0.5],
    ['0', 0],
  ])('%s is %d s', (text, seconds) => {
    expect(goDurationSeconds(text)).toBeCloseTo(seconds);
  });

  test.each(['', '30', '30 s', 's', '1d', '-'])('%j is not a duration', (text) => {
    expect(goDurationSeconds(text)).toBeUndefined();
  });
});
