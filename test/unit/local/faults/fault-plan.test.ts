import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/index.js';
import { errorAnswer } from '../../../../local/faults/error-answers.js';
import {
  checkFaultOptions,
  FAULT_KINDS,
  type FaultKind,
  FaultPlan,
  type FaultRequest,
} from '../../../../local/faults/fault-plan.js';
import { callAttempt, requestOperation } from '../../../../local/faults/operation.js';

const call = (operation: string, service: FaultRequest['service'] = 'sqs', body = '{}'): FaultRequest => ({
  service,
  operation,
  body,
});

/** The kinds a plan gives `count` calls of one operation, `-` for none. */
function decisions(plan: FaultPlan, request: FaultRequest, count: number): string[] {
  return Array.from({ length: count }, () => plan.decide(request)?.kind ?? '-');
}

describe('Class: FaultPlan', () => {
  describe('Method: decide', () => {
    it('gives the same faults for the same seed and calls, and others for another seed', () => {
      // Prepare
      const rules = [{ rate: 0.3 }];

      // Act
      const first = decisions(new FaultPlan({ seed: 9, rules }), call('ReceiveMessage'), 200);
      const again = decisions(new FaultPlan({ seed: 9, rules }), call('ReceiveMessage'), 200);
      const other = decisions(new FaultPlan({ seed: 10, rules }), call('ReceiveMessage'), 200);

      // Assess
      expect(again).toEqual(first);
      expect(other).not.toEqual(first);
    });

    it("decides each operation from its own stream, however other operations' calls interleave", () => {
      // Prepare
      const rules = [{ rate: 0.5 }];
      const alone = new FaultPlan({ seed: 3, rules });
      const interleaved = new FaultPlan({ seed: 3, rules });

      // Act: the same 100 UpdateItem calls, with SendMessage calls between them in the second plan.
      const expected = decisions(alone, call('UpdateItem', 'dynamodb'), 100);
      const seen = Array.from({ length: 100 }, (_, i) => {
        decisions(interleaved, call('SendMessage'), i % 3);
        return interleaved.decide(call('UpdateItem', 'dynamodb'))?.kind ?? '-';
      });

      // Assess
      expect(seen).toEqual(expected);
    });

    it('fails about its rate of the calls, spread evenly over the kinds', () => {
      // Prepare: seeded, so these numbers are exact for this seed; the bounds say what they mean.
      const plan = new FaultPlan({ seed: 1, rules: [{ rate: 0.05 }] });

      // Act
      const kinds = decisions(plan, call('SendMessage'), 60_000).filter((kind) => kind !== '-');

      // Assess: 5 % of 60,000 = 3,000 faults, 500 of each of the six kinds.
      expect(kinds.length).toBeGreaterThan(2_800);
      expect(kinds.length).toBeLessThan(3_200);
      for (const kind of FAULT_KINDS) {
        const share = kinds.filter((k) => k === kind).length / kinds.length;
        expect(share).toBeGreaterThan(1 / 6 - 0.03);
        expect(share).toBeLessThan(1 / 6 + 0.03);
      }
    });

    it('lets the first matching rule decide, by service, operation and match, and never fails other calls', () => {
      // Prepare: the ledger's succeed write always throttled; other UpdateItems always dropped.
      const plan = new FaultPlan({
        seed: 1,
        rules: [
          {
            service: 'dynamodb',
            operation: 'UpdateItem',
            match: (request) => request.body.includes('"succeeded"'),
            rate: 1,
            kinds: ['throttling'],
          },
          { service: 'dynamodb', operation: 'UpdateItem', rate: 1, kinds: ['dropped'] },
        ],
      });

      // Act
      const succeed = plan.decide(call('UpdateItem', 'dynamodb', '{":s":{"S":"succeeded"}}'));
      const claim = plan.decide(call('UpdateItem', 'dynamodb', '{":s":{"S":"running"}}'));
      const get = plan.decide(call('GetItem', 'dynamodb'));
      const send = plan.decide(call('SendEmail', 'ses'));

      // Assess
      expect(succeed?.kind).toBe('throttling');
      expect(claim?.kind).toBe('dropped');
      expect(get).toBeUndefined();
      expect(send).toBeUndefined();
    });

    it("stops at a rule's limit, numbering faults in the order they were decided", () => {
      // Prepare
      const plan = new FaultPlan({ seed: 1, rules: [{ rate: 1, kinds: ['answerLost'], limit: 2 }] });

      // Act
      const seen = [1, 2, 3].map(() => plan.decide(call('DeleteMessage')));

      // Assess
      expect(seen).toEqual([{ kind: 'answerLost', seq: 1 }, { kind: 'answerLost', seq: 2 }, undefined]);
    });

    it("with per: 'call', fails every attempt of a failing call alike and decides only first attempts", () => {
      // Prepare: one failing call at most; each call's attempts carry its id.
      const plan = new FaultPlan({ seed: 2, rules: [{ rate: 1, per: 'call', limit: 1 }] });
      const attempt = (id: string, n: number) => ({
        ...call('UpdateItem', 'dynamodb'),
        call: { id, attempt: n, maxAttempts: 3 },
      });

      // Act
      const failing = [1, 2, 3].map((n) => plan.decide(attempt('call-a', n))?.kind);
      const next = [1, 2].map((n) => plan.decide(attempt('call-b', n))?.kind);

      // Assess
      expect(new Set(failing).size).toBe(1);
      expect(failing[0]).toBeDefined();
      expect(next).toEqual([undefined, undefined]);
      expect(plan.totals().requests).toBe(5);
    });

    it("with per: 'call', draws the same faults for the same first attempts, however many retries follow", () => {
      // Prepare
      const rules = [{ rate: 0.4, per: 'call' as const }];
      const once = new FaultPlan({ seed: 8, rules });
      const retried = new FaultPlan({ seed: 8, rules });
      const attempt = (id: number, n: number) => ({
        ...call('SendMessage'),
        call: { id: `c${id}`, attempt: n, maxAttempts: 3 },
      });

      // Act: the same 60 calls; in the second plan every failing call is retried to its last attempt.
      const expected = Array.from({ length: 60 }, (_, id) => once.decide(attempt(id, 1))?.kind ?? '-');
      const seen = Array.from({ length: 60 }, (_, id) => {
        const first = retried.decide(attempt(id, 1))?.kind ?? '-';
        if (first !== '-') for (const n of [2, 3]) expect(retried.decide(attempt(id, n))?.kind).toBe(first);
        return first;
      });

      // Assess
      expect(seen).toEqual(expected);
    });

    it('takes new rules without restarting its streams', () => {
      // Prepare
      const plan = new FaultPlan({ seed: 4, rules: [] });
      const reference = new FaultPlan({ seed: 4, rules: [{ rate: 0.5 }] });
      decisions(reference, call('ReceiveMessage'), 10);

      // Act
      decisions(plan, call('ReceiveMessage'), 10);
      plan.setRules([{ rate: 0.5 }]);

      // Assess
      expect(decisions(plan, call('ReceiveMessage'), 50)).toEqual(
        decisions(reference, call('ReceiveMessage'), 50),
      );
    });
  });

  describe('Methods: counts and totals', () => {
    it('count every request and every fault, by service and operation', () => {
      // Prepare
      const plan = new FaultPlan({ seed: 1, rules: [{ service: 'ses', rate: 1, kinds: ['error503'] }] });

      // Act
      decisions(plan, call('ReceiveMessage'), 3);
      decisions(plan, call('SendEmail', 'ses'), 2);

      // Assess
      const none: Record<FaultKind, number> = {
        error500: 0,
        error503: 0,
        throttling: 0,
        dropped: 0,
        timeout: 0,
        answerLost: 0,
      };
      expect(plan.counts()).toEqual({
        sqs: { ReceiveMessage: { requests: 3, ...none } },
        dynamodb: {},
        ses: { SendEmail: { requests: 2, ...none, error503: 2 } },
      });
      expect(plan.totals()).toEqual({ requests: 5, ...none, error503: 2 });
    });
  });

  it('rejects unknown keys and bad values, naming each', () => {
    expect(() => new FaultPlan({ seed: 1, rules: [{ rate: 2, kinds: ['slow' as FaultKind] }] })).toThrow(
      new ConfigError(
        'Invalid fault layer options: rules.0.rate: Too big: expected number to be <=1; rules.0.kinds.0: Invalid option: expected one of "error500"|"error503"|"throttling"|"dropped"|"timeout"|"answerLost"',
      ),
    );
    expect(() => checkFaultOptions({ seed: -1, rules: [], ...{ holdLimit: 5 } })).toThrow(
      new ConfigError(
        'Invalid fault layer options: seed: Too small: expected number to be >=0; holdLimit: is not a known key; did you mean "holdLimitMs"?',
      ),
    );
  });
});

