/** Result kinds `--output html` draws (a heat map needs principals × services)... */
export const HTML_KINDS = ['least-privilege-gate', 'access-advisor-sweep', 'organizations-access', 'tightened-policy'] as const;

/** ...and the commands whose results carry them. Kept apart from the renderer so the CLI can check a flag cheaply. */
export const HTML_COMMANDS: readonly string[] = ['gate', 'sweep', 'org-report', 'tighten'];
