import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeadline } from '../../../../lib/worker/deadline.js';
import { DeadlineReachedError } from '../../../../lib/worker/index.js';
import { createLambdaContext } from '../../../../local/lambda-context.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { virtualClock } from '../../../helpers/virtual-clock.js';

describe('Function: createDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reaches its margin on time, and a signal first read after that is already aborted', async () => {
    // Prepare: 10 s left, margin 3 s → reached at 7 s.
    vi.useFakeTimers();
    const deadline = createDeadline(fakeContext(10_000), 3_000, 1_000);

    // Act
    await vi.advanceTimersByTimeAsync(6_999);
    const before = deadline.reached;
    const remaining = deadline.remainingMs();
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(before).toBe(false);
    expect(remaining).toBe(1);
    expect(deadline.reached).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineReachedError);
    expect(deadline.remainingMs()).toBe(0);
    deadline.dispose();
  });

  it('aborts a signal read before the margin when the margin is reached', async () => {
    vi.useFakeTimers();
    const deadline = createDeadline(fakeContext(5_000), 2_000, 1_000);
    const signal = deadline.signal;
    const fired = vi.fn();
    signal.addEventListener('abort', fired);

    await vi.advanceTimersByTimeAsync(3_000);

    expect(fired).toHaveBeenCalledTimes(1);
    expect(signal.reason).toEqual(new DeadlineReachedError(2_000));
    deadline.dispose();
  });

  it('resolves the hard stop the reserve before the deadline, asked for before or after the margin', async () => {
    vi.useFakeTimers();
    const early = createDeadline(fakeContext(10_000), 3_000, 1_000);
    const late = createDeadline(fakeContext(10_000), 3_000, 1_000);
    const start = Date.now();
    const stops: string[] = [];
    void early.hardStop.then(() => stops.push(`early at ${Date.now() - start}`));

    await vi.advanceTimersByTimeAsync(8_000);
    void late.hardStop.then(() => stops.push(`late at ${Date.now() - start}`));
    await vi.advanceTimersByTimeAsync(1_000);

    expect(stops).toEqual(['early at 9000', 'late at 9000']);
  });

  it('starts reached when less time is left than the margin', () => {
    vi.useFakeTimers();
    const deadline = createDeadline(fakeContext(1_000), 3_000, 1_000);
    expect(deadline.reached).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    deadline.dispose();
  });

  it('fires nothing once disposed', async () => {
    vi.useFakeTimers();
    const deadline = createDeadline(fakeContext(5_000), 2_000, 1_000);
    const signal = deadline.signal;
    deadline.dispose();

    await vi.advanceTimersByTimeAsync(10_000);

    expect(signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs on the clock the Lambda context names, and on no timer of its own', async () => {
    // Prepare: 10 s left on a virtual clock, margin 3 s, reserve 1 s; the system timers are fake, to count them.
    vi.useFakeTimers();
    const clock = virtualClock();
    const context = createLambdaContext({ functionName: 'clocked', timeoutMs: 10_000, clock });
    const deadline = createDeadline(context, 3_000, 1_000);
    let stopped = false;
    void deadline.hardStop.then(() => {
      stopped = true;
    });

    // Act
    clock.tick(6_999);
    const before = { reached: deadline.reached, remaining: deadline.remainingMs() };
    clock.tick(1);
    const atMargin = { reached: deadline.reached, aborted: deadline.signal.aborted };
    clock.tick(1_999);
    await Promise.resolve();
    const beforeStop = stopped;
    clock.tick(1);
    await Promise.resolve();

    // Assess
    expect(before).toEqual({ reached: false, remaining: 1 });
    expect(atMargin).toEqual({ reached: true, aborted: true });
    expect(beforeStop).toBe(false);
    expect(stopped).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    deadline.dispose();
  });
});