describe('Function: requestOperation', () => {
  it.each([
    [
      'SQS (AWS JSON 1.0)',
      { 'x-amz-target': 'AmazonSQS.ChangeMessageVisibilityBatch' },
      '{}',
      { protocol: 'json', operation: 'ChangeMessageVisibilityBatch' },
    ],
    [
      'DynamoDB (AWS JSON 1.0)',
      { 'x-amz-target': 'DynamoDB_20120810.UpdateItem' },
      '{}',
      { protocol: 'json', operation: 'UpdateItem' },
    ],
    [
      'SES v1 (query)',
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      'Action=SendEmail&Version=2010-12-01',
      { protocol: 'query', operation: 'SendEmail' },
    ],
  ])('reads the operation of %s', (_what, headers, body, expected) => {
    expect(requestOperation(headers, 'POST', '/', body)).toEqual(expected);
  });

  it('names the SES v2 send by its route, and any other route by method and path', () => {
    expect(requestOperation({}, 'POST', '/v2/email/outbound-emails', '{}')).toEqual({
      protocol: 'rest-json',
      operation: 'SendEmail',
    });
    expect(requestOperation({}, 'GET', '/store?x=1', '')).toEqual({
      protocol: 'rest-json',
      operation: 'GET /store',
    });
  });
});

