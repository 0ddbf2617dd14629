// Injection tokens (the config and logger are plain objects, not classes).
export const CONFIG = Symbol('ingest.config');
export const LOGGER = Symbol('ingest.logger');
