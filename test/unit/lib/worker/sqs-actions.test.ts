import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DELIVERY_ATTRIBUTES, SQS_LIMITS } from '../../../../lib/constants.js';
import { decodeEnvelope } from '../../../../lib/jobs/envelope.js';
import { copyAttributes, copyBody, originOf } from '../../../../lib/worker/sqs-actions.js';
import { noteJob } from '../../../helpers/jobs.js';
import { jobRecord, sqsRecord } from '../../../helpers/sqs-records.js';

function withAttributes(attributes: SQSRecord['messageAttributes'], messageId = 'm-1'): SQSRecord {
  return { ...sqsRecord('{}', { messageId }), messageAttributes: attributes };
}

const text = (stringValue: string) => ({ dataType: 'String', stringValue });

describe('Function: copyAttributes', () => {
  it("marks a first copy with the record's own message id as its origin", () => {
    const copy = copyAttributes(withAttributes({}, 'm-7'));

    expect(copy).toEqual({ [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: 'm-7' } });
  });

  it("keeps the origin through copies of copies, and a redrive's mark with the job", () => {
    const copy = withAttributes(
      {
        [DELIVERY_ATTRIBUTES.origin]: text('m-first'),
        [DELIVERY_ATTRIBUTES.redrivenAt]: text('2026-11-29T03:00:00.000Z'),
      },
      'm-third',
    );

    expect(originOf(copy)).toBe('m-first');
    expect(copyAttributes(copy)).toEqual({
      [DELIVERY_ATTRIBUTES.redrivenAt]: { DataType: 'String', StringValue: '2026-11-29T03:00:00.000Z' },
      [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: 'm-first' },
    });
  });

  it('drops a settlement (set anew or not at all) and keeps binary attributes as bytes', () => {
    const copy = copyAttributes(
      withAttributes({
        [DELIVERY_ATTRIBUTES.settlement]: text('{"outcome":"succeeded","token":"t"}'),
        trace: { dataType: 'Binary', binaryValue: Buffer.from('abc').toString('base64') },
      }),
    );

    expect(Object.keys(copy).sort()).toEqual([DELIVERY_ATTRIBUTES.origin, 'trace']);
    expect(Buffer.from(copy.trace?.BinaryValue ?? new Uint8Array()).toString()).toBe('abc');
  });

  it("stays within SQS's attribute limit with room for the caller's, Hangar's own kept first", () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`app.${i}`, text(String(i))]));
    const record = withAttributes({ ...many, [DELIVERY_ATTRIBUTES.redrivenAt]: text('now') });

    const copy = copyAttributes(record, 1);

    expect(Object.keys(copy)).toHaveLength(SQS_LIMITS.maxMessageAttributes - 1);
    expect(copy[DELIVERY_ATTRIBUTES.redrivenAt]).toBeDefined();
    expect(copy[DELIVERY_ATTRIBUTES.origin]).toBeDefined();
  });
});

describe('Function: copyBody', () => {
  it('keeps the bytes of a record received once', () => {
    const record = jobRecord(noteJob(), { text: 'x' });

    expect(copyBody(record)).toBe(record.body);
  });

  it("carries this delivery's attempt into a copy of an envelope received again", () => {
    const record = jobRecord(noteJob(), { text: 'x' }, { envelope: { attempt: 2 }, receiveCount: 3 });

    const copy = decodeEnvelope(copyBody(record));

    expect(copy).toEqual({ ...decodeEnvelope(record.body), attempt: 4 });
  });

  it('keeps a body that is no envelope as it is', () => {
    const record = sqsRecord('not json', { receiveCount: 2 });

    expect(copyBody(record)).toBe('not json');
  });
});
