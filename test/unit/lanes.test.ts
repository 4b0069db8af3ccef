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
    const records = ['a', 'b', 'c', 'd', 'e'].map((body) => sqsRecord(body));

    // Act: each item yields to the others before it finishes.
    await runLanes(records, 2, async (record, index) => {
      started.push([record.body, index]);
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
    });

    // Assess
    expect(peak).toBe(2);
    expect(started).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
      ['e', 4],
    ]);
  });

  it('starts every item at once when the concurrency allows', () => {
    // Prepare
    const started: string[] = [];
    const records = ['a', 'b', 'c'].map((body) => sqsRecord(body));

    // Act
    const done = runLanes(records, 3, async (record) => {
      started.push(record.body);
    });

    // Assess: all three started before the first finished.
    expect(started).toEqual(['a', 'b', 'c']);
    return done;
  });
});
