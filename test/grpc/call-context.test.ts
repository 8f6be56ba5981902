import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { watchCall, type ServerCallLike } from '../../shared/grpc/call-context';
import { DEADLINE_CANCEL_SLACK_MS } from '../../shared/grpc/limits';

type FakeCall = Omit<ServerCallLike, 'cancelled'> & { cancelled: boolean; cancel(): void };

function fakeCall(deadline: grpc.Deadline): FakeCall {
  const call = Object.assign(new EventEmitter(), {
    cancelled: false,
    metadata: new grpc.Metadata(),
    getDeadline: () => deadline,
    getPath: () => '/x.Y/Z',
    getPeer: () => '127.0.0.1:1',
    cancel(): void {
      call.cancelled = true;
      call.emit('cancelled', 'cancelled');
    },
  });
  return call;
}

describe('watchCall', () => {
  test('a cancellation long before the deadline is a CancelledError', () => {
    const call = fakeCall(Date.now() + 10 * DEADLINE_CANCEL_SLACK_MS);
    const watch = watchCall(call);
    call.cancel();
    expect(watch.signal.reason).toMatchObject({ name: 'CancelledError' });
    watch.dispose();
  });

  test('a cancellation with no deadline is a CancelledError', () => {
    const call = fakeCall(Infinity);
    const watch = watchCall(call);
    expect(watch.deadlineMs).toBe(Infinity);
    call.cancel();
    expect(watch.signal.reason).toMatchObject({ name: 'CancelledError' });
  });

  test("a cancellation within the slack before the deadline is the client's deadline timer: DeadlineError", () => {
    const deadline = Date.now() + DEADLINE_CANCEL_SLACK_MS / 2;
    const call = fakeCall(new Date(deadline));
    const watch = watchCall(call);
    expect(watch.deadlineMs).toBe(deadline);
    call.cancel();
    expect(watch.signal.reason).toMatchObject({ name: 'DeadlineError' });
    watch.dispose();
  });

  test('a deadline already passed aborts at once; a call already cancelled too', () => {
    expect(watchCall(fakeCall(Date.now() - 1)).signal.reason).toMatchObject({ name: 'DeadlineError' });
    const gone = fakeCall(Infinity);
    gone.cancelled = true;
    expect(watchCall(gone).signal.reason).toMatchObject({ name: 'CancelledError' });
  });

  test('the deadline timer fires when nothing else happens, and dispose stops it', () => {
    jest.useFakeTimers();
    try {
      const watch = watchCall(fakeCall(Date.now() + 20));
      const disposed = watchCall(fakeCall(Date.now() + 20));
      disposed.dispose();
      jest.advanceTimersByTime(19);
      expect(watch.signal.aborted).toBe(false);
      jest.advanceTimersByTime(1);
      expect(watch.signal.reason).toMatchObject({ name: 'DeadlineError' });
      expect(disposed.signal.aborted).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('CallWatch without a signal', () => {
  test('aborted and reason answer without making a signal; one asked for later is already aborted', () => {
    const call = fakeCall(Infinity);
    const watch = watchCall(call);
    expect(watch.aborted).toBe(false);
    expect(watch.reason).toBeUndefined();
    call.cancel();
    expect(watch.aborted).toBe(true);
    expect(watch.reason).toMatchObject({ name: 'CancelledError' });
    expect(watch.signal.aborted).toBe(true);
    expect(watch.signal.reason).toBe(watch.reason);
  });

  test('onAbort is told once, with the reason, and never after dispose', () => {
    const told: Error[] = [];
    const call = fakeCall(Date.now() + 10 * DEADLINE_CANCEL_SLACK_MS);
    const watch = watchCall(call, (reason) => told.push(reason));
    call.cancel();
    call.cancel();
    expect(told).toHaveLength(1);
    expect(told[0]).toBe(watch.reason);
    const later = fakeCall(Infinity);
    const disposed = watchCall(later, (reason) => told.push(reason));
    disposed.dispose();
    later.cancel();
    expect(told).toHaveLength(1);
    expect(later.listenerCount('cancelled')).toBe(0);
  });

  test('a call whose deadline has passed is not listened to at all', () => {
    const call = fakeCall(Date.now() - 1);
    const told: Error[] = [];
    watchCall(call, (reason) => told.push(reason));
    expect(told.map((e) => e.name)).toEqual(['DeadlineError']);
    expect(call.listenerCount('cancelled')).toBe(0);
  });
});
