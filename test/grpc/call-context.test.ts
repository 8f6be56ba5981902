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
