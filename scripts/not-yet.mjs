#!/usr/bin/env node
// Stands in for a command whose issue has not landed: it says so and fails, never pretends.
const [command, issue, what] = process.argv.slice(2);
console.error(`${command}: not built yet — ${what} lands with issue #${issue}.`);
process.exit(2);