describe('Function: errorAnswer', () => {
  it("throttles SQS with its model's RequestThrottled, query code in the header", () => {
    const answer = errorAnswer('sqs', 'json', 'throttling');

    expect(answer.status).toBe(403);
    expect(answer.headers['x-amzn-query-error']).toBe('RequestThrottled;Sender');
    expect(JSON.parse(answer.body)).toEqual({
      __type: 'com.amazonaws.sqs#RequestThrottled',
      message: 'Request is throttled.',
    });
  });

  it('fails SES v1 in the query protoc' + "l's XML, with the fault on the receiver for a 5xx", () => {
    const answer = errorAnswer('ses', 'query', 'error503');

    expect(answer.status).toBe(503);
    expect(answer.body).toMatch(
      /^<ErrorResponse xmlns="http:\/\/ses\.amazonaws\.com\/doc\/2010-12-01\/"><Error><Type>Receiver<\/Type><Code>ServiceUnavailable<\/Code><Message>Service unavailable\.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });
});

describe('Function: callAttempt', () => {
  it("reads the SDK's call id and attempt, and nothing from a request without them", () => {
    expect(callAttempt({ 'amz-sdk-invocation-id': 'id-1', 'amz-sdk-request': 'attempt=2; max=3' })).toEqual({
      id: 'id-1',
      attempt: 2,
      maxAttempts: 3,
    });
    expect(callAttempt({ 'amz-sdk-invocation-id': 'id-1' })).toBeUndefined();
  });
});
