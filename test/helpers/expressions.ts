/**
 * Reads a DynamoDB request's expressions with their placeholders filled in, so a test can assert
 * `status IN ("queued", "scheduled")` instead of `#status IN (:v16, :v17)`.
 */
export function readable(input: {
  readonly UpdateExpression?: string;
  readonly ConditionExpression?: string;
  readonly KeyConditionExpression?: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}): { update?: string; condition?: string; keyCondition?: string; filter?: string } {
  const fill = (expression: string | undefined) =>
    expression
      ?.replace(/#[A-Za-z0-9_]+/g, (name) => input.ExpressionAttributeNames?.[name] ?? name)
      .replace(/:[A-Za-z0-9_]+/g, (value) =>
        value in (input.ExpressionAttributeValues ?? {})
          ? JSON.stringify(input.ExpressionAttributeValues?.[value])
          : value,
      );
  const out = {
    update: fill(input.UpdateExpression),
    condition: fill(input.ConditionExpression),
    keyCondition: fill(input.KeyConditionExpression),
    filter: fill(input.FilterExpression),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
