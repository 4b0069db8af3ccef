import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { TableSpec } from '../../lib/deploy/index.js';

type KeyType = TableSpec['partitionKey']['type'];

export interface LedgerTableProps {
  /** The table as the settings module specifies it (`settings.table`). */
  readonly spec: TableSpec;
  /**
   * The global secondary indexes of this update (a step of `LEDGER_INDEX_STEPS`).
   * @default spec.indexes
   */
  readonly indexes?: TableSpec['indexes'];
  /** Deletion protection and `RETAIN`: job history and sync state outlive a mistaken `cdk destroy`. */
  readonly production: boolean;
}

const ATTRIBUTE_TYPES: Record<KeyType, AttributeType> = { S: AttributeType.STRING, N: AttributeType.NUMBER };

/** The job ledger: job records, idempotency keys and sync state, exactly as `TABLE_SPEC` describes. */
export class LedgerTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: LedgerTableProps) {
    super(scope, id);
    const { spec } = props;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: spec.partitionKey.name, type: ATTRIBUTE_TYPES[spec.partitionKey.type] },
      sortKey: { name: spec.sortKey.name, type: ATTRIBUTE_TYPES[spec.sortKey.type] },
      billingMode: BillingMode[spec.billingMode],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: spec.pointInTimeRecovery },
      timeToLiveAttribute: spec.timeToLiveAttribute,
      deletionProtection: props.production,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of props.indexes ?? spec.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey.name, type: ATTRIBUTE_TYPES[index.partitionKey.type] },
        sortKey: { name: index.sortKey.name, type: ATTRIBUTE_TYPES[index.sortKey.type] },
        projectionType: ProjectionType[index.projection],
      });
    }
  }
}
