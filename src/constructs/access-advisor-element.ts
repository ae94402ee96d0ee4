import type { IConstruct } from 'constructs';

/**
 * Marks every element of this package's provider (the provider block, its data sources, a gate's check block): they
 * read a principal and never grant it anything, so grant discovery skips them (and a check block's message, which
 * names what the gate judged, is not rendered while the gate collects it). A module of its own: grant discovery
 * loads it for every gate, plan-time or not.
 */
export const ACCESS_ADVISOR_ELEMENT = Symbol.for('cdktf-access-advisor.AccessAdvisorElement');

/** Whether `element` is an element of this package's provider. */
export function isAccessAdvisorElement(element: IConstruct): boolean {
  return (element as unknown as Record<symbol, unknown>)[ACCESS_ADVISOR_ELEMENT] === true;
}
