// Placeholder until the plan-time program exists (issue 5); the build must not fail before then.
