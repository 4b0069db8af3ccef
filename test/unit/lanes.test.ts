import { describe, expect, it } from 'vitest';
import { runLanes, toLanes } from '../../lib/worker/lanes.js';
import { sqsRecord } from '../helpers/sqs-records.js';

describe('Function: toLanes', () => {
  it('makes one lane per message group, each in delivery order with its positions', () => {
    // Prepare
    const records = [
      sqsRecord('a1', { groupId: 'a' }),
      sqsRecord('b1', { groupId: 'b' }),
      sqsRecord('a2', { groupId: 'a' }),
    ];

    // Act
    const lanes = toLanes(records);

    // Assess
    expect(lanes.map((lane) => lane.map(({ record, index }) => [record.body, index]))).toEqual([
      [
        ['a1', 0],
        ['a2', 2],
      ],
      [['b1', 1]],
    ]);
  });
});

describe('Function: runLanes', () => {
  it('starts each item once with its own position, never more than the concurrency at once', async () => {
    // Prepare
    const started: [string, number][] = [];
    let running = 0;
    let peak = 0;
    const items = ['a', 'b', 'c', 'd', 'e'];

    // Act: each item yields to the others before it finishes.
    await runLanes(items, 2, async (item, index) => {
      started.push([item, index]);
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
    });

    // Assess
    expect(peak).toBe(2);
    expect(started).toEqual(items.map((item, index) => [item, index]));
  });

  it('starts every item at once when the concurrency allows', () => {
    // Prepare
    const started: number[] = [];

    // Act
    const done = runLanes(['a', 'b', 'c'], 3, async (_item, index) => {
      started.push(index);
    });

    // Assess
    expect(started).toEqual([0, 1, 2]);
    return done;
  });
});
