/**
 * Command ids of this extension (`hub:<verb-noun>`).
 */

/** The command ids. */
export const CommandIDs = {
  /** Opens (activates) the Resources side panel. */
  openResources: 'hub:open-resources',
} as const;
