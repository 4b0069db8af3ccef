import type { PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { applyNagSuppressions, nagAcknowledgements } from '../../infra/nag-suppressions.js';
import { bareStack, synthApp } from '../helpers/infra.js';

/** `rule @ construct path` per violating resource, readable in a failed assertion. */
const findings = (violations: readonly PolicyViolation[]) =>
  violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`)).sort();

/** Stage configurations whose resources differ: every branch of the stack is checked. */
const STAGES = [
  ['dev defaults', {}],
  [
    'production with everything configured',
    {
      stage: 'prod',
      production: true,
      createSesIdentity: true,
      alarmEmail: 'ops@example.com',
      timeZone: 'Europe/Berlin',
      syncSources: [
        {
          id: 'crm',
          url: 'https://crm.example.com/items',
          pageSize: 100,
          schedule: 'rate(1 hour)',
          authParameter: '/hangar/prod/crm-token',
        },
      ],
    },
  ],
] as const;

describe('cdk-nag: AwsSolutionsChecks', () => {
  it.each(STAGES)('%s: no unacknowledged error or warning', (_, context) => {
    // Arrange
    const { app } = synthApp({ context });

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(findings(report.violations)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    // Arrange: the app as `cdk synth` builds it, plus one wildcard grant.
    const { app, stack } = synthApp();
    stack.ledger.table.grantReadData(stack.schedules.role);

    // Act & Assess
    expect(() => app.synth({ force: true })).toThrow(
      /Hangar-dev\/Schedules\/Role\/DefaultPolicy\/Resource[\s\S]*AwsSolutions-IAM5\[Resource::<LedgerTable\w+\.Arn>\/index\/\*\]/,
    );
  });

  it.each(STAGES)('%s: every acknowledgement answers a finding (none is stale)', (_, context) => {
    // Arrange
    const stack = bareStack({ context });

    // Act
    const raised = findings(new AwsSolutionsChecks().validateScope(stack).violations);
    const acknowledgements = nagAcknowledgements(stack);

    // Assess: each acknowledgement names a finding raised on its own construct or below it.
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, scope } of acknowledgements) {
      expect(raised.filter((f) => f.startsWith(`${id} @ ${scope.node.path}/`))).not.toEqual([]);
    }
  });

  it('acknowledges findings one by one, each with a reason', () => {
    // Arrange
    const stack = bareStack();

    // Act
    const acknowledgements = applyNagSuppressions(stack);

    // Assess: IAM5 is acknowledged per wildcard (the v3 form of `appliesTo`), never rule-wide.
    for (const { id, reason } of acknowledgements) {
      if (id.startsWith('AwsSolutions-IAM5')) expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});
