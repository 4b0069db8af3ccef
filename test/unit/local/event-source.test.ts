import { describe, expect, it } from 'vitest';
import { parseBatchResponse } from '../../../local/event-source.js';
import { sqsEvent, sqsRecord } from '../../helpers/sqs-records.js';

const event = sqsEvent(sqsRecord('a', { messageId: 'm-1' }), sqsRecord('b', { messageId: 'm-2' }));

describe('Function: parseBatchResponse', () => {
  it.each([
    ['no response', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('reads %s as complete success', (_what, response) => {
    expect(parseBatchResponse(response, event)).toEqual({ ok: true, failedIds: new Set() });
  });

  it('names the failed records', () => {
    expect(parseBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }, event)).toEqual({
      ok: true,
      failedIds: new Set(['m-2']),
    });
  });

  it.each([
    ['a string', 'ok', 'the response is not an object'],
    ['a list that is not one', { batchItemFailures: 'm-1' }, 'batchItemFailures is not a list'],
    [
      'an empty identifier',
      { batchItemFailures: [{ itemIdentifier: '' }] },
      'an itemIdentifier is missing or empty',
    ],
    [
      'a null identifier',
      { batchItemFailures: [{ itemIdentifier: null }] },
      'an itemIdentifier is missing or empty',
    ],
    [
      'a misspelt key',
      { batchItemFailures: [{ itemIdentifer: 'm-1' }] },
      'an itemIdentifier is missing or empty',
    ],
    [
      'an unknown message',
      { batchItemFailures: [{ itemIdentifier: 'm-9' }] },
      'itemIdentifier "m-9" is not in the batch',
    ],
  ])('fails the whole batch, as Lambda does, for %s', (_what, response, reason) => {
    expect(parseBatchResponse(response, event)).toEqual({ ok: false, reason });
  });
});
