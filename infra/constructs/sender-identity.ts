import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ConfigError } from '../../lib/index.js';

/** The SES actions a sender may use: the e-mail job sends with `@aws-sdk/client-ses`. */
export const SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

export interface SenderIdentityProps {
  /** The address every e-mail is sent from. */
  readonly email: string;
  /**
   * Creates the SES e-mail identity (SES then mails a verification link to the address). Otherwise
   * the identity is referenced, verified outside the stack.
   */
  readonly create: boolean;
  /** E-mails per second the account accepts (the stage's `emailSendRate`). @default undefined (no limit) */
  readonly sendRate?: number;
}

/** The one address Hangar sends e-mail as, and the right to send as it. */
export class SenderIdentity extends Construct {
  readonly email: string;
  readonly sendRate: number | undefined;
  /** The created identity, when `create` is set. */
  readonly emailIdentity: EmailIdentity | undefined;
  /**
   * The identities SES may authorize a send from this address with: the address itself, and its
   * domain (when the address is verified through its domain rather than on its own).
   */
  readonly identityArns: readonly string[];

  constructor(scope: Construct, id: string, props: SenderIdentityProps) {
    super(scope, id);
    const domain = props.email.split('@')[1];
    if (!domain) throw new ConfigError(`Sender "${props.email}" is not an e-mail address`);
    this.email = props.email;
    this.sendRate = props.sendRate;
    this.emailIdentity = props.create
      ? new EmailIdentity(this, 'Identity', { identity: Identity.email(props.email) })
      : undefined;
    const stack = Stack.of(this);
    const arn = (identity: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    this.identityArns = [this.emailIdentity?.emailIdentityArn ?? arn(props.email), arn(domain)];
  }

  /** `ses:SendEmail`/`SendRawEmail` as this address only: the domain identity is narrowed by `ses:FromAddress`. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...SEND_ACTIONS],
        resources: [...this.identityArns],
        conditions: { StringEquals: { 'ses:FromAddress': this.email } },
      }),
    );
  }
}
