import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { stageParameterPrefixes } from '../../lib/deploy/index.js';

export interface StageParametersProps {
  readonly stage: string;
}

/**
 * The SSM parameters and Secrets Manager secrets of one stage (`/hangar/<stage>/…`,
 * `hangar/<stage>/…`): where handlers declaring the `parameters` resource read credentials such
 * as a sync source's auth header. The values live outside the stack; it only grants reading them.
 */
export class StageParameters extends Construct {
  readonly parameterPathArn: string;
  readonly parameterArns: string;
  readonly secretArns: string;

  constructor(scope: Construct, id: string, props: StageParametersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefixes = stageParameterPrefixes(props.stage);
    // `formatArn` adds the separator itself: parameter ARNs are `…:parameter/hangar/<stage>/name`.
    const path = prefixes.ssm.slice(1, -1);
    this.parameterPathArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: path });
    this.parameterArns = `${this.parameterPathArn}/*`;
    // Secrets Manager appends a random suffix (`-AbCdEf`) to every secret ARN.
    this.secretArns = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${prefixes.secret}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        resources: [this.parameterPathArn, this.parameterArns],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secretArns] }),
    );
  }
}
