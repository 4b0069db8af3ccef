import 'aws-sdk-client-mock-vitest/extend';

// Keep test output readable: Powertools logs and EMF metrics go to stdout unless told otherwise.
// Tests that assert on logs pass their own Logger with an explicit level.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
