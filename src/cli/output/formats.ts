/** The result formats of `--output`; the global flags and the renderer both name them. */
export const OUTPUT_FORMATS = ['json', 'yaml', 'table', 'markdown', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
