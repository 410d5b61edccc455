/** The event shape rules match lives below the providers (their log readers produce it): see src/events/event.ts. */
export * from '../events/event.js';
